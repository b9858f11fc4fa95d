from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelrace.adoption import describe_model
from modelrace.hub import import_hub_json
from modelrace.store import Warehouse


@pytest.fixture
def loaded(warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]) -> Warehouse:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    import_hub_json(warehouse, path)
    return warehouse


def roots(warehouse: Warehouse, model_id: str) -> dict[str, float]:
    rows = warehouse.query(
        """SELECT r.model_id, t.credit FROM model_tree t JOIN models m ON m.model_key = t.model_key
           JOIN models r ON r.model_key = t.root_key WHERE m.model_id = ?""",
        [model_id],
    )
    return {row["model_id"]: row["credit"] for row in rows}


def test_roots_through_quantization_and_finetune(loaded: Warehouse) -> None:
    assert roots(loaded, "bartowski/Qwen2.5-7B-Instruct-GGUF") == {"Qwen/Qwen2.5-7B": 1.0}
    info = describe_model(loaded, "bartowski/Qwen2.5-7B-Instruct-GGUF")
    assert [link.model_id for link in info.chain] == [
        "bartowski/Qwen2.5-7B-Instruct-GGUF",
        "Qwen/Qwen2.5-7B-Instruct",
        "Qwen/Qwen2.5-7B",
    ]
    assert info.by_root_family.to_json() == {
        "developer": "Alibaba Cloud (Qwen)",
        "kind": "company",
        "family": "Qwen",
        "country": "CN",
        "method": "namespace",
    }
    assert info.by_uploader.organisation == "bartowski"
    assert info.by_uploader.kind == "re-uploader"


def test_missing_parent_is_the_root(loaded: Warehouse) -> None:
    assert roots(loaded, "someone/finetune-of-deleted") == {"deleted-org/gone-model": 1.0}
    info = describe_model(loaded, "someone/finetune-of-deleted")
    assert info.roots[0].in_snapshot is False


def test_merge_credit(loaded: Warehouse) -> None:
    assert roots(loaded, "someone/qwen-llama-merge") == {
        "Qwen/Qwen2.5-7B": 0.5,
        "meta-llama/Llama-3.1-8B": 0.5,
    }
    assert roots(loaded, "someone/merge-of-merge") == {
        "Qwen/Qwen2.5-7B": 0.25,
        "meta-llama/Llama-3.1-8B": 0.25,
        "mistralai/Mistral-7B-v0.1": 0.5,
    }


def test_cycles_are_flagged(loaded: Warehouse) -> None:
    rows = loaded.query(
        """SELECT m.model_id, t.issue FROM model_tree t JOIN models m ON m.model_key = t.model_key
           WHERE t.issue IS NOT NULL ORDER BY m.model_id"""
    )
    assert [r["model_id"] for r in rows] == [
        "cycle-a/model-a",
        "cycle-b/model-b",
        "cycle-c/leads-into-cycle",
        "loop/self-base",
    ]


def test_long_chain_depth(loaded: Warehouse) -> None:
    depth = loaded.query(
        """SELECT t.depth FROM model_tree t JOIN models m ON m.model_key = t.model_key
           WHERE m.model_id = 'chain/step-40'"""
    )[0]["depth"]
    assert depth == 40
    assert roots(loaded, "chain/step-40") == {"chain/step-0": 1.0}


def test_ecosystem_counts_by_relation(loaded: Warehouse) -> None:
    eco = loaded.query(
        """SELECT e.* FROM root_ecosystem e JOIN models m ON m.model_key = e.root_key
           WHERE m.model_id = 'Qwen/Qwen2.5-7B'"""
    )[0]
    # Instruct (finetune), the GGUF (quantized), the LoRA (adapter), two merges touching it.
    assert (eco["finetunes"], eco["quantizations"], eco["adapters"], eco["merges"]) == (1, 1, 1, 2)
    assert eco["derivative_downloads_30d"] == pytest.approx(14410456 + 250000 + 900 + 1200 / 2 + 300 / 4)


def test_reuploads_without_a_base_are_matched_by_name(loaded: Warehouse) -> None:
    info = describe_model(loaded, "TheBloke/Llama-2-7B-Chat-GGUF")
    assert info.root == "TheBloke/Llama-2-7B-Chat-GGUF"
    assert info.by_root_family.developer == "Meta"
    assert info.by_root_family.method == "name-match"


def test_fixture_flag(loaded: Warehouse) -> None:
    assert describe_model(loaded, "hf-internal-testing/tiny-random-LlamaForCausalLM").is_fixture
    assert describe_model(loaded, "someone/tiny-random-qwen2").is_fixture
    assert not describe_model(loaded, "Qwen/Qwen2.5-7B").is_fixture
