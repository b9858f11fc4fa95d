"""Model specs on the command line: ``gguf:PATH_OR_NAME``, ``openai:MODEL@URL[,URL...][?field=value&...]``.

Each backend kind is one entry of :data:`BACKENDS` (its prefix, the libraries it needs, how to install them, and
the factory that builds it): checking, messages and construction read the kind from there, so a new backend is
one registration. The optional query adds server-specific request fields, e.g. ``?repeat_penalty=1`` for llama.cpp's
server, whose default repeat penalty (1.1) would otherwise change greedy decoding.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass

from modelrace.errors import ConfigError
from modelrace.evals._backends import LLAMA_CPP_INSTALL_HINT, Backend

_CREDENTIALS = re.compile(r"(?<=//)[^/@\s]*@")


def redact(text: str) -> str:
    """Text that may quote a URL, with any ``user:password@`` in it replaced by ``***@``."""
    return _CREDENTIALS.sub("***@", text)


Factory = Callable[[str, int], Backend]
"""Builds a backend from the spec after its ``kind:`` prefix (or a packaged model's name) and a concurrency."""


@dataclass(frozen=True)
class BackendKind:
    """One kind of backend: the spec prefix, what it imports and how to install that, and its factory."""

    kind: str
    shape: str  # what follows the prefix, as the message for an unknown spec shows it
    modules: tuple[str, ...]  # in-process libraries it imports (none for a server)
    needs: str  # those libraries as messages name them, with the punctuation before the hint
    install_hint: str
    factory: Factory

    def missing(self) -> str | None:
        """Why it cannot run here (its libraries are not installed, with the install hint), or None when it can."""
        if all(importlib.util.find_spec(module) is not None for module in self.modules):
            return None
        return f"the {self.kind}: backend needs {self.needs} {self.install_hint}"


BACKENDS: dict[str, BackendKind] = {}
"""Every backend kind by its spec prefix, in the order messages list them."""


def backend_kind(
    kind: str, shape: str, modules: tuple[str, ...] = (), needs: str = "", install_hint: str = ""
) -> Callable[[Factory], Factory]:
    """Register a factory as the backend for ``kind:`` specs (the same words in every message, text and JSON)."""

    def register(factory: Factory) -> Factory:
        BACKENDS[kind] = BackendKind(kind, shape, modules, needs, install_hint, factory)
        return factory

    return register


HF_INSTALL_HINT = 'pip install -e ".[hf]" (in the modelrace checkout)'


@backend_kind("gguf", "PATH_OR_NAME", ("llama_cpp",), "llama-cpp-python;", LLAMA_CPP_INSTALL_HINT)
def _gguf(rest: str, concurrency: int) -> Backend:
    from modelrace.evals._llamacpp import LlamaCppBackend
    from modelrace.local import resolve_local_model

    return LlamaCppBackend(resolve_local_model(rest))


@backend_kind("hf", "PATH_OR_NAME", ("torch", "transformers"), "torch and transformers:", HF_INSTALL_HINT)
def _hf(rest: str, concurrency: int) -> Backend:
    from modelrace.evals._transformers import TransformersBackend
    from modelrace.local import packaged_models, resolve_local_model

    if rest in packaged_models() or rest.endswith(".gguf"):
        return TransformersBackend(rest, resolve_local_model(rest))
    return TransformersBackend(rest)


@backend_kind("openai", "MODEL@BASE_URL")
def _openai(spec: str, concurrency: int) -> Backend:
    rest, _, query = spec.partition("?")
    extra: dict[str, float | str] = {}
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        extra[key] = float(value) if value.replace(".", "", 1).isdigit() else value
    model, at, urls = rest.partition("@")
    if not at or not model or not urls:
        raise ConfigError(
            f"{redact('openai:' + spec)!r}: write openai:MODEL@BASE_URL[,BASE_URL...] "
            "(e.g. openai:qwen@http://127.0.0.1:8000/v1)"
        )
    from modelrace.evals._openai import OpenAIBackend

    return OpenAIBackend(model, [u.strip() for u in urls.split(",") if u.strip()], concurrency, extra_body=extra)


def install_hint(kind: str) -> str:
    """How to install the libraries a backend (``gguf``, ``hf``) needs."""
    return BACKENDS[kind].install_hint


def missing_backend(kind: str) -> str | None:
    """Why a backend cannot run here (its library is not installed, with the install hint), or None when it can
    (or when ``kind`` is no backend: :func:`check_backend` says that)."""
    entry = BACKENDS.get(kind)
    return entry.missing() if entry is not None else None


# A bare packaged model name runs through the first of these backends that is installed (llama.cpp by default).
PACKAGED_BACKENDS = ("gguf", "hf")


def _spec_kind(spec: str) -> str:
    """The backend of a spec; a bare packaged model name (``gemma-3-270m``, as `modelrace models` lists it) runs
    through llama.cpp when it is installed, else through transformers."""
    kind = spec.partition(":")[0]
    if kind in BACKENDS:
        return kind
    from modelrace.local import packaged_models

    if spec in packaged_models():
        return next((k for k in PACKAGED_BACKENDS if not missing_backend(k)), PACKAGED_BACKENDS[0])
    return kind


def check_backend(spec: str) -> None:
    """Fail now, before any download, when the spec's backend cannot run here; a bad spec fails here too."""
    kind = _spec_kind(spec)
    if kind not in BACKENDS:
        prefixes = ", ".join(f"{entry.kind}:{entry.shape}" for entry in BACKENDS.values())
        raise ConfigError(
            f"unknown model spec {redact(spec)!r}: use {prefixes} or the name of a model `modelrace models` lists"
        )
    problem = missing_backend(kind)
    if problem is not None:
        raise ConfigError(problem)


def make_backend(spec: str, concurrency: int = 8) -> Backend:
    """A backend for a model spec (local weights are resolved and verified on first use).

    A base URL may hold credentials (``openai:M@http://user:password@host/v1``): they are sent as that endpoint's
    Basic authentication and never shown (messages print ``***@`` in their place).
    """
    check_backend(spec)  # before resolving (and perhaps downloading) any weights
    kind = _spec_kind(spec)
    rest = spec.partition(":")[2] if spec.startswith(f"{kind}:") else spec
    return BACKENDS[kind].factory(rest, concurrency)
