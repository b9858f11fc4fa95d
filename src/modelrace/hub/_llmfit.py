"""The llmfit layout of Hub figures (``hub_history_llmfit/llmfit_hf_models_DATE.json``), read as Hub records.

llmfit (AlexsJones/llmfit) keeps a list of Hub models with their 30-day downloads (``hf_downloads``), parameter
count (``parameters_raw``), release date and architecture; each commit of it is a dated version whose selection
changes (33 to 1,852 models). It states no licence and no base model: a snapshot of it ``lacks`` both, and
nothing is inferred here (the replay's inference is for demos, not figures). Its ``pipeline_tag`` is "unknown"
for most rows: read as text-generation unless the use case says embeddings, as the replay reads it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

LLMFIT_LACKS: Final = ("base_models", "license")
LLMFIT_DATE_BASIS: Final = "file name (the llmfit version's commit date: its data is at most that old)"


def is_llmfit(records: object) -> bool:
    """Whether a parsed JSON list is in the llmfit layout (``name`` and ``hf_downloads``, no Hub ``id``)."""
    if not isinstance(records, list) or not records:
        return False
    first = next((r for r in records if isinstance(r, dict)), None)
    return first is not None and "hf_downloads" in first and "name" in first and "id" not in first


def llmfit_record(row: object) -> object:
    """One llmfit row as a Hub API object (what it does not say left out); a row that is not an object is passed
    on for the writer to reject."""
    if not isinstance(row, dict):
        return row
    model_id = row.get("name")
    pipeline_tag = row.get("pipeline_tag")
    if pipeline_tag in (None, "", "unknown"):
        use_case = str(row.get("use_case") or "").lower()
        pipeline_tag = "feature-extraction" if "embedding" in use_case else "text-generation"
    record: dict[str, Any] = {
        "id": model_id,
        "author": model_id.split("/")[0] if isinstance(model_id, str) and "/" in model_id else None,
        "downloads": row.get("hf_downloads") if row.get("hf_downloads") is not None else 0,
        "pipeline_tag": pipeline_tag,
        "private": False,
    }
    released = str(row.get("release_date") or "")[:10]
    try:
        record["createdAt"] = f"{date.fromisoformat(released).isoformat()}T00:00:00.000Z" if released else None
    except ValueError:
        record["createdAt"] = None
    if isinstance(row.get("parameters_raw"), int) and row["parameters_raw"] > 0:
        record["safetensors"] = {"total": row["parameters_raw"]}
    return record


_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def llmfit_date(path: Path) -> datetime | None:
    """The date of an llmfit version: the day its file name gives (``..._2026-02-15.json``), else None."""
    found = _DATE_IN_NAME.search(path.name)
    if found is None:
        return None
    try:
        year, month, day = (int(part) for part in found.groups())
        return datetime(year, month, day)
    except ValueError:
        return None
