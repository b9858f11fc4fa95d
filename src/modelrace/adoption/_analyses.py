"""Adoption analyses over an attributed snapshot: shares, ecosystem, concentration, size, change.

Every function reads the warehouse (the temporary attribution table of a snapshot) and returns typed rows
(adoption/_rows.py). Two views: **root** (credit-weighted by the model tree: derivatives, quantizations and
re-uploads count for the original family) and **uploader** (each model counts for its own namespace).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import duckdb

from modelrace.adoption._figures import (
    COVERAGE_THRESHOLD,
    AllTimeCoverage,
    Concentration,
    Coverage,
    Movers,
    Totals,
    Unattributed,
)
from modelrace.adoption._rows import (
    SHARE_CONTEXT,
    DerivativeCounts,
    EcosystemRow,
    FamilyCountryShare,
    Measure,
    Mover,
    NamespaceRow,
    ShareRow,
    SizeClassRow,
    TopModel,
)
from modelrace.knowledge import class_names, param_class_sql
from modelrace.store import SnapshotInfo

View = Literal["root", "uploader"]

# JSON key -> (column, view)
SHARE_BREAKDOWNS: Final[dict[str, tuple[str, View]]] = {
    "by_country": ("country", "root"),
    "by_uploader_country": ("uploader_country", "uploader"),
    "by_developer": ("developer", "root"),
    "by_uploader": ("uploader", "uploader"),
    "by_family": ("family", "root"),
    "by_namespace": ("namespace", "uploader"),
}
_CONTEXT: Final = SHARE_CONTEXT  # columns a breakdown carries along (a family's developer and country, ...)
_MISSING: Final = {"namespace": "(no namespace)", "library_name": "unknown"}
# 2023 US Merger Guidelines: HHI above 1,800 is highly concentrated; 1,000-1,800 moderately.
HHI_HIGH: Final = 1800
HHI_MODERATE: Final = 1000


@dataclass(frozen=True)
class Scope:
    """Which attributed snapshot an analysis reads, and whether test fixtures count."""

    connection: duckdb.DuckDBPyConnection
    table: str
    snapshot: SnapshotInfo
    include_fixtures: bool = False

    @property
    def fixture_filter(self) -> str:
        """SQL condition on the attribution table."""
        return "TRUE" if self.include_fixtures else "NOT is_fixture"

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Run a query (``{t}`` is the table, ``{f}`` the fixture filter) and return its rows by column name (the
        analyses shape them into typed rows)."""
        cursor = self.connection.execute(sql.format(t=self.table, f=self.fixture_filter), params or [])
        columns = [d[0] for d in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _weight(view: View) -> tuple[str, str]:
    """(weight expression, row filter) for a view: root credit-weighted, uploader one row per model."""
    return ("credit", "TRUE") if view == "root" else ("1", "is_primary")


def download_shares(
    scope: Scope, column: str, view: View, measure: Measure = "downloads_30d", limit: int | None = None
) -> list[ShareRow]:
    """Downloads and share of the total per value of ``column``, largest first."""
    return download_shares_many(scope, {column: limit}, view, measure)[column]


def download_shares_many(
    scope: Scope, columns: dict[str, int | None], view: View, measure: Measure = "downloads_30d"
) -> dict[str, list[ShareRow]]:
    """Several share tables of one view in one pass over the snapshot (GROUPING SETS), each cut to its limit.

    ``models`` counts each model once, under its primary root (root view) or itself (uploader view).
    """
    weight, rows_filter = _weight(view)
    names = list(columns)
    keys = [f"coalesce({c}, '{_MISSING[c]}')" if c in _MISSING else c for c in names]
    context = sorted({c for name in names for c in _CONTEXT.get(name, ())})
    limits = " ".join(f"WHEN {i} THEN {columns[name] if columns[name] else 'NULL'}" for i, name in enumerate(names))
    rows = scope.rows(
        f"""
        WITH grouped AS (
            SELECT {", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))},
                   {" + ".join(f"(GROUPING({k}) = 0)::INT * {i}" for i, k in enumerate(keys))} AS breakdown,
                   sum({measure} * {weight}) AS downloads,
                   count(*) FILTER (WHERE is_primary) AS models
                   {"".join(f", any_value({c}) AS ctx_{c}" for c in context)}
            FROM {{t}} WHERE {{f}} AND {rows_filter} AND {measure} IS NOT NULL
            GROUP BY GROUPING SETS ({", ".join(f"({k})" for k in keys)})
        )
        SELECT *, sum(downloads) OVER (PARTITION BY breakdown) AS total
        FROM grouped
        QUALIFY row_number() OVER (PARTITION BY breakdown ORDER BY downloads DESC,
                                   {", ".join(f"k{i}" for i in range(len(keys)))})
                <= coalesce(CASE breakdown {limits} END, 9223372036854775807)
        ORDER BY breakdown, downloads DESC
        """
    )
    result: dict[str, list[ShareRow]] = {name: [] for name in names}
    for row in rows:
        index = row["breakdown"]
        name = names[index]
        total = row["total"] or 0
        carried = _CONTEXT.get(name, ())
        result[name].append(
            ShareRow(
                column=name,
                key=row[f"k{index}"],
                downloads=round(row["downloads"] or 0),
                share=(row["downloads"] or 0) / total if total else 0.0,
                models=row["models"],
                measure=measure,
                developer=row["ctx_developer"] if "developer" in carried else None,
                country=row["ctx_country"] if "country" in carried else None,
            )
        )
    return result


def all_time_coverage(scope: Scope) -> AllTimeCoverage:
    """How many models (and what share of 30-day downloads) have an all-time download count."""
    row = scope.rows(
        """
        SELECT count(*) AS models, count(downloads_all_time) AS with_all_time,
               sum(downloads_30d) AS downloads_30d,
               sum(downloads_30d) FILTER (WHERE downloads_all_time IS NOT NULL) AS covered_30d
        FROM {t} WHERE {f} AND is_primary
        """
    )[0]
    return AllTimeCoverage(
        models=row["models"],
        models_with_all_time=row["with_all_time"],
        share_of_30d_downloads_covered=(row["covered_30d"] or 0) / row["downloads_30d"]
        if row["downloads_30d"]
        else 0.0,
    )


def coverage(scope: Scope) -> Coverage:
    """The share of downloads for which each fact is known (credit-weighted, so each model counts once)."""
    row = scope.rows(
        """
        SELECT sum(downloads_30d * credit) AS total,
               sum(downloads_30d * credit) FILTER (WHERE country <> 'unattributed') AS country,
               sum(downloads_30d * credit) FILTER (WHERE developer <> 'unattributed') AS developer,
               sum(downloads_30d * credit) FILTER (WHERE uploader <> 'unattributed') AS uploader,
               sum(downloads_30d * credit) FILTER (WHERE params IS NOT NULL) AS parameters,
               sum(downloads_30d * credit) FILTER (WHERE pipeline_tag IS NOT NULL) AS pipeline_tag
        FROM {t} WHERE {f}
        """
    )[0]
    total = row["total"] or 0

    def share(key: str) -> float:
        return (row[key] or 0) / total if total else 0.0

    return Coverage(
        country=share("country"),
        developer=share("developer"),
        uploader=share("uploader"),
        parameters=share("parameters"),
        pipeline_tag=share("pipeline_tag"),
        threshold=COVERAGE_THRESHOLD,
    )


def totals(scope: Scope) -> Totals:
    """Models and downloads in scope, and how much of it is attributed to a known developer."""
    row = scope.rows(
        """
        SELECT count(*) FILTER (WHERE is_primary) AS models, sum(downloads_30d * credit) AS downloads_30d,
               sum(downloads_30d * credit) FILTER (WHERE developer <> 'unattributed') AS attributed,
               count(*) FILTER (WHERE is_fixture AND is_primary) AS fixtures,
               sum(downloads_30d * credit) FILTER (WHERE uploader_kind = 're-uploader') AS reuploaded,
               count(*) FILTER (WHERE issue = 'cycle' AND is_primary) AS in_cycles
        FROM {t} WHERE {f}
        """
    )[0]
    excluded = scope.rows(
        "SELECT count(*) FILTER (WHERE is_primary) AS n, coalesce(sum(downloads_30d * credit), 0) AS d "
        "FROM {t} WHERE is_fixture"
    )[0]
    total = row["downloads_30d"] or 0
    return Totals(
        models=row["models"],
        downloads_30d=round(total),
        attributed_share=(row["attributed"] or 0) / total if total else 0.0,
        reuploader_share=(row["reuploaded"] or 0) / total if total else 0.0,
        models_in_cycles=row["in_cycles"],
        fixtures_excluded=0 if scope.include_fixtures else excluded["n"],
        fixture_downloads_excluded=0 if scope.include_fixtures else round(excluded["d"]),
    )


_RELATION_COUNTS = """
               count(*) FILTER (WHERE relation = 'finetune') AS finetunes,
               count(*) FILTER (WHERE relation = 'quantized') AS quantizations,
               count(*) FILTER (WHERE relation = 'adapter') AS adapters,
               count(*) FILTER (WHERE relation = 'merge') AS merges,
               count(*) FILTER (WHERE relation = 'unspecified') AS unspecified,
               count(*) AS derivatives"""


def ecosystem(scope: Scope, column: Literal["family", "country"], limit: int | None = None) -> list[EcosystemRow]:
    """Derivative models per root family (or country) by relation, and the downloads they draw.

    A model counts once for each family it descends from: a merge has a row per root, several of them in one
    family (two Llama bases), and a fine-tune of a merge inherits the merge's roots; each counts once there, with
    its credit-weighted downloads. A merge of two families counts for both: the rows do not add up to
    :func:`ecosystem_totals`.
    """
    extra = ", any_value(developer) AS developer, any_value(country) AS country" if column == "family" else ""
    carried = ", developer, country" if column == "family" else ""
    # A model with one root has one row (credit 1): counted as it is. Only the few with several roots (credit < 1
    # on each row) are gathered per family and model first.
    rows = scope.rows(
        f"""
        SELECT key {extra}, {_RELATION_COUNTS},
               sum(downloads) AS derivative_downloads_30d
        FROM (SELECT {column} AS key, relation, downloads_30d AS downloads {carried}
              FROM {{t}} WHERE {{f}} AND model_key <> root_key AND credit >= 1
              UNION ALL
              SELECT {column} AS key, any_value(relation) AS relation, sum(downloads_30d * credit) AS downloads {extra}
              FROM {{t}} WHERE {{f}} AND model_key <> root_key AND credit < 1
              GROUP BY {column}, model_key)
        GROUP BY 1 ORDER BY derivatives DESC, key
        """
    )
    shaped = [
        EcosystemRow(
            finetunes=r["finetunes"],
            quantizations=r["quantizations"],
            adapters=r["adapters"],
            merges=r["merges"],
            unspecified=r["unspecified"],
            derivatives=r["derivatives"],
            column=column,
            key=r["key"],
            derivative_downloads_30d=round(r["derivative_downloads_30d"] or 0),
            developer=r.get("developer"),
            country=r.get("country"),
        )
        for r in rows
    ]
    return shaped[:limit] if limit else shaped


def ecosystem_totals(scope: Scope) -> DerivativeCounts:
    """Derivative models of the snapshot by relation, each model once (whatever its roots)."""
    rows = scope.rows(
        f"""
        SELECT {_RELATION_COUNTS}
        FROM (SELECT model_key, relation FROM {{t}} WHERE {{f}} AND model_key <> root_key AND credit >= 1
              UNION ALL
              SELECT DISTINCT model_key, relation FROM {{t}} WHERE {{f}} AND model_key <> root_key AND credit < 1)
        """
    )
    return DerivativeCounts(**{key: int(value or 0) for key, value in rows[0].items()})


def _hhi(shares: Sequence[float]) -> float:
    total = sum(shares)
    return sum((s / total * 100) ** 2 for s in shares) if total else 0.0


def concentration(
    scope: Scope,
    shares: dict[str, list[ShareRow]] | None = None,
    attributed_share: float | None = None,
) -> Concentration:
    """HHI (0-10,000) and top-1/top-5 shares by developer and by family, over attributed downloads.

    Unattributed downloads are left out: they are many unknown developers, not one firm, and counting them as
    one would overstate concentration. ``attributed_share`` says how much of the total the figures cover.
    ``shares`` may pass the root-view developer and family tables already computed.
    """
    shares = shares or download_shares_many(scope, {"developer": None, "family": None}, "root")
    result: dict[str, Any] = {}
    for column in ("developer", "family"):
        rows = [r for r in shares[column] if r.key != "unattributed"]
        downloads = [r.downloads for r in rows]
        total = sum(downloads)
        result[f"hhi_{column}"] = round(_hhi(downloads), 1)
        result[f"top1_share_{column}"] = downloads[0] / total if total else 0.0
        result[f"top5_share_{column}"] = sum(downloads[:5]) / total if total else 0.0
        result[f"top1_{column}"] = rows[0].key if rows else None
    return Concentration(
        **result,
        top1_share=result["top1_share_family"],
        top5_share=result["top5_share_family"],
        attributed_share=totals(scope).attributed_share if attributed_share is None else attributed_share,
        hhi_scale="0-10000; >1800 highly, 1000-1800 moderately concentrated (2023 US Merger Guidelines)",
    )


def hhi_label(hhi: float) -> str:
    """Plain words for an HHI value."""
    if hhi > HHI_HIGH:
        return "highly concentrated"
    if hhi >= HHI_MODERATE:
        return "moderately concentrated"
    return "unconcentrated"


def size_classes(scope: Scope) -> list[SizeClassRow]:
    """Downloads by the model's own parameter class (safetensors count, or parsed from the name)."""
    rows = scope.rows(
        f"""
        SELECT {param_class_sql("params")} AS size_class,
               sum(downloads_30d) AS downloads, count(*) AS models,
               count(*) FILTER (WHERE params_source = 'name') AS from_name
        FROM {{t}} WHERE {{f}} AND is_primary GROUP BY 1
        """
    )
    total = sum(r["downloads"] or 0 for r in rows)
    order = [*class_names("total"), "unknown"]
    rows.sort(key=lambda r: order.index(r["size_class"]))
    return [
        SizeClassRow(
            size_class=r["size_class"],
            downloads_30d=int(r["downloads"] or 0),
            share=(r["downloads"] or 0) / total if total else 0.0,
            models=r["models"],
            params_from_name=r["from_name"],
        )
        for r in rows
    ]


def top_models(scope: Scope, limit: int = 25) -> list[TopModel]:
    """The most downloaded models with their attribution and licence (likes and licence read for these rows only)."""
    rows = scope.rows(
        """
        WITH top AS (
            SELECT * FROM {t} WHERE {f} AND is_primary ORDER BY downloads_30d DESC, model_key LIMIT ?
        )
        SELECT m.model_id, a.downloads_30d, a.downloads_all_time, sm.likes, a.uploader, a.uploader_country,
               r.model_id AS root_id, a.developer, a.family, a.country, a.relation, v.license, a.params,
               a.library_name, a.pipeline_tag
        FROM top a JOIN models m ON m.model_key = a.model_key JOIN models r ON r.model_key = a.root_key
        JOIN snapshot_models sm ON sm.snapshot_id = ? AND sm.model_key = a.model_key
        JOIN model_versions v ON v.version_id = sm.version_id
        ORDER BY a.downloads_30d DESC, m.model_id
        """,
        [limit, scope.snapshot.snapshot_id],
    )
    return [TopModel(**row) for row in rows]


def unattributed(scope: Scope, limit: int = 25) -> Unattributed:
    """Root namespaces the registry does not know, by the downloads credited to them: counted and listed."""
    rows = scope.rows(
        """
        WITH grouped AS (
            SELECT coalesce(root_namespace, '(no namespace)') AS namespace, sum(downloads_30d * credit) AS downloads,
                   count(*) FILTER (WHERE is_primary) AS models
            FROM {t} WHERE {f} AND developer = 'unattributed' GROUP BY 1
        )
        SELECT *, count(*) OVER () AS namespaces, sum(models) OVER () AS all_models,
               sum(downloads) OVER () AS all_downloads
        FROM grouped ORDER BY downloads DESC, namespace LIMIT ?
        """,
        [limit],
    )
    first = rows[0] if rows else {"namespaces": 0, "all_models": 0, "all_downloads": 0}
    return Unattributed(
        namespaces=first["namespaces"],
        models=int(first["all_models"] or 0),
        downloads_30d=round(first["all_downloads"] or 0),
        top=[NamespaceRow(r["namespace"], round(r["downloads"] or 0), r["models"]) for r in rows],
    )


def movers(now: list[ShareRow], then: list[ShareRow], column: str, limit: int = 5) -> Movers:
    """Biggest gains and losses in share (percentage points) between two share tables of ``column``."""
    before = {r.key: r.share for r in then}
    after = {r.key: r.share for r in now}
    changes = [
        Mover(
            column,
            key,
            share_then=before.get(key, 0.0),
            share_now=after.get(key, 0.0),
            change_pp=(after.get(key, 0.0) - before.get(key, 0.0)) * 100,
        )
        for key in set(before) | set(after)
    ]
    changes.sort(key=lambda c: (-c.change_pp, str(c.key)))
    gains = [c for c in changes if c.change_pp > 0][:limit]
    losses = sorted((c for c in changes if c.change_pp < 0), key=lambda c: (c.change_pp, str(c.key)))
    return Movers(gains=gains, losses=losses[:limit])


def family_by_country(scope: Scope) -> list[FamilyCountryShare]:
    """Each (country, family) pair's share of all downloads (root view), largest first."""
    rows = scope.rows(
        """
        SELECT country, family, sum(downloads_30d * credit) AS downloads
        FROM {t} WHERE {f} AND family <> 'unattributed' GROUP BY 1, 2 ORDER BY downloads DESC, family
        """
    )
    total = scope.rows("SELECT sum(downloads_30d * credit) AS d FROM {t} WHERE {f}")[0]["d"] or 0
    return [
        FamilyCountryShare(r["country"], r["family"], (r["downloads"] or 0) / total if total else 0.0) for r in rows
    ]
