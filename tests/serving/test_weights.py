"""Weights from parameters + quantization against real GGUF files (the packaged models), and the headers' own sums."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelrace.errors import ConfigError, ModelraceError
from modelrace.serving import (
    curated_architecture,
    estimate_gguf_file_bytes,
    estimate_weights,
    from_gguf,
    read_gguf_header,
)
from modelrace.serving._weights import bits_for, normalise_quant

PACKAGED = ["smollm2-135m-instruct", "gemma-3-270m", "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"]


def packaged_path(model_id: str) -> Path:
    from modelrace.evals import resolve_local_model

    try:
        return resolve_local_model(model_id).path
    except ModelraceError as error:  # no package index reachable
        pytest.skip(f"cannot fetch {model_id}: {error}")


@pytest.mark.parametrize("model_id", PACKAGED)
def test_estimate_from_params_and_quant_is_within_5_percent_of_the_real_file(model_id: str) -> None:
    path = packaged_path(model_id)
    header = read_gguf_header(path)
    assert header.file_type is not None
    # what a user without the file knows: the parameter count, the quantization, the architecture
    curated = curated_architecture(model_id)
    arch = curated or from_gguf(header)
    assert arch is not None
    estimate = estimate_gguf_file_bytes(header.params, header.file_type, arch)
    assert estimate == pytest.approx(header.file_size, rel=0.05), (model_id, header.file_type)


@pytest.mark.parametrize("model_id", PACKAGED)
def test_header_tensor_bytes_add_up_to_the_file(model_id: str) -> None:
    header = read_gguf_header(packaged_path(model_id))
    # tensor data + the header (tokenizer, metadata, alignment) = the file
    assert 0 < header.file_size - header.weights_bytes < 0.1 * header.file_size
    from modelrace.evals import packaged_models

    # the model card's count; a GGUF may store the tied output projection separately (Qwen2.5 0.5B: +136 M)
    assert packaged_models()[model_id].params <= header.params < 1.3 * packaged_models()[model_id].params
    assert 4.5 < header.weights_bytes * 8 / header.params < 8.5  # Q4_K_M / Q4_1 mixes, legacy fallbacks


def test_llama3_8b_q4_k_m_matches_the_published_file_size() -> None:
    # bartowski/Meta-Llama-3.1-8B-Instruct-GGUF: Q4_K_M 4.92 GB, Q8_0 8.54 GB, f16 16.07 GB (the Hub's file sizes)
    arch = curated_architecture("meta-llama/Llama-3.1-8B-Instruct")
    assert arch is not None
    assert estimate_gguf_file_bytes(8.03e9, "Q4_K_M", arch) / 1e9 == pytest.approx(4.92, rel=0.02)
    assert estimate_gguf_file_bytes(8.03e9, "Q8_0", arch) / 1e9 == pytest.approx(8.54, rel=0.02)
    assert estimate_weights(8.03e9, "bf16").weights_bytes == 16.06e9


def test_mixed_types_cost_more_than_the_base_type() -> None:
    assert 4.5 < bits_for("Q4_K_M") < 5.2  # Q4_K is 4.5 bits; Q6_K output and attn_v/ffn_down layers add
    assert bits_for("Q8_0") == pytest.approx(8.5, abs=0.05)
    assert bits_for("int4") == 4.125


def test_quant_names() -> None:
    assert normalise_quant("q4_k_m") == "Q4_K_M"
    assert normalise_quant("BF16") == "bf16"
    with pytest.raises(ConfigError, match="unknown quantization"):
        normalise_quant("q4_k_xl")
