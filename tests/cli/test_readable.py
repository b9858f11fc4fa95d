"""Terminal output people do not have to decode (issue #16): ids and specs whole at 80 and 100 columns, flags
shown as flags, one vocabulary with the old spellings still working, empty results that say why, backends
checked before anything is downloaded, the cache shown and cleared, replay-hub --json."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli import _app
from modelrace.cli.main import app
from modelrace.hub import import_hub_json
from modelrace.store import Warehouse

runner = CliRunner()
WIDTHS = (80, 100)


@pytest.fixture
def terminal_width() -> Iterator[Any]:
    """Set the width Rich renders stdout at (as a terminal of that many columns would)."""
    original = _app.stdout._width

    def set_width(width: int) -> None:
        _app.stdout.width = width

    yield set_width
    _app.stdout._width = original


@pytest.fixture
def hub_db(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> Path:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    with Warehouse.open(db_path) as wh:
        import_hub_json(wh, path, taken_at=datetime(2025, 11, 1))
    return db_path


def _lines_fit(output: str, width: int) -> bool:
    return all(len(line) <= width for line in output.splitlines() if line.startswith(("┃", "│", "┏", "└")))


def test_help_shows_flags_as_flags() -> None:
    for command in (["shares", "--help"], ["sync", "--help"], ["--help"], ["import", "hub-json", "--help"]):
        result = runner.invoke(app, command, env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        assert "--json" in result.output
        assert "<bool>" not in result.output, command
    sync = runner.invoke(app, ["sync", "--help"], env={"COLUMNS": "120"}).output
    assert re.search(r"default:[\s│]*text-generation", sync)


@pytest.mark.parametrize("width", WIDTHS)
def test_models_prints_every_spec_whole(width: int, terminal_width: Any) -> None:
    from modelrace.evals import packaged_model_rows

    terminal_width(width)
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    for row in packaged_model_rows():
        assert row.spec in result.stdout, (width, row.spec)
        assert row.model.hub_id in result.stdout, (width, row.model.hub_id)
    assert "…" not in result.stdout
    assert _lines_fit(result.stdout, width)


def test_shares_speak_one_vocabulary(hub_db: Path, terminal_width: Any) -> None:
    terminal_width(100)
    new = runner.invoke(app, ["--db", str(hub_db), "shares", "--by", "uploader-country", "--top", "2"])
    old = runner.invoke(app, ["--db", str(hub_db), "shares", "--by", "uploader_country", "--limit", "2"])
    assert new.exit_code == old.exit_code == 0, old.output
    assert new.stdout == old.stdout
    assert new.stderr == ""
    assert "note: --by uploader_country is deprecated, use --by uploader-country" in old.stderr
    assert "note: --limit is deprecated, use --top" in old.stderr
    assert "shares of" in new.stdout and "downloads (30 d)" in new.stdout  # the base is said
    bad = runner.invoke(app, ["--db", str(hub_db), "shares", "--by", "continent"])
    assert bad.exit_code != 0 and "uploader-country" in bad.stderr


def test_empty_all_time_shares_say_why(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    path = tmp_path / "listing.json"  # a listing without all-time counts, as /api/models gives without expand
    path.write_text(json.dumps([{k: v for k, v in m.items() if k != "downloadsAllTime"} for m in edge_cases["valid"]]))
    with Warehouse.open(db_path) as wh:
        import_hub_json(wh, path, taken_at=datetime(2025, 11, 1))
    result = runner.invoke(app, ["--db", str(db_path), "shares", "--all-time"])
    assert result.exit_code == 0, result.output
    assert "has no all-time download counts" in result.stdout
    assert "┏" not in result.stdout  # no empty table


def test_eval_checks_the_backend_before_any_download(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    from modelrace.evals import _spec
    from modelrace.local import _index

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llama_cpp" else real(name, *a))
    fetched: list[str] = []
    monkeypatch.setattr(_index, "fetch_file", lambda *a, **k: fetched.append(str(a)) or tmp_path)
    monkeypatch.setattr(_index, "_links", lambda *a: fetched.append(str(a)) or [])
    monkeypatch.setenv("MODELRACE_CACHE", str(tmp_path / "cache"))
    for spec in ("gguf:gemma-3-270m", "gguf:/no/such.gguf"):
        result = runner.invoke(
            app, ["--db", str(db_path), "-q", "eval", "--model", spec, "--task", "bigbench:navigate", "--json"]
        )
        assert result.exit_code != 0
        error = json.loads(result.stdout)["error"]
        assert "llama-cpp-python" in error and _spec.install_hint("gguf") in error  # the same words as text
        assert "llama-cpp-python" in result.stderr
    assert fetched == []
    assert not (tmp_path / "cache" / "bigbench").exists()


def test_short_model_names_are_specs_eval_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelrace.evals import _spec

    monkeypatch.setattr(_spec, "missing_backend", lambda kind: None)
    assert _spec._spec_kind("gemma-3-270m") == "gguf"  # what `models` lists and `compare` suggests
    monkeypatch.setattr(_spec, "missing_backend", lambda kind: "missing" if kind == "gguf" else None)
    assert _spec._spec_kind("gemma-3-270m") == "hf"
    with pytest.raises(Exception, match="unknown model spec"):
        _spec.check_backend("no-such-model")


def test_install_hints_are_the_same_in_json_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelrace.evals import _inspect, _spec

    absent = {"gguf": ("no_such_module_x",), "hf": ("no_such_module_y",)}
    for kind, modules in absent.items():
        monkeypatch.setitem(_spec.BACKENDS, kind, dataclasses.replace(_spec.BACKENDS[kind], modules=modules))
    rows = _inspect._specs("gguf:/m.gguf", "hf:/m.gguf")
    for row in rows:
        kind = row.spec.split(":")[0]
        assert row.installed is False
        message = _spec.missing_backend(kind)
        assert message is not None and row.install_hint is not None and row.install_hint in message
    assert '".[hf]"' in (rows[1].install_hint or "")


def test_cache_shows_sizes_and_clears(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    (cache / "pypi").mkdir(parents=True)
    (cache / "pypi" / "a.whl").write_bytes(b"x" * 3000)
    (cache / "models").mkdir()
    (cache / "models" / "m.gguf").write_bytes(b"y" * 1000)
    monkeypatch.setenv("MODELRACE_CACHE", str(cache))
    shown = runner.invoke(app, ["cache", "--json"])
    assert shown.exit_code == 0, shown.output
    usage = json.loads(shown.stdout)
    assert usage["total_bytes"] == 4000 and {p["name"]: p["size_bytes"] for p in usage["parts"]} == {
        "models": 1000,
        "pypi": 3000,
    }
    text = runner.invoke(app, ["cache"])
    assert "pypi" in text.stdout and "3.9 KiB in all" in text.stdout
    cleared = runner.invoke(app, ["cache", "--clear", "--part", "pypi", "--json"])
    assert json.loads(cleared.stdout)["total_bytes"] == 3000
    assert not (cache / "pypi").exists() and (cache / "models" / "m.gguf").exists()
    bad = runner.invoke(app, ["cache", "--clear", "--part", "nothing"])
    assert bad.exit_code != 0 and "no cache part nothing" in bad.stderr
    ignored = runner.invoke(app, ["cache", "--part", "models"])  # without --clear a part would be ignored
    assert ignored.exit_code == 2 and "--part goes with --clear" in ignored.stderr


def test_replay_hub_json_prints_its_endpoint(tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    data = tmp_path / "models.json"
    data.write_text(json.dumps(edge_cases["valid"]))
    process = subprocess.Popen(
        [sys.executable, "-m", "modelrace", "replay-hub", "--data", str(data), "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
    finally:
        process.kill()
        process.wait(timeout=30)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", started["endpoint"])
    assert started["models"] == len(edge_cases["valid"])


@pytest.mark.reference
@pytest.mark.parametrize("width", WIDTHS)
def test_leaderboard_is_compact_with_ids_whole(
    width: int, hub_db: Path, reference_data: Path, terminal_width: Any
) -> None:
    for source, name in (
        ("lmarena", "lmarena_leaderboard_text_2025-12.json"),
        ("epoch-benchmarks", "epoch_benchmarking_hub_2025-12.json"),
    ):
        imported = runner.invoke(app, ["--db", str(hub_db), "-q", "import", source, str(reference_data / name)])
        assert imported.exit_code == 0, imported.output
    terminal_width(width)
    compact = runner.invoke(app, ["--db", str(hub_db), "leaderboard"])
    full = runner.invoke(app, ["--db", str(hub_db), "leaderboard", "--all"])
    board = json.loads(runner.invoke(app, ["--db", str(hub_db), "leaderboard", "--json"]).stdout)
    assert compact.exit_code == full.exit_code == 0, compact.output
    assert len(compact.stdout.splitlines()) * 3 < len(full.stdout.splitlines())
    shown = [b for b in board["benchmarks"] if b["id"] in ("lmarena:full", "epoch-benchmarks:gpqa_diamond")]
    assert len(shown) == 2
    for bench in shown:
        assert bench["id"] in compact.stdout
        for entry in bench["classes"]:
            assert entry["leader"]["model"] in compact.stdout, (width, entry["leader"]["model"])
            for best in entry["best_by_country"]:  # every country present, not only three
                assert best["model"] in compact.stdout, (width, best["model"])
    assert "open vs closed: best closed" in compact.stdout and "frontier" in compact.stdout
    assert "…" not in compact.stdout
    assert _lines_fit(compact.stdout, width)
    assert "more benchmarks: --all" in compact.stdout


@pytest.mark.reference
@pytest.mark.parametrize("width", WIDTHS)
def test_report_summary_keeps_leader_names_whole(
    width: int, hub_db: Path, reference_data: Path, tmp_path: Path, terminal_width: Any
) -> None:
    imported = runner.invoke(
        app,
        ["--db", str(hub_db), "-q", "import", "lmarena", str(reference_data / "lmarena_leaderboard_text_2025-12.json")],
    )
    assert imported.exit_code == 0, imported.output
    terminal_width(width)
    result = runner.invoke(app, ["--db", str(hub_db), "-q", "report", "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    figures = json.loads(
        runner.invoke(app, ["--db", str(hub_db), "-q", "report", "--html", str(tmp_path / "r2.html"), "--json"]).stdout
    )
    leaders = [
        entry["leader"]["model"]
        for bench in figures["capability"]["benchmarks"]
        if bench["id"] == "lmarena:full"
        for entry in bench["classes"]
        if entry["size_class"] != "unknown size"
    ]
    assert leaders
    for leader in leaders:
        assert leader in result.stdout, (width, leader)
    assert "…" not in result.stdout
    assert _lines_fit(result.stdout, width)


def test_taken_at_is_the_old_name_of_date(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    old = runner.invoke(
        app, ["--db", str(db_path), "-q", "import", "hub-json", str(path), "--taken-at", "2025-10-01", "--json"]
    )
    assert old.exit_code == 0, old.output
    assert "note: --taken-at is deprecated, use --date" in old.stderr
    assert json.loads(old.stdout)["snapshot"]["taken_at"].startswith("2025-10-01")
    new = runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(path), "--date", "2025-11-01"])
    assert new.exit_code == 0 and "deprecated" not in new.stderr
