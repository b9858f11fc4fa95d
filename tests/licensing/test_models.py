from __future__ import annotations

from modelrace.licensing import LicenceTableRow, explain_model, licence_row, model_licences
from modelrace.store import Warehouse


def row(warehouse: Warehouse, model_id: str) -> LicenceTableRow:
    table = model_licences(warehouse.connection, 1)
    found = licence_row(warehouse.connection, table, model_id)
    assert found is not None
    return found


def test_stated_licences_and_verdicts(licensed: Warehouse) -> None:
    qwen = row(licensed, "Qwen/Qwen2.5-7B-Instruct")
    llama = row(licensed, "meta-llama/Llama-3.1-8B-Instruct")
    assert (qwen.licence_id, qwen.verdict, qwen.licence_source) == ("apache-2.0", "permissive", "own")
    assert (llama.licence_id, llama.verdict) == ("llama3.1", "conditional")
    assert row(licensed, "Qwen/Qwen2.5-72B-Instruct").licence_id == "qwen"  # `other` + license_name
    assert row(licensed, "someone/typo-licence").licence_id == "apache-2.0"
    free_text = row(licensed, "someone/free-text-licence")
    assert (free_text.licence_id, free_text.verdict, free_text.stated_raw) == (
        "unknown",
        "unknown",
        "ask me on discord",
    )


def test_inherited_through_the_tree(licensed: Warehouse) -> None:
    ft = row(licensed, "someone/llama-ft-no-licence")
    assert (ft.licence_id, ft.licence_source, ft.inherited_from) == (
        "llama3.1",
        "inherited",
        "meta-llama/Llama-3.1-8B-Instruct",
    )
    quant = row(licensed, "someone/quant-of-no-licence")  # two levels up
    assert (quant.licence_id, quant.inherited_from) == ("llama3.1", "meta-llama/Llama-3.1-8B-Instruct")
    orphan = row(licensed, "someone/finetune-of-deleted")  # its base is not in the snapshot
    assert (orphan.licence_source, orphan.verdict) == ("none", "unknown")


def test_conflicts(licensed: Warehouse) -> None:
    apache_on_llama = row(licensed, "someone/llama-apache-finetune").conflict
    assert "states apache-2.0 (permissive) on top of meta-llama/Llama-3.1-8B-Instruct under llama3.1" in apache_on_llama
    assert (
        "a quantization under mit of Qwen/Qwen2.5-7B-Instruct"
        in row(licensed, "someone/qwen-quant-relicensed").conflict
    )
    assert "on top of google/gemma-2-9b under gemma (conditional)" in row(licensed, "someone/gemma-mit-ft").conflict
    assert row(licensed, "someone/nc-on-apache").conflict is None  # more restrictive than the base is allowed
    assert "Qwen/Qwen2.5-72B-Instruct under qwen" in row(licensed, "someone/qwen72-apache").conflict
    merge = row(licensed, "someone/merge-llama-qwen-apache").conflict
    assert "meta-llama/Llama-3.1-8B-Instruct" in merge and "Qwen/Qwen2.5-7B-Instruct" not in merge
    assert row(licensed, "bartowski/Qwen2.5-7B-Instruct-GGUF").conflict is None


def test_sql_and_explanation_agree_for_every_model(licensed: Warehouse) -> None:
    table = model_licences(licensed.connection, 1)
    models = [
        r["model_id"] for r in licensed.query("SELECT model_id FROM snapshot_models JOIN models USING (model_key)")
    ]
    cycles = {"cycle-a/model-a", "cycle-b/model-b", "cycle-c/leads-into-cycle", "loop/self-base"}
    for model_id in models:
        sql = licence_row(licensed.connection, table, model_id)
        explained = explain_model(licensed, model_id)
        assert sql is not None
        if model_id in cycles:
            continue  # neither states a licence; the walk and the resolver stop at the cycle differently
        assert (sql.licence_id, sql.verdict, sql.licence_source) == (
            explained.licence_id if explained.source != "none" else None,
            explained.verdict,
            explained.source,
        ), model_id
        assert bool(sql.conflict) == bool(explained.conflicts), model_id
