from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.answers import is_variant, versus
from modelrace.answers._match import Found
from modelrace.answers._versus import compare_on
from modelrace.cli.main import app
from modelrace.errors import ConfigError, NotFoundError
from modelrace.knowledge import EVAL_SOURCE
from modelrace.ranking import Benchmark, Resolver, Score
from modelrace.sources import ImportBatch, Result, SourceModel
from modelrace.sources._store import store_batch
from modelrace.store import Warehouse

runner = CliRunner()


def test_dated_and_effort_variants_but_not_other_models() -> None:
    assert is_variant("o1-2024-12-17", "o1")
    assert is_variant("o1-2024-12-17-high", "o1")
    assert is_variant("deepseek-ai/deepseek-r1-0528", "deepseek-ai/DeepSeek-R1")
    assert not is_variant("o1-mini", "o1")
    assert not is_variant("o1-preview", "o1")
    assert not is_variant("o1", "o1")
    assert not is_variant("deepseek-ai/deepseek-r1-distill-qwen-7b", "deepseek-ai/deepseek-r1")


def _benchmark(scale: str, scores: list[Score], source: str = "lmarena") -> Benchmark:
    return Benchmark("x:y", source, "y", "rating", "Y", date(2025, 1, 1), scale, "test", scores)


def test_tie_rule_interval_and_win_probability() -> None:
    resolver = Resolver()
    a = Score(resolver.resolve("gpt-4o-2024-08-06"), 1300.0, 3.0, "a")
    b = Score(resolver.resolve("claude-3-5-sonnet-20241022"), 1290.0, 3.0, "b")
    row = compare_on(None, _benchmark("elo", [a, b]), Found(a, "exact"), Found(b, "exact"))  # type: ignore[arg-type]
    assert row.difference == 10.0
    assert row.interval == pytest.approx([10 - 1.96 * 18**0.5, 10 + 1.96 * 18**0.5])
    assert row.verdict == "a ahead" and row.significant is True
    assert row.win_probability is not None
    assert row.win_probability.value == pytest.approx(1 / (1 + 10 ** (-10 / 400)))
    low, high = row.win_probability.interval or [0, 0]
    assert low < row.win_probability.value < high
    close = Score(b.entity, 1298.0, 3.0, "b")
    tied = compare_on(None, _benchmark("elo", [a, close]), Found(a, "exact"), Found(close, "exact"))  # type: ignore[arg-type]
    assert tied.verdict == "tied" and tied.significant is False
    # without standard errors, unequal scores are not tied (the leaderboard's rule), and nothing is significant
    bare_a, bare_b = Score(a.entity, 60.0, None, "a"), Score(b.entity, 65.0, None, "b")
    row = compare_on(None, _benchmark("points", [bare_a, bare_b]), Found(bare_a, "exact"), Found(bare_b, "exact"))  # type: ignore[arg-type]
    assert row.verdict == "b ahead" and row.significant is None and row.interval is None
    assert row.win_probability is None


@pytest.mark.reference
def test_deepseek_r1_against_o1_on_the_real_results(reference: Warehouse) -> None:
    result = versus(reference, "deepseek-r1", "o1")
    assert result.a.model == "deepseek-ai/DeepSeek-R1" and result.a.country == "CN" and result.a.open_weights
    assert result.a.licence.verdict == "permissive" and result.a.params_total == 671e9
    assert result.b.developer == "OpenAI" and result.b.open_weights is False and result.b.licence.verdict == "closed"
    sources = {row.source for row in result.benchmarks}
    assert {"lmarena", "artificial-analysis", "epoch-benchmarks"} <= sources
    full = next(row for row in result.benchmarks if row.benchmark == "lmarena:full")
    assert full.a_name == "deepseek-r1" and full.b_name == "o1-2024-12-17" and full.b_match == "variant"
    assert full.win_probability is not None and 0.45 < full.win_probability.value < 0.6
    for row in result.benchmarks:
        assert row.difference == pytest.approx(row.a - row.b)
        if row.interval is not None:
            excludes_zero = row.interval[0] > 0 or row.interval[1] < 0
            assert (row.verdict != "tied") == excludes_zero, row
    epoch = [row for row in result.benchmarks if row.source == "epoch-benchmarks"]
    assert epoch and all(row.b_name.startswith("o1-2024-12-17") for row in epoch)
    summary = result.summary
    assert summary.a_ahead + summary.tied + summary.b_ahead == summary.benchmarks == len(result.benchmarks)
    assert f"tied on {summary.tied}" in summary.text
    every = versus(reference, "deepseek-r1", "o1", every=True)
    assert len(every.benchmarks) > len(result.benchmarks)


@pytest.mark.reference
def test_sources_lacking_one_side_are_listed(reference: Warehouse) -> None:
    result = versus(reference, "Qwen/Qwen2.5-72B-Instruct", "o1")
    lacking = {m.source: m for m in result.missing}
    assert lacking["open-llm-leaderboard"].has == "a" and lacking["open-llm-leaderboard"].lacks == "o1"


@pytest.mark.reference
def test_bad_names_give_the_closest_matches(reference: Warehouse) -> None:
    with pytest.raises(NotFoundError, match=r"closest names with results: .*DeepSeek-R1"):
        versus(reference, "deepsek-r1", "o1")
    with pytest.raises(ConfigError, match="same model"):
        versus(reference, "deepseek-r1", "DeepSeek-R1")


@pytest.mark.reference
def test_cli_versus_json_and_errors(reference_warehouse: Path) -> None:
    result = runner.invoke(app, ["--db", str(reference_warehouse), "versus", "deepseek-r1", "o1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"a", "b", "benchmarks", "summary", "missing"} <= set(data)
    row = data["benchmarks"][0]
    assert {"source", "benchmark", "a", "b", "difference", "interval", "verdict"} <= set(row)
    assert row["verdict"] in ("a ahead", "tied", "b ahead")
    text = runner.invoke(app, ["--db", str(reference_warehouse), "versus", "deepseek-r1", "o1"])
    assert text.exit_code == 0 and "benchmarks both have" in text.stdout
    bad = runner.invoke(app, ["--db", str(reference_warehouse), "versus", "deepsek-r1", "o1"])
    assert bad.exit_code == 1 and "closest names" in bad.stderr and "Traceback" not in bad.output


def _run(warehouse: Warehouse, run_id: str, model: str, correct: list[bool]) -> None:
    manifest = json.dumps({"task": {"hash": "task-hash"}})
    warehouse.connection.execute(
        "INSERT INTO eval_runs VALUES (?, 'arc-mini', 'task-hash', ?, ?, ?, now(), now(), 'finished')",
        [run_id, model, manifest, len(correct)],
    )
    for index, right in enumerate(correct):
        warehouse.connection.execute(
            "INSERT INTO eval_items VALUES (?, ?, ?, ?, NULL, now())",
            [run_id, f"item-{index}", right, json.dumps({"acc": float(right)})],
        )
    batch = ImportBatch(EVAL_SOURCE, date(2026, 1, 1))
    batch.models[model] = SourceModel(model, open_weights=True)
    mean = sum(correct) / len(correct)
    batch.results.append(
        Result(model, "arc-mini", "accuracy", mean, "fraction", mean - 0.1, mean + 0.1, len(correct),
               extra={"run_id": run_id, "metric": "acc"})
    )  # fmt: skip
    store_batch(warehouse, batch, f"run:{run_id}", run_id)


def test_our_runs_are_compared_on_their_shared_items(warehouse: Warehouse) -> None:
    # B is right on every item A gets right, and on 30 more: a paired test sees it, independent intervals would not
    a = [i % 2 == 0 for i in range(100)]
    b = [i % 2 == 0 or i % 5 < 3 for i in range(100)]
    _run(warehouse, "run-a", "Qwen/Qwen2.5-0.5B-Instruct", a)
    _run(warehouse, "run-b", "HuggingFaceTB/SmolLM2-135M-Instruct", b)
    result = versus(warehouse, "Qwen/Qwen2.5-0.5B-Instruct", "HuggingFaceTB/SmolLM2-135M-Instruct")
    (row,) = result.benchmarks
    assert row.source == EVAL_SOURCE and row.paired_items == 100
    assert row.interval is not None and row.interval[1] < 0
    assert row.verdict == "b ahead" and "paired bootstrap" in row.uncertainty
