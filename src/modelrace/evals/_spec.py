"""Model specs on the command line: ``gguf:PATH_OR_NAME``, ``openai:MODEL@URL[,URL...][?field=value&...]``.

The optional query adds server-specific request fields, e.g. ``?repeat_penalty=1`` for llama.cpp's server, whose
default repeat penalty (1.1) would otherwise change greedy decoding.
"""

from __future__ import annotations

import importlib.util
import re

from modelrace.errors import ConfigError
from modelrace.evals._backends import Backend

_CREDENTIALS = re.compile(r"(?<=//)[^/@\s]*@")


def redact(text: str) -> str:
    """Text that may quote a URL, with any ``user:password@`` in it replaced by ``***@``."""
    return _CREDENTIALS.sub("***@", text)


# What each in-process backend imports, and how to install it: the same words in every message (text and JSON).
_BACKEND_MODULES = {"gguf": ("llama_cpp",), "hf": ("torch", "transformers")}
HF_INSTALL_HINT = 'pip install -e ".[hf]" (in the modelrace checkout)'


def install_hint(kind: str) -> str:
    """How to install the libraries a backend (``gguf``, ``hf``) needs."""
    if kind == "gguf":
        from modelrace.evals._llamacpp import INSTALL_HINT

        return INSTALL_HINT
    return HF_INSTALL_HINT


def missing_backend(kind: str) -> str | None:
    """Why a backend cannot run here (its library is not installed, with the install hint), or None when it can."""
    modules = _BACKEND_MODULES.get(kind, ())
    if all(importlib.util.find_spec(module) is not None for module in modules):
        return None
    if kind == "gguf":
        return f"the gguf: backend needs llama-cpp-python; {install_hint(kind)}"
    return f"the hf: backend needs torch and transformers: {install_hint(kind)}"


def _spec_kind(spec: str) -> str:
    """The backend of a spec; a bare packaged model name (``gemma-3-270m``, as `modelrace models` lists it) runs
    through llama.cpp when it is installed, else through transformers."""
    kind = spec.partition(":")[0]
    if kind in ("gguf", "hf", "openai"):
        return kind
    from modelrace.evals._local import packaged_models

    if spec in packaged_models():
        return "hf" if missing_backend("gguf") and not missing_backend("hf") else "gguf"
    return kind


def check_backend(spec: str) -> None:
    """Fail now, before any download, when the spec's backend cannot run here; a bad spec fails here too."""
    kind = _spec_kind(spec)
    if kind not in ("gguf", "hf", "openai"):
        raise ConfigError(
            f"unknown model spec {redact(spec)!r}: use gguf:PATH_OR_NAME, hf:PATH_OR_NAME, openai:MODEL@BASE_URL "
            "or the name of a model `modelrace models` lists"
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
    if kind == "openai":
        rest, _, query = rest.partition("?")
        extra = {}
        for pair in filter(None, query.split("&")):
            key, _, value = pair.partition("=")
            extra[key] = float(value) if value.replace(".", "", 1).isdigit() else value
        model, at, urls = rest.partition("@")
        if not at or not model or not urls:
            raise ConfigError(
                f"{redact(spec)!r}: write openai:MODEL@BASE_URL[,BASE_URL...] (e.g. openai:qwen@http://127.0.0.1:8000/v1)"
            )
        from modelrace.evals._openai import OpenAIBackend

        return OpenAIBackend(model, [u.strip() for u in urls.split(",") if u.strip()], concurrency, extra_body=extra)
    if kind == "gguf":
        from modelrace.evals._llamacpp import LlamaCppBackend
        from modelrace.evals._local import resolve_local_model

        return LlamaCppBackend(resolve_local_model(rest))
    if kind == "hf":
        from modelrace.evals._local import packaged_models, resolve_local_model
        from modelrace.evals._transformers import TransformersBackend

        if rest in packaged_models() or rest.endswith(".gguf"):
            return TransformersBackend(rest, resolve_local_model(rest))
        return TransformersBackend(rest)
    raise AssertionError(f"check_backend let an unknown spec through: {redact(spec)!r}")
