"""Roofline throughput: decode bound by memory bandwidth, prefill bound by compute, with calibrated efficiencies.

A decode step of ``batch`` sequences at mean context ``L`` reads the active weights once (MoE: the experts the
batch's tokens route to, ``1 - (1 - k/E)^batch`` of them in expectation) and each sequence's KV cache, and does
``2 x active params`` FLOPs per token plus attention (``4 x layers x L x heads x head_dim``). Its time is the larger
of bytes / (bandwidth x e_bw) and FLOPs / (peak x e_compute). Prefill of ``I`` tokens per sequence does
``2 x active params x I`` FLOPs plus attention and takes the larger of FLOPs / (peak x e_compute) and one read of
the weights. Time to first token is one request's prefill on an otherwise idle system. Steady-state output
throughput treats the batch as a lock-step group: ``batch x O / (prefill(batch) + O x step)``. MoE: active
parameters for compute, total for memory, the experts the batch's tokens route to read per step, and a compute
efficiency of its own (``compute_moe``: MLPerf v5.1/v6.0 MoE rows reach about half the dense share of peak).

Several chips (``count``) split the work by tensor parallelism: bandwidth and compute add up; communication is not
modelled (the calibration on 8-GPU MLPerf systems absorbs it). The efficiencies e_bw and e_compute come from
``data/calibration.yaml``: fitted on MLPerf Inference v4.1, published vLLM measurements and llama.cpp on this
machine (bench/bench_cost_calibration.py prints every estimate against its measurement).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError
from modelrace.serving._arch import Architecture
from modelrace.serving._data import Efficiency, calibration_file
from modelrace.serving._hardware import Chip
from modelrace.serving._kv import kv_cache_bytes


@dataclass(frozen=True)
class Workload:
    """What is served: sequences in flight, prompt and answer lengths."""

    batch: int = 1
    input_tokens: int = 1024
    output_tokens: int = 256

    def __post_init__(self) -> None:
        if self.batch < 1 or self.input_tokens < 1 or self.output_tokens < 1:
            raise ConfigError(
                f"batch, input and output tokens must be >= 1 (got {self.batch}, {self.input_tokens}, "
                f"{self.output_tokens})"
            )


SERVING_POINT = Workload(batch=8, input_tokens=1024, output_tokens=256)
"""The serving point `cost` and the report both default to: 8 sequences in flight, 1,024 tokens in, 256 out (a
chat or RAG request on a modestly loaded server); every cost figure names its batch."""


def describe_workload(workload: Workload) -> str:
    """'batch 8, 1,024 in / 256 out': how every cost figure names its serving point."""
    return f"batch {workload.batch}, {workload.input_tokens:,} in / {workload.output_tokens:,} out"


@dataclass(frozen=True)
class ModelShape:
    """What the roofline needs to know about a model."""

    params_total: float
    params_active: float
    weights_bytes: float
    weights_format: str  # bf16 | fp8 | a GGUF type ...: which peak FLOP/s applies
    arch: Architecture | None
    kv_bytes_per_token: float  # used when arch is None (estimated from parameters)
    kv_dtype: str = "bf16"


@dataclass(frozen=True)
class Throughput(JsonResult):
    """Roofline estimate for one model on one set of chips."""

    output_tokens_per_s: float  # all sequences of the batch together
    per_sequence_tokens_per_s: float
    ttft_s: float
    decode_step_s: float
    prefill_s: float
    decode_bound: str  # memory bandwidth | compute
    efficiency_bandwidth: float
    efficiency_compute: float
    efficiency_source: str

    def __json__(self) -> Mapping[str, object]:
        """The figures with the efficiencies used grouped under ``efficiency`` (as ``cost --json`` shows them)."""
        return {
            "output_tokens_per_s": self.output_tokens_per_s,
            "per_sequence_tokens_per_s": self.per_sequence_tokens_per_s,
            "ttft_s": self.ttft_s,
            "decode_step_s": self.decode_step_s,
            "prefill_s": self.prefill_s,
            "decode_bound": self.decode_bound,
            "efficiency": {
                "bandwidth": self.efficiency_bandwidth,
                "compute": self.efficiency_compute,
                "source": self.efficiency_source,
            },
        }


def efficiency_for(chip: Chip) -> Efficiency:
    """The calibrated efficiencies for the chip's kind."""
    calibration = calibration_file()
    return calibration.cpu if chip.kind == "cpu" else calibration.accelerator


def _kv_per_sequence(model: ModelShape, context: int) -> float:
    if model.arch is not None:
        return kv_cache_bytes(model.arch, context, 1, model.kv_dtype)
    return model.kv_bytes_per_token * context


def _weights_read(model: ModelShape, batch: int) -> float:
    """Bytes of weights one decode step reads: all of a dense model; for MoE, the experts the batch touches."""
    if model.params_active >= model.params_total:
        return model.weights_bytes
    arch = model.arch
    share_active = model.params_active / model.params_total
    if arch is not None and arch.experts and arch.experts_active:
        routed_share = arch.experts_active / arch.experts
    else:
        routed_share = share_active
    touched = 1 - (1 - routed_share) ** batch
    # bytes in expert weights: what is not active at batch 1, scaled back to all experts
    expert_bytes = model.weights_bytes * (1 - share_active) / (1 - routed_share) if routed_share < 1 else 0.0
    expert_bytes = min(expert_bytes, model.weights_bytes)
    return model.weights_bytes - expert_bytes + expert_bytes * touched


def _attention_flops(model: ModelShape, tokens: float, context: float) -> float:
    arch = model.arch
    if arch is None:
        return 0.0
    return 4.0 * arch.layers * context * arch.heads * arch.head_dim * tokens


def roofline(
    model: ModelShape,
    chip: Chip,
    count: int = 1,
    workload: Workload | None = None,
    efficiency: Efficiency | None = None,
) -> Throughput:
    """Throughput and latency of ``model`` on ``count`` x ``chip`` for ``workload``."""
    workload = workload or Workload()
    efficiency = efficiency or efficiency_for(chip)
    bandwidth = chip.bandwidth_bytes_per_s
    peak = chip.peak_flops(model.weights_format)
    if not bandwidth or not peak:
        missing = "memory bandwidth" if not bandwidth else "peak FLOP/s"
        raise ConfigError(f"{chip.name}: no {missing} figure, so no throughput estimate")
    moe = model.params_active < model.params_total
    compute_share = efficiency.compute_moe if moe and efficiency.compute_moe else efficiency.compute
    compute_from = efficiency.compute_moe_from if moe and efficiency.compute_moe else efficiency.compute_from
    bandwidth_eff = bandwidth * count * efficiency.bandwidth
    compute_eff = peak * count * compute_share
    batch, prompt, answer = workload.batch, workload.input_tokens, workload.output_tokens
    mean_context = prompt + answer / 2
    step_bytes = _weights_read(model, batch) + batch * _kv_per_sequence(model, int(mean_context))
    step_flops = 2 * model.params_active * batch + _attention_flops(model, batch, mean_context)
    memory_time, compute_time = step_bytes / bandwidth_eff, step_flops / compute_eff
    step = max(memory_time, compute_time)

    def prefill(sequences: int) -> float:
        flops = 2 * model.params_active * prompt * sequences + _attention_flops(model, prompt * sequences, prompt / 2)
        return max(flops / compute_eff, _weights_read(model, prompt * sequences) / bandwidth_eff)

    prefill_batch = prefill(batch)
    cycle = prefill_batch + answer * step
    return Throughput(
        output_tokens_per_s=batch * answer / cycle,
        per_sequence_tokens_per_s=1 / step,
        ttft_s=prefill(1),
        decode_step_s=step,
        prefill_s=prefill_batch,
        decode_bound="memory bandwidth" if memory_time >= compute_time else "compute",
        efficiency_bandwidth=efficiency.bandwidth,
        efficiency_compute=compute_share,
        efficiency_source=f"bandwidth: {efficiency.bandwidth_from}; compute: {compute_from}",
    )
