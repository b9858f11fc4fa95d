"""Every snapshot says where its data came from, of when, and which models it holds (issue #10)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import HfApi

from modelrace.errors import AlreadyImportedError, ConfigError, ImportRefusedError
from modelrace.hub import SyncOptions, import_hub_json, sync_hub
from modelrace.replay import replay_hub, replay_provenance
from modelrace.store import Warehouse, drop_snapshot, list_snapshots, migrations


def _write(path: Path, models: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(models))
    return path


def test_a_replayed_sync_names_the_file_and_the_data_date_it_replays(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, list[Any]]
) -> None:
    # Before: a replay sync said "Hugging Face Hub API (http://127.0.0.1:PORT), taken <today>".
    replayed = _write(tmp_path / "hub_dump_2026-05.json", edge_cases["valid"])
    provenance = replay_provenance(replayed, edge_cases["valid"])
    with replay_hub(edge_cases["valid"], provenance=provenance) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
    snapshot = result.snapshot
    assert snapshot.source_kind == "replay"
    assert snapshot.origin == "hub_dump_2026-05.json"
    assert snapshot.data_date == "2026-05"
    assert snapshot.taken_at == datetime(2026, 5, 1)  # the data's date, not the sync time
    assert snapshot.selection == "subset"  # a complete listing of a file of unknown selection is a subset
    assert snapshot.provenance == "replay of hub_dump_2026-05.json (data of 2026-05)"
    assert "replayed file" in (snapshot.date_basis or "")
    assert list_snapshots(warehouse)[0].to_json()["provenance"] == snapshot.provenance


def test_a_replayed_file_without_licences_says_so(warehouse: Warehouse, tmp_path: Path) -> None:
    models = [{"id": f"org/m{i}", "downloads": 10 + i, "pipeline_tag": "text-generation", "tags": []} for i in range(5)]
    provenance = replay_provenance(_write(tmp_path / "x.json", models), models)
    assert provenance.lacks == ("license",)
    with replay_hub(models, provenance=provenance) as hub:
        snapshot = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint)).snapshot
    assert snapshot.lacks == ("license",)


def test_live_syncs_record_their_selection(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    with replay_hub(edge_cases["valid"]) as hub:  # no provenance headers: as the Hub itself answers
        api = HfApi(endpoint=hub.endpoint)
        complete = sync_hub(warehouse, SyncOptions(), api=api).snapshot
        top = sync_hub(warehouse, SyncOptions(limit=5), api=api).snapshot
        popular = sync_hub(warehouse, SyncOptions(min_downloads=100_000), api=api).snapshot
    assert (complete.source_kind, complete.selection) == ("live", "complete")
    assert top.selection == popular.selection == "top-downloads"
    assert complete.origin == hub.endpoint and complete.provenance.startswith("Hugging Face Hub API at http://")
    assert complete.date_basis == "sync time"


def test_imports_default_and_declared_selection(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "top_2024-09-20.json", edge_cases["valid"])
    undeclared, _ = import_hub_json(warehouse, path)
    drop_snapshot(warehouse, undeclared.snapshot_id)  # the same file again: dropped first (else refused)
    declared, _ = import_hub_json(warehouse, path, selection="top-downloads")
    assert (undeclared.source_kind, undeclared.selection) == ("hub-json-file", "subset")
    assert declared.selection == "top-downloads"
    assert undeclared.origin == str(path)
    assert undeclared.provenance.startswith("Hub API JSON file top_2024-09-20.json (data of ")
    assert undeclared.date_basis == "newest lastModified of an accepted record"
    with pytest.raises(ConfigError, match="--selection 'most'"):
        import_hub_json(warehouse, path, selection="most")  # type: ignore[arg-type]
    # a file named relative to the working folder is stored where it is, not as typed
    monkeypatch.chdir(tmp_path)
    relative, _ = import_hub_json(warehouse, Path(_write(Path("rel.json"), edge_cases["valid"][:3]).name))
    assert relative.origin == str(tmp_path.resolve() / "rel.json")
    # no record dates the file: the import's own time stands, and the basis says so (it claimed a lastModified)
    undated = [{k: v for k, v in m.items() if k != "lastModified"} for m in edge_cases["valid"]]
    plain, _ = import_hub_json(warehouse, _write(tmp_path / "undated.json", undated))
    assert plain.date_basis is not None and plain.date_basis.startswith("import time: no accepted record")


def test_an_import_whose_records_are_all_invalid_creates_no_snapshot(warehouse: Warehouse, tmp_path: Path) -> None:
    # Before: an empty snapshot became "latest"; shares and the report then showed "100.0 % ... across 0 tags".
    path = _write(tmp_path / "bad.json", [{"id": f"a/m{i}", "tags": [None]} for i in range(20)])
    with pytest.raises(ImportRefusedError, match=r"stores no model .*a tag is NoneType.*--allow-partial"):
        import_hub_json(warehouse, path)
    assert list_snapshots(warehouse) == []
    assert warehouse.query("SELECT count(*) AS n FROM snapshot_models")[0]["n"] == 0
    snapshot, _ = import_hub_json(warehouse, path, allow_partial=True)
    assert snapshot.model_count == 0


def test_an_import_rejecting_more_than_half_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    good = [{"id": f"a/good{i}", "downloads": 5} for i in range(4)]
    bad = [{"id": f"a/bad{i}", "tags": [None]} for i in range(5)]
    with pytest.raises(ImportRefusedError, match="rejects 5 of the 9 records"):
        import_hub_json(warehouse, _write(tmp_path / "m.json", good + bad))
    assert list_snapshots(warehouse) == []
    snapshot, _ = import_hub_json(warehouse, _write(tmp_path / "m.json", good + bad[:4]))  # exactly half: stored
    assert snapshot.model_count == 4


def test_a_sync_that_stores_nothing_is_refused(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    with replay_hub(edge_cases["valid"]) as hub, pytest.raises(ImportRefusedError, match="stores no model"):
        sync_hub(warehouse, SyncOptions(author="nobody-here"), api=HfApi(endpoint=hub.endpoint))
    assert list_snapshots(warehouse) == []


def test_drop_snapshot_removes_it_cleanly_and_the_file_imports_again(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    first, _ = import_hub_json(warehouse, _write(tmp_path / "m0.json", edge_cases["valid"][:-1]), datetime(2025, 1, 1))
    path = _write(tmp_path / "m.json", edge_cases["valid"])
    second, _ = import_hub_json(warehouse, path, taken_at=datetime(2025, 2, 1))
    with pytest.raises(AlreadyImportedError, match=f"snapshot {second.snapshot_id}"):
        import_hub_json(warehouse, path, taken_at=datetime(2025, 3, 1))  # stored: refused, not a third snapshot
    drop_snapshot(warehouse, second.snapshot_id)
    for table in ("snapshot_models", "model_tree", "root_ecosystem", "rejections"):
        left = warehouse.query(f"SELECT count(*) AS n FROM {table} WHERE snapshot_id = ?", [second.snapshot_id])
        assert left[0]["n"] == 0, table
    assert [s.snapshot_id for s in list_snapshots(warehouse)] == [first.snapshot_id]
    again, _ = import_hub_json(warehouse, path, taken_at=datetime(2025, 2, 1))
    assert again.model_count == second.model_count


def test_the_migration_dates_and_selects_older_snapshots(db_path: Path) -> None:
    with Warehouse.open(db_path) as warehouse:
        connection = warehouse.connection
        for snapshot_id, source, filters in (
            (1, "hub-api", json.dumps({"limit": 100, "min_downloads": None})),
            (2, "hub-api", json.dumps({"limit": None, "min_downloads": None})),
            (3, "hub-stats", None),
            (4, "hub-json", None),
        ):
            connection.execute(
                "INSERT INTO snapshots (snapshot_id, taken_at, source, source_detail, filters, model_count, "
                "rejected_count, duplicate_count, created_at) VALUES (?, ?, ?, 'x', ?, 0, 0, 0, ?)",
                [snapshot_id, datetime(2025, 3, snapshot_id), source, filters, datetime(2025, 4, 1)],
            )
        sql = next(m for m in migrations() if m.version == 4).sql  # its backfill, on rows stored without provenance
        connection.execute(sql[sql.index("UPDATE snapshots") : sql.index("ALTER TABLE result_imports")])
        found = {s.snapshot_id: s for s in list_snapshots(warehouse)}
    assert [found[i].selection for i in (1, 2, 3, 4)] == ["top-downloads", "complete", "complete", "subset"]
    assert [found[i].source_kind for i in (1, 2, 3, 4)] == ["live", "live", "hub-stats-file", "hub-json-file"]
    assert found[1].data_date == "2025-03-01"
