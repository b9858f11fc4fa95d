"""Assemble a report from the warehouse: the figures each capability computes, as sections."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from modelrace import __version__
from modelrace.adoption import (
    AdoptionFigures,
    ModelScope,
    answers_share_claims,
    build_adoption,
    in_model_scope,
    open_scope,
)
from modelrace.answers import ClaimsChecked
from modelrace.licensing import LicenceFigures, licence_verdicts, snapshot_licence_figures
from modelrace.ranking import Leaderboard, has_results, leaderboard
from modelrace.registry import load_registry
from modelrace.report._adoption_section import adoption_section
from modelrace.report._capability_section import GAP_BENCHMARKS, HEADLINE_BENCHMARKS, capability_section
from modelrace.report._claims_section import claims_section, report_claims, verdict_board
from modelrace.report._cost_section import cost_section, report_cost_figures
from modelrace.report._history_section import race_section
from modelrace.report._licensing_section import licensing_section
from modelrace.report._memory import bounded_memory
from modelrace.report._model import Report, ReportFigures, Section
from modelrace.report._race_tiles import report_tile_providers
from modelrace.report._tiles import TileContext, race_tiles
from modelrace.report._usage_section import report_usage_figures, usage_section
from modelrace.serving import CostFigures
from modelrace.store import SnapshotInfo, Warehouse, list_snapshots

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
    models: ModelScope = "llm",
) -> Report:
    """Compute every section's figures for one snapshot (default: the newest whose selection can decide who leads
    on downloads, else the latest), over ``models`` (language models by default; ``all``: the whole Hub); with no
    Hub snapshot at all but imported results, the capability (and cost) sections alone. The page opens with the
    verdict board and the state of the race (report/_tiles.py)."""
    snapshots = list_snapshots(warehouse)
    if snapshot is None and since is None and not snapshots and has_results(warehouse):
        return _results_only_report(warehouse, models)
    registry = load_registry()
    with bounded_memory(warehouse.connection):  # the attribution and licence tables spill, not grow (#15)
        figures = build_adoption(
            warehouse,
            snapshot if snapshot is not None else _best_snapshot(snapshots),
            since=since,
            include_fixtures=include_fixtures,
            top=top,
            registry=registry,
            models=models,
        )
        # attributed once, reused
        scope = in_model_scope(open_scope(warehouse, figures.snapshot.id, include_fixtures, registry), models)
        licensing = snapshot_licence_figures(scope, top=top)
        # the top models' licences as the openness analysis reads them (the stated tag alone can say 'other')
        top_ids = [row.model_id for row in figures.adoption.top_models]
        verdicts = licence_verdicts(warehouse.connection, figures.snapshot.id, top_ids)
    sections = [adoption_section(figures, verdicts), licensing_section(figures.snapshot, licensing)]
    capability, cost, results = _results_sections(warehouse, figures)
    sections += results
    usage = report_usage_figures(warehouse, figures.snapshot.id)  # None without usage data: no section
    if usage is not None:
        sections.insert(1, usage_section(usage))  # beside adoption: the other measure of popularity
    claims = report_claims(warehouse, figures, licensing, snapshot, models)  # the report opens with the claims
    return _report(warehouse, models, sections, claims, capability, cost, figures, licensing)


def _results_sections(
    warehouse: Warehouse, figures: AdoptionFigures | None
) -> tuple[Leaderboard | None, CostFigures | None, list[Section]]:
    """The sections imported results feed: capability, cost (with the reference hardware data) and the race over
    time (with 2+ dated boards); no section without results."""
    if not has_results(warehouse):
        return None, None, []
    capability = _headline_board(warehouse)
    sections = [capability_section(capability)]
    cost = report_cost_figures(capability, figures.adoption.top_models if figures is not None else [])
    if cost is not None:
        sections.append(cost_section(cost))
    race = race_section(warehouse)  # present with 2+ dated boards
    if race is not None:
        sections.append(race)
    return capability, cost, sections


def _report(
    warehouse: Warehouse,
    models: ModelScope,
    sections: list[Section],
    claims: ClaimsChecked,
    capability: Leaderboard | None,
    cost: CostFigures | None,
    figures: AdoptionFigures | None,
    licensing: LicenceFigures | None,
) -> Report:
    """The report of its sections, opening with the claims checked, the verdict board and the state of the race;
    ``figures`` None: no Hub snapshot, the sections of imported results alone."""
    sections.insert(0, claims_section(claims, {s.id for s in sections}))
    ids = {s.id for s in sections}
    tiles = race_tiles(TileContext(warehouse, figures, capability, claims.claims), report_tile_providers())
    generated_at = datetime.now(UTC).isoformat(timespec="seconds")
    all_figures = ReportFigures(
        modelrace_version=__version__,
        generated_at=generated_at,
        snapshot=figures.snapshot if figures is not None else None,
        scope=figures.scope if figures is not None else None,
        adoption=figures.adoption if figures is not None else None,
        licensing=licensing,
        capability=capability,
        cost=cost,
        claims=claims.claims,
        headlines=[h for section in sections for h in section.headlines],
        sections=[s.id for s in sections],
        tiles=tiles,
        rest_of_hub=figures.rest_of_hub if figures is not None else [],
    )
    return Report(
        title=_title(models),
        generated_at=generated_at,
        snapshot=figures.snapshot if figures is not None else None,
        sections=sections,
        figures=all_figures,
        notice=NOTICE
        if figures is not None
        else NOTICE.replace(" on the snapshot dates given", " on the data dates given"),
        verdicts=verdict_board(claims, ids),
        tiles=tiles,
    )


def _title(models: ModelScope) -> str:
    return "The open-model race: language models" if models == "llm" else "The open-model race: every Hub model"


def _best_snapshot(snapshots: list[SnapshotInfo]) -> int | None:
    """The newest snapshot whose selection can decide who leads on downloads (None: the latest, when none can)."""
    for candidate in reversed(snapshots):
        if answers_share_claims(candidate) is None:
            return candidate.snapshot_id
    return None


def _headline_board(warehouse: Warehouse) -> Leaderboard:
    board = leaderboard(warehouse)
    return replace(
        board, benchmarks=[b for b in board.benchmarks if b.id in HEADLINE_BENCHMARKS or b.id in GAP_BENCHMARKS]
    )


def _results_only_report(warehouse: Warehouse, models: ModelScope) -> Report:
    """The report of a warehouse that holds imported results but no Hub snapshot: claims, capability and cost."""
    capability, cost, sections = _results_sections(warehouse, None)
    usage = report_usage_figures(warehouse, None)
    if usage is not None:
        sections.insert(0, usage_section(usage))
    claims = report_claims(warehouse, None, None, None, models)
    return _report(warehouse, models, sections, claims, capability, cost, None, None)
