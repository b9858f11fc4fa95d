"""The time-axis commands: `import lmarena` over many files, `history`, `trend --json`, `resolve` saying what the
sources state against the resolver's identity, and `model --json` with each snapshot's date."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from modelrace.cli.main import app

runner = CliRunner()
HEADER = "key,Model,rating,License,Organization,date\n"


def _run(db: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout


def test_import_history_trend_and_resolve(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "alltime.csv").write_text(
        HEADER
        + "gpt-4o-2024-05-13,GPT-4o,1280,Proprietary,OpenAI,20240601\n"
        + "qwen2.5-72b-instruct,Qwen2.5-72B,1250,Qwen,Alibaba,20240601\n"
        + "gpt-4o-2024-05-13,GPT-4o,1285,Apache 2.0,OpenAI,20240701\n"  # says open: the identity (closed) wins
        + "qwen2.5-72b-instruct,Qwen2.5-72B,1260,Qwen,Alibaba,20240701\n"
    )
    code, out = _run(db, "import", "lmarena", str(folder), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["boards"], data["stored"], data["problems"]) == (2, 2, [])
    code, out = _run(db, "history", "--json")
    boards = json.loads(out)["boards"]
    assert [(b["source"], b["data_date"], b["models"]) for b in boards] == [
        ("lmarena", "2024-06-01", 2),
        ("lmarena", "2024-07-01", 2),
    ]
    code, out = _run(db, "trend", "--metric", "rating", "--by", "country", "--json")
    assert code == 0, out
    trend = json.loads(out)
    assert {"metric", "by", "scope", "points"} <= set(trend)
    assert {"date", "key", "value", "share", "coverage"} <= set(trend["points"][0])
    july = {p["key"]: p["value"] for p in trend["points"] if p["date"] == "2024-07-01"}
    assert july == {"US": 1285, "CN": 1260}
    code, out = _run(db, "resolve", "gpt-4o-2024-05-13", "--json")
    steps = json.loads(out)["steps"]
    assert any("licence 'Apache 2.0'" in s and "the identity wins" in s for s in steps)
    code, out = _run(db, "trend", "--metric", "downloads", "--json")
    assert code == 1 and "no snapshot to follow" in json.loads(out)["error"]


def test_hub_json_takes_a_folder_and_model_lists_each_snapshot_date(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "llmfit"
    folder.mkdir()
    for day, downloads in (("2026-01-01", 5), ("2026-02-01", 9)):
        (folder / f"llmfit_hf_models_{day}.json").write_text(
            json.dumps([{"name": "Qwen/Qwen3-8B", "hf_downloads": downloads}, {"name": "x/y", "hf_downloads": 1}])
        )
    code, out = _run(db, "-q", "import", "hub-json", str(folder), "--json")
    assert code == 0, out
    assert [s["snapshot"]["data_date"] for s in json.loads(out)["snapshots"]] == ["2026-01-01", "2026-02-01"]
    code, out = _run(db, "model", "Qwen/Qwen3-8B", "--json")
    assert [(d["data_date"], d["downloads_30d"]) for d in json.loads(out)["downloads"]] == [
        ("2026-01-01", 5),
        ("2026-02-01", 9),
    ]
    code, out = _run(db, "trend", "--by", "model", "--top", "1", "--json")
    points = json.loads(out)["points"]
    assert [(p["date"], p["key"], p["share"]) for p in points] == [
        ("2026-01-01", "Qwen/Qwen3-8B", 5 / 6),
        ("2026-02-01", "Qwen/Qwen3-8B", 0.9),
    ]


def test_trend_pass_on_each_pair_of_snapshots(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "hub"
    folder.mkdir()
    for day, qwen, llama in (("2026-01-01", 1, 9), ("2026-02-01", 5, 5), ("2026-03-01", 9, 1)):
        (folder / f"llmfit_hf_models_{day}.json").write_text(
            json.dumps(
                [
                    {"name": "Qwen/Qwen3-8B", "hf_downloads": qwen},
                    {"name": "meta-llama/Llama-3.1-8B", "hf_downloads": llama},
                ]
            )
        )
    assert _run(db, "-q", "import", "hub-json", str(folder))[0] == 0
    code, out = _run(db, "trend", "--pass", "Qwen,Llama", "--json")
    data = json.loads(out)
    assert (data["pass"]["first"]["before"], data["pass"]["first"]["after"]) == ("2026-02-01", "2026-03-01")
    assert data["growth"][0]["key"] == "Qwen" and data["growth"][0]["share_change"] == 0.8
    code, out = _run(db, "trend", "--pass", "Qwen", "--json")
    assert code != 0 and "give two keys" in json.loads(out)["error"]
