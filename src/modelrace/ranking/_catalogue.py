"""The catalogue of published results: each source's latest board (every run for run sources), names resolved to
models, standard errors, release dates checked against the data and the Hub."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.knowledge import HUB_ID_SOURCES, RUN_SOURCES, benchmark_catalog
from modelrace.ranking._entities import Entity, Resolver, SourceFacts
from modelrace.ranking._stats import standard_error
from modelrace.store import Warehouse

# A leaderboard file is a whole board at a date: the import of its newest data replaces the earlier ones (an old
# board imported later, from a history, does not). A run (an lm-eval results file, a modelrace evaluation) is one
# model on some tasks: every run counts, the latest per model, benchmark and metric.
_RESULTS_SQL = f"""
WITH latest AS (
    SELECT source, arg_max(import_id, (data_date, import_id)) AS import_id FROM result_imports WHERE results > 0
    GROUP BY source
)
SELECT i.source, i.data_date, i.import_id, r.source_name, r.benchmark, r.metric, r.value, r.scale,
       r.ci_low, r.ci_high, r.n_items, r.extra
FROM results r JOIN result_imports i ON i.import_id = r.import_id
WHERE i.source IN {RUN_SOURCES} OR r.import_id IN (SELECT import_id FROM latest)
QUALIFY i.source NOT IN {RUN_SOURCES}
     OR row_number() OVER (PARTITION BY i.source, r.source_name, r.benchmark, r.metric ORDER BY i.import_id DESC) = 1
ORDER BY i.source, r.benchmark, r.metric, r.source_name, i.import_id
"""
_MODELS_SQL = """
SELECT i.source, i.data_date, m.source_name, m.organisation, m.country, m.params_total, m.params_active,
       m.release_date, m.open_weights, m.reasoning, m.price_in_usd_per_mtok, m.price_out_usd_per_mtok
FROM source_models m JOIN result_imports i ON i.import_id = m.import_id
ORDER BY m.import_id, m.source_name
"""
# A release date this many days before the model's first appearance on the Hub is flagged (time zones, a card
# dated a few days before the upload); any date after the data's own date is flagged.
HUB_DATE_TOLERANCE_DAYS = 7
# The Hub dates every repository created before it recorded creation dates to 2022-03-02: such a date says only
# "on the Hub by then", so it refutes no earlier release date.
HUB_CREATION_RECORDED_FROM = date(2022, 3, 3)
_Row = TypeVar("_Row", bound="ScoreRow")
# Metrics that are a source's headline where it publishes several for one benchmark.
_PREFERRED_METRIC = {"open-llm-leaderboard": "normalised"}


@dataclass
class Score:
    """One model's figure on one benchmark, with its uncertainty and attributes."""

    entity: Entity
    value: float
    se: float | None
    source_name: str
    release_date: date | None = None
    price_usd_per_mtok: float | None = None
    spread: tuple[float, float] | None = None  # lowest and highest across providers (Artificial Analysis)
    providers: int | None = None

    def row(self) -> ScoreRow:
        """The score as a typed row (what the leaderboard hands over)."""
        return self.row_as(ScoreRow)

    def row_as(self, kind: type[_Row]) -> _Row:
        """The score as a row of ``kind``: a :class:`ScoreRow`, or a row that adds defaulted fields to it."""
        entity = self.entity
        return kind(
            model=entity.name,
            source_name=self.source_name,
            value=self.value,
            se=self.se,
            developer=entity.developer,
            country=entity.country,
            family=entity.family,
            open_weights=entity.open_weights,
            reasoning=entity.reasoning,
            params_total=entity.params_total,
            params_active=entity.params_active,
            release_date=self.release_date.isoformat() if self.release_date else None,
            price_usd_per_mtok=self.price_usd_per_mtok,
            spread=self.spread,
            providers=self.providers,
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.row().to_json())


@dataclass(frozen=True)
class ScoreRow(JsonResult):
    """One model's score on one benchmark as the leaderboard hands it over (a class leader, a runner-up, the best
    open or closed model)."""

    model: str
    source_name: str
    value: float
    se: float | None
    developer: str
    country: str
    family: str | None
    open_weights: bool | None
    reasoning: bool
    params_total: float | None
    params_active: float | None
    release_date: str | None
    price_usd_per_mtok: float | None
    spread: tuple[float, float] | None
    providers: int | None


@dataclass
class Benchmark:
    """A benchmark of one source, with every resolved model's best score on it."""

    id: str
    source: str
    benchmark: str
    metric: str
    name: str
    data_date: date
    scale: str
    uncertainty: str
    scores: list[Score] = field(default_factory=list)


@dataclass(frozen=True)
class FlaggedDate(JsonResult):
    """A release date a source gives that cannot be right: after the data's own date, or well before the model
    first appeared on the Hub. It is not used for time series."""

    source: str
    name: str
    model: str
    release_date: date
    reason: str
    data_date: date
    first_on_hub: date | None


@dataclass(frozen=True)
class NewerThanData(JsonResult):
    """A model a source scores that first appeared on the Hub after the source's data date: either the file is
    newer than its date says (a date from its name) or the name is tied to the wrong model."""

    source: str
    name: str
    model: str
    first_on_hub: date
    data_date: date


@dataclass(frozen=True)
class DateCheck(JsonResult):
    """Every release date checked, and those flagged; and the models newer than their source's data date."""

    checked: int
    flagged: list[FlaggedDate]
    newer_than_data: list[NewerThanData] = field(default_factory=list)

    def newer_by_source(self) -> dict[str, list[NewerThanData]]:
        """The models newer than their data, by source, newest first."""
        grouped: dict[str, list[NewerThanData]] = {}
        for item in sorted(self.newer_than_data, key=lambda n: (n.source, -n.first_on_hub.toordinal(), n.name)):
            grouped.setdefault(item.source, []).append(item)
        return grouped


@dataclass
class Catalogue:
    """Everything the leaderboard reads: benchmarks, resolved entities, unmatched names, flagged dates."""

    benchmarks: dict[str, Benchmark]
    resolver: Resolver
    entities: dict[tuple[str, str], Entity]
    unmatched: dict[str, list[str]]
    dates: DateCheck = field(default_factory=lambda: DateCheck(0, []))


def _order(score: Score) -> tuple[float, str]:
    """Best first; equal scores by name, so ties are ordered the same way in every run."""
    return (-score.value, score.entity.name.lower())


def first_on_hub(warehouse: Warehouse, hub_ids: set[str]) -> dict[str, date]:
    """The earliest creation date any snapshot records for each of these Hub ids (where known)."""
    if not hub_ids:
        return {}
    rows = warehouse.query(
        """SELECT m.model_id, min(v.created_at) AS created FROM models m
           JOIN model_versions v ON v.model_key = m.model_key
           WHERE v.created_at IS NOT NULL AND m.model_id IN (SELECT unnest(?::VARCHAR[]))
           GROUP BY 1""",
        [sorted(hub_ids)],
    )
    return {r["model_id"]: r["created"].date() for r in rows}


def _last_day(data_date: date) -> date:
    """The last day a data date covers: a date named by its month only (a file "..._2025-02.csv" is dated
    2025-02-01) covers that whole month."""
    if data_date.day != 1:
        return data_date
    return (data_date.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _newer_than_data(
    source: str, name: str, data_date: date, entity: Entity, appeared: dict[str, date]
) -> NewerThanData | None:
    """The model ``source`` calls ``name``, when it first appeared on the Hub after the source's data date."""
    first = appeared.get(entity.hub_id) if entity.hub_id else None
    if entity.hub_id is None or first is None or first < HUB_CREATION_RECORDED_FROM:
        return None
    if (first - _last_day(data_date)).days <= 1:  # a day's slack for time zones
        return None
    return NewerThanData(source, name, entity.hub_id, first, data_date)


def _check_date(
    released: date, data_date: date, entity: Entity, appeared: dict[str, date]
) -> tuple[str | None, date | None]:
    """Why a source's release date cannot be right (None when it can), and the first Hub appearance used."""
    first = appeared.get(entity.hub_id) if entity.hub_id else None
    if released > _last_day(data_date):
        return f"after the data's own date ({data_date})", first
    if first is not None and first < HUB_CREATION_RECORDED_FROM:
        first = None
    if first is not None and (first - released).days > HUB_DATE_TOLERANCE_DAYS:
        return f"{(first - released).days:,} days before {entity.hub_id} first appeared on the Hub ({first})", first
    return None, first


def known_hub_ids(warehouse: Warehouse) -> list[str]:
    """Hub ids the warehouse knows (snapshots, and sources that name models by Hub id): resolution prefers them."""
    ids = [r["model_id"] for r in warehouse.query("SELECT model_id FROM models WHERE contains(model_id, '/')")]
    ids += [
        r["source_name"]
        for r in warehouse.query(
            "SELECT DISTINCT m.source_name FROM source_models m JOIN result_imports i USING (import_id) "
            f"WHERE i.source IN {HUB_ID_SOURCES} AND contains(m.source_name, '/')"
        )
    ]
    return ids


def load_catalogue(warehouse: Warehouse) -> Catalogue:
    """Read the latest import of every source and resolve every model name."""
    rows = warehouse.query(_RESULTS_SQL)
    if not rows:
        raise NotFoundError(
            "no published results in the warehouse: run `modelrace import open-llm-leaderboard PATH` "
            "(or lmarena, artificial-analysis, livebench, epoch-benchmarks, lm-eval)"
        )
    resolver = Resolver(hub_ids=known_hub_ids(warehouse))
    models = {(model["source"], model["source_name"]): model for model in warehouse.query(_MODELS_SQL)}
    entities = {
        (source, name): resolver.resolve(
            name, SourceFacts.of(model, is_hub_id=source in HUB_ID_SOURCES and "/" in name)
        )
        for (source, name), model in models.items()
    }
    facts = _model_facts(warehouse, models, entities)
    return Catalogue(
        _benchmarks(rows, entities, resolver, facts),
        resolver,
        entities,
        {k: sorted(set(v)) for k, v in facts.unmatched.items()},
        facts.date_check,
    )


@dataclass
class _ModelFacts:
    """What the catalogue learns of each resolved model from its sources: the names left unmatched, the earliest
    release date no check refutes, the blended price, and the date checks."""

    unmatched: dict[str, list[str]]
    dates: dict[str, date]
    prices: dict[str, float]
    date_check: DateCheck


def _model_facts(
    warehouse: Warehouse, models: dict[tuple[str, str], dict[str, Any]], entities: dict[tuple[str, str], Entity]
) -> _ModelFacts:
    appeared = first_on_hub(warehouse, {e.hub_id for e in entities.values() if e.hub_id})
    unmatched: dict[str, list[str]] = defaultdict(list)
    dates: dict[str, date] = {}
    prices: dict[str, float] = {}
    flagged: list[FlaggedDate] = []
    checked = 0
    newer: list[NewerThanData] = []
    for (source, name), model in models.items():
        entity = entities[(source, name)]
        if not entity.matched:
            unmatched[source].append(name)
        late = _newer_than_data(source, name, model["data_date"], entity, appeared)
        if late is not None:
            newer.append(late)
        if model.get("release_date"):
            checked += 1
            reason, first = _check_date(model["release_date"], model["data_date"], entity, appeared)
            if reason is not None:
                flagged.append(
                    FlaggedDate(source, name, entity.name, model["release_date"], reason, model["data_date"], first)
                )
            elif entity.key not in dates or model["release_date"] < dates[entity.key]:
                dates[entity.key] = model["release_date"]  # the earliest date no check refutes
        if model.get("price_in_usd_per_mtok") is not None and model.get("price_out_usd_per_mtok") is not None:
            # Artificial Analysis's blend: 3 input tokens to 1 output token.
            prices.setdefault(entity.key, (3 * model["price_in_usd_per_mtok"] + model["price_out_usd_per_mtok"]) / 4)
    date_check = DateCheck(checked, sorted(flagged, key=lambda f: (f.source, f.name)), newer)
    return _ModelFacts(unmatched, dates, prices, date_check)


def _benchmarks(
    rows: list[dict[str, Any]], entities: dict[tuple[str, str], Entity], resolver: Resolver, facts: _ModelFacts
) -> dict[str, Benchmark]:
    """Every (source, benchmark, metric) of the results as a benchmark (a source's preferred metric where it has
    one), with each resolved model's best score."""
    catalog = benchmark_catalog()
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    metrics: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        grouped[(row["source"], row["benchmark"], row["metric"])].append(row)
        metrics[(row["source"], row["benchmark"])].add(row["metric"])
    benchmarks: dict[str, Benchmark] = {}
    for (source, benchmark, metric), items in grouped.items():
        preferred = _PREFERRED_METRIC.get(source)
        if preferred and preferred in metrics[(source, benchmark)] and metric != preferred:
            continue
        several = len(metrics[(source, benchmark)]) > 1 and not preferred
        bench_id = f"{source}:{benchmark}" + (f":{metric}" if several else "")
        entry = catalog.get(source, {}).get(benchmark)
        best, methods = _best_scores(source, items, entities, resolver, facts)
        benchmarks[bench_id] = Benchmark(
            id=bench_id,
            source=source,
            benchmark=benchmark,
            metric=metric,
            name=entry.name if entry else benchmark,
            data_date=max(row["data_date"] for row in items),
            scale=items[0]["scale"],
            uncertainty=", ".join(sorted(methods)),
            scores=sorted(best.values(), key=_order),
        )
    return benchmarks


def _best_scores(
    source: str,
    items: list[dict[str, Any]],
    entities: dict[tuple[str, str], Entity],
    resolver: Resolver,
    facts: _ModelFacts,
) -> tuple[dict[str, Score], set[str]]:
    """Each model's best score among one benchmark's rows, and the standard-error methods used."""
    best: dict[str, Score] = {}
    methods = set()
    for row in items:
        # Every importer names its results' models, so each row's entity was resolved above.
        entity = entities.get((source, row["source_name"])) or resolver.resolve(row["source_name"])
        se, method = standard_error(row["value"], row["scale"], row["ci_low"], row["ci_high"], row["n_items"])
        methods.add(method)
        extra = json.loads(row["extra"]) if row["extra"] else {}
        spread = (float(extra["spread_low"]), float(extra["spread_high"])) if "spread_low" in extra else None
        score = Score(
            entity,
            row["value"],
            se,
            row["source_name"],
            facts.dates.get(entity.key),
            facts.prices.get(entity.key),
            spread,
            extra.get("providers"),
        )
        # One figure per model: variants of the same model (precisions) keep their best; equal values keep the
        # first source name in order, so the choice never depends on the order rows come in.
        if entity.key not in best or score.value > best[entity.key].value:
            best[entity.key] = score
    return best, methods


def check_dates(warehouse: Warehouse) -> DateCheck:
    """Every source's release dates checked against the data's date and the model's first Hub appearance."""
    return load_catalogue(warehouse).dates
