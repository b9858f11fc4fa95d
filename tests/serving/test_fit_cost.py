"""Fit and cost through the library: model resolution, memory, MoE, roofline, prices."""

from __future__ import annotations

import pytest

from modelrace.errors import ConfigError, NotFoundError
from modelrace.serving import (
    HardwareRegistry,
    Workload,
    estimate_cost,
    fit_model,
    hourly_price,
    resolve_model,
    roofline,
)
from modelrace.serving._cost import model_shape
from modelrace.serving._roofline import ModelShape

from ._chips import make_chip


def test_resolve_a_hub_id_from_the_curated_table() -> None:
    model = resolve_model("Qwen/Qwen2.5-7B-Instruct")
    assert model.arch is not None and model.arch.layers == 28
    assert model.params_total == pytest.approx(7.6e9, rel=0.03)


def test_unknown_model_is_one_clear_error() -> None:
    with pytest.raises(NotFoundError, match="unknown model 'no-such-model-anywhere'"):
        resolve_model("no-such-model-anywhere")


def test_fit_weights_kv_overhead_and_limits() -> None:
    chip = make_chip(memory_bytes=24e9)
    fit = fit_model(resolve_model("meta-llama/Llama-3.1-8B-Instruct"), chip, context=8192)
    assert fit.weights_bytes == pytest.approx(16.06e9, rel=0.01)
    assert fit.kv_cache_bytes == 32 * 8 * 128 * 2 * 2 * 8192
    assert fit.total_bytes == pytest.approx(fit.weights_bytes + fit.kv_cache_bytes + fit.overhead_bytes)
    assert fit.fits is True
    assert fit.headroom_bytes == pytest.approx(24e9 - fit.total_bytes)
    # the largest context at batch 1 uses up the headroom exactly (to a token)
    free = 24e9 - fit.weights_bytes - fit.overhead_bytes
    assert fit.max_context == min(int(free // 131072), 131072)
    assert fit.max_batch == int(free // (131072 * 8192))
    too_small = fit_model(fit.model, make_chip(memory_bytes=16e9), context=8192)
    assert too_small.fits is False and too_small.max_batch == 0


def test_quantization_changes_the_weights() -> None:
    model = resolve_model("meta-llama/Llama-3.1-8B-Instruct")
    chip = make_chip(memory_bytes=8e9)
    assert fit_model(model, chip, quant="Q4_K_M").fits is True
    assert fit_model(model, chip, quant="bf16").fits is False


def test_moe_total_decides_memory_active_decides_speed() -> None:
    moe = resolve_model("mistralai/Mixtral-8x7B-Instruct-v0.1")
    assert moe.params_total == pytest.approx(46.7e9, rel=0.02)
    assert moe.params_active == pytest.approx(12.9e9, rel=0.02)
    chip = make_chip(memory_bytes=192e9, bandwidth_bytes_per_s=5.3e12, fp16_flops=1.3e15)
    fit = fit_model(moe, chip, context=4096)
    assert fit.weights_bytes == pytest.approx(2 * 46.7e9, rel=0.02)
    dense = resolve_model("meta-llama/Llama-3.3-70B-Instruct")
    speed_moe = roofline(model_shape(fit), chip, workload=Workload(1, 512, 128))
    speed_dense = roofline(model_shape(fit_model(dense, chip, context=4096)), chip, workload=Workload(1, 512, 128))
    # batch 1 reads ~ the active experts only: much faster than a dense 70B, slower than a 13B
    assert speed_moe.per_sequence_tokens_per_s > 2.5 * speed_dense.per_sequence_tokens_per_s


def test_impossible_context_and_bad_counts() -> None:
    model = resolve_model("meta-llama/Llama-2-7b-hf")
    with pytest.raises(ConfigError, match=r"impossible context 8,192 tokens.*at most 4,096"):
        fit_model(model, make_chip(), context=8192)
    with pytest.raises(ConfigError, match="impossible context 0"):
        fit_model(model, make_chip(), context=0)
    with pytest.raises(ConfigError):
        fit_model(model, make_chip(), count=0)
    with pytest.raises(ConfigError):
        Workload(batch=0)


def test_roofline_decode_is_bandwidth_bound_at_batch_1_and_batching_raises_throughput() -> None:
    chip = make_chip(memory_bytes=80e9, bandwidth_bytes_per_s=3.35e12, fp16_flops=989e12)
    model = resolve_model("meta-llama/Llama-3.1-8B-Instruct")
    one = roofline(model_shape(fit_model(model, chip)), chip, workload=Workload(1, 1024, 256))
    sixteen = roofline(model_shape(fit_model(model, chip, batch=16)), chip, workload=Workload(16, 1024, 256))
    assert one.decode_bound == "memory bandwidth"
    assert 5 * one.output_tokens_per_s < sixteen.output_tokens_per_s < 16 * one.output_tokens_per_s
    assert one.ttft_s > 0 and one.ttft_s < 1
    # two chips: twice the bandwidth
    two = roofline(model_shape(fit_model(model, chip, 2)), chip, 2, Workload(1, 1024, 256))
    assert two.per_sequence_tokens_per_s == pytest.approx(2 * one.per_sequence_tokens_per_s, rel=0.01)


@pytest.mark.reference
def test_h100_estimates_land_within_1_5x_of_published_vllm(registry: HardwareRegistry) -> None:
    """Llama 3.1 8B bf16, vLLM: H100 6.48 ms/token at batch 1 and 10.94 ms at 16; A100 40GB 75 tokens/s at 1."""
    model = resolve_model("meta-llama/Llama-3.1-8B-Instruct")
    h100, a100 = registry.find("H100 SXM5"), registry.find("A100 SXM4 40 GB")
    cases = [(h100, 1, 256, 1000 / 6.48), (h100, 16, 256, 16 * 1000 / 10.94), (a100, 1, 1024, 75.0)]
    for chip, batch, prompt, measured in cases:
        fit = fit_model(model, chip, batch=batch, context=prompt + 256)
        speed = roofline(model_shape(fit), chip, workload=Workload(batch, prompt, 256))
        estimate = batch * speed.per_sequence_tokens_per_s
        assert 1 / 1.5 < estimate / measured < 1.5, (chip.name, batch, estimate, measured)


@pytest.mark.reference
def test_cost_per_million_tokens_and_market(registry: HardwareRegistry) -> None:
    h100 = registry.find("H100 SXM5")
    price = hourly_price(h100)
    assert price is not None and price.providers >= 3
    assert 1.5 < price.usd_per_hour < 6 and price.low <= price.usd_per_hour <= price.high
    cost = estimate_cost(resolve_model("meta-llama/Llama-3.1-8B-Instruct"), h100, workload=Workload(16, 1024, 256))
    assert cost.usd_per_mtok_output == pytest.approx(
        price.usd_per_hour / (3600 * cost.throughput.output_tokens_per_s) * 1e6
    )
    assert cost.market, "providers sell Llama 3.1 8B"
    # Google Vertex lists it at $0.00 (Artificial Analysis, 2025-08-14): a free tier is no market price
    outputs = [m.output_usd_per_mtok for m in cost.market if m.output_usd_per_mtok is not None]
    assert outputs and min(outputs) > 0 and "Google Vertex" not in {m.provider for m in cost.market}
    json = cost.to_json()
    for field in ("output_tokens_per_s", "ttft_s", "usd_per_hour", "usd_per_mtok_output"):
        assert isinstance(json[field], float)


@pytest.mark.reference
def test_chips_without_rental_listings_are_priced_from_their_release_price(registry: HardwareRegistry) -> None:
    h20 = registry.find("H20")
    price = hourly_price(h20)
    assert price is not None and price.providers == 0 and "release price" in price.source
    assert hourly_price(registry.find("Ascend 910B")) is not None


def test_moe_uses_its_own_compute_efficiency_and_dense_the_v41_one() -> None:
    from modelrace.serving._data import calibration_file

    accelerator = calibration_file().accelerator
    assert accelerator.compute_moe is not None and accelerator.compute_moe < accelerator.compute
    chip = make_chip(bandwidth_bytes_per_s=8e12, fp16_flops=2e15, memory_bytes=1e12)
    moe = ModelShape(params_total=100e9, params_active=10e9, weights_bytes=200e9, weights_format="bf16", arch=None,
                     kv_bytes_per_token=1e5)  # fmt: skip
    dense = ModelShape(params_total=10e9, params_active=10e9, weights_bytes=20e9, weights_format="bf16", arch=None,
                       kv_bytes_per_token=1e5)  # fmt: skip
    workload = Workload(256, 1024, 128)
    assert roofline(moe, chip, workload=workload).efficiency_compute == accelerator.compute_moe
    assert "v5.1/v6.0" in roofline(moe, chip, workload=workload).efficiency_source
    assert roofline(dense, chip, workload=workload).efficiency_compute == accelerator.compute
    # the same active size: the MoE model's prefill (compute-bound) takes compute / compute_moe times longer
    ratio = roofline(moe, chip, workload=workload).prefill_s / roofline(dense, chip, workload=workload).prefill_s
    assert ratio == pytest.approx(accelerator.compute / accelerator.compute_moe, rel=0.05)
