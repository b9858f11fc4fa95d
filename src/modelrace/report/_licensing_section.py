"""The openness section: which share of downloads a company can use without legal review, by country."""

from __future__ import annotations

from modelrace.adoption import COVERAGE_THRESHOLD, FigureValue, Headline, SnapshotRef
from modelrace.knowledge import country_label, country_name
from modelrace.licensing import VERDICTS, LicenceFigures
from modelrace.report import _charts as charts
from modelrace.report._adoption_section import source_text
from modelrace.report._adoption_tables import table_rows
from modelrace.report._model import Chart, Column, Section, Table


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _missing_words(snapshot: SnapshotRef) -> str:
    """Where missing licences come from, when the source says it does not carry them."""
    if "license" in snapshot.lacks:
        return f"the source, {snapshot.provenance}, carries no licence for most models: missing data, not an absence"
    return ""


def _coverage_words(figures: LicenceFigures, snapshot: SnapshotRef) -> str:
    coverage = figures.coverage
    if coverage is None:
        return ""
    missing = _missing_words(snapshot)
    return (
        f"Licence coverage: a verdict is known for {_pct(coverage.known)} of downloads; the model states its"
        f" licence for {_pct(coverage.stated)}, inherits it for {_pct(coverage.inherited)}, states one the"
        f" registry cannot read for {_pct(coverage.unresolved)}, and has none in its tree for"
        f" {_pct(coverage.none)}" + (f" ({missing})" if missing else "") + ". "
    )


def licensing_section(snapshot: SnapshotRef, figures: LicenceFigures) -> Section:
    """Build the section from :func:`modelrace.licensing.licence_figures`."""
    source = source_text(snapshot) + "; licence terms: modelrace licence registry"
    section = Section(
        id="licensing",
        title="Openness: can a company use it without legal review?",
        intro=(
            "Each model's licence is its stated Hub licence, or inherited from the nearest base model that states"
            " one. Verdicts: permissive (ordinary commercial use needs no legal review), conditional (commercial"
            " use with thresholds, use policies, naming or pass-through duties a lawyer should read),"
            " non-commercial, unknown (no licence found, or one the registry cannot read: missing data, never a"
            " verdict). " + _coverage_words(figures, snapshot) + figures.notice
        ),
    )
    section.headlines += [
        _overall_headline(snapshot, figures),
        *_country_headlines(snapshot, figures),
        *_conflict_headlines(snapshot, figures),
    ]
    section.charts.append(_country_chart(figures, source))
    section.tables += [*_verdict_tables(figures, source), _licences_table(figures, source)]
    section.tables.append(_conflicts_table(figures, source))
    return section


def _headline(snapshot: SnapshotRef, text: str, numbers: dict[str, FigureValue]) -> Headline:
    return Headline(text, numbers, snapshot.id, snapshot.taken_at)


def _overall_headline(snapshot: SnapshotRef, figures: LicenceFigures) -> Headline:
    """The shares of all downloads by verdict, and among the known where the licence is known for too few."""
    overall = figures.by_verdict
    coverage = figures.coverage
    known = coverage.known if coverage else 1.0 - overall["unknown"]
    text = (
        f"{_pct(overall['permissive'])} of downloads go to models under permissive licences, "
        f"{_pct(overall['conditional'])} conditional, {_pct(overall['non-commercial'])} non-commercial and "
        f"{_pct(overall['unknown'])} unknown"
    )
    numbers: dict[str, FigureValue] = {**overall, "known": known}
    if known < COVERAGE_THRESHOLD:
        among: dict[str, float | None] = {
            v: overall[v] / known if known > 0 else None for v in VERDICTS if v != "unknown"
        }
        text += (
            f". The licence is known for only {_pct(known)} of downloads"
            + (f" ({missing})" if (missing := _missing_words(snapshot)) else "")
            + (
                f"; among those, {_pct(among['permissive'] or 0)} permissive, {_pct(among['conditional'] or 0)} "
                f"conditional and {_pct(among['non-commercial'] or 0)} non-commercial"
                if known > 0
                else ""
            )
        )
        numbers["among_known"] = among
    return _headline(snapshot, text + ".", numbers)


def _country_headlines(snapshot: SnapshotRef, figures: LicenceFigures) -> list[Headline]:
    """The permissive and conditional shares of the three largest attributed countries."""
    found = []
    for row in [r for r in figures.by_country if r.key != "unattributed"][:3]:
        text = (
            f"Of the downloads of families from {country_name(row.key)}, {_pct(row.permissive)} are "
            f"under permissive licences and {_pct(row.conditional)} under conditional ones"
        )
        if row.known < COVERAGE_THRESHOLD:
            # Unknown is never read as "not permissive": say what is known, and the verdicts among the known.
            text += f"; {_pct(row.unknown)} are of unknown licence"
            if row.known > 0:
                text += (
                    f": among the {_pct(row.known)} whose licence is known, "
                    f"{_pct(row.among_known['permissive'] or 0)} are permissive and "
                    f"{_pct(row.among_known['conditional'] or 0)} conditional"
                )
        numbers: dict[str, FigureValue] = {
            "country": row.key,
            "permissive": row.permissive,
            "conditional": row.conditional,
            "non-commercial": row.non_commercial,
            "unknown": row.unknown,
            "known": row.known,
        }
        found.append(_headline(snapshot, text + ".", numbers))
    return found


def _conflict_headlines(snapshot: SnapshotRef, figures: LicenceFigures) -> list[Headline]:
    """How many models state a licence their base does not allow, and the most downloaded of them."""
    if not figures.conflicts.count:
        return []
    top = figures.conflicts.top[0]
    return [
        _headline(
            snapshot,
            f"{figures.conflicts.count:,} models state a licence their base model does not allow; the most "
            f"downloaded is {top.model_id} ({top.conflict}).",
            {"conflicts": figures.conflicts.count, "top": top.model_id},
        )
    ]


def _country_chart(figures: LicenceFigures, source: str) -> Chart:
    """Downloads by verdict per country of the root family (the ten largest)."""
    rows = [
        {"country": country_label(row.key), "verdict": verdict, "share": row.shares[verdict]}
        for row in figures.by_country[:10]
        for verdict in VERDICTS
    ]
    return Chart(
        "licence-by-country",
        "Licence openness by country",
        charts.stacked_bars(
            rows,
            "country",
            "share",
            "verdict",
            "Downloads by licence verdict, per country of the root family",
            source,
            "share of the country's downloads",
            percent=True,
            series_order=list(VERDICTS),
            colors=["#44BB99", "#EEDD88", "#EE8866", "#DDDDDD"],  # colour-blind safe (Paul Tol's light)
        ),
        source,
    )


def _verdict_tables(figures: LicenceFigures, source: str) -> list[Table]:
    """Verdict shares by country and by family."""
    verdict_columns = [Column(v, v, "pct") for v in VERDICTS]
    downloads = Column("downloads_30d", "downloads (30 d)", "int")
    return [
        Table(
            "licence-countries",
            "Licence verdicts by country",
            [Column("country", "country"), downloads, *verdict_columns],
            table_rows(figures.by_country),
            source,
        ),
        Table(
            "licence-families",
            "Licence verdicts by family",
            [Column("family", "family"), downloads, *verdict_columns],
            table_rows(figures.by_family),
            source,
        ),
    ]


def _licences_table(figures: LicenceFigures, source: str) -> Table:
    """Licences by the downloads of the models stating them."""
    return Table(
        "licences",
        "Licences by downloads",
        [
            Column("licence_id", "licence"),
            Column("verdict", "verdict"),
            Column("downloads_30d", "downloads (30 d)", "int"),
            Column("share", "share", "pct"),
            Column("models", "models", "int"),
        ],
        table_rows(figures.by_licence),
        source,
    )


def _conflicts_table(figures: LicenceFigures, source: str) -> Table:
    """The most downloaded models stating a licence their base does not allow."""
    return Table(
        "licence-conflicts",
        "Most downloaded models with licence conflicts",
        [
            Column("model_id", "model"),
            Column("downloads_30d", "downloads (30 d)", "int"),
            Column("licence_id", "states"),
            Column("conflict", "conflict"),
            Column("family", "family"),
            Column("country", "country"),
        ],
        table_rows(figures.conflicts.top),
        source,
        note=f"{figures.conflicts.count:,} models in conflict in all." if figures.conflicts.count else None,
        empty="No conflicts: no model states a licence its base model does not allow.",
    )
