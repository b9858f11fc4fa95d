"""Cost to serve: roofline throughput x the chip's hourly price = USD per million output tokens, beside the market.

``usd_per_mtok_output = usd_per_hour x count / (3600 x output_tokens_per_s) x 1e6``: the whole hour is charged
to the output tokens (prompt processing included in the time, as providers' blended prices do not separate it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelrace.serving._fit import FitResult, fit_model
from modelrace.serving._hardware import Chip
from modelrace.serving._kv import kv_bytes_per_token_from_params
from modelrace.serving._model import ModelRef
from modelrace.serving._prices import HourlyPrice, MarketPrice, hourly_price, market_prices
from modelrace.serving._roofline import ModelShape, Throughput, Workload, roofline


@dataclass(frozen=True)
class CostEstimate:
    """Throughput, latency and cost of serving a model on ``count`` x ``chip``, with market prices."""

    fit: FitResult
    workload: Workload
    throughput: Throughput
    price: HourlyPrice | None
    market: tuple[MarketPrice, ...]

    @property
    def usd_per_hour(self) -> float | None:
        """All chips together, per hour."""
        return self.price.usd_per_hour * self.fit.count if self.price else None

    @property
    def usd_per_mtok_output(self) -> float | None:
        """USD per million output tokens at the estimated throughput."""
        if self.usd_per_hour is None or self.throughput.output_tokens_per_s <= 0:
            return None
        return self.usd_per_hour / (3600 * self.throughput.output_tokens_per_s) * 1e6

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (documented in docs/json.md)."""
        outputs = [m.output_usd_per_mtok for m in self.market if m.output_usd_per_mtok is not None]
        return {
            "model": self.fit.model.to_json(),
            "hardware": self.fit.chip.name,
            "count": self.fit.count,
            "quant": self.fit.quant,
            "batch": self.workload.batch,
            "input_tokens": self.workload.input_tokens,
            "output_tokens": self.workload.output_tokens,
            "fits": self.fit.fits,
            "total_bytes": self.fit.total_bytes,
            "memory_bytes": self.fit.memory_bytes,
            **self.throughput.to_json(),
            "usd_per_hour": self.usd_per_hour,
            "usd_per_hour_range": [self.price.low * self.fit.count, self.price.high * self.fit.count]
            if self.price
            else None,
            "price_source": self.price.source if self.price else None,
            "price_providers": self.price.providers if self.price else 0,
            "usd_per_mtok_output": self.usd_per_mtok_output,
            "market": {
                "providers": len(self.market),
                "output_usd_per_mtok_min": min(outputs) if outputs else None,
                "output_usd_per_mtok_median": sorted(outputs)[len(outputs) // 2] if outputs else None,
                "prices": [m.to_json() for m in self.market],
            },
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
    workload = workload or Workload()
    context = workload.input_tokens + workload.output_tokens
    fit = fit_model(model, chip, count, quant, context, workload.batch, kv_dtype)
    throughput = roofline(model_shape(fit), chip, count, workload)
    price = hourly_price(chip, prices_folder)
    market = tuple(market_prices(model.hub_id, model.key, prices_folder))
    return CostEstimate(fit, workload, throughput, price, market)
