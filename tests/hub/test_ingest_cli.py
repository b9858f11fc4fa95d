"""The ingest summary prints data as text: markup or emoji codes in records never break (or decorate) it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.store import Warehouse, list_snapshots

runner = CliRunner()

HOSTILE = [
    {"id": "a/gated-markup", "gated": "[/x]"},
    {"id": "a/relation-emoji", "tags": ["base_model:zzz:org/x"]},
    {"id": "a/base-markup", "cardData": {"base_model": "[/x]"}},
    {"id": "a/link-markup", "cardData": {"license_link": "[link=file:///etc/passwd]x[/link]" + "\x1b[2J"}},
    {"id": "a/good", "downloads": 3},
]


def test_markup_and_emoji_codes_in_rejections_print_as_text(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(HOSTILE))
    done = runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(path), "--allow-partial"])
    assert done.exit_code == 0, done.output
    assert "1 models stored, 4 rejected" in done.output
    assert "gated is '[/x]'" in done.output  # the markup is shown, not interpreted
    assert ":zzz:" in done.output and "\U0001f4a4" not in done.output  # no emoji
    assert "'[/x]', not a Hub model id" in done.output
    with Warehouse.open(db_path, read_only=True) as warehouse:
        assert len(list_snapshots(warehouse)) == 1  # stored once; the summary did not fail after the commit


def test_json_summary_counts_every_rejection(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps([{"id": f"a/m{i}", "tags": [None]} for i in range(1200)]))
    done = runner.invoke(app, ["--db", str(db_path), "--json", "import", "hub-json", str(path), "--allow-partial"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["rejected"] == 1200
    assert sum(summary["rejection_reasons"].values()) == 1200
