"""Replayed models from llmfit's Hub figures (the reference data), with what the file lacks inferred and marked:
pipeline tags and re-upload bases from names, base models from the Open LLM Leaderboard."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from modelrace.config import reference_data_dir
from modelrace.errors import ConfigError

_QUANT_SUFFIX = re.compile(
    r"[-_.](gguf|awq|gptq(-int[48])?|mlx|(\d+)bit|bnb-4bit|unsloth-bnb-4bit|fp8(-dynamic)?|int[48]|w4a16|w8a8|"
    r"q\d(_k)?(_[ms])?|exl2|dynamic)$",
    re.IGNORECASE,
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+$")
_FINETUNE_SUFFIX = re.compile(r"[-_](instruct|it|chat)$", re.IGNORECASE)
_LIBRARY = {"gguf": "gguf", "mlx": "mlx", "awq": "transformers", "gptq": "transformers"}


def _repo_format(model_id: str) -> str:
    """The repository's weight format from its name (llmfit's `format` is how llmfit runs it, not this)."""
    lowered = model_id.lower()
    for fmt in ("gguf", "mlx", "awq", "gptq"):
        if fmt in lowered:
            return fmt
    return "safetensors"


def models_from_llmfit(path: Path, leaderboard_csv: Path | None = None) -> list[dict[str, Any]]:
    """Hub API objects built from llmfit's Hub figures (30-day downloads, parameters, dates).

    llmfit holds no licence or base model. Where the Open LLM Leaderboard file lists the same model, its
    ``Hub License`` and ``Base Model`` are used. Otherwise a re-upload's base is inferred from its name
    ("unsloth/Qwen2.5-7B-Instruct-bnb-4bit" -> "Qwen/Qwen2.5-7B-Instruct", quantized) and an instruct
    model's from its own namespace ("X-Instruct" -> "X", finetune) when that model exists: a replay for
    tests and demos, not a source of figures. ``pipeline_tag`` "unknown" becomes text-generation unless the
    use case says embeddings.
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    leaderboard = _leaderboard_facts(leaderboard_csv) if leaderboard_csv else {}
    by_name: dict[str, list[str]] = {}
    ids = {row["name"] for row in rows}
    for model_id in ids:
        by_name.setdefault(model_id.split("/")[-1].lower(), []).append(model_id)
    models = []
    for row in rows:
        model_id = row["name"]
        fmt = _repo_format(model_id)
        pipeline_tag = row.get("pipeline_tag")
        if pipeline_tag in (None, "unknown"):
            use_case = str(row.get("use_case", "")).lower()
            pipeline_tag = "feature-extraction" if "embedding" in use_case else "text-generation"
        tags = [fmt] if fmt != "safetensors" else ["safetensors"]
        model: dict[str, Any] = {
            "id": model_id,
            "author": model_id.split("/")[0],
            "downloads": int(row.get("hf_downloads") or 0),
            "pipeline_tag": pipeline_tag,
            "library_name": _LIBRARY.get(fmt, "transformers"),
            "createdAt": f"{row['release_date']}T00:00:00.000Z" if row.get("release_date") else None,
            "safetensors": {"total": int(row["parameters_raw"])} if row.get("parameters_raw") else None,
            "private": False,
        }
        facts = leaderboard.get(model_id)
        base, relation = None, None
        if facts:
            license_id, lb_base = facts
            if license_id:
                tags.append(f"license:{license_id}")
            if lb_base and lb_base.endswith(" (Merge)"):  # the leaderboard marks merges in the id column
                lb_base, merged = lb_base.removesuffix(" (Merge)").strip(), True
            else:
                merged = False
            if lb_base and lb_base != model_id and _HUB_ID.match(lb_base):
                base, relation = lb_base, "merge" if merged else "finetune"
        if base is None:
            base, relation = _infer_base(model_id, ids, by_name)
        if base is not None and relation is not None:
            tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
            model["baseModels"] = {"relation": relation, "models": [{"id": base}]}
        model["tags"] = tags
        models.append(model)
    return models


def _infer_base(model_id: str, ids: set[str], by_name: dict[str, list[str]]) -> tuple[str | None, str | None]:
    from modelrace.registry import load_registry

    registry = load_registry()
    namespace, _, name = model_id.partition("/")
    stripped = name
    while True:
        shorter = _QUANT_SUFFIX.sub("", stripped)
        if shorter == stripped:
            break
        stripped = shorter
    relation = "quantized" if stripped != name else "finetune"
    if stripped != name and f"{namespace}/{stripped}" in ids:
        return f"{namespace}/{stripped}", "quantized"
    uploader = registry.organisation(namespace)
    if uploader is not None and uploader.is_reuploader:
        candidates = [
            candidate
            for candidate in by_name.get(stripped.lower(), [])
            if not _is_reuploader(registry.organisation(candidate.split("/")[0]))
        ]
        if candidates:
            return sorted(candidates)[0], relation
    base_name = _FINETUNE_SUFFIX.sub("", name)
    if base_name != name and f"{namespace}/{base_name}" in ids:
        return f"{namespace}/{base_name}", "finetune"
    return None, None


def _is_reuploader(organisation: object) -> bool:
    return bool(getattr(organisation, "is_reuploader", False))


def _leaderboard_facts(path: Path) -> dict[str, tuple[str | None, str | None]]:
    import csv

    facts: dict[str, tuple[str | None, str | None]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            license_id = (row.get("Hub License") or "").strip() or None
            base = (row.get("Base Model") or "").strip() or None
            facts[row["fullname"]] = (license_id, base)
    return facts


def load_replay_models(data: Path | None = None) -> tuple[list[dict[str, Any]], Path]:
    """The models to replay and the file they come from: llmfit's Hub figures or a JSON list of model objects.

    Without ``data``, the llmfit file of the reference data (with the Open LLM Leaderboard's base-model facts).
    """
    leaderboard = None
    if data is None:
        folder = reference_data_dir(required=True)
        if folder is None:  # reference_data_dir(required=True) raises instead; this keeps the type narrow
            raise ConfigError("no reference data folder")
        data = folder / "llmfit_hf_models_2026-05.json"
        leaderboard = folder / "open_llm_leaderboard_v2_contents_2025-02.csv"
    if not data.is_file():
        raise ConfigError(f"no file at {data}")
    try:
        raw = json.loads(data.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ConfigError(f"{data} is not a readable JSON file: {error}") from None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ConfigError(f"{data}: expected a JSON list of model objects (or llmfit's Hub figures)")
    is_llmfit = bool(raw) and "hf_downloads" in raw[0]
    return (models_from_llmfit(data, leaderboard) if is_llmfit else raw), data
