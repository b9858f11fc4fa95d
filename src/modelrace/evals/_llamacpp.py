"""In-process GGUF models through llama-cpp-python.

Multiple-choice scoring evaluates the shared context once and, for each choice, rewinds the KV cache to the end
of the context and evaluates only the choice's tokens: lm-evaluation-harness runs the full context again for
every multi-token choice. On this machine's CPU llama.cpp must be built without its AMX kernels, which crash
on decode (see the README).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from modelrace.errors import ConfigError
from modelrace.evals._backends import LLAMA_CPP_INSTALL_HINT, ChoiceScore, Generation, LlamaCppInfo, split_reasoning
from modelrace.local import LocalFile

GGUF_MAGIC = b"GGUF"


def _check_gguf(model: LocalFile) -> None:
    """A clear error for a file that is not GGUF at all, before llama.cpp reads it."""
    with model.path.open("rb") as handle:
        head = handle.read(4)
    if head != GGUF_MAGIC:
        raise ConfigError(
            f"{model.path} is not a GGUF model file (it starts with {head!r}, not {GGUF_MAGIC!r}): give a .gguf file, "
            "hf://OWNER/REPO/FILE.gguf, or a name `modelrace models` lists"
        )


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    result: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


class LlamaCppBackend:
    """A GGUF model loaded in this process (one request at a time)."""

    max_concurrency: int | None = 1

    @property
    def local_file(self) -> LocalFile | None:
        """The GGUF file this backend runs."""
        return self.model

    def probe_loglikelihood(self) -> bool:
        """In-process logits are always available."""
        return True

    def __init__(self, model: LocalFile, context_length: int = 2048, threads: int | None = None) -> None:
        try:
            import llama_cpp
        except ImportError:
            raise ConfigError(f"the gguf: backend needs llama-cpp-python; {LLAMA_CPP_INSTALL_HINT}") from None
        self.model = model
        self.spec = f"gguf:{model.name}"
        self._version = llama_cpp.__version__
        self._evaluated: list[int] = []  # the tokens now in the KV cache, for prefix reuse
        _check_gguf(model)
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(model.path),
                n_ctx=context_length,
                logits_all=True,
                verbose=False,
                seed=0,
                n_threads=threads or os.cpu_count() or 1,
            )
        except ValueError as error:  # llama.cpp's only word for a file it cannot load
            raise ConfigError(
                f"llama.cpp cannot load {model.path}: a GGUF header, but {error} (truncated, or an architecture "
                f"llama-cpp-python {self._version} does not know)"
            ) from None

    def info(self) -> LlamaCppInfo:
        """What the manifest records."""
        return LlamaCppInfo("llama-cpp-python", self._version, self.model.name, self.model.sha256, self.llm.n_ctx())

    def _tokens(self, text: str) -> list[int]:
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def _rewind(self, position: int) -> None:
        """Drop the KV cache after ``position`` tokens, as llama-cpp-python's own prefix reuse does."""
        self.llm._ctx.kv_cache_seq_rm(-1, position, -1)
        self.llm.n_tokens = position
        self._evaluated = self._evaluated[:position]

    def score_choices(self, context: str, choices: list[str]) -> list[ChoiceScore]:
        """Log-probabilities of each choice: the context is evaluated once, its KV cache reused per choice."""
        context_tokens = self._tokens(context)
        n = len(context_tokens)
        # Reuse whatever the previous item left in the KV cache (a shared few-shot prefix, a common preamble).
        kept = 0
        previous = self._evaluated
        while kept < min(len(previous), n - 1) and previous[kept] == context_tokens[kept]:
            kept += 1
        self._rewind(kept)
        self.llm.eval(context_tokens[kept:])
        self._evaluated = list(context_tokens)
        after_context = _log_softmax(np.asarray(self.llm.scores[n - 1], dtype=np.float64)[None, :])[0]
        scores = []
        for choice in choices:
            full = self._tokens(context + choice)
            if full[:n] == context_tokens and len(full) > n:
                continuation = full[n:]
                self._rewind(n)
                if len(continuation) > 1:
                    self.llm.eval(continuation[:-1])
                    self._evaluated = context_tokens + continuation[:-1]
                rows = np.asarray(self.llm.scores[n : n + len(continuation) - 1], dtype=np.float64)
                logprobs = (
                    np.vstack([after_context[None, :], _log_softmax(rows)]) if len(rows) else after_context[None, :]
                )
            else:  # the choice changed how the end of the context is tokenised: evaluate the whole text
                shared = 0
                while shared < min(len(full), n) and full[shared] == context_tokens[shared]:
                    shared += 1
                shared = max(shared, 1)
                continuation = full[shared:]
                self.llm.reset()
                self.llm.eval(full[:-1])
                self._evaluated = full[:-1]
                logprobs = _log_softmax(np.asarray(self.llm.scores[shared - 1 : len(full) - 1], dtype=np.float64))
            picked = logprobs[np.arange(len(continuation)), continuation]
            greedy = bool(np.all(logprobs.argmax(axis=-1) == np.asarray(continuation)))
            scores.append(ChoiceScore(float(picked.sum()), len(continuation), len(choice), greedy))
        return scores

    def generate(self, prompt: str, max_tokens: int, stop: list[str], chat: bool) -> Generation:
        """Greedy generation (temperature 0), with or without the model's chat template."""
        self._evaluated = []  # llama-cpp-python manages its own cache while generating
        if chat:
            if not self.llm.metadata.get("tokenizer.chat_template"):
                # llama-cpp-python would fall back to a generic format that a base model does not follow (Gemma 3
                # 270M answers it with an empty string): say so instead of scoring empty answers.
                raise ConfigError(
                    f"{self.spec} has no chat template in its GGUF file (a base model, not an instruct one): "
                    "run it without --chat, or pick an instruct model"
                )
            result: Any = self.llm.create_chat_completion(
                messages=[{"role": "user", "content": prompt}],
                max_tokens=max_tokens,
                stop=stop or None,
                temperature=0.0,
                seed=0,
            )
            choice = result["choices"][0]
            text, reasoning = split_reasoning(choice["message"].get("content") or "")
        else:
            result = self.llm.create_completion(
                prompt, max_tokens=max_tokens, stop=stop or None, temperature=0.0, seed=0
            )
            choice = result["choices"][0]
            text, reasoning = split_reasoning(choice.get("text") or "")
        usage = result.get("usage") or {}
        return Generation(text, reasoning, usage.get("completion_tokens"), None, choice.get("finish_reason"))
