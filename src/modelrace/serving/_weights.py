"""Bytes of a model's weights: from real headers when there are files, else from parameters and a quantization.

GGUF file types mix tensor types (``data/quantizations.yaml``): Q4_K_M stores most matrices as Q4_K, the output
projection (or the tied embedding) as Q6_K, ``attn_v`` and ``ffn_down`` on a third of the layers as Q6_K, norms as
F32, and a matrix whose rows are not a multiple of 256 falls back to a legacy type. With an architecture the
tensors are laid out as llama.cpp would and each gets its type; without one, the bits per weight of the same file
type on Llama 3 8B stand in. Dense formats (bf16, fp8, int4 ...) store every weight alike; quantized checkpoints
keep the embedding and output in 16 bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError
from modelrace.serving._arch import Architecture, curated_architecture
from modelrace.serving._data import quantizations_file

TOKENIZER_BYTES_PER_TOKEN = 40
"""Bytes a GGUF header spends per vocabulary entry (token text, score, type, a share of the merges): measured on
the packaged files (Qwen2.5, Gemma 3, SmolLM2 headers hold 33-45 bytes per token)."""


@dataclass(frozen=True)
class _Tensor:
    role: str
    rows: int  # ne[0], the dimension quantization blocks run along
    count: int
    layer: int | None = None


@dataclass(frozen=True)
class WeightsEstimate(JsonResult):
    """Weight bytes and how they were obtained."""

    weights_bytes: float
    quant: str
    method: str  # gguf header | safetensors header | params x bits (mixed types) | params x bits
    bits_per_weight: float


def normalise_quant(quant: str) -> str:
    """'q4_k_m' -> 'Q4_K_M'; 'BF16' (a dense format) -> 'bf16'; unknown names are an error."""
    table = quantizations_file()
    if quant.lower() in table.dense_formats:
        return quant.lower()
    if quant.upper() in table.file_types:
        return quant.upper()
    known = ", ".join([*table.dense_formats, *table.file_types])
    raise ConfigError(f"unknown quantization {quant!r}: choose one of {known}")


def _layout(arch: Architecture, params_total: float | None) -> list[_Tensor]:
    """The weight tensors of ``arch`` as a GGUF conversion lays them out."""
    h, q_dim, kv_dim = arch.hidden, arch.heads * arch.head_dim, arch.kv_heads * arch.head_dim
    tensors = [_Tensor("embedding", h, arch.vocab * h)]
    if not arch.tied:
        tensors.append(_Tensor("output", h, arch.vocab * h))
    tensors.append(_Tensor("norm", h, h))
    for layer in range(arch.layers):
        tensors += [
            _Tensor("attn_q", h, h * q_dim, layer),
            _Tensor("attn_k", h, h * kv_dim, layer),
            _Tensor("attn_v", h, h * kv_dim, layer),
            _Tensor("attn_output", q_dim, q_dim * h, layer),
            _Tensor("norm", h, 2 * h, layer),
        ]
        moe = arch.is_moe and layer >= arch.dense_layers
        ffn = (arch.expert_ffn or arch.ffn) if moe else arch.ffn
        copies = ((arch.experts or 1) + arch.shared_experts) if moe else 1
        tensors += [
            _Tensor("ffn_gate", h, copies * h * ffn, layer),
            _Tensor("ffn_up", h, copies * h * ffn, layer),
            _Tensor("ffn_down", ffn, copies * ffn * h, layer),
        ]
        if moe:
            tensors.append(_Tensor("router", h, h * (arch.experts or 1), layer))
    laid_out = sum(t.count for t in tensors)
    if params_total and abs(params_total - laid_out) > 0.02 * params_total:
        # attention variants (MLA, biases, vision towers) the layout does not spell out: the rest at the base type
        rest = params_total - laid_out
        if rest > 0:
            tensors.append(_Tensor("other", 256, int(rest)))
        else:
            scale = params_total / laid_out
            tensors = [_Tensor(t.role, t.rows, int(t.count * scale), t.layer) for t in tensors]
    return tensors


def _use_more_bits(layer: int, layers: int) -> bool:
    """llama.cpp's use_more_bits: the first and last eighth of the layers and every third one between."""
    return layer < layers // 8 or layer >= 7 * layers // 8 or (layer - layers // 8) % 3 == 2


def _tensor_type(tensor: _Tensor, file_type: str, arch: Architecture) -> str:
    recipe = quantizations_file().file_types[file_type]
    if tensor.role == "norm":
        return "F32"
    is_output = tensor.role == "output" or (tensor.role == "embedding" and arch.tied)
    if is_output:
        kind = recipe.output
        return "Q8_0" if tensor.rows % 256 and kind.endswith("_K") else kind
    if tensor.role == "embedding":
        kind = recipe.embedding or recipe.base
    elif recipe.more_bits and tensor.role in ("attn_v", "ffn_down") and tensor.layer is not None:
        kind = recipe.more_bits if _use_more_bits(tensor.layer, arch.layers) else recipe.base
    else:
        kind = recipe.base
    if tensor.rows % 256 and (kind.endswith("_K") or kind.startswith("IQ")) and kind != "IQ4_NL":
        kind = quantizations_file().fallback.get(kind, kind)
    return kind


def gguf_bytes(arch: Architecture, file_type: str, params_total: float | None = None) -> float:
    """Weight bytes of ``arch`` quantized to the GGUF ``file_type`` (each tensor at the type llama.cpp gives it)."""
    types = quantizations_file().types
    total = 0.0
    for tensor in _layout(arch, params_total):
        kind = types[_tensor_type(tensor, file_type, arch)]
        total += tensor.count / kind.block * kind.bytes
    return total


@cache
def _reference_bits(file_type: str) -> float:
    """Bits per weight of a GGUF file type on the reference architecture (Llama 3 8B)."""
    reference = curated_architecture("llama-3.1-8b")
    assert reference is not None and reference.params_total is not None  # shipped data; tested
    return gguf_bytes(reference, file_type, reference.params_total) * 8 / reference.params_total


def estimate_weights(params_total: float, quant: str, arch: Architecture | None = None) -> WeightsEstimate:
    """Weight bytes of a model of ``params_total`` parameters stored as ``quant``."""
    quant = normalise_quant(quant)
    table = quantizations_file()
    if quant in table.dense_formats:
        bits = table.dense_formats[quant]
        if arch is not None and bits < 16:
            embedding = arch.vocab * arch.hidden * (1 if arch.tied else 2)
            total = embedding * 2 + (params_total - embedding) * bits / 8
            return WeightsEstimate(
                total, quant, "params x bits (embedding and output in 16 bits)", total * 8 / params_total
            )
        return WeightsEstimate(params_total * bits / 8, quant, "params x bits", bits)
    if arch is not None:
        total = gguf_bytes(arch, quant, params_total)
        return WeightsEstimate(total, quant, "params x bits (llama.cpp tensor types)", total * 8 / params_total)
    bits = _reference_bits(quant)
    return WeightsEstimate(params_total * bits / 8, quant, "params x bits (mix of Llama 3 8B)", bits)


def estimate_gguf_file_bytes(params_total: float, quant: str, arch: Architecture) -> float:
    """A GGUF file's size: the weights plus the tokenizer held in its header."""
    return estimate_weights(params_total, quant, arch).weights_bytes + arch.vocab * TOKENIZER_BYTES_PER_TOKEN


def bits_for(quant: str) -> float:
    """Average bits per weight of ``quant`` (GGUF types: as mixed on the reference architecture)."""
    quant = normalise_quant(quant)
    table = quantizations_file()
    return table.dense_formats[quant] if quant in table.dense_formats else _reference_bits(quant)
