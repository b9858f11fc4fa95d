"""KV cache size from the architecture.

Per token and layer, standard attention (MHA/GQA/MQA) stores a key and a value per KV head:
``2 x kv_heads x head_dim x bytes``. DeepSeek's MLA stores one compressed latent and the rotary key:
``(kv_lora_rank + rope_head_dim) x bytes`` (as vLLM and SGLang cache it). Sliding-window layers keep at most
``window`` tokens. A batch multiplies the whole. Without an architecture, the per-token size is estimated from the
parameter count with the median ratio of the curated families (``kv_bytes_per_token_from_params``).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt

from modelrace.errors import ConfigError
from modelrace.serving._arch import Architecture, from_family
from modelrace.serving._data import architectures_file

KV_DTYPE_BYTES: dict[str, float] = {"fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "q8_0": 34 / 32, "q4_0": 18 / 32}


def kv_dtype_bytes(kv_dtype: str) -> float:
    """Bytes per cached element for a KV dtype name."""
    try:
        return KV_DTYPE_BYTES[kv_dtype.lower()]
    except KeyError:
        raise ConfigError(f"unknown KV cache dtype {kv_dtype!r}: choose one of {', '.join(KV_DTYPE_BYTES)}") from None


def _per_layer_token_elements(arch: Architecture) -> int:
    if arch.is_mla:
        return int(arch.kv_lora_rank or 0) + int(arch.rope_head_dim or 0)
    return 2 * arch.kv_heads * arch.head_dim


def kv_bytes_per_token(arch: Architecture, kv_dtype: str = "bf16") -> tuple[float, float]:
    """(bytes per token over the global layers, bytes per token over the sliding-window layers)."""
    per_layer = _per_layer_token_elements(arch) * kv_dtype_bytes(kv_dtype)
    local = arch.local_layers if arch.window else 0
    return per_layer * (arch.layers - local), per_layer * local


def kv_cache_bytes(arch: Architecture, context: int, batch: int = 1, kv_dtype: str = "bf16") -> float:
    """KV cache bytes for ``batch`` sequences of ``context`` tokens."""
    if context < 0 or batch < 1:
        raise ConfigError(f"context must be >= 0 and batch >= 1 (got context {context}, batch {batch})")
    global_bytes, local_bytes = kv_bytes_per_token(arch, kv_dtype)
    window = arch.window or context
    return batch * (global_bytes * context + local_bytes * min(context, window))


def max_context(arch: Architecture, free_bytes: float, batch: int = 1, kv_dtype: str = "bf16") -> int:
    """The longest context whose KV cache for ``batch`` sequences fits in ``free_bytes`` (0 if none)."""
    if free_bytes <= 0:
        return 0
    global_bytes, local_bytes = kv_bytes_per_token(arch, kv_dtype)
    per_sequence = free_bytes / batch
    window = arch.window or 0
    if local_bytes and window:
        # up to the window both kinds grow; past it only the global layers do
        full = (global_bytes + local_bytes) * window
        if per_sequence <= full:
            return int(per_sequence // (global_bytes + local_bytes))
        if not global_bytes:
            return 2**31 - 1  # every layer is windowed: the cache stops growing
        return int(window + (per_sequence - full) // global_bytes)
    if not global_bytes:
        return 2**31 - 1
    return int(per_sequence // global_bytes)


@cache
def _bytes_per_token_per_sqrt_param() -> float:
    """Median over the curated families of bf16 KV bytes per token / sqrt(parameters) (full attention only)."""
    ratios = []
    for family in architectures_file().families:
        arch = from_family(family)
        if arch.window or arch.is_mla:
            continue
        global_bytes, _ = kv_bytes_per_token(arch, "bf16")
        ratios.append(global_bytes / math.sqrt(family.params_total))
    return float(np.median(ratios))


def kv_bytes_per_token_from_params(params: npt.ArrayLike, kv_dtype: str = "bf16") -> npt.NDArray[np.float64]:
    """Estimated KV bytes per token for models known only by parameter count (vectorised)."""
    scale = kv_dtype_bytes(kv_dtype) / 2
    return np.sqrt(np.asarray(params, dtype=np.float64)) * _bytes_per_token_per_sqrt_param() * scale
