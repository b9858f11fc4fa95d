"""`modelrace import openrouter` and `modelrace usage`: one library call each, JSON in the documented shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.store import Warehouse, tables_with_column

runner = CliRunner()


@pytest.mark.reference
def test_import_then_usage_json(db_path: Path, reference_data: Path) -> None:
    weekly = reference_data / "openrouter" / "weekly_top_models"
    done = runner.invoke(app, ["--db", str(db_path), "-q", "import", "openrouter", str(weekly)])
    assert done.exit_code == 0, done.output
    assert "26 stored" in done.output
    result = runner.invoke(
        app, ["--db", str(db_path), "usage", "--by", "country", "--metric", "usd", "--since", "2026-05-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["metric"], data["by"], data["series"]) == ("usd", "country", "weekly")
    assert {p["date"] for p in data["points"]} == {"2026-05-04", "2026-05-11"}
    point = data["points"][0]
    assert set(point) >= {"date", "key", "tokens", "value", "share", "base"}
    assert sum(p["share"] for p in data["points"] if p["date"] == "2026-05-04") == pytest.approx(1)
    text = runner.invoke(app, ["--db", str(db_path), "usage", "--by", "developer"])
    assert text.exit_code == 0 and "share of the listed top models' tokens" in text.output


def test_a_bad_file_is_one_line_and_exit_1(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "other.json"
    bad.write_text('{"models": 3}')
    result = runner.invoke(app, ["--db", str(db_path), "import", "openrouter", str(bad)])
    assert result.exit_code == 1
    assert "is not an OpenRouter usage file" in result.output and "Traceback" not in result.output


def test_usage_without_data_says_what_to_run(db_path: Path) -> None:
    from modelrace.store import Warehouse

    Warehouse.open(db_path).close()
    result = runner.invoke(app, ["--db", str(db_path), "usage", "--metric", "requests", "--series", "authors"])
    assert result.exit_code != 0 and "needs --series weekly" in result.output


@pytest.mark.reference
def test_trend_follows_usage_on_the_base_the_source_gives(db_path: Path, reference_data: Path) -> None:
    daily = reference_data / "openrouter" / "rankings_daily"
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "openrouter", str(daily)]).exit_code == 0
    result = runner.invoke(
        app, ["--db", str(db_path), "trend", "--metric", "usage", "--by", "country", "--top", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["metric"], data["by"]) == ("usage", "country")
    assert {p["key"] for p in data["points"]} == {"CN", "US"}  # the two largest on the last day
    assert all(p["ref"].endswith("share of all OpenRouter tokens") for p in data["points"])
    last = max(p["date"] for p in data["points"])
    shares = {p["key"]: p["share"] for p in data["points"] if p["date"] == last}
    assert shares["CN"] == pytest.approx(0.427, abs=0.001) and shares["US"] == pytest.approx(0.411, abs=0.001)
    default = json.loads(runner.invoke(app, ["--db", str(db_path), "trend", "--metric", "usage", "--json"]).stdout)
    assert default["by"] == "country"  # usage has no families: its default breakdown is the country
    family = runner.invoke(app, ["--db", str(db_path), "trend", "--metric", "usage", "--by", "family"])
    assert family.exit_code == 2 and "no family" in family.output


@pytest.mark.reference
def test_imports_lists_usage_snapshots_and_drop_removes_one(db_path: Path, reference_data: Path) -> None:
    weekly = reference_data / "openrouter" / "weekly_top_models" / "openrouter_weekly_2026-05-11.json"
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "openrouter", str(weekly)]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["--db", str(db_path), "imports", "--json"]).stdout)
    (snapshot,) = listed["usage_snapshots"]
    assert (snapshot["layout"], snapshot["data_date"], snapshot["rows"]) == ("weekly-top-models", "2026-05-11", 10)
    number = str(snapshot["usage_snapshot_id"])
    dropped = runner.invoke(app, ["--db", str(db_path), "drop", "usage", number])
    assert dropped.exit_code == 0 and "dropped usage snapshot" in dropped.output
    assert json.loads(runner.invoke(app, ["--db", str(db_path), "imports", "--json"]).stdout)["usage_snapshots"] == []
    with Warehouse.open(db_path, read_only=True) as warehouse:  # no row of it left in any table keyed on it
        for table in tables_with_column(warehouse, "usage_snapshot_id"):
            assert warehouse.query(f'SELECT count(*) AS n FROM "{table}"')[0]["n"] == 0, table
    again = runner.invoke(app, ["--db", str(db_path), "drop", "usage", number])
    assert again.exit_code == 1 and "no usage snapshot" in again.output
    # the file can be imported again once dropped
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "openrouter", str(weekly)]).exit_code == 0
    assert (
        len(json.loads(runner.invoke(app, ["--db", str(db_path), "imports", "--json"]).stdout)["usage_snapshots"]) == 1
    )
