"""The adoption section: who leads on downloads and derivatives, how concentrated, what changed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from modelrace.adoption import Adoption, AdoptionFigures, SnapshotRef, hhi_label
from modelrace.knowledge import country_label, snapshot_source_name
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, Column, Section, Table
from modelrace.store import SELECTION_WORDS

TOP = 15


def source_text(snapshot: SnapshotRef) -> str:
    """What every figure cites: 'replay of FILE (data of DATE), snapshot 3: a subset of unknown selection'."""
    if snapshot.provenance:
        return f"{snapshot.provenance}, snapshot {snapshot.id}: {SELECTION_WORDS.get(snapshot.selection, '')}"
    where = snapshot_source_name(snapshot.source)  # a reference built without provenance
    detail = f" ({snapshot.source_detail})" if snapshot.source_detail else ""
    return f"{where}{detail}, snapshot {snapshot.id} taken {snapshot.taken_at[:10]}"


def _coverage_words(adoption: Adoption) -> str:
    """What share of downloads each fact is known for (every share below reads against it)."""
    known = adoption.coverage
    if known is None:
        return ""
    return (
        f" Known for this share of downloads: country {known.country * 100:.1f} %, developer"
        f" {known.developer * 100:.1f} %, parameters {known.parameters * 100:.1f} %, pipeline tag"
        f" {known.pipeline_tag * 100:.1f} %; 'unattributed' and 'unknown' are unknowns, never a negative."
    )


def _history_note(adoption: Adoption) -> str | None:
    """Which scope the history is drawn on, and which snapshots it leaves out (the break in the series)."""
    parts = []
    if adoption.history_scope is not None and len(adoption.history) >= 2:
        parts.append(f"Every point is computed on {adoption.history_scope.words}.")
    for left in adoption.history_left_out:
        parts.append(f"Left out: snapshot {left['snapshot']} ({left['provenance']}): {left['reason']}.")
    return " ".join(parts) or None


def _label(country: str) -> str:
    return country_label(country)


def adoption_section(figures: AdoptionFigures, licences: dict[str, tuple[str | None, str]] | None = None) -> Section:
    """Build the section from :func:`modelrace.adoption.build_adoption` figures; ``licences`` gives the top models'
    licences as the openness analysis reads them (licence id, verdict), shown instead of the stated tag."""
    adoption = figures.adoption
    source = source_text(figures.snapshot)
    scope = figures.scope_words
    conc = adoption.concentration
    totals = adoption.totals
    section = Section(
        id="adoption",
        title=(
            "Adoption: downloads and derivatives of language models"
            if figures.scope.models == "llm"
            else "Adoption: downloads and derivatives, every model"
        ),
        intro=(
            f"Data: {figures.snapshot.provenance or source}; {SELECTION_WORDS.get(figures.snapshot.selection, '')}."
            + (
                f" The source carries no {', '.join(figures.snapshot.lacks)} for some or all models."
                if figures.snapshot.lacks
                else ""
            )
            + " "
            f"{totals.models:,} models and {totals.downloads_30d:,} {scope}. By root family, every derivative,"
            " quantization and re-upload counts for the original developer through the model tree (merges split"
            " their credit equally); by uploader, each model counts for its own namespace."
            + (
                f" {totals.fixtures_excluded:,} test fixtures ({totals.fixture_downloads_excluded:,} downloads)"
                " are excluded."
                if totals.fixtures_excluded
                else ""
            )
            + _coverage_words(adoption)
        ),
        headlines=list(figures.headlines),
    )
    history = adoption.history
    if len(history) >= 2:
        # Countries outside the chart palette are summed as "other countries": one colour per country everywhere.
        summed: dict[tuple[str, str], float] = {}
        for h in history:
            for r in h.by_country:
                slot = (h.snapshot.taken_at, charts.country_key(r["country"]))
                summed[slot] = summed.get(slot, 0.0) + r["share"]
        rows = [{"taken_at": when, "country": country, "share": share} for (when, country), share in summed.items()]
        spec = charts.stacked_area(rows, "taken_at", "share", "country", "Download share by country", source)
    else:
        rows = [
            {"country": _label(r["country"]), "share": r["share"], "colour": charts.country_key(r["country"])}
            for r in adoption.by_country[:TOP]
        ]
        spec = charts.bars(
            rows,
            "country",
            "share",
            "Download share by country (root family view)",
            source,
            color="colour",
            color_title="country",
        )
    section.charts.append(
        Chart("share-by-country", "Download share by country", spec, source, note=_history_note(adoption))
    )

    views = []
    for key, view in (("by_country", "by root family"), ("by_uploader_country", "by uploader")):
        column = "country" if key == "by_country" else "uploader_country"
        views += [{"country": _label(r[column]), "share": r["share"], "view": view} for r in adoption.shares(key)[:10]]
    section.charts.append(
        Chart(
            "country-views",
            "Country share by uploader and by root family",
            charts.grouped_bars(
                views, "country", "share", "view", "Country share: by uploader vs by root family", source
            ),
            source,
            note="Re-uploads and derivatives move share from the uploader's country to the original developer's.",
        )
    )
    families = [
        {"family": r["family"], "share": r["share"], "country": charts.country_key(r["country"])}
        for r in adoption.by_family[:TOP]
    ]
    section.charts.append(
        Chart(
            "top-families",
            "Top families",
            charts.bars(families, "family", "share", "Top families by download share", source, color="country"),
            source,
        )
    )
    eco_rows = [
        {"family": e["family"], "relation": relation, "count": e[column]}
        for e in adoption.ecosystem.by_family[:TOP]
        for relation, column in (
            ("fine-tune", "finetunes"),
            ("quantization", "quantizations"),
            ("adapter", "adapters"),
            ("merge", "merges"),
            ("unspecified", "unspecified"),
        )
        if e[column]
    ]
    section.charts.append(
        Chart(
            "ecosystem",
            "Ecosystem",
            charts.stacked_bars(
                eco_rows, "family", "count", "relation", "Derivatives per root family", source, "derivative models"
            ),
            source,
        )
    )
    developers = [r for r in adoption.by_developer if r["developer"] != "unattributed"][:10]
    attributed_total = sum(r["downloads_30d"] for r in adoption.by_developer if r["developer"] != "unattributed")
    section.charts.append(
        Chart(
            "concentration",
            "Concentration",
            charts.bars(
                [
                    {
                        "developer": r["developer"],
                        "share": r["downloads_30d"] / attributed_total,
                        "country": charts.country_key(r["country"]),
                    }
                    for r in developers
                ]
                if attributed_total
                else [],
                "developer",
                "share",
                f"Top developers' share of attributed downloads (HHI {conc.hhi_developer:,.0f}, "
                f"{hhi_label(conc.hhi_developer)})",
                source,
                color="country",
            ),
            source,
            note=(
                f"HHI by developer {conc.hhi_developer:,.0f}, by family {conc.hhi_family:,.0f} (0–10,000;"
                f" over the {conc.attributed_share * 100:.1f} % of downloads attributed to a known developer)."
            ),
        )
    )
    section.charts.append(
        Chart(
            "size-classes",
            "Downloads by size",
            charts.bars(
                adoption.size_classes,
                "size_class",
                "share",
                "Downloads by parameter class",
                source,
                order=[r["size_class"] for r in adoption.size_classes],  # size order, as the analysis sorts them
            ),
            source,
        )
    )
    section.tables += _tables(adoption, source, licences)
    if figures.rest_of_hub:
        section.tables.append(
            Table(
                "rest-of-hub",
                f"The rest of the Hub: what the language-model scope leaves out (snapshot {figures.snapshot.id})",
                [
                    Column("pipeline_tag", "pipeline tag"),
                    Column("downloads_30d", "downloads (30 d)", "int"),
                    Column("share", "share of all downloads", "pct"),
                    Column("models", "models", "int"),
                ],
                figures.rest_of_hub,
                source,
                note="Embeddings, speech, vision and other models outside the race's scope (`report --scope all` "
                "counts them in every share).",
            )
        )
    return scoped(section, scope_label(figures))


def scope_label(figures: AdoptionFigures) -> str:
    """What every title of a download figure says it counts: "language models, top 100 by downloads"."""
    snapshot = figures.snapshot
    parts = ["language models" if figures.scope.models == "llm" else "all models"]
    if snapshot.selection == "top-downloads":
        parts.append(f"top {snapshot.models:,} by downloads")
    elif snapshot.selection == "subset":
        parts.append("a subset, not the Hub")
    parts += [part for part in figures.scope.selection.split(", ") if part.startswith("author ")]
    return f"{', '.join(parts)}; snapshot {snapshot.id}, {snapshot.data_date or snapshot.taken_at[:10]}"


def scoped(section: Section, label: str) -> Section:
    """The section with ``label`` in every chart's and table's title (a share never loses its scope)."""
    suffix = f" ({label})"
    for index, chart in enumerate(section.charts):
        spec = dict(chart.spec)
        title = spec.get("title")
        if isinstance(title, dict):
            spec["title"] = {**title, "text": f"{title.get('text', '')}{suffix}"}
        elif isinstance(title, str):
            spec["title"] = f"{title}{suffix}"
        section.charts[index] = replace(chart, title=f"{chart.title}{suffix}", spec=spec)
    section.tables = [replace(t, title=f"{t.title}{suffix}") if label not in t.title else t for t in section.tables]
    return section


def _tables(adoption: Adoption, source: str, licences: dict[str, tuple[str | None, str]] | None) -> list[Table]:
    share = [
        Column("downloads_30d", "downloads (30 d)", "int"),
        Column("share", "share", "pct"),
        Column("models", "models", "int"),
    ]
    tables = [
        Table(
            "countries",
            "Countries (by root family)",
            [Column("country", "country"), *share],
            adoption.by_country,
            source,
        ),
        Table(
            "developers",
            "Developers (by root family)",
            [Column("developer", "developer"), Column("country", "country"), *share],
            adoption.by_developer[:50],
            source,
        ),
        Table(
            "families",
            "Families",
            [Column("family", "family"), Column("developer", "developer"), Column("country", "country"), *share],
            adoption.by_family[:50],
            source,
        ),
        Table(
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
            [{**row, "licence_read": _licence_read(row, licences)} for row in adoption.top_models],
            source,
        ),
        Table(
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
            adoption.ecosystem.by_family[:50],
            source,
            note=(
                "Derivative models, each once per family it descends from: a merge of two families counts for both"
                f" ({adoption.ecosystem.totals['derivatives']:,} derivatives in the snapshot)."
            ),
        ),
        Table(
            "by-library",
            "Downloads by library / format",
            [Column("library_name", "library"), *share],
            adoption.by_library,
            source,
            note="The Hub counts every GGUF file download, so GGUF repositories read high next to safetensors ones.",
        ),
        Table(
            "unattributed",
            "Largest unattributed namespaces",
            [
                Column("namespace", "namespace"),
                Column("downloads_30d", "downloads (30 d)", "int"),
                Column("models", "models", "int"),
            ],
            adoption.unattributed.top,
            source,
            note=(
                f"{adoption.unattributed.namespaces:,} namespaces, {adoption.unattributed.models:,} models"
                " are not in the registry; they are counted as 'unattributed', never dropped."
            ),
        ),
    ]
    change = adoption.change
    if change and change.comparable:
        since = f"since snapshot {change.since.id} ({change.since.data_date or change.since.taken_at[:10]})"
        on = f"Both snapshots on {change.scope.words}." if change.scope else None
        for moved, column in (
            (change.by_country, "country"),
            (change.by_family, "family"),
            (change.by_developer, "developer"),
        ):
            rows = moved.gains + moved.losses
            tables.append(
                Table(
                    f"movers-{column}",
                    f"Movers {since}: {column}",
                    [
                        Column(column, column),
                        Column("share_then", "share then", "pct"),
                        Column("share_now", "share now", "pct"),
                        Column("change_pp", "change (pp)", "float"),
                    ],
                    rows,
                    source,
                    note=on,
                )
            )
    return tables


def _licence_read(row: dict[str, Any], licences: dict[str, tuple[str | None, str]] | None) -> str | None:
    """ "qwen-research (non-commercial), stated 'other'": the licence the openness analysis reads (stated or
    inherited) and the stated tag where it says something else; the stated tag alone without an analysis."""
    stated = row.get("license")
    read = (licences or {}).get(row["model_id"])
    if read is None:
        return stated
    licence, verdict = read
    shown = f"{licence or 'unknown'} ({verdict})"
    return f"{shown}, stated '{stated}'" if stated and stated != licence else shown
