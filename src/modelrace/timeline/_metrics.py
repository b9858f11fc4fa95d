"""What a trend measures: a metric turns the warehouse into dated observations of models, each attributed to
its developer, country and family, on a stated scope.

A metric is anything with the :class:`TrendMetric` shape: a ``name``, how values of one key combine on a date
(``sum`` for downloads, ``max`` for a rating: a side is as good as its best model) and ``observe``. Downloads
and ratings are here; a usage metric (tokens per model and date from another package) plugs in by implementing
the same three members and being passed to :func:`modelrace.timeline.trend_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal, Protocol

from modelrace.adoption import same_models
from modelrace.errors import ConfigError, NotFoundError
from modelrace.ranking import Resolver, known_hub_ids
from modelrace.registry import load_registry
from modelrace.store import Warehouse

# The sources whose imports are dated boards of the Arena text leaderboard (its overall category, ``full``).
BOARD_SOURCES: Final = ("lmarena", "arena-top50")
Combine = Literal["sum", "max"]


@dataclass(frozen=True)
class Observation:
    """One model's value at one date, with what it is attributed to."""

    when: date
    ref: str  # "snapshot 3", "import 12": where the value was read
    model: str
    value: float
    developer: str
    country: str
    family: str
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class MetricData:
    """A metric's observations, the coverage of each date (the share of that date's total the scope holds;
    None where it does not apply) and the scope and sources in words."""

    observations: list[Observation]
    coverage: dict[date, float | None]
    scope: str
    sources: list[str] = field(default_factory=list)
    scope_models: int | None = None


class TrendMetric(Protocol):
    """A metric a trend can follow (see the module docstring)."""

    @property
    def name(self) -> str:
        """What it measures (``downloads``, ``rating``, ``tokens``...)."""
        ...

    @property
    def combine(self) -> Combine:
        """How values of one key on one date combine: ``sum`` or ``max``."""
        ...

    def observe(self, warehouse: Warehouse) -> MetricData:
        """The dated, attributed observations."""
        ...


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class DownloadsMetric:
    """30-day downloads of each snapshot, on the same-models scope of the snapshots chosen (every snapshot, or
    those of ``source``, from ``since``): shares then compare across any selections. Attribution is by the
    model's own id (its developer's namespace, or a re-upload's name), as the registry gives it."""

    source: str | None = None
    since: date | None = None
    snapshot_ids: tuple[int, ...] | None = None
    name: str = "downloads"
    combine: Combine = "sum"

    def chosen(self, warehouse: Warehouse) -> list[int]:
        """The snapshots the metric reads, oldest first."""
        rows = warehouse.query("SELECT snapshot_id, source, data_date FROM snapshots ORDER BY data_date, snapshot_id")
        return [
            int(r["snapshot_id"])
            for r in rows
            if (self.snapshot_ids is None or int(r["snapshot_id"]) in self.snapshot_ids)
            and (self.source is None or r["source"] == self.source)
            and (self.since is None or _day(r["data_date"]) >= self.since)
        ]

    def observe(self, warehouse: Warehouse) -> MetricData:
        """Each scope model's downloads in each snapshot."""
        ids = self.chosen(warehouse)
        if not ids:
            raise NotFoundError("no snapshot to follow: import some (`modelrace import hub-json FOLDER`)")
        scope = same_models(warehouse.connection, ids)
        rows = warehouse.connection.execute(
            f"""SELECT s.snapshot_id, s.data_date, m.model_id, sm.downloads_30d
                FROM snapshot_models sm JOIN snapshots s ON s.snapshot_id = sm.snapshot_id
                JOIN models m ON m.model_key = sm.model_key
                WHERE sm.snapshot_id IN ({", ".join("?" for _ in ids)})
                  AND sm.model_key IN (SELECT model_key FROM same_model_keys)""",
            ids,
        ).fetchall()
        registry = load_registry()
        attributed: dict[str, tuple[str, str, str]] = {}
        observations = []
        for snapshot_id, data_date, model_id, downloads in rows:
            if model_id not in attributed:
                found = registry.developer(model_id)
                attributed[model_id] = (found.developer, found.country, found.family or found.developer)
            developer, country, family = attributed[model_id]
            observations.append(
                Observation(_day(data_date), f"snapshot {snapshot_id}", model_id, float(downloads), developer,
                            country, family)
            )  # fmt: skip
        coverage = {_day(s.data_date): s.coverage for s in scope.snapshots}
        sources = [f"snapshot {s.snapshot_id} ({s.data_date})" for s in scope.snapshots]
        return MetricData(observations, coverage, scope.words, sources, len(scope.model_keys))


@dataclass(frozen=True)
class RatingMetric:
    """The rating of each model on each dated board of the Arena text leaderboard (``full``), attributed by the
    resolver (the source's stated organisation and licence as evidence, the resolver's identity first). Ratings
    of different boards are not on one scale: compare within a board. Coverage: the share of a board's models
    the resolver attributes to a developer."""

    sources: tuple[str, ...] = BOARD_SOURCES
    benchmark: str = "full"
    since: date | None = None
    name: str = "rating"
    combine: Combine = "max"

    def observe(self, warehouse: Warehouse) -> MetricData:
        """Each board's ratings, resolved."""
        marks = ", ".join("?" for _ in self.sources)
        rows = warehouse.query(
            f"""SELECT i.import_id, i.source, i.data_date, r.source_name, r.value, r.ci_low, r.ci_high,
                       m.organisation, m.open_weights
                FROM results r JOIN result_imports i ON i.import_id = r.import_id
                LEFT JOIN source_models m ON m.import_id = r.import_id AND m.source_name = r.source_name
                WHERE i.source IN ({marks}) AND r.benchmark = ? AND r.metric = 'rating'
                  AND (? IS NULL OR i.data_date >= ?)
                ORDER BY i.data_date, i.import_id""",
            [*self.sources, self.benchmark, self.since, self.since],
        )
        if not rows:
            raise NotFoundError(
                f"no board of {', '.join(self.sources)} with {self.benchmark!r} ratings: "
                "`modelrace import lmarena FOLDER` imports a history"
            )
        resolver = Resolver(hub_ids=known_hub_ids(warehouse))
        resolved: dict[tuple[str, str | None], tuple[str, str, str, bool]] = {}
        observations = []
        matched: dict[date, list[int]] = {}
        imports: dict[int, str] = {}
        for row in rows:
            key = (row["source_name"], row["organisation"])
            if key not in resolved:
                info = {"organisation": row["organisation"], "open_weights": row["open_weights"]}
                entity = resolver.resolve(row["source_name"], info)
                resolved[key] = (entity.developer, entity.country, entity.family or entity.developer, entity.matched)
            developer, country, family, is_matched = resolved[key]
            when = _day(row["data_date"])
            counts = matched.setdefault(when, [0, 0])
            counts[0] += is_matched
            counts[1] += 1
            imports[int(row["import_id"])] = f"import {row['import_id']} ({row['source']}, {when})"
            observations.append(
                Observation(when, f"import {row['import_id']}", row["source_name"], float(row["value"]), developer,
                            country, family, row["ci_low"], row["ci_high"])
            )  # fmt: skip
        coverage: dict[date, float | None] = {when: a / n if n else None for when, (a, n) in matched.items()}
        scope = f"every model of each {', '.join(self.sources)} board ({self.benchmark}), within its own board"
        return MetricData(observations, coverage, scope, list(imports.values()))


def metric_named(name: str, *, source: str | None = None, since: date | None = None) -> TrendMetric:
    """The built-in metric of that name (``downloads`` or ``rating``)."""
    if name == "downloads":
        return DownloadsMetric(source=source, since=since)
    if name == "rating":
        return RatingMetric(sources=(source,) if source else BOARD_SOURCES, since=since)
    raise ConfigError(f"unknown metric {name!r}: choose downloads or rating")
