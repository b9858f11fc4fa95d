"""What a model target is and how it can run: a GGUF file, a safetensors checkpoint folder, or a Hub repository.

GGUF headers are read by :mod:`modelrace._gguf` (a few keys and the tensor shapes, never the tokenizer's strings),
safetensors headers by :mod:`modelrace.local`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelrace._gguf import file_type_name, read_header
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.local import safetensors_header


def read_gguf(path: Path) -> dict[str, Any]:
    """Architecture, name, quantization, context length and parameter count from a GGUF file's header."""
    header = read_header(path)
    meta = header.meta
    arch = meta.get("general.architecture")
    return {
        "format": "gguf",
        "gguf_version": header.version,
        "architecture": arch,
        "name": meta.get("general.name"),
        "size_label": meta.get("general.size_label"),
        "quantization": file_type_name(meta.get("general.file_type")),
        "context_length": meta.get(f"{arch}.context_length"),
        "experts": meta.get(f"{arch}.expert_count"),
        "params": sum(tensor.count for tensor in header.tensors),
        "license": meta.get("general.license"),
    }


def read_safetensors_folder(folder: Path) -> dict[str, Any]:
    """Architecture and parameter count of a transformers checkpoint folder (config.json + *.safetensors)."""
    config_path = folder / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFormatError(f"{config_path} is not valid JSON: {error}") from None
    params, dtypes = 0, set()
    for shard in sorted(folder.glob("*.safetensors")):
        header = safetensors_header(shard)
        for name, tensor in header.items():
            if name == "__metadata__" or not isinstance(tensor, dict):
                continue
            count = 1
            for dim in tensor.get("shape", []):
                count *= int(dim)
            params += count
            dtypes.add(str(tensor.get("dtype")))
    text = config.get("text_config", config) if isinstance(config, dict) else {}
    return {
        "format": "safetensors",
        "architecture": (config.get("architectures") or [config.get("model_type")])[0],
        "name": folder.name,
        "dtype": ",".join(sorted(dtypes)) or config.get("torch_dtype"),
        "context_length": text.get("max_position_embeddings"),
        "experts": text.get("num_local_experts") or text.get("num_experts"),
        "params": params or None,
    }


def _specs(*specs: str) -> list[dict[str, Any]]:
    from modelrace.evals._spec import install_hint, missing_backend

    rows = []
    for spec in specs:
        kind = spec.split(":", 1)[0]
        installed = missing_backend(kind) is None
        rows.append({"spec": spec, "installed": installed, "install_hint": None if installed else install_hint(kind)})
    return rows


def inspect_target(target: str) -> dict[str, Any]:
    """Describe a model target: a GGUF file, a checkpoint folder, or a Hugging Face repository id."""
    path = Path(target).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ConfigError(f"{path}: give a .gguf file or a checkpoint folder (config.json + *.safetensors)")
        info = read_gguf(path)
        specs = _specs(f"gguf:{path}", f"hf:{path}")
        return {"target": target, "kind": "gguf file", "size_bytes": path.stat().st_size, **info, "specs": specs}
    if path.is_dir():
        if not any(path.glob("*.safetensors")):
            raise ConfigError(f"{path}: no *.safetensors files (a transformers checkpoint folder has them)")
        size = sum(p.stat().st_size for p in path.glob("*.safetensors"))
        info = read_safetensors_folder(path)
        return {
            "target": target,
            "kind": "checkpoint folder",
            "size_bytes": size,
            **info,
            "specs": _specs(f"hf:{path}"),
        }
    if target.count("/") == 1 and not target.startswith((".", "/", "~")):
        return _hub_repo(target)
    raise ConfigError(f"{target!r}: no such file or folder, and not a Hub repository id (owner/name)")


def _hub_repo(repo: str) -> dict[str, Any]:
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
    card: dict[str, Any] = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
    safetensors = getattr(info, "safetensors", None)
    return {
        "target": repo,
        "kind": "hub repository",
        "format": "+".join(f for f, present in (("safetensors", weights), ("gguf", ggufs)) if present) or None,
        "revision": info.sha,
        "license": card.get("license"),
        "gated": bool(info.gated),
        "params": getattr(safetensors, "total", None),
        "size_bytes": sum(weights) or None,
        "files": [{"file": name, "size_bytes": size} for name, size in ggufs],
        "specs": _specs(*specs),
    }
