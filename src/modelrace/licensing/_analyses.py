"""Licence figures for a report: download shares by verdict, per country and family; conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modelrace._serialise import JsonResult
from modelrace.adoption import Row, Scope
from modelrace.licensing._models import model_licences
from modelrace.licensing._verdict import NOT_LEGAL_ADVICE, VERDICTS


def _verdict_rows(scope: Scope, licensed: str, column: str | None, top: int | None) -> list[dict[str, Any]]:
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
    tables: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = tables.setdefault(row["key"], {"key": row["key"], "downloads_30d": round(row["total"] or 0)})
        entry[row["verdict"]] = (row["downloads"] or 0) / row["total"] if row["total"] else 0.0
    shaped = []
    for entry in tables.values():
        for verdict in VERDICTS:
            entry.setdefault(verdict, 0.0)
        # Coverage: the share whose verdict is known, and the verdicts among those (unknown is not a negative).
        known = 1.0 - entry["unknown"]
        entry["known"] = known
        entry["among_known"] = {v: entry[v] / known if known > 0 else None for v in VERDICTS if v != "unknown"}
        shaped.append(entry)
    return shaped[:top] if top else shaped


@dataclass(frozen=True)
class LicenceConflicts(JsonResult):
    """Models that state a licence their base model does not allow: how many, and the most downloaded."""

    count: int
    top: list[Row]


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
    by_country: list[Row]
    by_family: list[Row]
    by_licence: list[Row]
    licence_sources: dict[str, Row]
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
    by_country = [{"country": r.pop("key"), **r} for r in _verdict_rows(scope, licensed, "country", None)]
    by_family = [{"family": r.pop("key"), **r} for r in _verdict_rows(scope, licensed, "family", 50)]
    coverage = _coverage(scope, licensed)
    scope.connection.execute(f"DROP TABLE {licensed}")
    return LicenceFigures(
        by_verdict={v: overall[0][v] if overall else 0.0 for v in VERDICTS},
        by_country=by_country,
        by_family=by_family,
        by_licence=[
            {
                "licence_id": r["licence_id"],
                "verdict": r["verdict"],
                "downloads_30d": int(r["downloads"] or 0),
                "share": (r["downloads"] or 0) / total if total else 0.0,
                "models": r["models"],
            }
            for r in by_licence
        ],
        licence_sources={
            r["licence_source"]: {"models": r["models"], "downloads_30d": int(r["downloads"] or 0)} for r in sources
        },
        conflicts=LicenceConflicts(conflict_count, conflicts),
        notice=NOT_LEGAL_ADVICE,
        coverage=coverage,
    )


def snapshot_licence_figures(scope: Scope, top: int = 25) -> LicenceFigures:
    """The licence figures of an attributed snapshot scope (each model's licence resolved through the tree)."""
    return licence_figures(scope, model_licences(scope.connection, scope.snapshot.snapshot_id), top=top)
