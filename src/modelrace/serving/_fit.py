"""Does a model fit on a set of chips? Weights + KV cache + runtime overhead against memory.

Weights come from real headers when the model is a file (and no other ``quant`` is asked), else from parameters
and the quantization's bits per weight (``_weights``). The KV cache comes from the architecture (``_kv``); without
one it is estimated from the parameter count. The runtime overhead is per device (``data/calibration.yaml``).
MoE: the total parameters decide memory (every expert is resident); active parameters only decide compute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError
from modelrace.serving._data import calibration_file
from modelrace.serving._hardware import Chip
from modelrace.serving._kv import kv_bytes_per_token_from_params, kv_cache_bytes, kv_dtype_bytes, max_context
from modelrace.serving._model import ModelRef
from modelrace.serving._weights import WeightsEstimate, estimate_weights, normalise_quant

MAX_CONTEXT_SEARCH = 10_000_000


@dataclass(frozen=True)
class FitResult(JsonResult):
    """Memory needed by a model on ``count`` x ``chip`` and whether it fits."""

    model: ModelRef
    chip: Chip
    count: int
    quant: str
    kv_dtype: str
    context: int
    batch: int
    weights: WeightsEstimate
    kv_cache_bytes: float
    kv_source: str
    overhead_bytes: float
    memory_bytes: float | None
    max_context: int | None
    max_batch: int | None

    @property
    def weights_bytes(self) -> float:
        """Bytes of weights."""
        return self.weights.weights_bytes

    @property
    def total_bytes(self) -> float:
        """Weights + KV cache + overhead."""
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes

    @property
    def fits(self) -> bool | None:
        """Whether the total fits in the chips' memory (None: the chip's memory is unknown)."""
        return None if self.memory_bytes is None else self.total_bytes <= self.memory_bytes

    @property
    def headroom_bytes(self) -> float | None:
        """Memory left (negative: missing)."""
        return None if self.memory_bytes is None else self.memory_bytes - self.total_bytes

    def __json__(self) -> Mapping[str, object]:
        """The ``fit --json`` shape (docs/json.md): the chip by name, the weights and the totals flattened."""
        return {
            "model": self.model,
            "hardware": self.chip.name,
            "count": self.count,
            "quant": self.quant,
            "kv_dtype": self.kv_dtype,
            "context": self.context,
            "batch": self.batch,
            "weights_bytes": self.weights_bytes,
            "weights_method": self.weights.method,
            "bits_per_weight": self.weights.bits_per_weight,
            "kv_cache_bytes": self.kv_cache_bytes,
            "kv_source": self.kv_source,
            "overhead_bytes": self.overhead_bytes,
            "total_bytes": self.total_bytes,
            "memory_bytes": self.memory_bytes,
            "fits": self.fits,
            "headroom_bytes": self.headroom_bytes,
            "max_context": self.max_context,
            "max_batch": self.max_batch,
        }


def weights_for(model: ModelRef, quant: str | None) -> WeightsEstimate:
    """The weights' bytes: from the files' headers when ``quant`` is None or theirs, else estimated."""
    if model.weights_bytes is not None and (quant is None or normalise_quant(quant) == model.weights_format):
        bits = model.weights_bytes * 8 / model.params_total if model.params_total else 0.0
        return WeightsEstimate(model.weights_bytes, model.weights_format or "?", model.weights_source or "", bits)
    released = model.arch.weights_format if model.arch else "bf16"
    return estimate_weights(model.params_total, quant or released, model.arch)


def overhead_for(chip: Chip, count: int) -> float:
    """Runtime memory outside weights and KV cache, per device."""
    table = calibration_file().runtime_overhead_bytes
    return table["cpu" if chip.kind == "cpu" else "accelerator"] * count


def fit_model(
    model: ModelRef,
    chip: Chip,
    count: int = 1,
    quant: str | None = None,
    context: int | None = None,
    batch: int = 1,
    kv_dtype: str = "bf16",
) -> FitResult:
    """Memory of ``model`` at ``context`` tokens x ``batch`` sequences on ``count`` x ``chip``."""
    if count < 1 or batch < 1:
        raise ConfigError(f"count and batch must be >= 1 (got count {count}, batch {batch})")
    kv_dtype_bytes(kv_dtype)  # validates the name
    arch = model.arch
    model_context = arch.context if arch and arch.context else None
    if context is None:
        context = min(model_context or 8192, 8192)
    if context < 1:
        raise ConfigError(f"impossible context {context}: give at least 1 token")
    if model_context and context > model_context:
        raise ConfigError(
            f"impossible context {context:,} tokens: {model.name} supports at most {model_context:,} ({arch.source})"
            if arch
            else f"impossible context {context:,}"
        )
    weights = weights_for(model, quant)
    if arch is not None:
        kv = kv_cache_bytes(arch, context, batch, kv_dtype)
        kv_source = f"architecture ({arch.source})"
    else:
        per_token = float(kv_bytes_per_token_from_params(model.params_total, kv_dtype))
        kv = per_token * context * batch
        kv_source = "estimated from the parameter count (median KV bytes per sqrt(parameter) of curated families)"
    overhead = overhead_for(chip, count)
    memory = chip.memory_bytes * count if chip.memory_bytes else None
    longest: int | None = None
    largest: int | None = None
    if memory is not None:
        free = memory - weights.weights_bytes - overhead
        if arch is not None:
            longest = min(max_context(arch, free, batch, kv_dtype), model_context or MAX_CONTEXT_SEARCH)
            per_sequence = kv_cache_bytes(arch, context, 1, kv_dtype)
        else:
            per_token = float(kv_bytes_per_token_from_params(model.params_total, kv_dtype))
            longest = max(0, min(int(free / batch / per_token), MAX_CONTEXT_SEARCH))
            per_sequence = per_token * context
        largest = max(0, int(free // per_sequence)) if per_sequence > 0 else None
    return FitResult(
        model=model,
        chip=chip,
        count=count,
        quant=weights.quant,
        kv_dtype=kv_dtype,
        context=context,
        batch=batch,
        weights=weights,
        kv_cache_bytes=kv,
        kv_source=kv_source,
        overhead_bytes=overhead,
        memory_bytes=memory,
        max_context=longest,
        max_batch=largest,
    )
