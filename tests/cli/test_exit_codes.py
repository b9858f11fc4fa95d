"""One exit-code rule (issue #29, README "Commands"): 2 for usage, 1 for data and environment, never a traceback."""

from __future__ import annotations

import inspect
from pathlib import Path

from typer.testing import CliRunner

from modelrace import errors
from modelrace.cli.main import app

runner = CliRunner()


def test_every_error_class_follows_the_rule() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.ModelraceError)]
    assert len(classes) >= 8
    for cls in classes:
        assert cls.exit_code == (2 if issubclass(cls, errors.ConfigError) else 1), cls.__name__


def test_usage_is_2_data_is_1(tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "w.duckdb")]
    good = tmp_path / "lmarena_2025-01-02.json"
    good.write_text('{"full": {"m": {"rating": 1200}}}')
    assert runner.invoke(app, [*db, "import", "lmarena", str(good)]).exit_code == 0
    unknown_option = runner.invoke(app, [*db, "leaderboard", "--no-such-option"])
    bad_choice = runner.invoke(app, [*db, "shares", "--by", "nothing"])
    bad_file = tmp_path / "lmarena_2025-01-01.json"
    bad_file.write_text("[1, 2]")
    bad_data = runner.invoke(app, [*db, "import", "lmarena", str(bad_file)])
    no_file = runner.invoke(app, [*db, "import", "lmarena", str(tmp_path / "missing.json")])
    assert (unknown_option.exit_code, bad_choice.exit_code) == (2, 2), bad_choice.output
    assert (bad_data.exit_code, no_file.exit_code) == (1, 1), bad_data.output
    for result in (unknown_option, bad_choice, bad_data, no_file):
        assert "Traceback" not in result.output


def test_a_failed_first_import_leaves_no_warehouse_file(tmp_path: Path) -> None:
    db = tmp_path / "new" / "w.duckdb"
    bad = tmp_path / "lmarena_2025-01-01.json"
    bad.write_text('{"nothing": 1}')
    failed = runner.invoke(app, ["--db", str(db), "import", "lmarena", str(bad)])
    assert failed.exit_code == 1 and not db.exists() and not Path(f"{db}.wal").exists()
    bad.write_text('{"full": {"m": {"rating": 1200}}}')
    assert runner.invoke(app, ["--db", str(db), "import", "lmarena", str(bad)]).exit_code == 0
    other = tmp_path / "lmarena_2025-01-02.json"
    other.write_text("[]")
    assert runner.invoke(app, ["--db", str(db), "import", "lmarena", str(other)]).exit_code == 1
    assert db.exists()  # a warehouse that existed is never removed


def test_credentials_in_hf_endpoint_never_reach_an_error_message(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens here once closed
    # A fresh process: HF_ENDPOINT is read as users set it (huggingface_hub reads it when imported).
    env = {**os.environ, "HF_ENDPOINT": f"http://user:SECRET@127.0.0.1:{port}", "HF_HUB_OFFLINE": "0"}
    command = [sys.executable, "-m", "modelrace", "--db", str(tmp_path / "w.duckdb"), "sync", "--retries", "0"]
    done = subprocess.run([*command, "--max-wait", "2"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "cannot reach the Hub at http://127.0.0.1" in done.stderr, done.stderr
    assert "SECRET" not in done.stdout + done.stderr and "Traceback" not in done.stderr
