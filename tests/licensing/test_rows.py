"""Licensing's typed rows, and the openness section reading them by attribute."""

from __future__ import annotations

from modelrace.adoption import SnapshotRef
from modelrace.licensing import (
    NOT_LEGAL_ADVICE,
    ConflictRow,
    LicenceConflicts,
    LicenceFigures,
    LicenceRow,
    SourceCount,
    VerdictShares,
    explain_licence,
    load_licences,
)
from modelrace.report._licensing_section import licensing_section


def _shares(country: str, permissive: float, unknown: float) -> VerdictShares:
    # the verdicts in the order a query gave them: JSON keeps that order
    shares = {"unknown": unknown, "permissive": permissive, "conditional": 1 - permissive - unknown}
    shares["non-commercial"] = 0.0
    known = 1 - unknown
    among = {"permissive": permissive / known, "conditional": shares["conditional"] / known, "non-commercial": 0.0}
    return VerdictShares("country", country, 100, shares, known, among)


def test_verdict_shares_read_by_verdict_and_serialise_under_their_column() -> None:
    row = _shares("CN", 0.5, 0.25)
    assert (row.permissive, row.conditional, row.non_commercial, row.unknown) == (0.5, 0.25, 0.0, 0.25)
    assert list(row.to_json()) == [
        "country",
        "downloads_30d",
        "unknown",
        "permissive",
        "conditional",
        "non-commercial",
        "known",
        "among_known",
    ]


def test_the_openness_section_reads_rows_by_attribute() -> None:
    figures = LicenceFigures(
        by_verdict={"permissive": 0.5, "conditional": 0.25, "non-commercial": 0.0, "unknown": 0.25},
        by_country=[_shares("CN", 0.5, 0.25), _shares("unattributed", 0.1, 0.9)],
        by_family=[],
        by_licence=[LicenceRow("mit", "permissive", 50, 0.5, 1)],
        licence_sources={"own": SourceCount(1, 50)},
        conflicts=LicenceConflicts(1, [ConflictRow("x/y", 50, "mit", "base is non-commercial", "Llama", "US")]),
        notice=NOT_LEGAL_ADVICE,
    )
    snapshot = SnapshotRef(4, "2026-02-16T00:00:00", "hub-json", None, 2)
    section = licensing_section(snapshot, figures)
    texts = [h.text for h in section.headlines]
    assert any("China" in t and "50.0 %" in t for t in texts)
    assert not any("unattributed" in t for t in texts[1:])  # no country headline for the unknown
    assert any("x/y (base is non-commercial)" in t for t in texts)
    tables = {t.id: t for t in section.tables}
    assert tables["licence-countries"].rows[0]["country"] == "CN"
    assert tables["licence-conflicts"].rows == [
        {
            "model_id": "x/y",
            "downloads_30d": 50,
            "licence_id": "mit",
            "conflict": "base is non-commercial",
            "family": "Llama",
            "country": "US",
        }
    ]
    assert figures.to_json()["licence_sources"] == {"own": {"models": 1, "downloads_30d": 50}}


def test_a_licences_deciding_clauses_are_read_by_attribute_and_serialised_as_mappings() -> None:
    explained = explain_licence(load_licences().get("llama3.1"))
    assert any("700 million" in clause.text for clause in explained.deciding_clauses)
    first = explained.to_json()["deciding_clauses"][0]
    assert set(first) == {"term", "section", "text"} and first["section"] == explained.deciding_clauses[0].section


def test_a_licences_terms_are_typed_and_serialised_as_the_terms_it_states() -> None:
    explained = explain_licence(load_licences().get("llama3.1"))
    assert explained.terms is not None
    threshold = explained.terms.user_threshold
    assert threshold is not None and threshold.limit == 700_000_000
    stated = explained.terms.stated()
    assert None not in stated.values() and stated["user_threshold"] == threshold
    terms = explained.to_json()["terms"]
    assert list(terms) == list(stated)  # the terms it says nothing on are left out, in the fields' order
    assert terms["user_threshold"] == {
        "metric": threshold.metric,
        "limit": 700_000_000,
        "consequence": threshold.consequence,
    }
    assert list(explained.to_json())[-4:] == ["terms", "source", "read_on", "notice"]  # in its place among the fields
