"""The adoption section: who leads on downloads and derivatives, how concentrated, what changed."""

from __future__ import annotations

from dataclasses import replace

from modelrace.adoption import Adoption, AdoptionFigures, RelationColumn, SnapshotRef, hhi_label
from modelrace.knowledge import country_label, snapshot_source_name
from modelrace.report import _charts as charts
from modelrace.report._adoption_tables import adoption_tables, rest_of_hub_table, table_rows
from modelrace.report._model import Chart, Section
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
        parts.append(f"Left out: snapshot {left.snapshot} ({left.provenance}): {left.reason}.")
    return " ".join(parts) or None


def _label(country: str) -> str:
    return country_label(country)


def adoption_section(figures: AdoptionFigures, licences: dict[str, tuple[str | None, str]] | None = None) -> Section:
    """Build the section from :func:`modelrace.adoption.build_adoption` figures; ``licences`` gives the top models'
    licences as the openness analysis reads them (licence id, verdict), shown instead of the stated tag."""
    adoption = figures.adoption
    source = source_text(figures.snapshot)
    section = Section(
        id="adoption",
        title=(
            "Adoption: downloads and derivatives of language models"
            if figures.scope.models == "llm"
            else "Adoption: downloads and derivatives, every model"
        ),
        intro=_intro(figures),
        headlines=list(figures.headlines),
    )
    section.charts += [
        _country_chart(adoption, source),
        _country_views_chart(adoption, source),
        _families_chart(adoption, source),
        _ecosystem_chart(adoption, source),
        _concentration_chart(adoption, source),
        _size_chart(adoption, source),
    ]
    section.tables += adoption_tables(adoption, source, licences)
    section = scoped(section, scope_label(figures))
    if figures.rest_of_hub:  # what the scope leaves out: not labelled with the scope
        section.tables.append(rest_of_hub_table(figures, source))
    return section


def _intro(figures: AdoptionFigures) -> str:
    """The data, its selection, what it lacks, what is counted and how, and what each fact is known for."""
    snapshot = figures.snapshot
    totals = figures.adoption.totals
    return (
        f"Data: {snapshot.provenance or source_text(snapshot)}; {SELECTION_WORDS.get(snapshot.selection, '')}."
        + (f" The source carries no {', '.join(snapshot.lacks)} for some or all models." if snapshot.lacks else "")
        + " "
        f"{totals.models:,} models and {totals.downloads_30d:,} {figures.scope_words}. By root family, every"
        " derivative, quantization and re-upload counts for the original developer through the model tree (merges"
        " split their credit equally); by uploader, each model counts for its own namespace."
        + (
            f" {totals.fixtures_excluded:,} test fixtures ({totals.fixture_downloads_excluded:,} downloads)"
            " are excluded."
            if totals.fixtures_excluded
            else ""
        )
        + _coverage_words(figures.adoption)
    )


def _country_chart(adoption: Adoption, source: str) -> Chart:
    """Download share by country: over the history when it has two points or more, else at this snapshot."""
    history = adoption.history
    if len(history) >= 2:
        # Countries outside the chart palette are summed as "other countries": one colour per country everywhere.
        summed: dict[tuple[str, str], float] = {}
        for h in history:
            for r in h.by_country:
                slot = (h.snapshot.taken_at, charts.country_key(r.key))
                summed[slot] = summed.get(slot, 0.0) + r.share
        rows = [{"taken_at": when, "country": country, "share": share} for (when, country), share in summed.items()]
        spec = charts.stacked_area(rows, "taken_at", "share", "country", "Download share by country", source)
    else:
        rows = [
            {"country": _label(r.key), "share": r.share, "colour": charts.country_key(r.key)}
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
    return Chart("share-by-country", "Download share by country", spec, source, note=_history_note(adoption))


def _country_views_chart(adoption: Adoption, source: str) -> Chart:
    """Country shares by root family beside those by uploader."""
    views = []
    for key, view in (("by_country", "by root family"), ("by_uploader_country", "by uploader")):
        views += [{"country": _label(r.key), "share": r.share, "view": view} for r in adoption.shares(key)[:10]]
    return Chart(
        "country-views",
        "Country share by uploader and by root family",
        charts.grouped_bars(views, "country", "share", "view", "Country share: by uploader vs by root family", source),
        source,
        note="Re-uploads and derivatives move share from the uploader's country to the original developer's.",
    )


def _families_chart(adoption: Adoption, source: str) -> Chart:
    """The top families by download share, coloured by country."""
    families = [
        {"family": r.key, "share": r.share, "country": charts.country_key(r.country or "")}
        for r in adoption.by_family[:TOP]
    ]
    return Chart(
        "top-families",
        "Top families",
        charts.bars(families, "family", "share", "Top families by download share", source, color="country"),
        source,
    )


_RELATIONS: tuple[tuple[str, RelationColumn], ...] = (
    ("fine-tune", "finetunes"),
    ("quantization", "quantizations"),
    ("adapter", "adapters"),
    ("merge", "merges"),
    ("unspecified", "unspecified"),
)


def _ecosystem_chart(adoption: Adoption, source: str) -> Chart:
    """Derivatives per root family, stacked by relation."""
    eco_rows = [
        {"family": e.key, "relation": relation, "count": e.count(column)}
        for e in adoption.ecosystem.by_family[:TOP]
        for relation, column in _RELATIONS
        if e.count(column)
    ]
    return Chart(
        "ecosystem",
        "Ecosystem",
        charts.stacked_bars(
            eco_rows, "family", "count", "relation", "Derivatives per root family", source, "derivative models"
        ),
        source,
    )


def _concentration_chart(adoption: Adoption, source: str) -> Chart:
    """The top developers' shares of attributed downloads, with the HHI."""
    conc = adoption.concentration
    attributed = [r for r in adoption.by_developer if r.key != "unattributed"]
    attributed_total = sum(r.downloads for r in attributed)
    rows = [
        {"developer": r.key, "share": r.downloads / attributed_total, "country": charts.country_key(r.country or "")}
        for r in (attributed[:10] if attributed_total else [])
    ]
    return Chart(
        "concentration",
        "Concentration",
        charts.bars(
            rows,
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


def _size_chart(adoption: Adoption, source: str) -> Chart:
    """Downloads by parameter class, in size order."""
    return Chart(
        "size-classes",
        "Downloads by size",
        charts.bars(
            table_rows(adoption.size_classes),
            "size_class",
            "share",
            "Downloads by parameter class",
            source,
            order=[r.size_class for r in adoption.size_classes],  # size order, as the analysis sorts them
        ),
        source,
    )


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
