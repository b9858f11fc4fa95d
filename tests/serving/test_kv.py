"""KV cache against hand-computed values (layers x KV heads x head dim x 2 (K and V) x bytes x tokens)."""

from __future__ import annotations

import pytest

from modelrace.errors import ConfigError
from modelrace.serving import curated_architecture, kv_cache_bytes, max_context
from modelrace.serving._kv import kv_bytes_per_token_from_params


def arch(name: str):  # type: ignore[no-untyped-def]
    found = curated_architecture(name)
    assert found is not None, name
    return found


def test_qwen25_7b_at_32k_is_about_1_9_gb() -> None:
    # 28 layers x 4 KV heads x 128 dims x 2 x 2 bytes x 32,768 tokens
    assert kv_cache_bytes(arch("Qwen/Qwen2.5-7B-Instruct"), 32768) == 28 * 4 * 128 * 2 * 2 * 32768
    assert kv_cache_bytes(arch("Qwen/Qwen2.5-7B-Instruct"), 32768) / 1e9 == pytest.approx(1.88, abs=0.01)


def test_llama3_8b_gqa() -> None:
    # 32 layers x 8 KV heads x 128 x 2 x 2 bytes = 128 KiB per token
    assert kv_cache_bytes(arch("meta-llama/Meta-Llama-3-8B-Instruct"), 8192) == 32 * 8 * 128 * 2 * 2 * 8192
    assert kv_cache_bytes(arch("meta-llama/Llama-3.1-8B"), 1000, batch=4) == 4 * 131072 * 1000


def test_llama3_70b_fp8_kv_halves_it() -> None:
    bf16 = kv_cache_bytes(arch("meta-llama/Llama-3.3-70B-Instruct"), 4096)
    assert bf16 == 80 * 8 * 128 * 2 * 2 * 4096
    assert kv_cache_bytes(arch("meta-llama/Llama-3.3-70B-Instruct"), 4096, kv_dtype="fp8") == bf16 / 2


def test_gemma3_sliding_window_layers_stop_at_1024_tokens() -> None:
    gemma = arch("google/gemma-3-27b-it")
    assert (gemma.layers, gemma.local_layers, gemma.window) == (62, 52, 1024)  # 5 local : 1 global
    per_layer_token = 16 * 128 * 2 * 2
    expected = per_layer_token * (10 * 32768 + 52 * 1024)
    assert kv_cache_bytes(gemma, 32768) == expected
    # below the window every layer grows alike
    assert kv_cache_bytes(gemma, 512) == per_layer_token * 62 * 512


def test_gemma2_alternates_local_and_global_layers() -> None:
    gemma = arch("google/gemma-2-9b-it")
    assert gemma.local_layers == 21
    assert kv_cache_bytes(gemma, 8192) == 8 * 256 * 2 * 2 * (21 * 8192 + 21 * 4096)


def test_deepseek_v3_mla_caches_the_latent() -> None:
    # MLA: (kv_lora_rank 512 + rope 64) x 2 bytes x 61 layers = 70,272 bytes per token
    deepseek = arch("deepseek-ai/DeepSeek-V3")
    assert kv_cache_bytes(deepseek, 1) == (512 + 64) * 2 * 61
    assert kv_cache_bytes(deepseek, 131072) / 1e9 == pytest.approx(9.21, abs=0.01)
    distill = curated_architecture("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
    assert distill is None or distill.name != deepseek.name  # a distilled dense model is not V3


def test_max_context_inverts_the_cache_size() -> None:
    llama = arch("meta-llama/Llama-3.1-8B")
    free = kv_cache_bytes(llama, 50_000, batch=2)
    assert max_context(llama, free, batch=2) == 50_000
    gemma = arch("google/gemma-3-27b-it")
    assert max_context(gemma, kv_cache_bytes(gemma, 20_000)) == 20_000
    assert max_context(gemma, kv_cache_bytes(gemma, 700)) == 700
    assert max_context(llama, -1) == 0


def test_estimate_from_parameters_is_in_the_range_of_real_models() -> None:
    per_token = float(kv_bytes_per_token_from_params(8.03e9))
    assert 40_000 < per_token < 400_000  # Llama 3 8B: 131,072; Qwen2.5 7B: 57,344


def test_bad_input() -> None:
    with pytest.raises(ConfigError):
        kv_cache_bytes(arch("meta-llama/Llama-3.1-8B"), -1)
    with pytest.raises(ConfigError, match="unknown KV cache dtype"):
        kv_cache_bytes(arch("meta-llama/Llama-3.1-8B"), 10, kv_dtype="int3")
