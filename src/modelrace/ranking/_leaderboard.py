"""The size-class leaderboard over imported results: leaders, ties, countries, frontier, open vs closed."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.knowledge import HUB_ID_SOURCES, RUN_SOURCES, UNKNOWN, SizeBy, benchmark_catalog, class_names, size_class
from modelrace.ranking._entities import Entity, Resolver
from modelrace.ranking._stats import significant, standard_error
from modelrace.store import Warehouse

# A leaderboard file is a whole board at a date: its latest import replaces the earlier ones. A run (an lm-eval
# results file, a modelrace evaluation) is one model on some tasks: every run counts, the latest per model,
# benchmark and metric.
_RESULTS_SQL = f"""
WITH latest AS (
    SELECT source, max(import_id) AS import_id FROM result_imports WHERE results > 0 GROUP BY source
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

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "model": self.entity.name,
            "source_name": self.source_name,
            "value": self.value,
            "se": self.se,
            "developer": self.entity.developer,
            "country": self.entity.country,
            "family": self.entity.family,
            "open_weights": self.entity.open_weights,
            "reasoning": self.entity.reasoning,
            "params_total": self.entity.params_total,
            "params_active": self.entity.params_active,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "price_usd_per_mtok": self.price_usd_per_mtok,
            "spread": list(self.spread) if self.spread else None,
            "providers": self.providers,
        }


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
class DateCheck(JsonResult):
    """Every release date checked, and those flagged."""

    checked: int
    flagged: list[FlaggedDate]


@dataclass
class Catalogue:
    """Everything the leaderboard reads: benchmarks, resolved entities, unmatched names, flagged dates."""

    benchmarks: dict[str, Benchmark]
    resolver: Resolver
    entities: dict[tuple[str, str], Entity]
    unmatched: dict[str, list[str]]
    dates: DateCheck = field(default_factory=lambda: DateCheck(0, []))


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


def _check_date(model: dict[str, Any], entity: Entity, appeared: dict[str, date]) -> tuple[str | None, date | None]:
    """Why a source's release date cannot be right (None when it can), and the first Hub appearance used."""
    released: date = model["release_date"]
    first = appeared.get(entity.hub_id) if entity.hub_id else None
    data_date: date = model["data_date"]
    # A date named by its month only (a file "..._2025-02.csv" is dated 2025-02-01) covers that whole month.
    latest = (data_date.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if released > (latest if data_date.day == 1 else data_date):
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
    info: dict[tuple[str, str], dict[str, Any]] = {}
    for model in warehouse.query(_MODELS_SQL):
        info[(model["source"], model["source_name"])] = model | {
            "is_hub_id": model["source"] in HUB_ID_SOURCES and "/" in model["source_name"]
        }
    entities: dict[tuple[str, str], Entity] = {}
    unmatched: dict[str, list[str]] = defaultdict(list)
    dates: dict[str, date] = {}
    prices: dict[str, float] = {}
    for (source, name), model in info.items():
        entities[(source, name)] = resolver.resolve(name, model)
    appeared = first_on_hub(warehouse, {e.hub_id for e in entities.values() if e.hub_id})
    flagged: list[FlaggedDate] = []
    checked = 0
    for (source, name), model in info.items():
        entity = entities[(source, name)]
        if not entity.matched:
            unmatched[source].append(name)
        if model.get("release_date"):
            checked += 1
            reason, first = _check_date(model, entity, appeared)
            if reason is not None:
                flagged.append(
                    FlaggedDate(source, name, entity.name, model["release_date"], reason, model["data_date"], first)
                )
            elif entity.key not in dates or model["release_date"] < dates[entity.key]:
                dates[entity.key] = model["release_date"]  # the earliest date no check refutes
        if model.get("price_in_usd_per_mtok") is not None and model.get("price_out_usd_per_mtok") is not None:
            # Artificial Analysis's blend: 3 input tokens to 1 output token.
            prices.setdefault(entity.key, (3 * model["price_in_usd_per_mtok"] + model["price_out_usd_per_mtok"]) / 4)
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
                dates.get(entity.key),
                prices.get(entity.key),
                spread,
                extra.get("providers"),
            )
            # One figure per model: variants of the same model (precisions) keep their best; equal values keep
            # the first source name in order, so the choice never depends on the order rows come in.
            if entity.key not in best or score.value > best[entity.key].value:
                best[entity.key] = score
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
    return Catalogue(
        benchmarks,
        resolver,
        entities,
        {k: sorted(set(v)) for k, v in unmatched.items()},
        DateCheck(checked, sorted(flagged, key=lambda f: (f.source, f.name))),
    )


def _order(score: Score) -> tuple[float, str]:
    """Best first; equal scores by name, so ties are ordered the same way in every run."""
    return (-score.value, score.entity.name.lower())


Row = dict[str, Any]
"""One JSON-ready row (a score as :meth:`Score.to_json` gives it, a frontier point, ...)."""


@dataclass(frozen=True)
class ClassEntry(JsonResult):
    """One size class on one benchmark: its leader, margin, tie set and the best model of each country."""

    size_class: str
    leader: Row
    runner_up: Row | None
    tied_leaders: list[str]  # every model with the leader's exact score (a tie is shown as one, not as a lead)
    margin: float | None
    lead_significant: bool | None
    tie_set: list[str]
    models: int
    best_by_country: list[Row]
    country_leader: Row | None


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
    frontier_params: list[Row]
    frontier_price: list[Row]
    open_vs_closed: Row


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


def _rank(scores: list[Score]) -> dict[str, Any] | None:
    """Leader, margin over the runner-up, and the set statistically tied with the leader."""
    if not scores:
        return None
    leader = scores[0]
    runner_up = scores[1] if len(scores) > 1 else None
    # Not significantly below the leader; without standard errors only an equal score ties (significant()
    # says False for equal scores and None for unequal ones without errors).
    tied = [s.entity.name for s in scores[1:] if significant(leader.value, leader.se, s.value, s.se) is False]
    lead_significant = significant(leader.value, leader.se, runner_up.value, runner_up.se) if runner_up else None
    return {
        "leader": leader.to_json(),
        "runner_up": runner_up.to_json() if runner_up else None,
        "tied_leaders": [s.entity.name for s in scores if s.value == leader.value],
        "margin": leader.value - runner_up.value if runner_up else None,
        "lead_significant": lead_significant,
        "tie_set": [leader.entity.name, *tied],
        "models": len(scores),
    }


def _countries(scores: list[Score]) -> dict[str, Any]:
    best: dict[str, Score] = {}
    for score in scores:
        country = score.entity.country
        if country not in best and country != "unattributed":
            best[country] = score
    ordered = sorted(best.values(), key=_order)
    leader = ordered[0] if ordered else None
    second = ordered[1] if len(ordered) > 1 else None
    return {
        "best_by_country": [{"country": s.entity.country, **s.to_json()} for s in ordered],
        "country_leader": {
            "country": leader.entity.country,
            "model": leader.entity.name,
            "runner_up_country": second.entity.country if second else None,
            "runner_up_model": second.entity.name if second else None,
            "margin": leader.value - second.value if second else None,
            "significant": significant(leader.value, leader.se, second.value, second.se) if second else None,
        }
        if leader
        else None,
    }


def pareto_frontier(scores: list[Score], cost: str) -> list[dict[str, Any]]:
    """Models no other model beats on score at lower or equal cost (parameters, or price per 1M tokens)."""

    def cost_of(score: Score) -> float | None:
        return score.entity.params_total if cost == "params" else score.price_usd_per_mtok

    candidates = sorted((s for s in scores if cost_of(s)), key=lambda s: (cost_of(s), -s.value, s.entity.name.lower()))
    frontier, best = [], float("-inf")
    for score in candidates:
        if score.value > best:
            frontier.append(score.to_json() | {"cost": cost_of(score)})
            best = score.value
    return frontier


def open_vs_closed(scores: list[Score]) -> dict[str, Any]:
    """The best open and best closed model, the gap, and its evolution by release date (overall, by country)."""
    open_scores = [s for s in scores if s.entity.open_weights]
    closed = [s for s in scores if s.entity.open_weights is False]
    result: dict[str, Any] = {
        "best_open": open_scores[0].to_json() if open_scores else None,
        "best_closed": closed[0].to_json() if closed else None,
        "gap": closed[0].value - open_scores[0].value if open_scores and closed else None,
        "gap_significant": significant(closed[0].value, closed[0].se, open_scores[0].value, open_scores[0].se)
        if open_scores and closed
        else None,
        "over_time": [],
    }
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
        point: dict[str, Any] = {
            "date": (score.release_date or date.min).isoformat(),
            "model": score.entity.name,
            "best_closed": best_closed.value if best_closed else None,
            "best_closed_model": best_closed.entity.name if best_closed else None,
            "best_open": best_open.value if best_open else None,
            "best_open_model": best_open.entity.name if best_open else None,
            "best_open_by_country": {
                key.removeprefix("open "): value.value for key, value in running.items() if key.startswith("open ")
            },
            "gap": best_closed.value - best_open.value if best_closed and best_open else None,
        }
        result["over_time"].append(point)
    return result


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
            members = by_class.get(name, [])
            ranked = _rank(members)
            if ranked is None:
                continue
            entries.append(ClassEntry(size_class=name, **ranked, **_countries(members)))
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
    )


def check_dates(warehouse: Warehouse) -> DateCheck:
    """Every source's release dates checked against the data's date and the model's first Hub appearance."""
    return load_catalogue(warehouse).dates


def has_results(warehouse: Warehouse) -> bool:
    """Whether any published or run result is stored."""
    return bool(warehouse.query("SELECT count(*) AS n FROM results")[0]["n"])
