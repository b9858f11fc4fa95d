"""Arena ratings over the stored battles, and their publication as a results source.

Battles are counted per pair in SQL (a million rows become at most n(n-1)/2), fitted by `_bradley_terry`, and
named twice: by the name the battles use and by the identity entity resolution gives it. Published ratings are
one result import of source ``modelrace-arena``, one benchmark per judge kind (``human``, ``model``), so the
leaderboard and the report rank them next to every other source.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from modelrace.errors import ConfigError, NotFoundError
from modelrace.ratings._battles import (
    JUDGE_KINDS,
    BattleImport,
    resolve_names,
    resolver_for,
    store_battles,
)
from modelrace.ratings._bradley_terry import (
    PairCounts,
    bootstrap_strengths,
    fit_strengths,
    rank_ranges,
    ratings_from_strengths,
    win_probabilities,
)
from modelrace.store import Warehouse

ARENA_SOURCE = "modelrace-arena"
BOOTSTRAP_ROUNDS = 100
SEED = 0

_PAIRS_SQL = """
SELECT least(b.model_a, b.model_b) AS first, greatest(b.model_a, b.model_b) AS second,
       count(*) FILTER (WHERE (b.winner = 'model_a') = (b.model_a < b.model_b) AND b.winner NOT LIKE 'tie%')
           AS wins_first,
       count(*) FILTER (WHERE (b.winner = 'model_b') = (b.model_a < b.model_b) AND b.winner NOT LIKE 'tie%')
           AS wins_second,
       count(*) FILTER (WHERE b.winner LIKE 'tie%') AS ties
FROM battles b JOIN battle_batches s ON s.batch_id = b.batch_id
WHERE {where}
GROUP BY ALL
"""


@dataclass(frozen=True)
class ModelRating:
    """One model's rating with its bootstrap 95 % interval and the ranks it can take."""

    name: str  # as the battles name it
    model: str  # the identity entity resolution gives
    rating: float
    lower: float
    upper: float
    rank: int
    rank_min: int
    rank_max: int
    battles: int
    developer: str = "unattributed"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "model": self.model,
            "name": self.name,
            "rating": round(self.rating, 2),
            "lower": round(self.lower, 2),
            "upper": round(self.upper, 2),
            "rank": self.rank,
            "rank_min": self.rank_min,
            "rank_max": self.rank_max,
            "battles": self.battles,
            "developer": self.developer,
        }


@dataclass(frozen=True)
class Arena:
    """Bradley-Terry ratings of the battles one source (or judge kind) holds."""

    source: str
    category: str | None
    battles: int
    bootstrap_rounds: int
    seed: int
    anchor: tuple[str, float] | None
    models: tuple[ModelRating, ...]
    win_probability: tuple[tuple[float, ...], ...]  # [i][j]: models[i] beats models[j]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (documented in docs/json.md)."""
        return {
            "source": self.source,
            "category": self.category,
            "battles": self.battles,
            "bootstrap_rounds": self.bootstrap_rounds,
            "seed": self.seed,
            "scale": {
                "points_per_tenfold_odds": 400,
                "anchor": ({"model": self.anchor[0], "rating": self.anchor[1]} if self.anchor else {"mean": 1000}),
                "ties": "half a win to each side",
            },
            "models": [m.to_json() for m in self.models],
            "win_probability": {
                "models": [m.name for m in self.models],
                "matrix": [[round(p, 4) for p in row] for row in self.win_probability],
            },
        }


def _selection(warehouse: Warehouse, source: str | None, category: str | None) -> tuple[str, str, list[Any]]:
    """(the source as reported, SQL condition, parameters) for a ``--source`` and ``--category``."""
    kinds = {r["judge_kind"]: r["n"] for r in warehouse.query(
        "SELECT judge_kind, count(*) AS n FROM battles GROUP BY judge_kind")}  # fmt: skip
    if not kinds:
        raise NotFoundError("no battles in the warehouse: run `modelrace import battles PATH` or `modelrace duel`")
    if source is None:  # never mix human and model judges unless asked to
        source = "human" if "human" in kinds else "model"
    conditions: list[str] = []
    parameters: list[Any] = []
    if source in JUDGE_KINDS:
        conditions.append("b.judge_kind = ?")
        parameters.append(source)
    elif source != "all":
        known = [r["source"] for r in warehouse.query("SELECT DISTINCT source FROM battle_batches ORDER BY source")]
        if source not in known:
            raise NotFoundError(
                f"no battles from source {source!r}: choose human, model, all or one of {', '.join(known)}"
            )
        conditions.append("s.source = ?")
        parameters.append(source)
    if category is not None:
        conditions.append("b.category = ?")
        parameters.append(category)
    return source, " AND ".join(conditions) or "TRUE", parameters


def pair_counts(warehouse: Warehouse, source: str | None = None, category: str | None = None) -> tuple[str, PairCounts]:
    """The selected battles counted per pair (in SQL), and the source as reported."""
    label, where, parameters = _selection(warehouse, source, category)
    cursor = warehouse.connection.execute(_PAIRS_SQL.format(where=where), parameters)
    rows = cursor.fetchall()
    if not rows:
        categories = [
            r["category"]
            for r in warehouse.query("SELECT DISTINCT category FROM battles WHERE category IS NOT NULL ORDER BY 1")
        ]
        hint = f" (categories: {', '.join(categories[:20])})" if category is not None and categories else ""
        raise NotFoundError(
            f"no battles for source {label!r}" + (f", category {category!r}" if category else "") + hint
        )
    models = tuple(sorted({r[0] for r in rows} | {r[1] for r in rows}))
    index = {name: i for i, name in enumerate(models)}
    table = np.array([r[2:] for r in rows], dtype=np.float64)
    counts = PairCounts(
        models,
        np.array([index[r[0]] for r in rows], dtype=np.int64),
        np.array([index[r[1]] for r in rows], dtype=np.int64),
        table[:, 0],
        table[:, 1],
        table[:, 2],
    )
    return label, counts


def rate(
    counts: PairCounts,
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = SEED,
    anchor: tuple[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ratings, lower, upper) on the Elo scale for aggregated battles."""
    anchor_index = None
    if anchor is not None:
        if anchor[0] not in counts.models:
            raise ConfigError(f"anchor model {anchor[0]!r} has no battles here")
        anchor_index = (counts.models.index(anchor[0]), anchor[1])
    strengths = fit_strengths(counts.win_matrix()[None])[0]
    ratings = ratings_from_strengths(strengths, anchor_index)
    if rounds > 0:
        samples = ratings_from_strengths(bootstrap_strengths(counts, rounds, seed, strengths), anchor_index)
        lower, upper = np.percentile(samples, [2.5, 97.5], axis=0)
    else:
        lower = upper = ratings
    return ratings, lower, upper


def arena(
    warehouse: Warehouse,
    source: str | None = None,
    category: str | None = None,
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = SEED,
    anchor: tuple[str, float] | None = None,
) -> Arena:
    """Bradley-Terry ratings with bootstrap intervals, rank ranges and win probabilities for stored battles.

    ``source``: ``human`` or ``model`` (by judge kind), ``all``, or a batch's source label; by default human
    votes where there are any, else model verdicts.
    """
    if rounds < 0:
        raise ConfigError(f"--rounds {rounds}: give 0 or more bootstrap rounds")
    label, counts = pair_counts(warehouse, source, category)
    ratings, lower, upper = rate(counts, rounds, seed, anchor)
    best, worst = rank_ranges(lower, upper)
    battles = counts.battles_per_model()
    identities = {r.name: r for r in resolve_names(resolver_for(warehouse), list(counts.models))}
    order = np.argsort(-ratings, kind="stable")
    models = tuple(
        ModelRating(
            name=counts.models[i],
            model=identities[counts.models[i]].model,
            rating=float(ratings[i]),
            lower=float(lower[i]),
            upper=float(upper[i]),
            rank=rank,
            rank_min=int(best[i]),
            rank_max=int(worst[i]),
            battles=int(battles[i]),
            developer=identities[counts.models[i]].developer,
        )
        for rank, i in enumerate(order, 1)
    )
    probabilities = win_probabilities(ratings)[np.ix_(order, order)]
    return Arena(
        source=label,
        category=category,
        battles=counts.total,
        bootstrap_rounds=rounds,
        seed=seed,
        anchor=anchor,
        models=models,
        win_probability=tuple(tuple(float(p) for p in row) for row in probabilities),
    )


def publish_ratings(warehouse: Warehouse) -> int | None:
    """Store the current ratings (one benchmark per judge kind) as a result import of source ``modelrace-arena``;
    None when nothing changed since the last publication."""
    from modelrace.sources import ImportBatch, Result
    from modelrace.sources._store import store_batch

    batches = warehouse.query("SELECT batch_id, battles, data_date FROM battle_batches ORDER BY batch_id")
    if not batches:
        return None
    state = json.dumps([[b["batch_id"], b["battles"]] for b in batches] + [BOOTSTRAP_ROUNDS, SEED])
    digest = hashlib.sha256(state.encode()).hexdigest()
    if warehouse.query("SELECT 1 FROM result_imports WHERE source = ? AND file_sha256 = ?", [ARENA_SOURCE, digest]):
        return None
    when: date = max(b["data_date"] for b in batches)
    batch = ImportBatch(ARENA_SOURCE, when, notes={"bootstrap_rounds": BOOTSTRAP_ROUNDS, "seed": SEED})
    kinds = [r["judge_kind"] for r in warehouse.query("SELECT DISTINCT judge_kind FROM battles ORDER BY 1")]
    for kind in kinds:
        board = arena(warehouse, kind)
        for model in board.models:
            batch.model(model.name)
            batch.results.append(
                Result(
                    model.name,
                    kind,
                    "rating",
                    model.rating,
                    "elo",
                    ci_low=model.lower,
                    ci_high=model.upper,
                    n_items=model.battles,
                    extra={"rank_min": model.rank_min, "rank_max": model.rank_max},
                )
            )
    if not batch.results:
        return None
    return store_batch(warehouse, batch, f"battles:{len(batches)} batches", digest)


def import_battles(
    warehouse: Warehouse,
    path: Path,
    source: str | None = None,
    judged_by: str = "human",
    when: date | None = None,
    *,
    allow_partial: bool = False,
) -> BattleImport:
    """`modelrace import battles`: store a battle file, then publish the ratings it changes."""
    stored = store_battles(warehouse, path, source, judged_by, when, allow_partial=allow_partial)
    return replace(stored, ratings_import_id=publish_ratings(warehouse))
