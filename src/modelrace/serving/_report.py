"""The figures of the report's "Cost to serve and chips" section, computed here so the report only lays them out.

- For the models the caller names (size-class leaders, most downloaded): memory at 8k context, which single
  chips of ``FIT_CHIPS`` hold it, and USD per million output tokens on ``COST_CHIPS`` where it fits.
- Open versus closed: market price per million tokens against the Artificial Analysis Intelligence Index, by
  country, with each side's price/score frontier.
- Chips: TPP against memory bandwidth by export class, and what a lab in China can buy without a US licence under
  the 2022 rule and today.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modelrace._serialise import JsonResult
from modelrace.config import reference_data_dir
from modelrace.errors import ModelraceError
from modelrace.serving._cost import estimate_cost
from modelrace.serving._export import EXPORT_RULES_CITATION, export_class
from modelrace.serving._fit import fit_model
from modelrace.serving._gap import chips_headline, hardware_gap
from modelrace.serving._hardware import EPOCH_SOURCE, Chip, HardwareRegistry
from modelrace.serving._model import KnownSize, ModelRef, resolve_model
from modelrace.serving._prices import AA_FILE, ATLAS_FILE, CLOUD_FILE, PRICE_SOURCES, MarketPrice
from modelrace.serving._roofline import SERVING_POINT, Workload

FIT_CHIPS = ("H100 SXM5", "H200", "H20", "A100 80GB", "L40S", "L4", "RTX 4090", "MI300X", "Ascend 910B", "B200")
COST_CHIPS = ("H100 SXM5", "H20", "Ascend 910B", "MI300X", "RTX 4090")
REPORT_WORKLOAD = SERVING_POINT  # the same serving point `cost` defaults to
REPORT_CONTEXT = 8192
REPORT_SOURCES = (
    EPOCH_SOURCE,
    PRICE_SOURCES[CLOUD_FILE],
    PRICE_SOURCES[ATLAS_FILE],
    PRICE_SOURCES[AA_FILE],
    EXPORT_RULES_CITATION,
    "roofline calibrated on MLPerf Inference v4.1, v5.1 and v6.0 (MoE apart) and published vLLM measurements "
    "(docs/cost.md)",
)
"""What the section's figures rest on, in the order the report lists them."""


@dataclass(frozen=True)
class ModelCostRow(JsonResult):
    """One model's memory and cost across chips."""

    model: str
    why: str
    params_total: float
    params_active: float
    memory_bytes_8k: float
    fits_on: list[str]
    usd_per_mtok: dict[str, float | None]
    market_output_usd_per_mtok: float | None
    market_source: str | None = None  # the provider and price list of that cheapest price
    weights: str = "bf16"  # the precision the memory counts the weights at (the model's own: fp8 where it ships so)
    size_basis: str = ""  # where the parameter count comes from (the leaderboard's own where it lists the model)


@dataclass(frozen=True)
class PricePoint(JsonResult):
    """A model's cheapest blended market price and its benchmark score."""

    model: str
    open_weights: bool
    country: str
    usd_per_mtok: float
    score: float
    frontier: bool = False


@dataclass(frozen=True)
class ChipPoint(JsonResult):
    """A chip on the TPP x bandwidth plane with its classes."""

    chip: str
    manufacturer: str
    tpp: float
    bandwidth_tb_s: float
    class_2022: str
    class_now: str
    china_without_licence_2022: bool | None  # None: the rule's class cannot be determined (a figure is missing)
    china_without_licence_now: bool | None
    domestic_china: bool


@dataclass(frozen=True)
class HardwareGapPoint(JsonResult):
    """One quarter of the hardware gap, one ratio (a chart row)."""

    quarter: str
    end: str
    figure: str  # TPP | memory bandwidth | memory
    ratio: float
    us_chip: str
    china_chip: str
    rule: str


@dataclass(frozen=True)
class CostFigures(JsonResult):
    """Everything the section shows, with what it covers and its sources."""

    models: list[ModelCostRow]
    skipped: list[str]
    price_points: list[PricePoint]
    chips: list[ChipPoint]
    workload: Workload
    context: int
    sources: list[str] = field(default_factory=list)
    doubtful_chips: list[str] = field(default_factory=list)  # left out of the chip chart, with the reason
    gap: list[HardwareGapPoint] = field(default_factory=list)
    headline: str | None = None  # the "state of the race" chips tile


def _frontier(points: list[PricePoint]) -> list[PricePoint]:
    """Mark the points no cheaper point beats on score, per open/closed side."""
    out: list[PricePoint] = []
    for side in (True, False):
        best = -math.inf
        for point in sorted((p for p in points if p.open_weights is side), key=lambda p: (p.usd_per_mtok, -p.score)):
            is_frontier = point.score > best
            best = max(best, point.score)
            out.append(PricePoint(point.model, side, point.country, point.usd_per_mtok, point.score, is_frontier))
    return out


def _price_points(folder: Path | None) -> list[PricePoint]:
    from modelrace.ranking import Resolver

    if folder is None or not (folder / AA_FILE).exists():
        return []
    best: dict[str, PricePoint] = {}
    resolver = Resolver()
    with (folder / AA_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                score = float(row.get("Artificial Analysis Intelligence Index") or "")
                price = float((row.get("Blended USD/1M Tokens") or "").replace("$", "").replace(",", ""))
            except ValueError:
                continue
            if price <= 0:
                continue
            name = row.get("Model", "")
            entity = resolver.resolve(name)
            point = PricePoint(name, row.get("License") == "Open", entity.country, price, score)
            if name not in best or price < best[name].usd_per_mtok:
                best[name] = point
    return _frontier(list(best.values()))


def _without_licence(status: str) -> bool | None:
    """Whether the chip ships to China without a US licence; None when its class cannot be determined."""
    return None if status == "undetermined" else status in ("not required", "not a US export")


def _chip_points(registry: HardwareRegistry) -> list[ChipPoint]:
    points = []
    for chip in registry:
        if chip.kind != "accelerator" or chip.tpp is None or not chip.bandwidth_bytes_per_s or chip.doubtful:
            continue
        then, now = export_class(chip, "2022-10"), export_class(chip, "current")
        points.append(
            ChipPoint(
                chip.name,
                chip.manufacturer,
                chip.tpp,
                chip.bandwidth_bytes_per_s / 1e12,
                then.export_class,
                now.export_class,
                _without_licence(then.licence_china),
                _without_licence(now.licence_china),
                chip.domestic_china,
            )
        )
    return points


def _gap_points(registry: HardwareRegistry) -> list[HardwareGapPoint]:
    points = []
    for quarter in hardware_gap(registry).quarters:
        if quarter.us is None or quarter.china is None:
            continue
        for figure, ratio, us, china in (
            ("TPP", quarter.tpp_ratio, quarter.us.chip, quarter.china.chip),
            ("memory bandwidth", quarter.bandwidth_ratio, quarter.us.best_bandwidth_chip,
             quarter.china.best_bandwidth_chip),
            ("memory", quarter.memory_ratio, quarter.us.best_memory_chip, quarter.china.best_memory_chip),
        ):  # fmt: skip
            if ratio is not None:
                points.append(
                    HardwareGapPoint(quarter.quarter, quarter.end.isoformat(), figure, ratio, us or "?", china or "?",
                             quarter.rule)
                )  # fmt: skip
    return points


def _resolved_models(
    models: Sequence[tuple[str, str]], stored_params: dict[str, float], sizes: dict[str, KnownSize]
) -> tuple[list[tuple[ModelRef, str]], list[str]]:
    """Each named model resolved once (never from the Hub), with why it is listed; the names that do not resolve,
    with the reason."""
    resolved: list[tuple[ModelRef, str]] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for name, why in models:
        try:
            model = resolve_model(name, allow_hub=False, stored_params=stored_params.get(name), known=sizes.get(name))
        except ModelraceError as error:
            skipped.append(f"{name}: {error}")
            continue
        if model.name not in seen:
            seen.add(model.name)
            resolved.append((model, why))
    return resolved, skipped


def _model_row(model: ModelRef, why: str, fit_chips: list[Chip], cost_chips: list[Chip]) -> ModelCostRow:
    """One model's memory at the report's context on each of ``fit_chips`` and its cost on each of ``cost_chips``,
    beside its cheapest market price."""
    context = min(REPORT_CONTEXT, model.arch.context or REPORT_CONTEXT) if model.arch else REPORT_CONTEXT
    fits = [fit_model(model, chip, context=context) for chip in fit_chips]
    costs: dict[str, float | None] = {}
    listed: list[MarketPrice] = []
    for chip in cost_chips:
        cost = estimate_cost(model, chip, workload=REPORT_WORKLOAD)
        costs[chip.name] = cost.usd_per_mtok_output  # None where it does not fit: no price for that
        listed = [m for m in cost.market if m.output_usd_per_mtok is not None]
    cheapest = min(listed, key=lambda m: m.output_usd_per_mtok or 0.0) if listed else None
    return ModelCostRow(
        model.name,
        why,
        model.params_total,
        model.params_active,
        fits[0].total_bytes,
        [f.chip.name for f in fits if f.fits],
        costs,
        cheapest.output_usd_per_mtok if cheapest else None,
        f"{cheapest.provider}, {cheapest.source}" if cheapest else None,
        fits[0].weights.quant,
        model.params_source,
    )


def _headline(registry: HardwareRegistry) -> str | None:
    try:
        return chips_headline(registry).text
    except ModelraceError:
        return None


def cost_figures(
    models: Sequence[tuple[str, str]],
    registry: HardwareRegistry,
    folder: Path | None = None,
    stored_params: dict[str, float] | None = None,
    sizes: dict[str, KnownSize] | None = None,
) -> CostFigures:
    """The section's figures for ``models`` ((name, why it is listed) pairs); names that do not resolve are
    listed in ``skipped`` with the reason. ``stored_params``: parameter counts a Hub snapshot holds, by name;
    ``sizes``: the sizes the leaderboard resolved, by name (they win: one size per model in every section)."""
    folder = folder if folder is not None else reference_data_dir()
    fit_chips = [registry.find(name) for name in FIT_CHIPS]
    cost_chips = [registry.find(name) for name in COST_CHIPS]
    resolved, skipped = _resolved_models(models, stored_params or {}, sizes or {})
    doubtful = sorted(f"{c.name}: {'; '.join(c.doubts)}" for c in registry if c.kind == "accelerator" and c.doubtful)
    return CostFigures(
        [_model_row(model, why, fit_chips, cost_chips) for model, why in resolved],
        skipped,
        _price_points(folder),
        _chip_points(registry),
        REPORT_WORKLOAD,
        REPORT_CONTEXT,
        list(REPORT_SOURCES),
        doubtful,
        _gap_points(registry),
        _headline(registry),
    )
