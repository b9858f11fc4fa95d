from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modelrace.errors import NotFoundError, WarehouseBusyError, WarehouseError
from modelrace.store import Warehouse, migrations, resolve_snapshot


def test_migrations_apply_once(db_path: Path) -> None:
    with Warehouse.open(db_path) as wh:
        assert wh.schema_version == migrations()[-1].version
        assert wh.migrate() == []
    with Warehouse.open(db_path) as wh:
        assert wh.query("SELECT count(*) AS n FROM schema_migrations")[0]["n"] == len(migrations())


def test_read_only_on_a_missing_file_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="modelrace sync"):
        Warehouse.open(tmp_path / "none.duckdb", read_only=True)


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    with Warehouse.open(db_path) as wh:
        wh.connection.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(WarehouseError, match="newer than this modelrace"):
        Warehouse.open(db_path)
    with pytest.raises(WarehouseError, match="newer than this modelrace"):  # read as well: its tables may differ
        Warehouse.open(db_path, read_only=True)


def test_transaction_rolls_back_on_error(warehouse: Warehouse) -> None:
    with pytest.raises(RuntimeError), warehouse.transaction() as connection:
        connection.execute("INSERT INTO models VALUES (1, 'a/b', 'a')")
        raise RuntimeError("boom")
    assert warehouse.query("SELECT count(*) AS n FROM models")[0]["n"] == 0


def test_busy_warehouse_is_a_clear_error(db_path: Path) -> None:
    Warehouse.open(db_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(30)",
            str(db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseBusyError, match="in use by another modelrace process"):
            Warehouse.open(db_path)
    finally:
        holder.kill()
        holder.wait()


def test_resolve_snapshot_on_empty_warehouse(warehouse: Warehouse) -> None:
    with pytest.raises(NotFoundError, match="modelrace sync"):
        resolve_snapshot(warehouse, None)


def test_a_reader_upgrades_an_older_file_first(db_path: Path) -> None:
    with Warehouse.open(db_path) as wh:
        wh.connection.execute("DROP TABLE eval_items; DROP TABLE eval_runs")
        # A file without migration 3 (evals), as if it had been made before 3 existed or landed out of order.
        wh.connection.execute("DELETE FROM schema_migrations WHERE version = 3")
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.read_only and wh.schema_version == migrations()[-1].version
        assert wh.query("SELECT count(*) AS n FROM eval_runs")[0]["n"] == 0


def test_credentials_an_older_sync_stored_are_scrubbed_by_migration(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "old.duckdb"
    Warehouse.open(db).close()
    connection = duckdb.connect(str(db))  # as a modelrace before migration 14 left it
    connection.execute("DELETE FROM schema_migrations WHERE version = 14")
    insert = (
        "INSERT INTO snapshots (snapshot_id, taken_at, source, source_detail, origin, model_count, rejected_count, "
        "duplicate_count, created_at) VALUES (?, now(), 'hub-api', ?, ?, 0, 0, 0, now())"
    )
    connection.execute(insert, [1, "http://user:SECRET@hub.example/x", "https://u:p@h/api"])
    connection.execute(insert, [2, "/data/a@b/models.json", "/data/a@b"])
    connection.close()
    assert 14 in {m.version for m in migrations()}
    with Warehouse.open(db) as warehouse:
        rows = warehouse.query("SELECT snapshot_id, source_detail, origin FROM snapshots ORDER BY snapshot_id")
    assert rows == [
        {"snapshot_id": 1, "source_detail": "http://hub.example/x", "origin": "https://h/api"},
        {"snapshot_id": 2, "source_detail": "/data/a@b/models.json", "origin": "/data/a@b"},
    ]
