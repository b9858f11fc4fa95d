"""Model specs on the command line: ``gguf:PATH_OR_NAME``, ``openai:MODEL@URL[,URL...][?field=value&...]``.

The optional query adds server-specific request fields, e.g. ``?repeat_penalty=1`` for llama.cpp's server, whose
default repeat penalty (1.1) would otherwise change greedy decoding.
"""

from __future__ import annotations

import re

from modelrace.errors import ConfigError
from modelrace.evals._backends import Backend

_CREDENTIALS = re.compile(r"(?<=//)[^/@\s]*@")


def redact(text: str) -> str:
    """Text that may quote a URL, with any ``user:password@`` in it replaced by ``***@``."""
    return _CREDENTIALS.sub("***@", text)


def make_backend(spec: str, concurrency: int = 8) -> Backend:
    """A backend for a model spec (local weights are resolved and verified on first use).

    A base URL may hold credentials (``openai:M@http://user:password@host/v1``): they are sent as that endpoint's
    Basic authentication and never shown (messages print ``***@`` in their place).
    """
    kind, _, rest = spec.partition(":")
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
    raise ConfigError(
        f"unknown model spec {redact(spec)!r}: use gguf:PATH_OR_NAME, hf:PATH_OR_NAME or openai:MODEL@BASE_URL"
    )
