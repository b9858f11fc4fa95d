"""The adoption section's tables: shares by country, developer and family, the most downloaded models, the ecosystem,
libraries, unattributed namespaces, the movers since the compared snapshot and the rest of the Hub."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelrace._serialise import to_jsonable
from modelrace.adoption import Adoption, AdoptionFigures, TopModel
from modelrace.report._model import Column, Table


def table_rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Typed rows as a table's (or a chart's) cells: their JSON form, keys in the order ``--json`` has them."""
    return [to_jsonable(row) for row in rows]


_SHARE_COLUMNS = [
    Column("downloads_30d", "downloads (30 d)", "int"),
    Column("share", "share", "pct"),
    Column("models", "models", "int"),
]


def adoption_tables(adoption: Adoption, source: str, licences: dict[str, tuple[str | None, str]] | None) -> list[Table]:
    """The section's tables: shares, top models, ecosystem, libraries, unattributed namespaces and movers."""
    return [
        *_share_tables(adoption, source),
        _top_models_table(adoption, source, licences),
        _ecosystem_table(adoption, source),
        Table(
            "by-library",
            "Downloads by library / format",
            [Column("library_name", "library"), *_SHARE_COLUMNS],
            table_rows(adoption.by_library),
            source,
            note="The Hub counts every GGUF file download, so GGUF repositories read high next to safetensors ones.",
        ),
        _unattributed_table(adoption, source),
        *_movers_tables(adoption, source),
    ]


def _share_tables(adoption: Adoption, source: str) -> list[Table]:
    """Countries, developers and families (root family view)."""
    return [
        Table(
            "countries",
            "Countries (by root family)",
            [Column("country", "country"), *_SHARE_COLUMNS],
            table_rows(adoption.by_country),
            source,
        ),
        Table(
            "developers",
            "Developers (by root family)",
            [Column("developer", "developer"), Column("country", "country"), *_SHARE_COLUMNS],
            table_rows(adoption.by_developer[:50]),
            source,
        ),
        Table(
            "families",
            "Families",
            [
                Column("family", "family"),
                Column("developer", "developer"),
                Column("country", "country"),
                *_SHARE_COLUMNS,
            ],
            table_rows(adoption.by_family[:50]),
            source,
        ),
    ]


def _top_models_table(adoption: Adoption, source: str, licences: dict[str, tuple[str | None, str]] | None) -> Table:
    """The most downloaded models, with the licence the openness analysis reads."""
    return Table(
        "top-models",
        "Most downloaded models",
        [
            Column("model_id", "model"),
            Column("downloads_30d", "downloads (30 d)", "int"),
            Column("country", "country"),
            Column("family", "family"),
            Column("developer", "developer"),
            Column("uploader", "uploader"),
            Column("relation", "relation"),
            Column("licence_read", "licence (verdict)"),
            Column("params", "parameters", "params"),
        ],
        [to_jsonable(row) | {"licence_read": _licence_read(row, licences)} for row in adoption.top_models],
        source,
    )


def _ecosystem_table(adoption: Adoption, source: str) -> Table:
    """Derivatives by root family and relation."""
    return Table(
        "ecosystem",
        "Ecosystem by family",
        [
            Column("family", "family"),
            Column("country", "country"),
            Column("derivatives", "derivatives", "int"),
            Column("finetunes", "fine-tunes", "int"),
            Column("quantizations", "quantizations", "int"),
            Column("adapters", "adapters", "int"),
            Column("merges", "merges", "int"),
            Column("derivative_downloads_30d", "their downloads (30 d)", "int"),
        ],
        table_rows(adoption.ecosystem.by_family[:50]),
        source,
        note=(
            "Derivative models, each once per family it descends from: a merge of two families counts for both"
            f" ({adoption.ecosystem.totals.derivatives:,} derivatives in the snapshot)."
        ),
    )


def _unattributed_table(adoption: Adoption, source: str) -> Table:
    """The largest namespaces the registry does not know."""
    return Table(
        "unattributed",
        "Largest unattributed namespaces",
        [
            Column("namespace", "namespace"),
            Column("downloads_30d", "downloads (30 d)", "int"),
            Column("models", "models", "int"),
        ],
        table_rows(adoption.unattributed.top),
        source,
        note=(
            f"{adoption.unattributed.namespaces:,} namespaces, {adoption.unattributed.models:,} models"
            " are not in the registry; they are counted as 'unattributed', never dropped."
        ),
    )


def _movers_tables(adoption: Adoption, source: str) -> list[Table]:
    """The biggest gains and losses of share since the compared snapshot, by country, family and developer."""
    change = adoption.change
    if not change or not change.comparable:
        return []
    since = f"since snapshot {change.since.id} ({change.since.data_date or change.since.taken_at[:10]})"
    on = f"Both snapshots on {change.scope.words}." if change.scope else None
    return [
        Table(
            f"movers-{column}",
            f"Movers {since}: {column}",
            [
                Column(column, column),
                Column("share_then", "share then", "pct"),
                Column("share_now", "share now", "pct"),
                Column("change_pp", "change (pp)", "float"),
            ],
            table_rows(moved.gains + moved.losses),
            source,
            note=on,
        )
        for moved, column in (
            (change.by_country, "country"),
            (change.by_family, "family"),
            (change.by_developer, "developer"),
        )
    ]


def _licence_read(row: TopModel, licences: dict[str, tuple[str | None, str]] | None) -> str | None:
    """ "qwen-research (non-commercial), stated 'other'": the licence the openness analysis reads (stated or
    inherited) and the stated tag where it says something else; the stated tag alone without an analysis."""
    stated = row.license
    read = (licences or {}).get(row.model_id)
    if read is None:
        return stated
    licence, verdict = read
    shown = f"{licence or 'unknown'} ({verdict})"
    return f"{shown}, stated '{stated}'" if stated and stated != licence else shown


def rest_of_hub_table(figures: AdoptionFigures, source: str) -> Table:
    """What the language-model scope leaves out, by pipeline tag."""
    return Table(
        "rest-of-hub",
        f"The rest of the Hub: what the language-model scope leaves out (snapshot {figures.snapshot.id})",
        [
            Column("pipeline_tag", "pipeline tag"),
            Column("downloads_30d", "downloads (30 d)", "int"),
            Column("share", "share of all downloads", "pct"),
            Column("models", "models", "int"),
        ],
        table_rows(figures.rest_of_hub),
        source,
        note="Embeddings, speech, vision and other models outside the race's scope (`report --scope all` "
        "counts them in every share).",
    )
