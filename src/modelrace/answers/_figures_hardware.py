"""Figures about the chips: how the hardware gap between a US lab and a China lab changed (``serving``'s gap
series, read from the hardware reference data, not the warehouse)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from modelrace.answers._figure_model import Evidence, Figure, Measured, Part, _insufficient, _Params
from modelrace.errors import ModelraceError
from modelrace.serving import EPOCH_CITATION, GapQuarter, hardware_gap, load_hardware

GapFigure = Literal["tpp", "bandwidth", "memory"]


class HardwareGapParams(_Params):
    """Which ratio, over how many months (a multiple of three: the series is quarterly)."""

    figure: GapFigure = "tpp"
    months: int = Field(default=12, ge=3, multiple_of=3)


def _ratio(quarter: GapQuarter, figure: GapFigure) -> float | None:
    return {"tpp": quarter.tpp_ratio, "bandwidth": quarter.bandwidth_ratio, "memory": quarter.memory_ratio}[figure]


def hardware_gap_change(evidence: Evidence, params: HardwareGapParams) -> Figure:
    """The US-over-China ratio of the best chips each can buy (China: without a US licence) in the latest quarter
    over the same ratio ``months`` earlier: above 1 the gap widened. Parts: the ratio in each quarter between."""
    del evidence  # the chips are reference data, not warehouse data
    name = "hardware.gap_change"
    try:
        series = hardware_gap(load_hardware(include_cpu=False)).quarters
    except ModelraceError as error:
        return _insufficient(name, "cost", str(error))
    steps = params.months // 3
    if len(series) <= steps:
        return _insufficient(name, "cost", f"the gap series has {len(series)} quarters, fewer than {steps + 1}")
    now, then = series[-1], series[-1 - steps]
    ratio_now, ratio_then = _ratio(now, params.figure), _ratio(then, params.figure)
    if ratio_now is None or ratio_then is None or now.us is None or now.china is None:
        return _insufficient(name, "cost", f"a side lacks a {params.figure} figure in {then.quarter} or {now.quarter}")
    label = {"tpp": "TPP", "bandwidth": "memory bandwidth", "memory": "memory"}[params.figure]
    parts = []
    for quarter in series[-1 - steps :]:
        ratio = _ratio(quarter, params.figure)
        if ratio is None or quarter.us is None or quarter.china is None:
            continue
        parts.append(
            Part(
                quarter.quarter,
                ratio >= ratio_then,
                f"x{ratio:.2f}: {quarter.us.chip} against {quarter.china.chip} (rule {quarter.rule})",
            )
        )
    change = ratio_now / ratio_then
    text = (
        f"the best chip a US lab can buy has x{ratio_now:.2f} the {label} of the best a China lab can buy without "
        f"a US licence in {now.quarter} ({now.us.chip} against {now.china.chip}), against x{ratio_then:.2f} in "
        f"{then.quarter}"
    )
    caveats = [
        "datasheet peaks of chips on sale (Epoch AI's ML Hardware data to 2026-03), not volumes bought; the "
        "quarters after the data's end repeat its chips under the newer rules",
        "China's side counts chips needing no licence at all; those licensed case by case (H200 since 2026-01) "
        "or granted (H20 from 2025-07) are not counted",
    ]
    values = {
        "value": Measured(change, format="float", label=f"change of the US / China {label} ratio over {params.months}"
                          " months (above 1: widening)"),
        "ratio_now": Measured(ratio_now, format="float", label=f"US / China {label} ratio in {now.quarter}"),
    }  # fmt: skip
    source = f"{EPOCH_CITATION}; modelrace curated chips and export rule versions"
    return Figure(name, values, text, None, source, now.end.isoformat(), "cost", parts, caveats)
