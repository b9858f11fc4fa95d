"""Fit and cost for many models at once (a whole snapshot): numpy over parameter counts, no per-model Python.

Each model is known by its total and active parameter counts only; weights are ``params x bits`` of the
quantization (GGUF types at their Llama 3 8B mix), the KV cache per token is estimated from the parameter count
(``_kv.kv_bytes_per_token_from_params``), and the roofline is the same as ``_roofline`` without attention FLOPs
and with MoE experts read in proportion to active parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from modelrace._serialise import JsonResult
from modelrace.serving._data import calibration_file
from modelrace.serving._hardware import Chip
from modelrace.serving._kv import kv_bytes_per_token_from_params
from modelrace.serving._prices import hourly_price
from modelrace.serving._roofline import Workload, efficiency_for
from modelrace.serving._weights import bits_for, normalise_quant
from modelrace.store import Warehouse, resolve_snapshot

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChipFitCount(JsonResult):
    """On one chip: how many of the table's models fit, and the median cost among those that have one."""

    fit: int
    median_usd_per_mtok_output: float | None


@dataclass(frozen=True)
class FitCostSummary(JsonResult):
    """A fit-and-cost table summed up: its number of models, and per chip (by name) what fits and costs."""

    models: int
    chips: dict[str, ChipFitCount]


@dataclass(frozen=True)
class FitCostTable:
    """Per model (rows) and chip (columns): memory, fit, throughput and USD per million output tokens."""

    chips: tuple[str, ...]
    quant: str
    context: int
    workload: Workload
    weights_bytes: Array  # (models,)
    kv_cache_bytes: Array  # (models,)
    total_bytes: Array  # (models, chips): overhead depends on the chip's kind
    fits: npt.NDArray[np.bool_]  # (models, chips)
    output_tokens_per_s: Array  # (models, chips); NaN where it does not fit
    usd_per_mtok_output: Array  # (models, chips); NaN where it does not fit or has no price

    def summary(self) -> FitCostSummary:
        """Counts per chip: how many models fit, median USD per Mtok among them."""
        chips = {}
        for j, chip in enumerate(self.chips):
            costs = self.usd_per_mtok_output[:, j]
            finite = costs[np.isfinite(costs)]
            median = float(np.median(finite)) if finite.size else None
            chips[chip] = ChipFitCount(int(self.fits[:, j].sum()), median)
        return FitCostSummary(int(self.weights_bytes.shape[0]), chips)


def fit_and_cost_table(
    params_total: npt.ArrayLike,
    chips: Sequence[Chip],
    params_active: npt.ArrayLike | None = None,
    quant: str = "bf16",
    context: int = 8192,
    workload: Workload | None = None,
    kv_dtype: str = "bf16",
) -> FitCostTable:
    """Fit at ``context`` tokens (batch of ``workload``) and cost for every model x chip, vectorised."""
    workload = workload or Workload()
    quant = normalise_quant(quant)
    total = np.asarray(params_total, dtype=np.float64)
    active = total if params_active is None else np.asarray(params_active, dtype=np.float64)
    active = np.where((active > 0) & (active <= total), active, total)
    weights = total * (bits_for(quant) / 8)
    per_token = kv_bytes_per_token_from_params(total, kv_dtype)
    batch = workload.batch
    kv = per_token * context * batch
    overheads = calibration_file().runtime_overhead_bytes
    n, m = total.shape[0], len(chips)
    total_bytes = np.empty((n, m))
    fits = np.zeros((n, m), dtype=bool)
    speed = np.full((n, m), np.nan)
    cost = np.full((n, m), np.nan)
    share_active = active / np.where(total > 0, total, 1)
    # MoE: the batch touches 1 - (1 - share)^batch of the expert weights (share = active / total as routed share)
    read = weights * (share_active + (1 - share_active) * (1 - (1 - share_active) ** batch))
    mean_context = workload.input_tokens + workload.output_tokens / 2
    for j, chip in enumerate(chips):
        overhead = overheads["cpu" if chip.kind == "cpu" else "accelerator"]
        total_bytes[:, j] = weights + kv + overhead
        if chip.memory_bytes:
            fits[:, j] = total_bytes[:, j] <= chip.memory_bytes
        peak = chip.peak_flops(quant.lower())
        if not chip.bandwidth_bytes_per_s or not peak:
            continue
        efficiency = efficiency_for(chip)
        bandwidth = chip.bandwidth_bytes_per_s * efficiency.bandwidth
        compute = peak * efficiency.compute
        step = np.maximum((read + batch * per_token * mean_context) / bandwidth, 2 * active * batch / compute)
        prefill = np.maximum(2 * active * workload.input_tokens * batch / compute, weights / bandwidth)
        tokens_per_s = batch * workload.output_tokens / (prefill + workload.output_tokens * step)
        speed[:, j] = np.where(fits[:, j], tokens_per_s, np.nan)
        price = hourly_price(chip)
        if price is not None:
            cost[:, j] = np.where(fits[:, j], price.usd_per_hour / (3600 * tokens_per_s) * 1e6, np.nan)
    return FitCostTable(
        chips=tuple(c.name for c in chips),
        quant=quant,
        context=context,
        workload=workload,
        weights_bytes=weights,
        kv_cache_bytes=kv,
        total_bytes=total_bytes,
        fits=fits,
        output_tokens_per_s=speed,
        usd_per_mtok_output=cost,
    )


def snapshot_params(warehouse: Warehouse, snapshot: str | int | None = None) -> tuple[Array, Array]:
    """Total and active parameter counts of every model of a snapshot that has one (numpy, straight from DuckDB)."""
    found = resolve_snapshot(warehouse, snapshot)
    columns = warehouse.connection.execute(
        """
        SELECT v.params::DOUBLE AS total, coalesce(v.params_active, v.params)::DOUBLE AS active
        FROM snapshot_models s JOIN model_versions v ON v.version_id = s.version_id AND v.model_key = s.model_key
        WHERE s.snapshot_id = ? AND v.params > 0
        """,
        [found.snapshot_id],
    ).fetchnumpy()
    return np.asarray(columns["total"], dtype=np.float64), np.asarray(columns["active"], dtype=np.float64)


def snapshot_fit_table(
    warehouse: Warehouse,
    chips: Sequence[Chip],
    snapshot: str | int | None = None,
    quant: str = "bf16",
    context: int = 8192,
    workload: Workload | None = None,
) -> FitCostTable:
    """Fit and cost for every model of a snapshot that has a parameter count, on each of ``chips``."""
    total, active = snapshot_params(warehouse, snapshot)
    return fit_and_cost_table(total, chips, active, quant, context, workload)
