"""A model's architecture as memory and throughput need it, from a GGUF header, a config.json, or the curated table
of the leading families (``data/architectures.yaml``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from modelrace._serialise import JsonResult
from modelrace.serving._data import FamilyConfig, architectures_file
from modelrace.serving._gguf import GgufHeader

# Sliding-window layouts that a GGUF header does not state (llama.cpp hard-codes them per architecture):
# local layers per global layer. Sources: Gemma 2/3 technical reports; gpt-oss model card.
_GGUF_LOCAL_PER_GLOBAL: dict[str, int] = {"gemma3": 5, "gemma2": 1, "gpt-oss": 1}


@dataclass(frozen=True)
class Architecture(JsonResult):
    """Layer counts and attention shapes; MoE and MLA fields are None for dense, standard-attention models."""

    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    tied: bool
    context: int | None
    source: str
    experts: int | None = None
    experts_active: int | None = None
    shared_experts: int = 0
    expert_ffn: int | None = None
    dense_layers: int = 0
    kv_lora_rank: int | None = None
    rope_head_dim: int | None = None
    window: int | None = None
    local_layers: int = 0  # layers that attend only within ``window``
    params_total: float | None = None
    params_active: float | None = None
    weights_format: str = "bf16"  # the format the weights are released in

    @property
    def is_moe(self) -> bool:
        """Mixture of experts."""
        return bool(self.experts and self.experts > 1)

    @property
    def is_mla(self) -> bool:
        """DeepSeek's multi-head latent attention (a compressed KV cache)."""
        return self.kv_lora_rank is not None

    def __json__(self) -> Mapping[str, object]:
        """The shapes ``fit --json`` shows (MoE and attention variants in brief; ``tied`` as ``tied_embeddings``)."""
        return {
            "name": self.name,
            "layers": self.layers,
            "hidden": self.hidden,
            "heads": self.heads,
            "kv_heads": self.kv_heads,
            "head_dim": self.head_dim,
            "ffn": self.ffn,
            "vocab": self.vocab,
            "tied_embeddings": self.tied,
            "context": self.context,
            "experts": self.experts,
            "experts_active": self.experts_active,
            "kv_lora_rank": self.kv_lora_rank,
            "window": self.window,
            "local_layers": self.local_layers,
            "source": self.source,
        }


def _local_layers(layers: int, per_global: int | str | None, window: int | None) -> int:
    if not window or per_global is None:
        return 0
    if per_global == "all":
        return layers
    return layers - layers // (int(per_global) + 1)


def from_family(family: FamilyConfig) -> Architecture:
    """The architecture of a curated family."""
    return Architecture(
        name=family.name,
        layers=family.layers,
        hidden=family.hidden,
        heads=family.heads,
        kv_heads=family.kv_heads,
        head_dim=family.head_dim,
        ffn=family.ffn,
        vocab=family.vocab,
        tied=family.tied,
        context=family.context,
        source=f"modelrace curated table ({family.id}): {family.source}",
        experts=family.experts,
        experts_active=family.experts_active,
        shared_experts=family.shared_experts,
        expert_ffn=family.expert_ffn,
        dense_layers=family.dense_layers,
        kv_lora_rank=family.kv_lora_rank,
        rope_head_dim=family.rope_head_dim,
        window=family.window,
        local_layers=_local_layers(family.layers, family.local_layers_per_global, family.window),
        params_total=family.params_total,
        params_active=family.params_active,
        weights_format=family.weights_format,
    )


@cache
def _patterns() -> list[tuple[re.Pattern[str], FamilyConfig]]:
    return [(re.compile(f.match, re.IGNORECASE), f) for f in architectures_file().families]


def curated_architecture(name: str) -> Architecture | None:
    """The curated family whose pattern a Hub id or model name matches (first match), if any."""
    for pattern, family in _patterns():
        if pattern.search(name):
            return from_family(family)
    return None


def _largest(value: Any) -> int:
    """A per-layer list (some architectures vary heads or FFN size by layer) read as its largest value."""
    if isinstance(value, list):
        return int(max(value)) if value else 0
    return int(value or 0)


def from_gguf(header: GgufHeader) -> Architecture | None:
    """The architecture a GGUF header states (None when it lacks the attention keys)."""
    layers, hidden = header.key(".block_count"), header.key(".embedding_length")
    heads = header.key(".attention.head_count")
    if not layers or not hidden or not heads:
        return None
    kv_heads = header.key(".attention.head_count_kv") or heads
    head_dim = header.key(".attention.key_length") or hidden // _largest(heads)
    names = {t.name for t in header.tensors}
    window = header.key(".attention.sliding_window")
    arch = header.architecture or "unknown"
    return Architecture(
        name=header.name or arch,
        layers=int(layers),
        hidden=int(hidden),
        heads=_largest(heads),
        kv_heads=_largest(kv_heads),
        head_dim=int(head_dim),
        ffn=_largest(header.key(".feed_forward_length")),
        vocab=int(header.vocab or 0),
        tied="output.weight" not in names,
        context=header.key(".context_length"),
        source=f"GGUF header of {header.path.name}",
        experts=header.key(".expert_count"),
        experts_active=header.key(".expert_used_count"),
        shared_experts=int(header.key(".expert_shared_count") or 0),
        expert_ffn=header.key(".expert_feed_forward_length"),
        dense_layers=int(header.key(".leading_dense_block_count") or 0),
        kv_lora_rank=header.key(".attention.kv_lora_rank"),
        rope_head_dim=header.key(".rope.dimension_count") if header.key(".attention.kv_lora_rank") else None,
        window=window,
        local_layers=_local_layers(int(layers), _GGUF_LOCAL_PER_GLOBAL.get(arch), window),
        params_total=float(header.params),
    )


def from_config(config: dict[str, Any], source: str) -> Architecture | None:
    """The architecture a transformers config.json states (multimodal configs: their ``text_config``)."""
    text = config.get("text_config") or config
    layers, hidden = text.get("num_hidden_layers"), text.get("hidden_size")
    heads = text.get("num_attention_heads")
    if not layers or not hidden or not heads:
        return None
    window = text.get("sliding_window") if text.get("use_sliding_window", True) else None
    layer_types = text.get("layer_types")
    if window and isinstance(layer_types, list):
        local = sum(1 for t in layer_types if t == "sliding_attention")
    elif window and text.get("sliding_window_pattern"):
        local = layers - layers // int(text["sliding_window_pattern"])
    elif window and text.get("model_type") in ("gemma2",):
        local = layers - layers // 2
    elif window and text.get("model_type") in ("mistral", "mixtral", "qwen2"):
        local = layers if text.get("model_type") != "qwen2" else 0  # Qwen2 declares a window it does not use
    else:
        local = 0
    architectures = config.get("architectures") or [text.get("model_type") or "unknown"]
    return Architecture(
        name=str(architectures[0]),
        layers=int(layers),
        hidden=int(hidden),
        heads=int(heads),
        kv_heads=int(text.get("num_key_value_heads") or heads),
        head_dim=int(text.get("head_dim") or hidden // heads),
        ffn=int(text.get("intermediate_size") or 0),
        vocab=int(text.get("vocab_size") or 0),
        tied=bool(text.get("tie_word_embeddings", config.get("tie_word_embeddings", False))),
        context=text.get("max_position_embeddings"),
        source=source,
        experts=text.get("num_local_experts") or text.get("num_experts") or text.get("n_routed_experts"),
        experts_active=text.get("num_experts_per_tok"),
        shared_experts=int(text.get("n_shared_experts") or 0),
        expert_ffn=text.get("moe_intermediate_size")
        or (text.get("intermediate_size") if text.get("num_local_experts") else None),
        dense_layers=int(text.get("first_k_dense_replace") or 0),
        kv_lora_rank=text.get("kv_lora_rank"),
        rope_head_dim=text.get("qk_rope_head_dim"),
        window=window if local else None,
        local_layers=local,
    )
