"""Export to Hive-partitioned Parquet and back: an attached export holds the same rows and gives the same report."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import NotFoundError, WarehouseError
from modelrace.hub import import_hub_json
from modelrace.report import store_report_tables
from modelrace.store import Warehouse, export_parquet, is_derived


def _models(day: int) -> list[dict[str, Any]]:
    return [
        {"id": "Qwen/Qwen2.5-7B", "downloads": 1000 + day, "tags": ["license:apache-2.0"]},
        {"id": "meta-llama/Llama-3.1-8B", "downloads": 800 - day, "lastModified": "2025-09-01T00:00:00Z"},
        {
            "id": "someone/qwen-ft",
            "downloads": 50 * day,
            "baseModels": {"relation": "finetune", "models": [{"id": "Qwen/Qwen2.5-7B"}]},
        },
        {
            "id": "someone/merge",
            "downloads": 30,
            "tags": ["base_model:merge:Qwen/Qwen2.5-7B", "base_model:merge:meta-llama/Llama-3.1-8B"],
        },
        *([{"id": f"new/model-{day}", "downloads": 5, "tags": [f"day{day}"]}] if day else []),
    ]


@pytest.fixture
def two_days(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as warehouse:
        for day in (0, 1):
            source = tmp_path / f"day{day}.json"
            source.write_text(json.dumps(_models(day)))
            import_hub_json(warehouse, source, taken_at=datetime(2025, 10, 1 + day))
            store_report_tables(warehouse)  # as the CLI's import does: derived tables, not exported
    return db


def _tables(warehouse: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    names = [
        r[0]
        for r in warehouse.connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database() ORDER BY 1"
        ).fetchall()
        if not is_derived(r[0])  # the report's cache: not exported, rebuilt from the exported tables
    ]
    return {
        name: sorted(warehouse.connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names
    }


def test_round_trip_keeps_every_row(two_days: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    with Warehouse.open(two_days, read_only=True) as warehouse:
        result = export_parquet(warehouse, folder)
        original = _tables(warehouse)
    assert result.snapshots == (1, 2)
    assert (folder / "snapshot_models" / "snapshot_id=1").is_dir()
    assert (folder / "model_tree" / "snapshot_id=2").is_dir()
    assert (folder / "models" / "data_0.parquet").is_file()
    manifest = json.loads((folder / "_schema.json").read_text())
    assert manifest["tables"]["snapshot_models"]["partitioned"] is True
    assert manifest["tables"]["models"]["partitioned"] is False
    with Warehouse.open(two_days, read_only=True) as warehouse:
        names = [r[0] for r in warehouse.connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    assert {"report_cache", "report_attribution_1", "report_attribution_2", "report_licences_2"} <= set(names)
    assert not [name for name in manifest["tables"] if is_derived(name)]
    with Warehouse.open(folder, read_only=True) as attached:
        assert attached.read_only
        assert _tables(attached) == original


def test_snapshots_exported_one_by_one_equal_all_at_once(two_days: Path, tmp_path: Path) -> None:
    with Warehouse.open(two_days, read_only=True) as warehouse:
        export_parquet(warehouse, tmp_path / "daily", [1])
        export_parquet(warehouse, tmp_path / "daily", [2])
        export_parquet(warehouse, tmp_path / "daily", [2])  # a re-export replaces the day, never doubles it
        export_parquet(warehouse, tmp_path / "whole")
    with Warehouse.open(tmp_path / "daily", read_only=True) as daily, Warehouse.open(tmp_path / "whole", True) as whole:
        assert _tables(daily) == _tables(whole)


def test_one_snapshot_holds_only_its_rows(two_days: Path, tmp_path: Path) -> None:
    with Warehouse.open(two_days, read_only=True) as warehouse:
        export_parquet(warehouse, tmp_path / "one", [2])
    with Warehouse.open(tmp_path / "one", read_only=True) as attached:
        ids = attached.connection.execute("SELECT DISTINCT snapshot_id FROM snapshot_models").fetchall()
        assert ids == [(2,)]
        assert attached.connection.execute("SELECT snapshot_id FROM snapshots").fetchall() == [(2,)]


def test_report_from_the_export_equals_the_report_from_the_file(two_days: Path, tmp_path: Path) -> None:
    from modelrace.report import build_report

    with Warehouse.open(two_days, read_only=True) as warehouse:
        export_parquet(warehouse, tmp_path / "export")
        # every model (these fixtures carry no pipeline tag, so the default language-model scope holds none)
        expected = build_report(warehouse, models="all").figures.to_json()
    with Warehouse.open(tmp_path / "export", read_only=True) as attached:
        got = build_report(attached, models="all").figures.to_json()
    for figures in (expected, got):
        figures.pop("generated_at", None)
    assert got == expected
    assert got["adoption"]["by_country"]


def test_a_killed_export_is_refused_until_the_next_export_completes_it(
    two_days: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that dies half-way (here: while writing a table after it replaced its partitions) leaves files a
    reader must not take for the data: attaching says so, and the next export writes what it was writing."""
    folder = tmp_path / "daily"
    with Warehouse.open(two_days, read_only=True) as warehouse:
        export_parquet(warehouse, folder, [1])
        original = _tables(warehouse)
        copies = 0
        real = warehouse.connection

        class Dying:
            def execute(self, sql: str, *args: Any) -> Any:
                nonlocal copies
                if sql.startswith("COPY"):
                    copies += 1
                    if copies == 3:
                        raise KeyboardInterrupt  # killed: nothing cleans up
                return real.execute(sql, *args)

            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

        monkeypatch.setattr(warehouse, "connection", Dying())
        with pytest.raises(KeyboardInterrupt):
            export_parquet(warehouse, folder, [2])
        monkeypatch.undo()
        with pytest.raises(WarehouseError, match="interrupted while writing snapshot 2"):
            Warehouse.open(folder, read_only=True)
        export_parquet(warehouse, folder, [1])  # another day's export also completes the interrupted one
    assert not (folder / "_export_incomplete.json").exists()
    assert json.loads((folder / "_schema.json").read_text())["snapshots"] == [1, 2]
    with Warehouse.open(folder, read_only=True) as attached:
        assert _tables(attached) == original
    # an impossible folder is a clear error, not a traceback
    (tmp_path / "afile").write_text("x")
    with Warehouse.open(two_days, read_only=True) as warehouse, pytest.raises(WarehouseError, match="afile"):
        export_parquet(warehouse, tmp_path / "afile" / "sub", [1])


def test_errors_are_clear(two_days: Path, tmp_path: Path) -> None:
    with Warehouse.open(two_days, read_only=True) as warehouse:
        with pytest.raises(NotFoundError, match="no snapshot 9"):
            export_parquet(warehouse, tmp_path / "x", [9])
        export_parquet(warehouse, tmp_path / "export", [1])
    with pytest.raises(WarehouseError, match="can be read"):
        Warehouse.open(tmp_path / "export")
    (tmp_path / "plain").mkdir()
    with pytest.raises(WarehouseError, match="not a warehouse file"):
        Warehouse.open(tmp_path / "plain", read_only=True)


def test_cli_exports_and_reports_from_the_folder(two_days: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "export"
    result = runner.invoke(app, ["--db", str(two_days), "-q", "export", "parquet", str(folder), "--all", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["snapshots"] == [1, 2]
    result = runner.invoke(app, ["--db", str(folder), "snapshots", "--json"])
    assert result.exit_code == 0, result.output
    assert [s["snapshot_id"] for s in json.loads(result.stdout)] == [1, 2]
    html = tmp_path / "r.html"
    result = runner.invoke(app, ["--db", str(folder), "report", "--html", str(html), "--json"])
    assert result.exit_code == 0, result.output
    assert html.stat().st_size > 0
    result = runner.invoke(app, ["--db", str(two_days), "export", "parquet", str(folder), "--all", "--snapshot", "1"])
    assert result.exit_code != 0
    assert "not both" in result.output
