"""Finished evaluation runs land next to imported results, under the same model identities."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from modelrace.evals import EvalRun, RunOptions, Task, load_task, publish_run, run_eval
from modelrace.evals._openai import OpenAIBackend
from modelrace.knowledge import EVAL_SOURCE
from modelrace.ranking import load_catalogue
from modelrace.sources import import_results
from modelrace.store import Warehouse

from .fake_openai import fake_openai
from .test_openai_backend import mc_task


def test_finished_runs_are_published_once_and_resolved_like_imported_results(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    task = load_task(str(mc_task(tmp_path)))
    partial = load_task(str(mc_task(tmp_path)), limit=5)

    def run_and_publish(name: str, which: Task, options: RunOptions) -> EvalRun:
        backend = OpenAIBackend(name, [url])
        run = run_eval(warehouse, which, backend, options)
        publish_run(warehouse, run, backend)
        return run

    with fake_openai() as (url, _):
        for name in ("Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"):
            run_and_publish(name, task, RunOptions(concurrency=4))
        again = run_and_publish("Qwen/Qwen2.5-7B-Instruct", task, RunOptions())
        run_and_publish("Qwen/Qwen2.5-7B-Instruct", partial, RunOptions())
    assert again.resumed == 12
    imports = warehouse.query("SELECT * FROM result_imports WHERE source = ? ORDER BY import_id", [EVAL_SOURCE])
    assert len(imports) == 3  # a finished run is published once, however often it is re-run
    assert imports[0]["path"] == f"run:{json.loads(imports[0]['notes'])['run_id']}"

    catalogue = load_catalogue(warehouse)
    full = catalogue.benchmarks[f"{EVAL_SOURCE}:toy-mc:accuracy"]
    assert {s.entity.family for s in full.scores} == {"Qwen", "Llama"}
    qwen = next(s for s in full.scores if s.entity.family == "Qwen")
    assert (qwen.entity.country, qwen.entity.developer) == ("CN", "Alibaba Cloud (Qwen)")
    assert qwen.se is not None and full.data_date == date.today()
    assert f"{EVAL_SOURCE}:toy-mc (first 5):accuracy" in catalogue.benchmarks  # a --limit run is not the task


def test_every_lm_eval_run_counts_not_only_the_latest_file(tmp_path: Path, warehouse: Warehouse) -> None:
    for number, model in enumerate(("HuggingFaceTB/SmolLM2-135M-Instruct", "Qwen/Qwen2.5-0.5B-Instruct")):
        path = tmp_path / f"results_2025-01-0{number + 1}.json"
        path.write_text(
            json.dumps(
                {
                    "results": {"arc_easy": {"acc,none": 0.5 + number / 10, "acc_stderr,none": 0.01}},
                    "config": {"model_args": f"pretrained={model},dtype=float32"},
                    "n-samples": {"arc_easy": {"original": 2376, "effective": 2376}},
                }
            )
        )
        import_results(warehouse, "lm-eval", path)
    [benchmark] = [b for b in load_catalogue(warehouse).benchmarks.values() if b.source == "lm-eval"]
    assert [s.source_name for s in benchmark.scores] == [
        "Qwen/Qwen2.5-0.5B-Instruct",
        "HuggingFaceTB/SmolLM2-135M-Instruct",
    ]
