"""Local model files now live in :mod:`modelrace.local`; this name stays for the backends that import it.

A thin re-export, to go when ``_spec``, ``_backends``, ``_llamacpp``, ``_transformers`` and ``_openai`` import
:mod:`modelrace.local` themselves.
"""

from modelrace.local import (
    HUB_PREFIX,
    LocalFile,
    PackagedModel,
    packaged_model_rows,
    packaged_models,
    resolve_local_model,
)

__all__ = ["HUB_PREFIX", "LocalFile", "PackagedModel", "packaged_model_rows", "packaged_models", "resolve_local_model"]
