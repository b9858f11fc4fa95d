"""Assemble a report from the warehouse: the figures each capability computes, as sections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from modelrace import __version__
from modelrace.adoption import Scope, attribute_snapshot, build_adoption
from modelrace.licensing import licence_figures, model_licences
from modelrace.ranking import leaderboard
from modelrace.report._adoption_section import adoption_section
from modelrace.report._capability_section import GAP_BENCHMARKS, HEADLINE_BENCHMARKS, capability_section
from modelrace.report._licensing_section import licensing_section
from modelrace.report._model import Report
from modelrace.store import Warehouse, resolve_snapshot

NOTICE = (
    "Figures are measured from the sources cited under each chart and table, on the snapshot dates given. "
    "Download counts are the Hub's 30-day counts; attribution follows the model tree and modelrace's curated "
    "registry of organisations. Licence verdicts are not legal advice."
)


def build_report(
    warehouse: Warehouse,
    snapshot: str | int | None = None,
    since: str | int | None = None,
    include_fixtures: bool = False,
    top: int = 25,
) -> Report:
    """Compute every section's figures for one snapshot."""
    figures = build_adoption(warehouse, snapshot, since=since, include_fixtures=include_fixtures, top=top)
    found = resolve_snapshot(warehouse, figures["snapshot"]["id"])
    scope = Scope(
        warehouse.connection,
        attribute_snapshot(warehouse.connection, found.snapshot_id),
        found,
        include_fixtures,
    )
    licensing = licence_figures(scope, model_licences(warehouse.connection, found.snapshot_id), top=top)
    sections = [adoption_section(figures), licensing_section(figures["snapshot"], licensing)]
    capability: dict[str, Any] | None = None
    if warehouse.query("SELECT count(*) AS n FROM results")[0]["n"]:
        board = leaderboard(warehouse)
        capability = {
            "sources": board["sources"],
            "method": board["method"],
            "benchmarks": [
                b for b in board["benchmarks"] if b["id"] in HEADLINE_BENCHMARKS or b["id"] in GAP_BENCHMARKS
            ],
            "unmatched": board["unmatched"],
        }
        sections.append(capability_section(capability))
    all_figures: dict[str, Any] = {
        "modelrace_version": __version__,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "snapshot": figures["snapshot"],
        "scope": figures["scope"],
        "adoption": figures["adoption"],
        "licensing": licensing,
        "capability": capability,
        "headlines": [h for section in sections for h in section.headlines],
        "sections": [s.id for s in sections],
    }
    return Report(
        title="The open-model race",
        generated_at=all_figures["generated_at"],
        snapshot=figures["snapshot"],
        sections=sections,
        figures=all_figures,
        notice=NOTICE,
    )
