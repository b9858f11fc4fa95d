"""The size-class leaderboard over imported results: leaders, ties, countries, frontier, open vs closed."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from modelrace._serialise import JsonResult, fields_first
from modelrace.errors import NotFoundError
from modelrace.knowledge import UNKNOWN, SizeBy, class_names, size_class
from modelrace.ranking._catalogue import (
    NewerThanData,
    Score,
    ScoreRow,
    _order,
    load_catalogue,
)
from modelrace.ranking._stats import significant
from modelrace.store import Warehouse


@dataclass(frozen=True)
class CountryBest(ScoreRow):
    """A country's best model in one size class: a score's row, its country first in the JSON."""

    def __json__(self) -> Mapping[str, object]:
        """The fields, ``country`` first."""
        return fields_first(self, ("country",))


@dataclass(frozen=True)
class CountryLeader(JsonResult):
    """The country whose best model leads a size class, the runner-up country and whether the lead is real."""

    country: str
    model: str
    runner_up_country: str | None
    runner_up_model: str | None
    margin: float | None
    significant: bool | None


@dataclass(frozen=True)
class ParetoPoint(ScoreRow):
    """A model on a Pareto frontier: its score and the cost it is placed by (parameters or USD per 1M tokens)."""

    cost: float | None = None


@dataclass(frozen=True)
class OpenClosedPoint(JsonResult):
    """A release that moved the best closed or best open score: both bests then, by country, and the gap."""

    date: str
    model: str
    best_closed: float | None
    best_closed_model: str | None
    best_open: float | None
    best_open_model: str | None
    best_open_by_country: dict[str, float]
    gap: float | None


@dataclass(frozen=True)
class OpenVsClosed(JsonResult):
    """The best open and best closed model on a benchmark, the gap between them and its evolution."""

    best_open: ScoreRow | None
    best_closed: ScoreRow | None
    gap: float | None
    gap_significant: bool | None
    over_time: list[OpenClosedPoint]


@dataclass(frozen=True)
class ClassEntry(JsonResult):
    """One size class on one benchmark: its leader, margin, tie set and the best model of each country."""

    size_class: str
    leader: ScoreRow
    runner_up: ScoreRow | None
    tied_leaders: list[str]  # every model with the leader's exact score (a tie is shown as one, not as a lead)
    margin: float | None
    lead_significant: bool | None
    tie_set: list[str]
    models: int
    best_by_country: list[CountryBest]
    country_leader: CountryLeader | None
    # False when some model's tie with the leader cannot be decided (no standard errors): the tie set then holds
    # only equal scores, and its size says nothing of how close the others are
    tie_set_known: bool = True


@dataclass(frozen=True)
class BenchmarkBoard(JsonResult):
    """One benchmark's board: classes, Pareto frontiers and the open-versus-closed gap."""

    id: str
    source: str
    benchmark: str
    metric: str
    name: str
    data_date: str
    scale: str
    uncertainty: str
    models: int
    classes: list[ClassEntry]
    frontier_params: list[ParetoPoint]
    frontier_price: list[ParetoPoint]
    open_vs_closed: OpenVsClosed


@dataclass(frozen=True)
class Leaderboard(JsonResult):
    """The size-class leaderboard: per benchmark and size class, who leads and whether the lead is real."""

    size_by: SizeBy
    size_class: str | None
    open_only: bool
    method: dict[str, str]
    sources: list[tuple[str, str]]
    benchmarks: list[BenchmarkBoard]
    unmatched: dict[str, int]
    flagged_dates: int = 0  # release dates not used for time series (`modelrace resolve --check-dates`)
    # by source: the models it scores that first appeared on the Hub after its data date (the date is in doubt)
    newer_than_data: dict[str, list[NewerThanData]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Ranked:
    """A size class's leader, its margin over the runner-up, and the set statistically tied with it."""

    leader: ScoreRow
    runner_up: ScoreRow | None
    tied_leaders: list[str]
    margin: float | None
    lead_significant: bool | None
    tie_set: list[str]
    models: int
    tie_set_known: bool


def _rank(scores: list[Score]) -> _Ranked | None:
    """Leader, margin over the runner-up, and the set statistically tied with the leader."""
    if not scores:
        return None
    leader = scores[0]
    runner_up = scores[1] if len(scores) > 1 else None
    # Not significantly below the leader; without standard errors only an equal score ties (significant()
    # says False for equal scores and None for unequal ones without errors).
    verdicts = [significant(leader.value, leader.se, s.value, s.se) for s in scores[1:]]
    tied = [s.entity.name for s, apart in zip(scores[1:], verdicts, strict=True) if apart is False]
    lead_significant = significant(leader.value, leader.se, runner_up.value, runner_up.se) if runner_up else None
    return _Ranked(
        leader=leader.row(),
        runner_up=runner_up.row() if runner_up else None,
        tied_leaders=[s.entity.name for s in scores if s.value == leader.value],
        margin=leader.value - runner_up.value if runner_up else None,
        lead_significant=lead_significant,
        tie_set=[leader.entity.name, *tied],
        models=len(scores),
        tie_set_known=None not in verdicts,
    )


def _country_bests(scores: list[Score]) -> list[Score]:
    """Each attributed country's best score, best first."""
    best: dict[str, Score] = {}
    for score in scores:
        country = score.entity.country
        if country not in best and country != "unattributed":
            best[country] = score
    return sorted(best.values(), key=_order)


def _country_leader(ordered: list[Score]) -> CountryLeader | None:
    """The country whose best leads (``ordered``: each country's best, best first), and its margin."""
    if not ordered:
        return None
    leader = ordered[0]
    second = ordered[1] if len(ordered) > 1 else None
    return CountryLeader(
        country=leader.entity.country,
        model=leader.entity.name,
        runner_up_country=second.entity.country if second else None,
        runner_up_model=second.entity.name if second else None,
        margin=leader.value - second.value if second else None,
        significant=significant(leader.value, leader.se, second.value, second.se) if second else None,
    )


def _class_entry(name: str, members: list[Score]) -> ClassEntry | None:
    """One size class's entry (None when no model is in it)."""
    ranked = _rank(members)
    if ranked is None:
        return None
    bests = _country_bests(members)
    return ClassEntry(
        size_class=name,
        leader=ranked.leader,
        runner_up=ranked.runner_up,
        tied_leaders=ranked.tied_leaders,
        margin=ranked.margin,
        lead_significant=ranked.lead_significant,
        tie_set=ranked.tie_set,
        models=ranked.models,
        best_by_country=[s.row_as(CountryBest) for s in bests],
        country_leader=_country_leader(bests),
        tie_set_known=ranked.tie_set_known,
    )


def pareto_frontier(scores: list[Score], cost: str) -> list[ParetoPoint]:
    """Models no other model beats on score at lower or equal cost (parameters, or price per 1M tokens)."""

    def cost_of(score: Score) -> float | None:
        return score.entity.params_total if cost == "params" else score.price_usd_per_mtok

    candidates = sorted((s for s in scores if cost_of(s)), key=lambda s: (cost_of(s), -s.value, s.entity.name.lower()))
    frontier: list[ParetoPoint] = []
    best = float("-inf")
    for score in candidates:
        if score.value > best:
            frontier.append(dataclasses.replace(score.row_as(ParetoPoint), cost=cost_of(score)))
            best = score.value
    return frontier


def open_vs_closed(scores: list[Score]) -> OpenVsClosed:
    """The best open and best closed model, the gap, and its evolution by release date (overall, by country)."""
    open_scores = [s for s in scores if s.entity.open_weights]
    closed = [s for s in scores if s.entity.open_weights is False]
    over_time: list[OpenClosedPoint] = []
    dated = sorted(
        (s for s in scores if s.release_date and s.entity.open_weights is not None),
        key=lambda s: (s.release_date or date.min, -s.value, s.entity.name.lower()),
    )
    running: dict[str, Score] = {}  # "closed", "open", "open <country>" -> best so far
    for score in dated:
        series = ["closed"] if score.entity.open_weights is False else ["open", f"open {score.entity.country}"]
        changed = False
        for key in series:
            if key not in running or score.value > running[key].value:
                running[key] = score
                changed = True
        if not changed:
            continue
        best_closed, best_open = running.get("closed"), running.get("open")
        over_time.append(
            OpenClosedPoint(
                date=(score.release_date or date.min).isoformat(),
                model=score.entity.name,
                best_closed=best_closed.value if best_closed else None,
                best_closed_model=best_closed.entity.name if best_closed else None,
                best_open=best_open.value if best_open else None,
                best_open_model=best_open.entity.name if best_open else None,
                best_open_by_country={
                    key.removeprefix("open "): value.value for key, value in running.items() if key.startswith("open ")
                },
                gap=best_closed.value - best_open.value if best_closed and best_open else None,
            )
        )
    return OpenVsClosed(
        best_open=open_scores[0].row() if open_scores else None,
        best_closed=closed[0].row() if closed else None,
        gap=closed[0].value - open_scores[0].value if open_scores and closed else None,
        gap_significant=significant(closed[0].value, closed[0].se, open_scores[0].value, open_scores[0].se)
        if open_scores and closed
        else None,
        over_time=over_time,
    )


def leaderboard(
    warehouse: Warehouse,
    benchmark: str | None = None,
    size_class_filter: str | None = None,
    size_by: SizeBy = "total",
    open_only: bool = False,
) -> Leaderboard:
    """Per benchmark and size class: the leader, its margin and tie set, the best model of each country."""
    catalogue = load_catalogue(warehouse)
    chosen = [
        b
        for b in catalogue.benchmarks.values()
        if benchmark is None
        or benchmark.lower() in (b.id.lower(), b.benchmark.lower(), b.name.lower())
        or benchmark.lower() in b.id.lower()
    ]
    if not chosen:
        known = ", ".join(sorted(catalogue.benchmarks))
        raise NotFoundError(f"no benchmark matches {benchmark!r}; known: {known}")
    classes = [*class_names(size_by), UNKNOWN]
    if size_class_filter is not None and size_class_filter not in classes:
        raise NotFoundError(f"no size class {size_class_filter!r} for --size-by {size_by}; choose {', '.join(classes)}")
    output = []
    for bench in sorted(chosen, key=lambda b: b.id):
        scores = [s for s in bench.scores if s.entity.matched and (not open_only or s.entity.open_weights)]
        by_class: dict[str, list[Score]] = defaultdict(list)
        for score in scores:
            # Closed models appear only in the open-versus-closed views: they are not an "unknown size" class.
            if score.entity.open_weights is not False:
                by_class[size_class(score.entity.params_total, score.entity.params_active, size_by)].append(score)
        entries = []
        for name in classes:
            if size_class_filter is not None and name != size_class_filter:
                continue
            entry = _class_entry(name, by_class.get(name, []))
            if entry is not None:
                entries.append(entry)
        output.append(
            BenchmarkBoard(
                id=bench.id,
                source=bench.source,
                benchmark=bench.benchmark,
                metric=bench.metric,
                name=bench.name,
                data_date=bench.data_date.isoformat(),
                scale=bench.scale,
                uncertainty=bench.uncertainty,
                models=len(scores),
                classes=entries,
                frontier_params=pareto_frontier([s for s in scores if s.entity.open_weights is not False], "params"),
                frontier_price=pareto_frontier(scores, "price"),
                open_vs_closed=open_vs_closed(scores),
            )
        )
    return Leaderboard(
        size_by=size_by,
        size_class=size_class_filter,
        open_only=open_only,
        method={
            "tie": "tied with the leader unless |leader - x| > 1.96 sqrt(se_leader^2 + se_x^2)",
            "standard_error": "published 95 % interval width / 3.92, else binomial sqrt(p(1-p)/n) from the item count",
            "sizes": "total (or active for MoE under --size-by active) parameters; memory for the weights alone",
        },
        sources=sorted({(b.source, b.data_date.isoformat()) for b in chosen}),
        benchmarks=output,
        unmatched={source: len(names) for source, names in catalogue.unmatched.items()},
        flagged_dates=len(catalogue.dates.flagged),
        newer_than_data={source: list(items) for source, items in catalogue.dates.newer_by_source().items()},
    )


def has_results(warehouse: Warehouse) -> bool:
    """Whether any published or run result is stored."""
    return bool(warehouse.query("SELECT count(*) AS n FROM results")[0]["n"])
