"""`modelrace model` and `license` say where a missing licence comes from: the source, or the Hub (issue #10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from huggingface_hub import HfApi

from modelrace.adoption import describe_model
from modelrace.hub import SyncOptions, import_hub_json, sync_hub
from modelrace.licensing import explain_model
from modelrace.replay import replay_hub, replay_provenance
from modelrace.store import Warehouse

MODELS: list[dict[str, Any]] = [
    {"id": "org/with-licence", "downloads": 9, "pipeline_tag": "text-generation", "tags": ["license:apache-2.0"]},
    {"id": "org/without", "downloads": 5, "pipeline_tag": "text-generation", "tags": []},
]


def test_a_model_without_a_licence_on_the_hub(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(MODELS))
    import_hub_json(warehouse, path)
    explained = explain_model(warehouse, "org/without")
    assert explained.missing_from == "hub" and explained.missing is not None
    assert explained.missing.startswith("none on the Hub")
    assert explain_model(warehouse, "org/with-licence").missing_from is None
    described = describe_model(warehouse, "org/without").license
    assert described.missing_from == "hub"


def test_a_replay_whose_file_carries_no_licence(warehouse: Warehouse, tmp_path: Path) -> None:
    # Before: 76.8 % "unknown" licences in the demo read as if the models had none; the file simply has no field.
    models = [{**m, "tags": []} for m in MODELS]
    path = tmp_path / "llm_figures_2026-05.json"
    path.write_text(json.dumps(models))
    with replay_hub(models, provenance=replay_provenance(path, models)) as hub:
        sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
    explained = explain_model(warehouse, "org/without")
    assert explained.missing_from == "source"
    assert explained.missing is not None and "replay of llm_figures_2026-05.json (data of 2026-05)" in explained.missing
    assert describe_model(warehouse, "org/without").license.missing_from == "source"
