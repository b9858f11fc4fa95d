from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import AlreadyImportedError, ImportFormatError
from modelrace.hub import import_hub_json, import_hub_stats
from modelrace.store import Warehouse, drop_snapshot, list_snapshots

runner = CliRunner()


def write_hub_stats(path: Path, rows: list[dict[str, Any]]) -> None:
    """A models.parquet with the hub-stats column types (nested structs, UTC timestamps)."""
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("downloads", pa.int64()),
            ("downloadsAllTime", pa.int64()),
            ("likes", pa.int64()),
            ("tags", pa.list_(pa.string())),
            ("pipeline_tag", pa.string()),
            ("library_name", pa.string()),
            ("createdAt", pa.timestamp("ms", tz="UTC")),
            ("lastModified", pa.timestamp("ms", tz="UTC")),
            (
                "baseModels",
                pa.struct(
                    [
                        ("models", pa.list_(pa.struct([("_id", pa.string()), ("id", pa.string())]))),
                        ("relation", pa.string()),
                    ]
                ),
            ),
            (
                "safetensors",
                pa.struct([("parameters", pa.map_(pa.string(), pa.int64())), ("total", pa.int64())]),
            ),
        ]
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def hub_stats_rows() -> list[dict[str, Any]]:
    when = datetime(2025, 10, 1, 12, tzinfo=UTC)
    return [
        {
            "id": "Qwen/Qwen2.5-7B",
            "author": "Qwen",
            "downloads": 900,
            "downloadsAllTime": 90000,
            "likes": 10,
            "tags": ["license:apache-2.0"],
            "pipeline_tag": "text-generation",
            "library_name": "transformers",
            "createdAt": when,
            "lastModified": when,
            "baseModels": None,
            "safetensors": {"parameters": [("BF16", 7615616512)], "total": 7615616512},
        },
        {
            "id": "Qwen/Qwen2.5-7B-Instruct",
            "author": "Qwen",
            "downloads": 5000,
            "downloadsAllTime": 500000,
            "likes": 100,
            "tags": [],
            "pipeline_tag": "text-generation",
            "library_name": "transformers",
            "createdAt": when,
            "lastModified": datetime(2025, 10, 2, tzinfo=UTC),
            "baseModels": {"models": [{"_id": "abc", "id": "Qwen/Qwen2.5-7B"}], "relation": "finetune"},
            "safetensors": None,
        },
        {
            "id": "x/bad",
            "author": "x",
            "downloads": -3,
            "downloadsAllTime": None,
            "likes": 0,
            "tags": [],
            "pipeline_tag": None,
            "library_name": None,
            "createdAt": None,
            "lastModified": None,
            "baseModels": None,
            "safetensors": None,
        },
    ]


def test_hub_stats_parquet(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "models.parquet"
    write_hub_stats(path, hub_stats_rows())
    snapshot, stats = import_hub_stats(warehouse, path)
    assert (stats.accepted, stats.rejected) == (2, 1)
    assert snapshot.source == "hub-stats"
    assert snapshot.taken_at == datetime(2025, 10, 2)  # the newest lastModified in the dump
    row = warehouse.query(
        """SELECT sm.downloads_all_time, v.base_models, v.params FROM snapshot_models sm
           JOIN model_versions v USING (version_id) JOIN models m ON m.model_key = sm.model_key
           WHERE m.model_id = 'Qwen/Qwen2.5-7B-Instruct'"""
    )[0]
    assert row["downloads_all_time"] == 500000
    assert row["base_models"] == [{"model_id": "Qwen/Qwen2.5-7B", "relation": "finetune"}]
    assert row["params"] == 7 * 10**9  # no safetensors: parsed from the name, and marked so


def test_hub_stats_with_an_explicit_date(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "models.parquet"
    write_hub_stats(path, hub_stats_rows())
    snapshot, _ = import_hub_stats(warehouse, path, taken_at=datetime(2025, 10, 5))
    assert snapshot.taken_at == datetime(2025, 10, 5)


def test_hub_stats_rejects_other_parquet(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"name": ["a"]}), path)
    with pytest.raises(ImportFormatError, match="no `id` column"):
        import_hub_stats(warehouse, path)
    # a models.parquet cut down to no downloads would store every model with 0: shares of nothing
    write_hub_stats(tmp_path / "full.parquet", hub_stats_rows())
    pq.write_table(pq.read_table(tmp_path / "full.parquet").drop(["downloads"]), path)
    with pytest.raises(ImportFormatError, match="no `downloads` column"):
        import_hub_stats(warehouse, path)
    path.write_text("not parquet")
    with pytest.raises(ImportFormatError, match="not a readable Parquet"):
        import_hub_stats(warehouse, path)
    assert list_snapshots(warehouse) == []


def test_the_same_file_imported_again_is_not_a_second_snapshot(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    """A daily job fed yesterday's file again would store an identical snapshot (a day without change, a doubled
    point in every trend): refused, with the snapshot that holds it; a different file is imported as always."""
    stats, listing = tmp_path / "models.parquet", tmp_path / "models.json"
    write_hub_stats(stats, hub_stats_rows())
    listing.write_text(json.dumps(edge_cases["valid"]))
    first, _ = import_hub_stats(warehouse, stats)
    listed, _ = import_hub_json(warehouse, listing)
    with pytest.raises(AlreadyImportedError, match=f"already stored as snapshot {first.snapshot_id}") as stored:
        import_hub_stats(warehouse, stats, selection="subset")
    assert stored.value.snapshot_id == first.snapshot_id
    with pytest.raises(AlreadyImportedError, match=f"snapshot {listed.snapshot_id}"):
        import_hub_json(warehouse, tmp_path / "models.json")
    assert len(list_snapshots(warehouse)) == 2
    copy = tmp_path / "copy.parquet"  # the same bytes under another name: the same file
    copy.write_bytes(stats.read_bytes())
    with pytest.raises(AlreadyImportedError):
        import_hub_stats(warehouse, copy)
    listing.write_text(json.dumps(edge_cases["valid"][:-1]))  # another day's file
    import_hub_json(warehouse, listing)
    drop_snapshot(warehouse, first.snapshot_id)  # dropped, it can be imported again (with another selection)
    again, _ = import_hub_stats(warehouse, stats, selection="subset")
    assert again.selection == "subset" and len(list_snapshots(warehouse)) == 3
    # two files alike in size and statistics, one count apart, are two files (a footer digest took them for one)
    for number, middle in enumerate((500, 501)):
        table = pa.table({"id": ["a/x-1", "a/x-2", "a/x-3"], "downloads": pa.array([10, middle, 1000], pa.int64())})
        pq.write_table(table, tmp_path / f"alike{number}.parquet")
    assert (tmp_path / "alike0.parquet").stat().st_size == (tmp_path / "alike1.parquet").stat().st_size
    import_hub_stats(warehouse, tmp_path / "alike0.parquet", taken_at=datetime(2025, 3, 1))
    import_hub_stats(warehouse, tmp_path / "alike1.parquet", taken_at=datetime(2025, 3, 2))
    assert len(list_snapshots(warehouse)) == 5
    # the CLI says so and exits 0, as for a results file already imported
    result = runner.invoke(app, ["--db", str(warehouse.path), "--json", "import", "hub-stats", str(stats)])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["already_imported"] is True and shown["snapshot"]["snapshot_id"] == again.snapshot_id


def test_hub_json_with_non_utf8_bytes(warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    path = tmp_path / "models.json"
    good = json.dumps(edge_cases["valid"]).encode()
    bad = b'{"id": "x/bad-\xff-bytes", "downloads": 1}'
    path.write_bytes(good[:-1] + b", " + bad + b"]")
    snapshot, stats = import_hub_json(warehouse, path)
    assert stats.accepted == len(edge_cases["valid"])
    assert stats.rejected == 1
    assert "UTF-8" in stats.rejection_samples[0].reason
    assert snapshot.model_count == len(edge_cases["valid"])


def test_hub_json_errors(warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no file"):
        import_hub_json(warehouse, tmp_path / "missing.json")
    (tmp_path / "obj.json").write_text('{"a": 1}')
    with pytest.raises(ImportFormatError, match="not a list"):
        import_hub_json(warehouse, tmp_path / "obj.json")
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(ImportFormatError, match="not JSON"):
        import_hub_json(warehouse, tmp_path / "broken.json")


# -- hardening (issue 17) -----------------------------------------------------------------------------------------
def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_hub_json_a_record_nested_100000_deep_costs_only_that_record(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    good = [{"id": "a/one", "downloads": 1}, {"id": "a/two", "downloads": 2}]
    trap = '{"id": "a/deep", "cardData": ' + deep(100_000) + ', "s": "a string with ] and \\" inside"}'
    path.write_text("[" + json.dumps(good[0]) + ", " + trap + ", " + deep(50_000) + ", " + json.dumps(good[1]) + "]")
    snapshot, stats = import_hub_json(warehouse, path)
    assert (stats.accepted, stats.rejected) == (2, 2)
    assert all("nested deeper" in r.reason for r in stats.rejection_samples)
    assert [r.position for r in stats.rejection_samples] == [1, 2]
    assert snapshot.model_count == 2


def test_hub_json_a_file_nested_too_deep_is_one_clear_error(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"models": ' + deep(100_000) + "}")
    with pytest.raises(ImportFormatError, match="nested deeper"):
        import_hub_json(warehouse, path)
    path.write_text("[" + deep(100_000)[:-1])  # never ends
    with pytest.raises(ImportFormatError, match="never ends"):
        import_hub_json(warehouse, path)
    assert list_snapshots(warehouse) == []


def test_hub_json_bad_values_reject_records_and_never_crash(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    records = [
        {"id": "a/null-tag", "tags": [None]},
        {"id": "a/overflow", "createdAt": "0001-01-01T00:00:00+01:00"},
        {"id": "a/overflow2", "lastModified": "9999-12-31T23:59:59-05:00"},
        {"id": "a/markup", "gated": "[/x]"},
        {"id": "a/markup-base", "cardData": {"base_model": "[/x]"}},
        {"id": "a/good", "downloads": 5, "lastModified": "2025-03-01T00:00:00Z"},
    ]
    path.write_text(json.dumps(records))
    snapshot, stats = import_hub_json(warehouse, path, allow_partial=True)  # most are rejected on purpose
    assert (stats.accepted, stats.rejected) == (1, 5)
    assert snapshot.model_count == 1


def test_a_record_dated_in_the_future_never_dates_the_snapshot(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    records = [
        {"id": "a/real", "downloads": 5, "lastModified": "2025-03-01T00:00:00Z"},
        {"id": "a/pinned", "downloads": 5, "lastModified": "9999-12-31T00:00:00Z"},
    ]
    path.write_text(json.dumps(records))
    snapshot, stats = import_hub_json(warehouse, path)
    assert stats.rejected == 1 and "lastModified" in stats.rejection_samples[0].reason
    assert snapshot.taken_at == datetime(2025, 3, 1)


def test_hub_stats_a_record_dated_in_the_future_never_dates_the_snapshot(warehouse: Warehouse, tmp_path: Path) -> None:
    rows = hub_stats_rows()
    rows[0]["lastModified"] = datetime(9999, 1, 1, tzinfo=UTC)
    path = tmp_path / "models.parquet"
    write_hub_stats(path, rows)
    snapshot, stats = import_hub_stats(warehouse, path, allow_partial=True)  # 2 of 3 rejected on purpose
    assert snapshot.taken_at == datetime(2025, 10, 2)
    assert stats.rejected == 2


def test_hub_stats_json_text_nested_too_deep_costs_at_most_its_record(warehouse: Warehouse, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    rows = {
        "id": ["a/deep-card", "a/deep-bases", "a/fine"],
        "downloads": [1, 2, 3],
        "cardData": [deep, None, '{"license": "mit"}'],
        "baseModels": [None, deep, None],
    }
    path = tmp_path / "models.parquet"
    pq.write_table(pa.table(rows), path)
    _, stats = import_hub_stats(warehouse, path)
    assert (stats.accepted, stats.rejected) == (2, 1)  # a bad card is dropped; bad base models reject the record
    assert "baseModels is not an object" in stats.rejection_samples[0].reason
