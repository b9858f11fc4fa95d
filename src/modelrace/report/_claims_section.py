"""The report's opening section, "Claims checked": one line per built-in claim with its verdict and the figure,
pointing to the section that holds the evidence (rules in docs/answers.md)."""

from __future__ import annotations

from modelrace.adoption import AdoptionFigures, Headline, ModelScope
from modelrace.answers import ClaimCheck, ClaimsChecked, Evidence, check_claims
from modelrace.licensing import LicenceFigures
from modelrace.report._model import Column, Section, Table, TableRow, VerdictRow
from modelrace.store import Warehouse

# The section each figure's evidence lives in, as the report titles it.
SECTION_TITLES = {
    "adoption": "Adoption",
    "licensing": "Openness",
    "capability": "Capability",
    "cost": "Cost to serve",
}


def report_claims(
    warehouse: Warehouse,
    adoption: AdoptionFigures | None,
    licensing: LicenceFigures | None,
    snapshot: str | int | None = None,
    models: ModelScope = "llm",
) -> ClaimsChecked:
    """The built-in claims checked on the best data held (or on ``snapshot`` when the report was asked for one),
    reusing the figures the report computed where they answer."""
    evidence = Evidence(warehouse, snapshot, adoption=adoption, licensing=licensing, models=models)
    return check_claims(warehouse, evidence=evidence)


def verdict_board(checked: ClaimsChecked, sections: set[str]) -> list[VerdictRow]:
    """One row per claim for the top of the report: verdict, claim, key figure, the data that answered, evidence."""
    rows = []
    for claim in checked.claims:
        decided = claim.verdict != "insufficient data"
        figure = claim.tested or ""
        data = claim.source if decided else (claim.why if not claim.tested else f"{claim.source}: {claim.why}")
        rows.append(
            VerdictRow(
                claim=claim.id,
                statement=claim.statement,
                verdict=claim.verdict,
                figure=figure or "–",
                data=data or "–",
                date=claim.date,
                evidence=f"#{claim.evidence}" if claim.evidence in sections else None,
            )
        )
    return rows


INTRO = (
    "Common claims about the open-model race, each tested against a named figure of this report. A claim is"
    " supported when its test holds over the figure's whole interval (attribution bounds for downloads, 95 %"
    " intervals for benchmarks), not supported when it fails over the whole interval, mixed when it fails"
    " but a weaker form holds, and insufficient data when the figure cannot be computed or its interval"
    " straddles the threshold. Rules and thresholds: docs/answers.md; `modelrace claims --json` has every"
    " part."
)


def _claim_headline(claim: ClaimCheck, title: str, where: str | None) -> Headline:
    pointer = f"evidence: {title} section" if where else "evidence: not in this report (modelrace claims)"
    return Headline(
        f"{claim.verdict.capitalize()}: {claim.statement} {claim.why} ({pointer}).",
        {"claim": claim.id, "verdict": claim.verdict, "value": claim.value, "interval": claim.interval,
         "evidence": where},
    )  # fmt: skip


def _claim_row(claim: ClaimCheck, title: str, where: str | None) -> TableRow:
    return {
        "verdict": claim.verdict,
        "claim": claim.statement,
        "figure": claim.figure,
        "tested": claim.tested,
        "source": claim.source or None,
        "date": claim.date,
        "evidence": title if where else f"{title} (not in this report)",
        "evidence_href": where,
    }


def _claims_table(rows: list[TableRow]) -> Table:
    return Table(
        id="claims",
        title="Claims, verdicts and the figures that test them",
        columns=[
            Column("verdict", "verdict"),
            Column("claim", "claim"),
            Column("figure", "figure"),
            Column("tested", "value tested (interval)"),
            Column("source", "source"),
            Column("date", "date"),
            Column("evidence", "evidence section", link_key="evidence_href"),
        ],
        rows=rows,
        source="modelrace claims (answers/data/claims.yaml), on the figures cited in each row",
        note="Why each verdict was reached, with every part of each figure: `modelrace claims` or report --json.",
    )


def claims_section(checked: ClaimsChecked, sections: set[str]) -> Section:
    """Build the section; ``sections`` are the ids of the report's other sections (where evidence can point)."""
    section = Section(id="claims", title="Claims checked", intro=INTRO)
    rows: list[TableRow] = []
    for claim in checked.claims:
        title = SECTION_TITLES.get(claim.evidence, claim.evidence)
        where = f"#{claim.evidence}" if claim.evidence in sections else None
        section.headlines.append(_claim_headline(claim, title, where))
        rows.append(_claim_row(claim, title, where))
    section.tables.append(_claims_table(rows))
    return section
