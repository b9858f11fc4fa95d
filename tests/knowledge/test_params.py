from __future__ import annotations

import pytest

from modelrace.knowledge import params_from_name


@pytest.mark.parametrize(
    ("model_id", "total", "active"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", 7e9, None),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", 235e9, 22e9),
        ("HuggingFaceTB/SmolLM2-135M-Instruct", 135e6, None),
        ("google/gemma-3-270m", 270e6, None),
        ("Qwen/Qwen2.5-Coder-0.5B-Instruct", 0.5e9, None),
        ("mistralai/Mixtral-8x7B-v0.1", 56e9, None),
        ("meta-llama/Llama-3.1-8B", 8e9, None),
        ("deepseek-ai/DeepSeek-V3", None, None),
        ("microsoft/phi-4", None, None),
        ("someone/model-v1.5-4bit", None, None),
        ("Qwen/Qwen3-30B-A3B", 30e9, 3e9),
        ("BAAI/Infinity-Instruct-3M-0625-Llama3-8B", 8e9, None),  # 3 M instructions, an 8B model
        ("Qwen/Qwen2.5-7B-Instruct-1M", 7e9, None),  # a million tokens of context
        # 17 B active of 400 B, 128 experts: the name holds no total (it made Maverick a 10-40B leader)
        ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", None, None),
        ("meta-llama/Llama-4-Scout-17B-16E", None, None),
        ("someone/llama3-8b-2e-5", 8e9, None),  # a learning rate, not 2 experts
        ("someone/mistral-7b-3e", 7e9, None),  # three epochs
    ],
)
def test_params_from_name(model_id: str, total: float | None, active: float | None) -> None:
    parsed = params_from_name(model_id)
    if total is None:
        assert parsed is None
        return
    assert parsed is not None
    assert parsed.total == round(total)
    assert parsed.active == (round(active) if active else None)
