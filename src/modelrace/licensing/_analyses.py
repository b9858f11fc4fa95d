"""Licence figures for a report: download shares by verdict, per country and family; conflicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modelrace._serialise import JsonResult
from modelrace.adoption import Scope
from modelrace.licensing._models import model_licences
from modelrace.licensing._verdict import NOT_LEGAL_ADVICE, VERDICTS


@dataclass(frozen=True)
class VerdictShares(JsonResult):
    """Downloads of one country or family (root view) by licence verdict: each verdict's share of them, the share
    whose verdict is known, and the verdicts among the known (None where none is known)."""

    column: str  # the breakdown's column: country or family ("all" for the overall row)
    key: str
    downloads_30d: int
    shares: dict[str, float]  # verdict -> share, every verdict of VERDICTS in its order
    known: float
    among_known: dict[str, float | None]  # verdict (unknown aside) -> share among the downloads whose verdict is known

    @property
    def permissive(self) -> float:
        """The share under a permissive licence."""
        return self.shares["permissive"]

    @property
    def conditional(self) -> float:
        """The share under a conditional licence."""
        return self.shares["conditional"]

    @property
    def non_commercial(self) -> float:
        """The share under a non-commercial licence."""
        return self.shares["non-commercial"]

    @property
    def unknown(self) -> float:
        """The share whose licence verdict is unknown."""
        return self.shares["unknown"]

    def __json__(self) -> Mapping[str, Any]:
        """``{column: key, "downloads_30d", <verdict>: share..., "known", "among_known"}``."""
        return {
            self.column: self.key,
            "downloads_30d": self.downloads_30d,
            **self.shares,
            "known": self.known,
            "among_known": self.among_known,
        }


@dataclass(frozen=True)
class LicenceRow(JsonResult):
    """One licence (or ``none stated``) with its verdict, by the downloads of the models that state it."""

    licence_id: str
    verdict: str
    downloads_30d: int
    share: float
    models: int


@dataclass(frozen=True)
class SourceCount(JsonResult):
    """Models and downloads by where their licence comes from (own, inherited, none)."""

    models: int
    downloads_30d: int


@dataclass(frozen=True)
class ConflictRow(JsonResult):
    """A model stating a licence its base model does not allow."""

    model_id: str
    downloads_30d: int | None
    licence_id: str | None  # the licence it states
    conflict: str  # why it conflicts
    family: str
    country: str


def _verdict_rows(scope: Scope, licensed: str, column: str | None, top: int | None) -> list[VerdictShares]:
    """Share of downloads by verdict, overall or within each value of ``column`` (root view)."""
    group = f"a.{column}" if column else "'all'"
    rows = scope.rows(
        f"""
        WITH by_verdict AS (
            SELECT {group} AS key, a.verdict, sum(a.downloads_30d * a.credit) AS downloads
            FROM {licensed} a GROUP BY 1, 2
        )
        SELECT key, verdict, downloads, sum(downloads) OVER (PARTITION BY key) AS total
        FROM by_verdict ORDER BY total DESC, key
        """
    )
    downloads: dict[str, int] = {}
    tables: dict[str, dict[str, float]] = {}
    for row in rows:
        downloads.setdefault(row["key"], round(row["total"] or 0))
        shares = tables.setdefault(row["key"], {})
        shares[row["verdict"]] = (row["downloads"] or 0) / row["total"] if row["total"] else 0.0
    shaped = []
    for key, found in tables.items():
        shares = {verdict: found.get(verdict, 0.0) for verdict in VERDICTS}  # one order, whatever the query's
        # Coverage: the share whose verdict is known, and the verdicts among those (unknown is not a negative).
        known = 1.0 - shares["unknown"]
        among: dict[str, float | None] = {
            v: shares[v] / known if known > 0 else None for v in VERDICTS if v != "unknown"
        }
        shaped.append(VerdictShares(column or "all", key, downloads[key], shares, known, among))
    return shaped[:top] if top else shaped


@dataclass(frozen=True)
class LicenceConflicts(JsonResult):
    """Models that state a licence their base model does not allow: how many, and the most downloaded."""

    count: int
    top: list[ConflictRow]


@dataclass(frozen=True)
class LicenceCoverage(JsonResult):
    """Shares of downloads by what is known of their licence: a verdict (``known``), a licence stated by the model
    itself or inherited from a base, a licence text the registry cannot resolve, or none anywhere in the tree."""

    known: float
    stated: float
    inherited: float
    unresolved: float
    none: float


@dataclass(frozen=True)
class LicenceFigures(JsonResult):
    """Every licence figure of a snapshot: download shares by verdict overall, per country, family, licence."""

    by_verdict: dict[str, float]
    by_country: list[VerdictShares]
    by_family: list[VerdictShares]
    by_licence: list[LicenceRow]
    licence_sources: dict[str, SourceCount]  # own, inherited, none
    conflicts: LicenceConflicts
    notice: str
    coverage: LicenceCoverage | None = None


def _coverage(scope: Scope, licensed: str) -> LicenceCoverage:
    row = scope.rows(
        f"""
        SELECT sum(a.downloads_30d * a.credit) AS total,
               sum(a.downloads_30d * a.credit) FILTER (WHERE a.verdict <> 'unknown') AS known,
               sum(a.downloads_30d * a.credit) FILTER (WHERE a.licence_source = 'own') AS stated,
               sum(a.downloads_30d * a.credit) FILTER (WHERE a.licence_source = 'inherited') AS inherited,
               sum(a.downloads_30d * a.credit) FILTER (WHERE a.licence_source <> 'none' AND a.verdict = 'unknown')
                   AS unresolved,
               sum(a.downloads_30d * a.credit) FILTER (WHERE a.licence_source = 'none') AS none
        FROM {licensed} a
        """
    )[0]
    total = row["total"] or 0
    return LicenceCoverage(**{k: (row[k] or 0) / total if total else 0.0 for k in LicenceCoverage.__annotations__})


def _licensed(scope: Scope, licences: str) -> str:
    """The scope's attribution rows joined once with their licences (a temporary table every figure reads:
    one join of the snapshot instead of one per figure)."""
    table = f"{licences}_{scope.table}_{'all' if scope.include_fixtures else 'nofixtures'}"
    scope.connection.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT a.model_key, a.downloads_30d, a.credit, a.is_primary, a.country, a.family,
                   l.licence_id, l.verdict, l.licence_source, l.conflict
            FROM {scope.table} a JOIN {licences} l ON l.model_key = a.model_key WHERE {scope.fixture_filter}"""
    )
    return table


def licence_figures(scope: Scope, licences: str, top: int = 25) -> LicenceFigures:
    """Every licence figure of a snapshot (the report's ``licensing`` part)."""
    licensed = _licensed(scope, licences)
    overall = _verdict_rows(scope, licensed, None, None)
    by_licence = scope.rows(  # grouped on the licence's key, named after (NULL: none stated)
        f"""
        SELECT coalesce(licence_id::VARCHAR, 'none stated') AS licence_id, verdict, downloads, models
        FROM (SELECT a.licence_id, a.verdict, sum(a.downloads_30d) AS downloads, count(*) AS models
              FROM {licensed} a WHERE a.is_primary GROUP BY 1, 2)
        ORDER BY downloads DESC, coalesce(licence_id::VARCHAR, 'none stated')
        """
    )
    total = sum(r["downloads"] or 0 for r in by_licence)
    sources = scope.rows(
        f"""
        SELECT a.licence_source, count(*) AS models, sum(a.downloads_30d) AS downloads
        FROM {licensed} a
        WHERE a.is_primary GROUP BY 1 ORDER BY 1
        """
    )
    conflicts = scope.rows(
        f"""
        WITH top AS (
            SELECT a.model_key, a.downloads_30d, a.licence_id, a.conflict, a.family, a.country
            FROM {licensed} a
            WHERE a.is_primary AND a.conflict IS NOT NULL
            ORDER BY a.downloads_30d DESC, a.model_key LIMIT ?
        )
        SELECT m.model_id, top.* EXCLUDE (model_key) FROM top JOIN models m ON m.model_key = top.model_key
        ORDER BY top.downloads_30d DESC, m.model_id
        """,
        [top],
    )
    conflict_count = scope.rows(
        f"""SELECT count(*) AS n FROM {licensed} a
            WHERE a.is_primary AND a.conflict IS NOT NULL"""
    )[0]["n"]
    by_country = _verdict_rows(scope, licensed, "country", None)
    by_family = _verdict_rows(scope, licensed, "family", 50)
    coverage = _coverage(scope, licensed)
    scope.connection.execute(f"DROP TABLE {licensed}")
    return LicenceFigures(
        by_verdict={v: overall[0].shares[v] if overall else 0.0 for v in VERDICTS},
        by_country=by_country,
        by_family=by_family,
        by_licence=[
            LicenceRow(
                r["licence_id"],
                r["verdict"],
                int(r["downloads"] or 0),
                (r["downloads"] or 0) / total if total else 0.0,
                r["models"],
            )
            for r in by_licence
        ],
        licence_sources={r["licence_source"]: SourceCount(r["models"], int(r["downloads"] or 0)) for r in sources},
        conflicts=LicenceConflicts(conflict_count, [ConflictRow(**row) for row in conflicts]),
        notice=NOT_LEGAL_ADVICE,
        coverage=coverage,
    )


def snapshot_licence_figures(scope: Scope, top: int = 25) -> LicenceFigures:
    """The licence figures of an attributed snapshot scope (each model's licence resolved through the tree)."""
    return licence_figures(scope, model_licences(scope.connection, scope.snapshot.snapshot_id), top=top)
