"""Cost to serve: roofline throughput x the chip's hourly price = USD per million output tokens, beside the market.

``usd_per_mtok_output = usd_per_hour x count / (3600 x output_tokens_per_s) x 1e6``: the whole hour is charged
to the output tokens (prompt processing included in the time, as providers' blended prices do not separate it).

Every figure names its serving point (``SERVING_POINT`` unless asked otherwise: batch 8, 1,024 tokens in, 256 out)
and its basis: the efficiencies used, the measurements that calibrated them, and the calibration's measured error
for the chip's family and the model's kind (dense or MoE). A configuration that does not fit has no throughput and
no price: only the reason and the smallest number of chips that holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from modelrace._serialise import JsonResult
from modelrace.serving._data import calibration_file
from modelrace.serving._fit import FitResult, fit_model
from modelrace.serving._hardware import Chip
from modelrace.serving._kv import kv_bytes_per_token_from_params
from modelrace.serving._model import ModelRef
from modelrace.serving._prices import HourlyPrice, MarketPrice, hourly_price, market_prices
from modelrace.serving._roofline import (
    SERVING_POINT,
    ModelShape,
    Throughput,
    Workload,
    describe_workload,
    efficiency_for,
    roofline,
)

MAX_COUNT_SEARCH = 1024
_NO_THROUGHPUT: Mapping[str, None] = dict.fromkeys(
    ("output_tokens_per_s", "per_sequence_tokens_per_s", "ttft_s", "decode_step_s", "prefill_s", "decode_bound",
     "efficiency"),
)  # fmt: skip
"""The throughput keys of ``cost --json`` where the model does not fit: present, and null."""


@dataclass(frozen=True)
class CostBasis(JsonResult):
    """What a cost figure rests on, so that a user can reproduce it."""

    serving_point: str
    efficiency_bandwidth: float
    efficiency_compute: float
    bandwidth_from: str
    compute_from: str
    calibration_fitted_on: str
    calibration_error: str | None  # the measured error for this chip family and model kind, where measured
    model_kind: str  # dense | MoE
    chip_family: str


@dataclass(frozen=True)
class MarketSummary(JsonResult):
    """Providers' prices for a model: how many, the cheapest and the median output price, and each listing."""

    providers: int
    output_usd_per_mtok_min: float | None
    output_usd_per_mtok_median: float | None  # the upper median: a listed price, never an average of two
    prices: tuple[MarketPrice, ...]

    @classmethod
    def of(cls, market: tuple[MarketPrice, ...]) -> MarketSummary:
        """The summary of ``market`` (cheapest output first, as :func:`market_prices` sorts it)."""
        outputs = sorted(m.output_usd_per_mtok for m in market if m.output_usd_per_mtok is not None)
        return cls(len(market), outputs[0] if outputs else None, outputs[len(outputs) // 2] if outputs else None,
                   market)  # fmt: skip


@dataclass(frozen=True)
class CostEstimate(JsonResult):
    """Throughput, latency and cost of serving a model on ``count`` x ``chip``, with market prices; a
    configuration that does not fit has ``throughput`` None, no price, and ``does_not_fit`` says why."""

    fit: FitResult
    workload: Workload
    throughput: Throughput | None
    price: HourlyPrice | None
    market: tuple[MarketPrice, ...]
    basis: CostBasis | None = None
    does_not_fit: str | None = None
    smallest_count: int | None = None  # the fewest chips that hold it at this batch and context (None: none found)

    @property
    def usd_per_hour(self) -> float | None:
        """All chips together, per hour (None when it does not fit: no cost for what cannot run)."""
        return self.price.usd_per_hour * self.fit.count if self.price and self.throughput else None

    @property
    def usd_per_mtok_output(self) -> float | None:
        """USD per million output tokens at the estimated throughput."""
        if self.usd_per_hour is None or self.throughput is None or self.throughput.output_tokens_per_s <= 0:
            return None
        return self.usd_per_hour / (3600 * self.throughput.output_tokens_per_s) * 1e6

    @property
    def market_summary(self) -> MarketSummary:
        """The market prices summed up (what ``cost --json`` gives under ``market``)."""
        return MarketSummary.of(self.market)

    def __json__(self) -> Mapping[str, object]:
        """The ``cost --json`` shape (docs/json.md): the fit's figures, the throughput flattened (null keys when it
        does not fit), the price of all chips together, the basis and the market."""
        fit, workload = self.fit, self.workload
        price = self.price if self.throughput is not None else None  # no price for what cannot run
        return {
            "model": fit.model,
            "hardware": fit.chip.name,
            "count": fit.count,
            "quant": fit.quant,
            "batch": workload.batch,
            "input_tokens": workload.input_tokens,
            "output_tokens": workload.output_tokens,
            "serving_point": describe_workload(workload),
            "fits": fit.fits,
            "does_not_fit": self.does_not_fit,
            "smallest_count": self.smallest_count,
            "total_bytes": fit.total_bytes,
            "memory_bytes": fit.memory_bytes,
            **(self.throughput.__json__() if self.throughput else _NO_THROUGHPUT),
            "usd_per_hour": self.usd_per_hour,
            "usd_per_hour_range": (price.low * fit.count, price.high * fit.count) if price else None,
            "price_source": price.source if price else None,
            "price_providers": price.providers if price else 0,
            "usd_per_mtok_output": self.usd_per_mtok_output,
            "basis": self.basis,
            "market": self.market_summary,
        }


def model_shape(fit: FitResult) -> ModelShape:
    """What the roofline needs from a fit."""
    model = fit.model
    per_token = 0.0 if model.arch else float(kv_bytes_per_token_from_params(model.params_total, fit.kv_dtype))
    return ModelShape(
        params_total=model.params_total,
        params_active=model.params_active,
        weights_bytes=fit.weights_bytes,
        weights_format=fit.quant.lower(),
        arch=model.arch,
        kv_bytes_per_token=per_token,
        kv_dtype=fit.kv_dtype,
    )


def chip_family(chip: Chip) -> str:
    """The calibration's chip family: the chip's generation as the errors in ``data/calibration.yaml`` name it."""
    name = chip.name.lower()
    for family, keys in (
        ("Blackwell", ("b100", "b200", "b300", "gb200", "gb300", "blackwell")),
        ("Hopper", ("h100", "h200", "h800", "h20", "gh200", "gh100")),
        ("Ampere", ("a100", "a800", "a10", "a40", "a6000", "rtx 30")),
        ("Ada", ("l40", "l4", "l20", "rtx 40", "6000 ada")),
        ("AMD Instinct", ("mi300", "mi325", "mi350", "mi355", "instinct")),
    ):
        if any(key in name for key in keys):
            return family
    return "CPU" if chip.kind == "cpu" else "other"


def cost_basis(model: ModelRef, chip: Chip, workload: Workload) -> CostBasis:
    """The efficiencies, their calibration and the measured error that applies to this chip and model."""
    calibration = calibration_file()
    efficiency = efficiency_for(chip)
    kind = "MoE" if model.params_active < model.params_total else "dense"
    family = chip_family(chip)
    errors = calibration.errors_by_family
    error = errors.get(f"{family} {kind}") or errors.get(family)
    moe = kind == "MoE" and efficiency.compute_moe is not None
    return CostBasis(
        describe_workload(workload),
        efficiency.bandwidth,
        efficiency.compute_moe if moe and efficiency.compute_moe else efficiency.compute,
        efficiency.bandwidth_from,
        efficiency.compute_moe_from or efficiency.compute_from if moe else efficiency.compute_from,
        calibration.fitted_on.isoformat(),
        error,
        kind,
        family,
    )


def smallest_count(
    model: ModelRef, chip: Chip, start: int, quant: str | None, context: int, batch: int, kv_dtype: str
) -> int | None:
    """The fewest chips (from ``start``) that hold the model at this context and batch; None: the chip's memory is
    unknown, or not even ``MAX_COUNT_SEARCH`` hold it (the per-device overhead grows with the count)."""
    if not chip.memory_bytes:
        return None
    count = start
    while count <= MAX_COUNT_SEARCH:
        if fit_model(model, chip, count, quant, context, batch, kv_dtype).fits:
            return count
        count = count + 1 if count < 16 else count * 2  # past 16 chips, powers of two: how nodes are sized
    return None


def estimate_cost(
    model: ModelRef,
    chip: Chip,
    count: int = 1,
    workload: Workload | None = None,
    quant: str | None = None,
    kv_dtype: str = "bf16",
    prices_folder: Path | None = None,
) -> CostEstimate:
    """Throughput, time to first token, hourly price and USD per million output tokens (see module docstring)."""
    workload = workload or SERVING_POINT
    context = workload.input_tokens + workload.output_tokens
    fit = fit_model(model, chip, count, quant, context, workload.batch, kv_dtype)
    market = tuple(market_prices(model.hub_id, model.key, prices_folder))
    basis = cost_basis(model, chip, workload)
    if fit.fits is False:
        fewest = smallest_count(model, chip, count + 1, quant, context, workload.batch, kv_dtype)
        needs = (
            f"{fit.total_bytes / 1e9:,.1f} GB needed ({describe_workload(workload)}) against "
            f"{(fit.memory_bytes or 0) / 1e9:,.1f} GB on {count} x {chip.name}"
        )
        where = f"the smallest count that fits is {fewest}" if fewest else "no count up to 1,024 fits"
        return CostEstimate(fit, workload, None, None, market, basis, f"{needs}: {where}", fewest)
    throughput = roofline(model_shape(fit), chip, count, workload)
    price = hourly_price(chip, prices_folder)
    return CostEstimate(fit, workload, throughput, price, market, basis)
