"""Named figures that claims are checked against: each computed from an analysis's public results, with its
interval where it has one, its source, its date, the report section that holds its evidence, and a reason when
the data cannot give it (``insufficient``). The figures are computed in ``_figures_adoption`` and
``_figures_capability``; what a figure is, in ``_figure_model``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from modelrace.answers._figure_model import (
    DerivativeParams,
    Evidence,
    Figure,
    GapParams,
    HhiParams,
    LeadParams,
    LicenceShareParams,
    Measured,
    Part,
    TieSetParams,
    UndercutParams,
    VersusParams,
)
from modelrace.answers._figures_adoption import (
    adoption_derivative_share,
    adoption_hhi,
    adoption_lead,
    licensing_permissive_share,
)
from modelrace.answers._figures_capability import (
    cost_open_undercuts_closed,
    ranking_family_in_tie_sets,
    ranking_gap_change,
    versus_not_behind,
)
from modelrace.answers._figures_hardware import HardwareGapParams, hardware_gap_change
from modelrace.answers._figures_history import (
    HistoryGapParams,
    MonthsBehindParams,
    history_gap_change,
    history_months_behind,
)
from modelrace.answers._figures_trend import PassParams, trend_first_pass
from modelrace.answers._figures_usage import OpenShareParams, UsageLeadParams, usage_lead, usage_open_share

__all__ = ["FIGURES", "Evidence", "Figure", "FigureSpec", "Measured", "Part", "compute_figure"]


@dataclass(frozen=True)
class FigureSpec:
    """A named figure: its parameters' schema and how to compute it."""

    params: type[BaseModel]
    compute: Callable[[Evidence, Any], Figure]
    what: str


FIGURES: dict[str, FigureSpec] = {
    "adoption.lead": FigureSpec(LeadParams, adoption_lead, "margin of a row's download share over the next"),
    "adoption.derivative_share": FigureSpec(
        DerivativeParams, adoption_derivative_share, "a family's share of the snapshot's derivatives"
    ),
    "adoption.hhi": FigureSpec(HhiParams, adoption_hhi, "HHI of downloads by developer or family"),
    "licensing.permissive_share": FigureSpec(
        LicenceShareParams, licensing_permissive_share, "share of a family's downloads under permissive licences"
    ),
    "ranking.family_in_tie_sets": FigureSpec(
        TieSetParams,
        ranking_family_in_tie_sets,
        "share of boards (benchmark x size class) where the family is among the best",
    ),
    "ranking.gap_change": FigureSpec(GapParams, ranking_gap_change, "change of the closed-minus-open gap"),
    "versus.not_behind_share": FigureSpec(VersusParams, versus_not_behind, "share of benchmarks A is not behind B"),
    "history.gap_change": FigureSpec(
        HistoryGapParams, history_gap_change, "change of a gap between two sides, each within its own dated board"
    ),
    "history.months_behind": FigureSpec(
        MonthsBehindParams, history_months_behind, "months one side trails another, read from the dated boards"
    ),
    "cost.open_undercuts_closed": FigureSpec(
        UndercutParams, cost_open_undercuts_closed, "share of closed models an open one undercuts at similar score"
    ),
    "hardware.gap_change": FigureSpec(
        HardwareGapParams, hardware_gap_change, "change of the US / China ratio of the best chips each can buy"
    ),
    "usage.lead": FigureSpec(UsageLeadParams, usage_lead, "margin of a row's token share (OpenRouter) over the next"),
    "usage.open_share": FigureSpec(OpenShareParams, usage_open_share, "open-weight models' share of OpenRouter tokens"),
    "trend.first_pass": FigureSpec(
        PassParams, trend_first_pass, "one family's download lead over another and the date it passed it"
    ),
}


def compute_figure(evidence: Evidence, name: str, params: Mapping[str, object]) -> Figure:
    """Compute a named figure (``params`` as a claims file gives them, validated here by the figure's schema)."""
    spec = FIGURES[name]
    return spec.compute(evidence, spec.params.model_validate(params))
