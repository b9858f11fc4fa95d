"""Usage where models meet: `versus`'s usage row, `pick`'s served column and `modelrace model`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.store import Warehouse
from modelrace.usage import model_usage, usage_lookup, usage_pair

pytestmark = pytest.mark.reference


def test_a_pair_on_the_same_day(openrouter_warehouse: Warehouse) -> None:
    pair = usage_pair(openrouter_warehouse, "deepseek-v3.2", "claude-4.6-sonnet")
    assert pair is not None and pair.same_day and pair.a is not None and pair.b is not None
    assert pair.a.date == pair.b.date == "2026-05-16"
    assert (pair.a.model, pair.a.rank, pair.b.rank) == ("deepseek-ai/DeepSeek-V3.2", 7, 4)
    assert pair.a.base == "all OpenRouter tokens" and "rank 7 of 9" in pair.text


def test_a_pair_never_listed_together_says_so(openrouter_warehouse: Warehouse) -> None:
    pair = usage_pair(openrouter_warehouse, "deepseek-v3.2", "no-such-model-7b")
    assert pair is not None and not pair.same_day and pair.b is None
    assert "no-such-model-7b: never among the listed top models" in pair.text


def test_the_served_column_reads_the_newest_day(openrouter_warehouse: Warehouse) -> None:
    served = usage_lookup(openrouter_warehouse)
    assert len(served) == 9 and served["deepseek-ai/deepseek-v3.2"].date == "2026-05-16"


def test_model_shows_usage_beside_downloads(db_path: Path, reference_data: Path) -> None:
    runner = CliRunner()
    hub = reference_data / "hub_api_top100_textgen_2026-02-16.json"
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(hub)]).exit_code == 0
    folder = reference_data / "openrouter" / "rankings_daily"
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "openrouter", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["--db", str(db_path), "model", "openai/gpt-oss-120b", "--json"])
    assert result.exit_code == 0, result.output
    usage = json.loads(result.stdout)["usage"]
    assert usage["model"] == "openai/gpt-oss-120b" and usage["base"] == "all OpenRouter tokens"
    with Warehouse.open(db_path, read_only=True) as warehouse:
        assert model_usage(warehouse, "openai/gpt-oss-120b") is not None
        assert model_usage(warehouse, "Qwen/Qwen2.5-0.5B-Instruct") is None
    text = runner.invoke(app, ["--db", str(db_path), "model", "openai/gpt-oss-120b"])
    assert "usage (OpenRouter)" in text.output
