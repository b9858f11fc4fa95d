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
from modelrace.ranking import Resolver, SourceFacts, known_hub_ids
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

    def observe(self, warehouse: Warehouse, by: str | None = None) -> MetricData:
        """The dated, attributed observations (enough of them for a trend by ``by``: a metric may pre-reduce)."""
        ...


def _day(value: object) -> date:
    """A data date as a day: a snapshot known only to the month (``2026-05``) counts at its first day."""
    if isinstance(value, date):
        return value
    text = str(value)[:10]
    return date.fromisoformat(f"{text}-01" if len(text) == 7 else text)


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

    def observe(self, warehouse: Warehouse, by: str | None = None) -> MetricData:
        """Each scope model's downloads in each snapshot (every model, whatever ``by``)."""
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

    def observe(self, warehouse: Warehouse, by: str | None = None) -> MetricData:
        """Each board's ratings, resolved; for a breakdown other than ``model``, only each board's best model of
        each (developer, country, family): the best of any of those is among them (a max of maxes)."""
        marks = ", ".join("?" for _ in self.sources)
        where = f"""i.source IN ({marks}) AND r.benchmark = ? AND r.metric = 'rating'
                    AND (?::DATE IS NULL OR i.data_date >= ?::DATE)"""
        params = [*self.sources, self.benchmark, self.since, self.since]
        connection = warehouse.connection
        joined = """results r JOIN result_imports i ON i.import_id = r.import_id
                     LEFT JOIN source_models m ON m.import_id = r.import_id AND m.source_name = r.source_name"""
        names = connection.execute(
            f"SELECT DISTINCT r.source_name, m.organisation, m.open_weights FROM {joined} WHERE {where}", params
        ).fetchall()
        if not names:
            raise NotFoundError(
                f"no board of {', '.join(self.sources)} with {self.benchmark!r} ratings: "
                "`modelrace import lmarena FOLDER` imports a history"
            )
        resolver = Resolver(hub_ids=known_hub_ids(warehouse))
        columns: dict[str, list[object]] = {k: [] for k in ("name", "org", "open", "dev", "country", "family", "ok")}
        for name, organisation, open_weights in names:
            entity = resolver.resolve(name, SourceFacts(organisation=organisation, open_weights=open_weights))
            for column, value in zip(
                columns,
                (name, organisation or "", open_weights, entity.developer, entity.country,
                 entity.family or entity.developer, entity.matched),
                strict=True,
            ):  # fmt: skip
                columns[column].append(value)
        connection.execute(
            """CREATE OR REPLACE TEMP TABLE timeline_attribution AS
               SELECT unnest(?::VARCHAR[]) AS name, unnest(?::VARCHAR[]) AS org, unnest(?::BOOLEAN[]) AS open,
                      unnest(?::VARCHAR[]) AS developer, unnest(?::VARCHAR[]) AS country,
                      unnest(?::VARCHAR[]) AS family, unnest(?::BOOLEAN[]) AS matched""",
            list(columns.values()),
        )
        attributed = f"""{joined} JOIN timeline_attribution a ON a.name = r.source_name
                         AND a.org = coalesce(m.organisation, '') AND a.open IS NOT DISTINCT FROM m.open_weights"""
        if by == "model":
            select = f"""SELECT i.import_id, i.source, i.data_date, r.source_name, r.value, r.ci_low, r.ci_high,
                                a.developer, a.country, a.family FROM {attributed} WHERE {where}"""
        else:
            select = f"""SELECT i.import_id, i.source, i.data_date, arg_max(r.source_name, r.value), max(r.value),
                                arg_max(r.ci_low, r.value), arg_max(r.ci_high, r.value), a.developer, a.country,
                                a.family
                         FROM {attributed} WHERE {where}
                         GROUP BY i.import_id, i.source, i.data_date, a.developer, a.country, a.family"""
        rows = connection.execute(f"{select} ORDER BY 3, 1", params).fetchall()
        counted = connection.execute(
            f"""SELECT i.data_date, count(*) FILTER (WHERE a.matched), count(*) FROM {attributed} WHERE {where}
                GROUP BY 1""",
            params,
        ).fetchall()
        observations = [
            Observation(data_date, f"import {import_id}", name, float(value), developer, country, family, low, high)
            for import_id, _, data_date, name, value, low, high, developer, country, family in rows
        ]
        imports = {f"import {r[0]} ({r[1]}, {r[2]})": None for r in rows}
        coverage: dict[date, float | None] = {when: ok / n if n else None for when, ok, n in counted}
        scope = f"every model of each {', '.join(self.sources)} board ({self.benchmark}), within its own board"
        return MetricData(observations, coverage, scope, list(imports))


def metric_named(name: str, *, source: str | None = None, since: date | None = None) -> TrendMetric:
    """The built-in metric of that name (``downloads`` or ``rating``)."""
    if name == "downloads":
        return DownloadsMetric(source=source, since=since)
    if name == "rating":
        return RatingMetric(sources=(source,) if source else BOARD_SOURCES, since=since)
    raise ConfigError(f"unknown metric {name!r}: choose downloads or rating")
