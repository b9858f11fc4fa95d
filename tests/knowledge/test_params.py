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


def test_a_precision_variant_has_its_models_curated_size() -> None:
    from modelrace.ranking._entities import Resolver

    entity = Resolver().resolve("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8")
    assert (entity.params_total, entity.params_active, entity.params_source) == (400e9, 17e9, "model card (curated)")


@pytest.mark.parametrize(
    ("name", "stated", "total", "source"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", 7.6e9, 7.6e9, "source"),  # the weights' count before the name's round number
        ("FINGU-AI/Chocolatine-Fusion-14B", 8.367e9, None, None),  # they disagree: neither is taken
        ("someone/Qwen2.5-14B-Instruct-bnb-4bit", 8.4e9, 14e9, "name (packed weights)"),  # 4-bit packs two a byte
        ("unsloth/phi-4-unsloth-bnb-4bit", 8.483e9, None, None),  # packed, and no size in the name
    ],
)
def test_a_sources_size_is_taken_unless_packed_or_contradicted(
    name: str, stated: float, total: float | None, source: str | None
) -> None:
    from modelrace.ranking._entities import Resolver

    entity = Resolver().resolve(name, {"params_total": stated})
    assert (entity.params_total, entity.params_source) == (total, source)
    if total is None:
        assert any(step.startswith("parameters unknown:") for step in entity.steps)
