"""`modelrace imports` lists what the warehouse holds and where it came from; `modelrace drop` removes one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from modelrace.cli.main import app

runner = CliRunner()


def _run(db_path: Path, *args: str) -> Any:
    result = runner.invoke(app, ["--db", str(db_path), "-q", *args])
    return result


def test_imports_lists_snapshots_and_result_imports_and_drop_removes_one(
    db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    models = tmp_path / "top_2024-09-20.json"
    models.write_text(json.dumps(edge_cases["valid"]))
    done = _run(db_path, "import", "hub-json", str(models), "--selection", "top-downloads")
    assert done.exit_code == 0, done.output
    assert "Hub API JSON file top_2024-09-20.json (data of " in done.output and "top-downloads" in done.output
    table = tmp_path / "livebench_2026-01-08.csv"
    table.write_text("model,a,b\nx,1,2\ny,3,4\n")
    assert _run(db_path, "import", "livebench", str(table)).exit_code == 0

    listed = json.loads(_run(db_path, "imports", "--json").stdout)
    snapshot = listed["snapshots"][0]
    assert (snapshot["source_kind"], snapshot["selection"]) == ("hub-json-file", "top-downloads")
    assert snapshot["origin"] == str(models) and snapshot["data_date"]
    result_import = listed["result_imports"][0]
    assert (result_import["source"], result_import["data_date"], result_import["date_basis"]) == (
        "livebench",
        "2026-01-08",
        "file name",
    )
    assert result_import["in_use"] is True
    text = runner.invoke(app, ["--db", str(db_path), "imports"], env={"COLUMNS": "250"})
    assert text.exit_code == 0 and "top-downloads" in text.output and "livebench" in text.output

    dropped = _run(db_path, "drop", "import", "1")
    assert dropped.exit_code == 0 and "dropped import 1" in dropped.output
    assert _run(db_path, "drop", "snapshot", "1", "--json").exit_code == 0
    empty = {"snapshots": [], "result_imports": [], "usage_snapshots": []}
    assert json.loads(_run(db_path, "imports", "--json").stdout) == empty
    missing = _run(db_path, "drop", "snapshot", "7")
    assert missing.exit_code != 0 and "no snapshot" in missing.output
    again = _run(db_path, "import", "livebench", str(table))
    assert again.exit_code == 0 and "already imported" not in again.output


def test_import_refusals_are_one_line_errors(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": f"a/m{i}", "tags": [None]} for i in range(3)]))
    refused = _run(db_path, "import", "hub-json", str(bad))
    assert refused.exit_code == 1 and "refused" in refused.output and "--allow-partial" in refused.output
    assert "Traceback" not in refused.output
    wrong = _run(db_path, "import", "hub-json", str(bad), "--selection", "top")
    assert wrong.exit_code == 2 and "choose one of complete, top-downloads, subset" in wrong.output
    undated = tmp_path / "table.csv"
    undated.write_text("model,a\nx,1\n")
    failed = _run(db_path, "import", "livebench", str(undated))
    assert failed.exit_code != 0 and "--date" in failed.output
    assert _run(db_path, "import", "livebench", str(undated), "--date", "2026-01-08").exit_code == 0
