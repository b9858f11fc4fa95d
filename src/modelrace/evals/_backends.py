"""The model contract and its backends.

Every backend answers two questions (the shape of lm-evaluation-harness's and inspect_ai's model APIs):
- ``score_choices(context, choices)``: the log-probability of each continuation given the context. The context
  is evaluated once and its state reused for every choice where the backend allows it;
- ``generate(prompt, max_tokens, stop)``: greedy generation with stop sequences and a token budget, returning
  the answer without its reasoning ("think") part, and how many tokens the reasoning took.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from modelrace._serialise import JsonResult

if TYPE_CHECKING:
    from modelrace.local import LocalFile

THINK = re.compile(r"<think>(.*?)(</think>|$)", re.DOTALL)


@dataclass(frozen=True)
class Generation:
    """One completion: the answer text, the stripped reasoning, token counts, and why it stopped."""

    text: str
    reasoning: str = ""
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    finish_reason: str | None = None  # stop | length | ...

    @property
    def truncated(self) -> bool:
        """Whether the token budget ran out before the answer ended."""
        return self.finish_reason == "length"


def split_reasoning(text: str, reasoning: str | None = None) -> tuple[str, str]:
    """(answer, reasoning): ``<think>...</think>`` blocks are removed from the answer and kept apart."""
    found = [m.group(1) for m in THINK.finditer(text)]
    answer = THINK.sub("", text).strip() if found else text
    parts = [p for p in (reasoning, *found) if p]
    return answer, "\n".join(parts)


@dataclass
class ChoiceScore:
    """A continuation's summed log-probability, its length in tokens, and whether greedy decoding yields it."""

    logprob: float
    tokens: int
    characters: int
    is_greedy: bool | None = None


@dataclass(frozen=True)
class BackendInfo(JsonResult):
    """What a run's manifest records about the backend and the model it ran (the backend's name first).

    Each backend records its own fields (a subclass); the field order is the JSON's key order, which the stored
    manifests and run ids were written in.
    """

    backend: str


@dataclass(frozen=True)
class LlamaCppInfo(BackendInfo):
    """A GGUF file run by llama-cpp-python in this process."""

    version: str
    model_file: str
    model_sha256: str
    context_length: int


@dataclass(frozen=True)
class TransformersInfo(BackendInfo):
    """A model run by transformers + torch in this process: a checkpoint, a Hub id, or a dequantized GGUF file."""

    transformers: str
    torch: str
    model: str
    model_sha256: str | None  # a local file's (a Hub checkpoint is pinned by its revision)
    dtype: str
    revision: str | None


@dataclass(frozen=True)
class ServedInfo(BackendInfo):
    """A model behind OpenAI-compatible endpoints."""

    model: str
    endpoints: tuple[str, ...]
    extra_body: dict[str, float | str]  # server-specific request fields (numbers or text), sent in every request
    aiohttp: str
    logprob_probe: str | None  # the probe's finding, once it ran (left out of the run id: it may change)


class Backend(Protocol):
    """What every model backend implements."""

    spec: str
    max_concurrency: int | None
    """Requests it can serve at once (1 for a model in this process; None: as many as the caller asks)."""

    @property
    def local_file(self) -> LocalFile | None:
        """The weights file run in this process, when the model is a local, packaged or downloaded file."""

    def probe_loglikelihood(self) -> bool:
        """Whether ``score_choices`` can be trusted: a server is probed (once; :meth:`info` then records what the
        probe found), a model in this process always can."""

    def info(self) -> BackendInfo:
        """Backend name and version, model file hash, settings: recorded in the run manifest."""

    def score_choices(self, context: str, choices: list[str]) -> list[ChoiceScore]:
        """Log-probabilities of each choice after the context."""

    def generate(self, prompt: str, max_tokens: int, stop: list[str], chat: bool) -> Generation:
        """Greedy generation."""


# How to install llama-cpp-python portably (the gguf: backend's hint; its native build crashed in AMX kernels on one
# machine and AVX-512 code dies on CPUs without it): here, below both the registry and the backend that say it.
LLAMA_CPP_INSTALL_HINT = (
    'install it with CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF '
    '-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" pip install "llama-cpp-python[server]"'
)
