"""The openness section: which share of downloads a company can use without legal review, by country."""

from __future__ import annotations

from typing import Any

from modelrace.adoption import Headline, SnapshotRef
from modelrace.knowledge import country_name
from modelrace.licensing import VERDICTS, LicenceFigures
from modelrace.report import _charts as charts
from modelrace.report._adoption_section import source_text
from modelrace.report._model import Chart, Column, Section, Table


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def licensing_section(snapshot: SnapshotRef, figures: LicenceFigures) -> Section:
    """Build the section from :func:`modelrace.licensing.licence_figures`."""
    source = source_text(snapshot) + "; licence terms: modelrace licence registry"
    overall = figures.by_verdict
    section = Section(
        id="licensing",
        title="Openness: can a company use it without legal review?",
        intro=(
            "Each model's licence is its stated Hub licence, or inherited from the nearest base model that states"
            " one. Verdicts: permissive (ordinary commercial use needs no legal review), conditional (commercial"
            " use with thresholds, use policies, naming or pass-through duties a lawyer should read),"
            " non-commercial, unknown. " + figures.notice
        ),
    )

    def headline(text: str, numbers: dict[str, Any]) -> None:
        section.headlines.append(Headline(text, numbers, snapshot.id, snapshot.taken_at))

    headline(
        f"{_pct(overall['permissive'])} of downloads go to models under permissive licences, "
        f"{_pct(overall['conditional'])} conditional, {_pct(overall['non-commercial'])} non-commercial and "
        f"{_pct(overall['unknown'])} unknown.",
        dict(overall),
    )
    countries = [r for r in figures.by_country if r["country"] != "unattributed"][:3]
    for row in countries:
        headline(
            f"Of the downloads of families from {country_name(row['country'])}, {_pct(row['permissive'])} are "
            f"under permissive licences and {_pct(row['conditional'])} under conditional ones.",
            {k: row[k] for k in ("country", "permissive", "conditional", "non-commercial", "unknown")},
        )
    if figures.conflicts.count:
        top = figures.conflicts.top[0]
        headline(
            f"{figures.conflicts.count:,} models state a licence their base model does not allow; the most "
            f"downloaded is {top['model_id']} ({top['conflict']}).",
            {"conflicts": figures.conflicts.count, "top": top["model_id"]},
        )
    rows = [
        {"country": row["country"], "verdict": verdict, "share": row[verdict]}
        for row in figures.by_country[:10]
        for verdict in VERDICTS
    ]
    section.charts.append(
        Chart(
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
                colors=["#2e8b57", "#e0a526", "#c0392b", "#b8bec6"],
            ),
            source,
        )
    )
    verdict_columns = [Column(v, v, "pct") for v in VERDICTS]
    section.tables += [
        Table(
            "licence-countries",
            "Licence verdicts by country",
            [Column("country", "country"), Column("downloads_30d", "downloads (30 d)", "int"), *verdict_columns],
            figures.by_country,
            source,
        ),
        Table(
            "licence-families",
            "Licence verdicts by family",
            [Column("family", "family"), Column("downloads_30d", "downloads (30 d)", "int"), *verdict_columns],
            figures.by_family,
            source,
        ),
        Table(
            "licences",
            "Licences by downloads",
            [
                Column("licence_id", "licence"),
                Column("verdict", "verdict"),
                Column("downloads_30d", "downloads (30 d)", "int"),
                Column("share", "share", "pct"),
                Column("models", "models", "int"),
            ],
            figures.by_licence,
            source,
        ),
        Table(
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
            figures.conflicts.top,
            source,
            note=f"{figures.conflicts.count:,} models in conflict in all.",
        ),
    ]
    return section
