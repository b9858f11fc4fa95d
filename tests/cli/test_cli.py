from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.replay import replay_hub
from modelrace.store import Warehouse, list_snapshots

runner = CliRunner()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a fresh process (so HF_ENDPOINT is read as users set it)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "modelrace", *args], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_sync_through_hf_endpoint_then_model_json(db_path: Path, edge_cases: dict[str, Any]) -> None:
    with replay_hub(edge_cases["valid"], max_page_size=10) as hub:
        done = cli("--db", str(db_path), "--json", "sync", env={"HF_ENDPOINT": hub.endpoint})
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # nothing but JSON on stdout
    assert summary["accepted"] == 61 and summary["rejected"] == 0
    shown = cli("--db", str(db_path), "model", "Qwen/Qwen2.5-7B-Instruct", "--json")
    info = json.loads(shown.stdout)
    assert info["root"] == "Qwen/Qwen2.5-7B"
    assert info["by_root_family"]["family"] == "Qwen"
    assert info["by_root_family"]["developer"] == "Alibaba Cloud (Qwen)"
    assert info["by_root_family"]["country"] == "CN"
    assert info["license"]["id"] == "apache-2.0"
    assert info["downloads"][0]["downloads_30d"] == 14410456


def test_kill_9_during_sync_leaves_the_warehouse_consistent(db_path: Path, edge_cases: dict[str, Any]) -> None:
    with replay_hub(edge_cases["valid"], max_page_size=5) as hub:
        env = {"HF_ENDPOINT": hub.endpoint}
        assert cli("--db", str(db_path), "-q", "sync", env=env).returncode == 0
        hub.state.delay_s = 0.3
        started = hub.state.requests
        process = subprocess.Popen(
            [sys.executable, "-m", "modelrace", "--db", str(db_path), "-q", "sync"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while hub.state.requests < started + 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the sync finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        hub.state.delay_s = 0.0
        with Warehouse.open(db_path) as wh:
            assert [s.snapshot_id for s in list_snapshots(wh)] == [1]
            for table in ("snapshot_models", "model_tree", "root_ecosystem", "rejections"):
                assert wh.query(f"SELECT count(*) AS n FROM {table} WHERE snapshot_id <> 1")[0]["n"] == 0
            assert wh.query("SELECT count(*) AS n FROM snapshot_models")[0]["n"] == 61
        again = cli("--db", str(db_path), "--json", "sync", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["snapshot"]["snapshot_id"] == 2


def test_unreachable_hub_is_one_line_without_traceback(db_path: Path) -> None:
    done = cli("--db", str(db_path), "sync", "--retries", "0", env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot reach the Hub" in done.stderr
    assert done.stderr.count("error:") == 1


def test_json_error_on_stdout_for_machines(db_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(db_path), "--json", "model", "a/b"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert "no warehouse" in payload["error"]


def test_empty_warehouse_says_what_to_run(db_path: Path) -> None:
    Warehouse.open(db_path).close()
    result = runner.invoke(app, ["--db", str(db_path), "snapshots"])
    assert result.exit_code == 0
    assert "modelrace sync" in result.stdout
    result = runner.invoke(app, ["--db", str(db_path), "model", "Qwen/Qwen2.5-7B"])
    assert result.exit_code == 1
    assert "holds no snapshot" in result.stderr


def test_unknown_model_suggests_close_ids(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(path)]).exit_code == 0
    result = runner.invoke(app, ["--db", str(db_path), "model", "qwen/qwen2.5-7b"])
    assert result.exit_code == 1
    assert "did you mean Qwen/Qwen2.5-7B" in result.stderr


def test_every_command_has_json(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    for args in (
        ["import", "hub-json", str(path), "--json"],
        ["snapshots", "--json"],
        ["model", "Qwen/Qwen2.5-7B", "--json"],
    ):
        result = runner.invoke(app, ["--db", str(db_path), "-q", *args])
        assert result.exit_code == 0, result.output
        json.loads(result.stdout)


@pytest.mark.reference
def test_replay_of_reference_data_end_to_end(reference_data: Path, db_path: Path) -> None:
    from modelrace.replay import models_from_llmfit

    models = models_from_llmfit(
        reference_data / "llmfit_hf_models_2026-05.json",
        reference_data / "open_llm_leaderboard_v2_contents_2025-02.csv",
    )
    with replay_hub(models) as hub:
        done = cli("--db", str(db_path), "--json", "sync", env={"HF_ENDPOINT": hub.endpoint})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] > 1500
    info = json.loads(cli("--db", str(db_path), "model", "Qwen/Qwen2.5-7B-Instruct", "--json").stdout)
    assert info["root"] == "Qwen/Qwen2.5-7B"
    assert (info["by_root_family"]["family"], info["by_root_family"]["country"]) == ("Qwen", "CN")
    quant = json.loads(cli("--db", str(db_path), "model", "unsloth/Qwen2.5-7B-Instruct-bnb-4bit", "--json").stdout)
    assert quant["root"] == "Qwen/Qwen2.5-7B"
    assert quant["by_uploader"]["kind"] == "re-uploader"


def test_replay_hub_on_a_taken_port_is_a_clear_error(tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    import socket

    data = tmp_path / "models.json"
    data.write_text(json.dumps(edge_cases["valid"]))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["replay-hub", "--data", str(data), "--port", str(port)])
    assert result.exit_code == 2
    assert "pick another --port" in result.stderr


def test_license_command_gives_different_verdicts_with_clauses(
    db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    assert runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(path)]).exit_code == 0
    qwen = json.loads(
        runner.invoke(app, ["--db", str(db_path), "license", "Qwen/Qwen2.5-7B-Instruct", "--json"]).stdout
    )
    llama = json.loads(
        runner.invoke(app, ["--db", str(db_path), "license", "meta-llama/Llama-3.1-8B-Instruct", "--json"]).stdout
    )
    assert (qwen["licence_id"], qwen["verdict"]) == ("apache-2.0", "permissive")
    assert (llama["licence_id"], llama["verdict"]) == ("llama3.1", "conditional")
    assert any("700 million" in c["text"] for c in llama["deciding_clauses"])
    assert qwen["notice"].startswith("Not legal advice")
    text = runner.invoke(app, ["--db", str(db_path), "license", "meta-llama/Llama-3.1-8B-Instruct"]).stdout
    assert "conditional" in text and "700 million monthly active users" in text
    assert text.count("Not legal advice") == 1
    licence = json.loads(runner.invoke(app, ["license", "Llama 3.1 Community License Agreement", "--json"]).stdout)
    assert licence["id"] == "llama3.1"
    listed = json.loads(runner.invoke(app, ["licenses", "--json"]).stdout)
    assert {row["id"] for row in listed} >= {"apache-2.0", "llama3.1", "qwen", "deepseek"}
    unknown = runner.invoke(app, ["--db", str(db_path), "license", "nobody/nothing"])
    assert unknown.exit_code == 1 and "not a known licence" in unknown.stderr


def test_cycles_in_the_model_tree_are_said(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    """Models whose declared bases lead back to themselves (cycle-a <-> cycle-b, loop/self-base) are named by the
    import and by `model`, not only in a JSON field."""
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    done = runner.invoke(app, ["--db", str(db_path), "--json", "import", "hub-json", str(path)])
    assert done.exit_code == 0, done.output
    warnings = json.loads(done.stdout)["warnings"]
    assert any("lead back to themselves" in w and "cycle-a/model-a" in w for w in warnings), warnings
    shown = runner.invoke(app, ["--db", str(db_path), "model", "cycle-a/model-a"])
    assert shown.exit_code == 0 and "cycle of base models" in shown.stdout
    plain = runner.invoke(app, ["--db", str(db_path), "model", "Qwen/Qwen2.5-7B-Instruct"])
    assert "cycle" not in plain.stdout


def test_usage_errors_are_json_under_json(db_path: Path) -> None:
    """An unknown command, a bad option value or a missing argument: exit 2, the message on stderr as typer says
    it, and under --json also {"error", "type"} on stdout, as every other error (stdout was empty)."""
    for args, said in (
        (("leaderboard", "--size-by", "bogus"), "'bogus' is not one of"),
        (("nosuchcmd",), "No such command"),
        (("model",), "Missing argument"),
    ):
        done = cli("--db", str(db_path), "--json", *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        shown = json.loads(done.stdout)
        assert said in shown["error"] and said in " ".join(done.stderr.split())
    plain = cli("--db", str(db_path), "nosuchcmd")
    assert plain.returncode == 2 and plain.stdout == ""


def test_a_model_held_by_another_snapshot_is_said_to_be_there(
    db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    """'not in snapshot 2; did you mean <the same id>?' named the model asked for: the snapshots that hold it are."""
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps(edge_cases["valid"]))
    second.write_text(json.dumps([m for m in edge_cases["valid"] if m["id"] != "gpt2"]))
    for path, day in ((first, "2025-10-01"), (second, "2025-11-01")):
        done = runner.invoke(app, ["--db", str(db_path), "-q", "import", "hub-json", str(path), "--date", day])
        assert done.exit_code == 0, done.output
    shown = runner.invoke(app, ["--db", str(db_path), "--json", "model", "gpt2"])
    assert shown.exit_code != 0
    assert json.loads(shown.stdout)["error"] == "gpt2 is not in snapshot 2; snapshot 1 holds it (--snapshot 1)"
