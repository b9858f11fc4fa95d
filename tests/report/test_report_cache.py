"""Stored report tables (issue #15): a report reads a snapshot's stored attribution and licences instead of
building them, with the same figures, and only when they were built for that snapshot from the same registries."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from modelrace.adoption import attribute_snapshot, store_attribution, store_table
from modelrace.cli.main import app
from modelrace.hub import import_hub_json
from modelrace.licensing import model_licences
from modelrace.registry import load_registry, load_registry_file
from modelrace.report import build_report, store_report_tables
from modelrace.store import Warehouse

runner = CliRunner()


@pytest.fixture
def two_snapshots(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> Path:
    models = [dict(m) for m in edge_cases["valid"]]
    models.append({"id": "acme/apache-model", "downloads": 5_000, "tags": ["license:apache-2.0"]})
    path = tmp_path / "models.json"
    path.write_text(json.dumps(models))
    with Warehouse.open(db_path) as warehouse:
        import_hub_json(warehouse, path, taken_at=datetime(2025, 10, 1), selection="complete")
        path.write_text(json.dumps([m for m in models if not m["id"].startswith("chain/step-4")]))
        import_hub_json(warehouse, path, taken_at=datetime(2025, 11, 1), selection="complete")
    return db_path


def _figures(db_path: Path) -> str:
    with Warehouse.open(db_path, read_only=True) as warehouse:
        figures = build_report(warehouse).figures.to_json()
    figures.pop("generated_at")
    return json.dumps(figures, sort_keys=True)


def _kind(warehouse: Warehouse, name: str) -> str:
    """'view' when a report reads stored rows, 'table' when it built them."""
    views = warehouse.connection.execute(
        "SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = ?", [name]
    ).fetchall()[0][0]
    return "view" if views else "table"


def test_a_report_from_stored_tables_has_the_same_figures(two_snapshots: Path) -> None:
    built = _figures(two_snapshots)
    with Warehouse.open(two_snapshots) as warehouse:
        assert store_report_tables(warehouse) == 2
    with Warehouse.open(two_snapshots, read_only=True) as warehouse:
        assert _kind(warehouse, attribute_snapshot(warehouse.connection, 2)) == "view"
        assert _kind(warehouse, model_licences(warehouse.connection, 2)) == "view"
        assert _kind(warehouse, attribute_snapshot(warehouse.connection, 1)) == "table"  # not the cached snapshot
    assert _figures(two_snapshots) == built


def test_another_registry_does_not_read_the_stored_attribution(two_snapshots: Path) -> None:
    with Warehouse.open(two_snapshots) as warehouse:
        store_report_tables(warehouse)
    text = load_registry().data.model_dump_json()
    changed = load_registry_file(json.dumps({**json.loads(text), "fixture_name_patterns": ["never-matches-x"]}))
    with Warehouse.open(two_snapshots, read_only=True) as warehouse:
        assert _kind(warehouse, attribute_snapshot(warehouse.connection, 2, changed)) == "table"
    with Warehouse.open(two_snapshots, read_only=True) as warehouse:
        assert _kind(warehouse, attribute_snapshot(warehouse.connection, 2, load_registry())) == "view"


def _stored(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return warehouse.connection.execute("SELECT part, snapshot_id FROM report_cache ORDER BY ALL").fetchall()


def _report_tables(warehouse: Warehouse) -> list[str]:
    rows = warehouse.connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'report\\_%' ESCAPE '\\' ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def test_the_cache_keeps_the_snapshot_stored_and_the_newest_other(two_snapshots: Path, tmp_path: Path) -> None:
    with Warehouse.open(two_snapshots) as warehouse:
        store_report_tables(warehouse, 1)
        store_report_tables(warehouse, 2)
        assert _stored(warehouse) == [("attribution", 1), ("attribution", 2), ("licences", 1), ("licences", 2)]
        path = tmp_path / "third.json"
        path.write_text(json.dumps([{"id": "acme/third", "downloads": 3}]))
        import_hub_json(warehouse, path, taken_at=datetime(2025, 12, 1), selection="complete")
        store_report_tables(warehouse)
        assert _stored(warehouse) == [("attribution", 2), ("attribution", 3), ("licences", 2), ("licences", 3)]
        store_report_tables(warehouse, 1)  # an older one again: it and the newest other (3) stay
        assert _stored(warehouse) == [("attribution", 1), ("attribution", 3), ("licences", 1), ("licences", 3)]
        assert _report_tables(warehouse) == [
            "report_attribution_1",
            "report_attribution_3",
            "report_cache",
            "report_licences_1",
            "report_licences_3",
        ]
    with Warehouse.open(two_snapshots, read_only=True) as warehouse:
        assert _kind(warehouse, attribute_snapshot(warehouse.connection, 2)) == "table"
        assert _kind(warehouse, attribute_snapshot(warehouse.connection, 3)) == "view"


def test_a_daily_report_reads_both_snapshots_it_compares_from_the_cache(two_snapshots: Path) -> None:
    built = _figures(two_snapshots)
    with Warehouse.open(two_snapshots) as warehouse:
        store_report_tables(warehouse, 1)  # yesterday's import stored its tables
        store_report_tables(warehouse)  # today's
    with Warehouse.open(two_snapshots, read_only=True) as warehouse:
        figures = build_report(warehouse).figures.to_json()
        assert figures["adoption"]["change"]["since"]["id"] == 1
        for snapshot_id in (1, 2):
            assert _kind(warehouse, attribute_snapshot(warehouse.connection, snapshot_id)) == "view"
            assert _kind(warehouse, model_licences(warehouse.connection, snapshot_id)) == "view"
    assert _figures(two_snapshots) == built


def test_a_cache_of_the_first_version_is_replaced(two_snapshots: Path) -> None:
    with Warehouse.open(two_snapshots) as warehouse:
        connection = warehouse.connection
        connection.execute("CREATE TABLE report_attribution AS SELECT 1 AS stale")
        connection.execute("INSERT INTO report_cache VALUES ('attribution', 2, 'a key of version 1', now())")
        assert _kind(warehouse, attribute_snapshot(connection, 2)) == "table"  # its key does not match
        store_report_tables(warehouse)
        assert "report_attribution" not in _report_tables(warehouse)
        assert _stored(warehouse) == [("attribution", 2), ("licences", 2)]


def test_a_store_on_the_connection_of_a_report_drops_its_views(two_snapshots: Path) -> None:
    with Warehouse.open(two_snapshots) as warehouse:
        connection = warehouse.connection
        assert _kind(warehouse, model_licences(connection, 2)) == "table"  # built: nothing stored yet
        store_report_tables(warehouse)
        assert _kind(warehouse, attribute_snapshot(connection, 2)) == "view"
        assert _kind(warehouse, model_licences(connection, 2)) == "view"
        # Storing snapshot 1 drops the views of stored rows; snapshot 2's rows stay stored and are read again.
        store_report_tables(warehouse, 1)
        assert _kind(warehouse, attribute_snapshot(connection, 2)) == "view"
        assert _kind(warehouse, model_licences(connection, 1)) == "view"


def test_a_failed_store_leaves_the_previous_cache(two_snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Warehouse.open(two_snapshots) as warehouse:
        store_report_tables(warehouse)
    import modelrace.adoption._attributed as attributed

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("killed while storing")

    monkeypatch.setattr(attributed, "store_part", failing)
    with Warehouse.open(two_snapshots) as warehouse:
        with pytest.raises(RuntimeError):
            store_attribution(warehouse, 1)
        with pytest.raises(duckdb.Error):  # fails inside its transaction, after the old state row is deleted
            store_table(
                warehouse.connection,
                "attribution",
                1,
                "{}",
                lambda table: warehouse.connection.execute(f"CREATE TABLE {table} AS SELECT * FROM no_such_table"),
            )
        rows = warehouse.connection.execute("SELECT part, snapshot_id FROM report_cache ORDER BY 1").fetchall()
    assert rows == [("attribution", 2), ("licences", 2)]


def test_an_import_stores_the_report_tables(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    result = runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(path)])
    assert result.exit_code == 0, result.output
    with Warehouse.open(db_path, read_only=True) as warehouse:
        rows = warehouse.connection.execute("SELECT part, snapshot_id FROM report_cache ORDER BY 1").fetchall()
    assert rows == [("attribution", 1), ("licences", 1)]


def test_storing_again_for_a_valid_cache_rebuilds_nothing(two_snapshots: Path) -> None:
    with Warehouse.open(two_snapshots) as warehouse:
        store_report_tables(warehouse)
        first = warehouse.connection.execute("SELECT part, built_at FROM report_cache ORDER BY part").fetchall()
        store_report_tables(warehouse)  # e.g. after importing an older snapshot: the latest's tables still hold
        again = warehouse.connection.execute("SELECT part, built_at FROM report_cache ORDER BY part").fetchall()
        store_report_tables(warehouse, 1)  # another snapshot: built, the latest's kept
        other = _stored(warehouse)
    assert [part for part, _ in first] == ["attribution", "licences"]
    assert again == first
    assert other == [("attribution", 1), ("attribution", 2), ("licences", 1), ("licences", 2)]
