"""The race's scope (#27): language models by default, the rest of the Hub counted apart, and every share's
snapshot named with its selection and filters."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from tests.adoption.conftest import load

from modelrace.adoption import build_adoption, check_model_scope, snapshot_scope_words
from modelrace.errors import ConfigError
from modelrace.report._adoption_section import adoption_section
from modelrace.store import SnapshotInfo, Warehouse

MODELS = [
    {"id": "Qwen/Qwen2.5-7B-Instruct", "downloads": 600, "pipeline_tag": "text-generation", "tags": []},
    {"id": "meta-llama/Llama-3.2-11B-Vision-Instruct", "downloads": 200, "pipeline_tag": "image-text-to-text",
     "tags": []},
    {"id": "bartowski/Qwen2.5-7B-Instruct-GGUF", "downloads": 100, "library_name": "gguf",
     "tags": ["base_model:quantized:Qwen/Qwen2.5-7B-Instruct"]},  # untagged, an LLM-only library
    {"id": "openai/clip-vit-large-patch14", "downloads": 5000, "pipeline_tag": "zero-shot-image-classification",
     "tags": []},
    {"id": "BAAI/bge-m3", "downloads": 3000, "pipeline_tag": "sentence-similarity", "tags": []},
]  # fmt: skip


def test_language_models_only_by_default_and_the_rest_apart(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, tmp_path, MODELS, datetime(2026, 2, 16), "mixed", selection="top-downloads")
    llm = build_adoption(warehouse, models="llm")
    everything = build_adoption(warehouse, models="all")
    families = {r.key: r.share for r in llm.adoption.by_family}
    assert "CLIP" not in families and "BGE" not in str(families)  # CLIP and BGE are not in the race
    assert llm.adoption.totals.downloads_30d == 900  # 600 + 200 + the untagged GGUF 100
    assert everything.adoption.totals.downloads_30d == 8900
    assert families["Qwen"] == pytest.approx(700 / 900)
    rest = {r.pipeline_tag: r for r in llm.rest_of_hub}
    assert set(rest) == {"zero-shot-image-classification", "sentence-similarity"}
    assert rest["zero-shot-image-classification"].share == pytest.approx(5000 / 8900)
    assert everything.rest_of_hub == []
    # every share says its scope: language models, the top N of the listing
    assert llm.scope.models == "llm" and "language models only" in llm.scope.selection
    assert llm.scope_words.startswith("language-model downloads") and "among the top 5 models" in llm.scope_words
    assert llm.scope.selection.startswith("snapshot 1: the top 5 models by 30-day downloads")
    # the report's table of what the scope leaves out is not labelled with that scope; the shares are
    section = adoption_section(llm)
    tables = {table.id: table.title for table in section.tables}
    assert "language models" not in tables["rest-of-hub"].removeprefix("The rest of the Hub: what the language-model")
    assert "language models" in tables["countries"]


def test_a_filtered_or_subset_snapshot_never_stands_for_the_hub() -> None:
    when = datetime(2026, 2, 16)

    def snapshot(selection: str, filters: dict[str, object] | None) -> SnapshotInfo:
        return SnapshotInfo(
            4, when, "hub", None, json.dumps(filters) if filters else None, 120, 0, 0, when, selection=selection
        )

    assert snapshot_scope_words(snapshot("complete", {"author": "Qwen"})) == (
        "snapshot 4: every model listed, author Qwen only"
    )
    assert "pipeline tag text-generation only" in snapshot_scope_words(
        snapshot("complete", {"pipeline_tags": ["text-generation"]})
    )
    assert "not the Hub" in snapshot_scope_words(snapshot("subset", None))
    with pytest.raises(ConfigError, match="--scope 'llms': choose one of llm, all"):
        check_model_scope("llms")
