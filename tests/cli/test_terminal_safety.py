"""Text from data never drives the terminal (issue #29): escape sequences (OSC 52 sets the clipboard, OSC 0 the
window title, CSI clears the screen), other controls and bidi overrides are stripped at the output edge, on every
renderer: leaderboard, arena, the import battles summary and the report's terminal summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from modelrace._terminal import SafeConsole, data_table, safe_text
from modelrace.cli.main import app

runner = CliRunner()
# OSC 52 (clipboard), OSC 0 (title), CSI clear screen and cursor up, BEL, a C1 CSI, and a right-to-left override
EVIL = "gpt\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b]0;owned\x1b\\\x1b[2J\x1b[1A\x07\x9b2J-\u202etxt.exe"
CLEAN = "gpt-txt.exe"
DANGEROUS = ("\x1b", "\x07", "\x9b", "\u202e", "52;c", "]0;")


def _assert_clean(output: str) -> None:
    for bad in DANGEROUS:
        assert bad not in output, f"{bad!r} reached the terminal"


def test_safe_text_strips_whole_sequences_and_keeps_plain_text() -> None:
    assert safe_text(EVIL) == CLEAN
    assert safe_text("Qwen2.5-7B\tx\ny") == "Qwen2.5-7B\tx\ny"
    assert safe_text("\u2066a\u2069\u200fb\x00c\x7fd") == "abcd"
    assert safe_text("中文 ✓ café") == "中文 ✓ café"


@pytest.mark.parametrize(
    "renderable",
    [EVIL, Text(EVIL), data_table(["model"], [[EVIL]]), data_table(["model"], [[Text(EVIL)]])],
    ids=["str", "Text", "table", "table of Text"],
)
def test_the_console_strips_every_renderable(
    renderable: str | Text | Table, capsys: pytest.CaptureFixture[str]
) -> None:
    console = SafeConsole(force_terminal=True, width=120)  # colours on: its own escapes must survive
    console.print(renderable, style="bold", markup=False)
    out = capsys.readouterr().out
    assert CLEAN in out and "\x1b[1m" in out  # the console's bold stays
    assert "]52;" not in out and "\u202e" not in out and "\x1b[2J" not in out and "\x07" not in out


def _arena_files(folder: Path) -> tuple[Path, Path]:
    board = {"full": {EVIL: {"rating": 1300.0, "rating_q025": 1290, "rating_q975": 1310}, "plain": {"rating": 1200.0}}}
    (folder / "lmarena_2025-01-01.json").write_text(json.dumps(board))
    battles = [
        {"model_a": EVIL, "model_b": "plain", "winner": w, "tstamp": 1_700_000_000 + i}
        for i, w in enumerate(["model_a", "model_b", "tie", "model_a"] * 5)
    ]
    (folder / "battles_2025-01-01.jsonl").write_text("".join(json.dumps(b) + "\n" for b in battles))
    return folder / "lmarena_2025-01-01.json", folder / "battles_2025-01-01.jsonl"


def _oll_file(folder: Path) -> Path:
    benchmarks = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]
    columns = ["fullname", "#Params (B)", *(c for b in benchmarks for c in (b, f"{b} Raw"))]
    rows = [["org/" + EVIL, "7", *["50", "0.5"] * 6], ["org/plain", "7", *["40", "0.4"] * 6]]
    path = folder / "oll_2025-01-01.csv"
    path.write_text("\n".join(",".join(row) for row in [columns, *rows]) + "\n")
    return path


def test_every_renderer_prints_data_stripped(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    board, battles = _arena_files(tmp_path)
    for source, path in (("lmarena", board), ("open-llm-leaderboard", _oll_file(tmp_path))):
        imported = runner.invoke(app, ["--db", db, "import", source, str(path)])
        assert imported.exit_code == 0, imported.output
    summary = runner.invoke(app, ["--db", db, "import", "battles", str(battles)])
    assert summary.exit_code == 0, summary.output
    outputs = {"import battles": summary.output}
    for name, command in {
        "leaderboard": ["leaderboard", "--benchmark", "GPQA"],
        "arena": ["arena"],
        "report": ["report"],
    }.items():
        result = runner.invoke(app, ["--db", db, *command], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (name, result.output)
        outputs[name] = result.output
    for output in outputs.values():
        _assert_clean(output)
    assert "org/gpt" in outputs["leaderboard"] and CLEAN in outputs["arena"]


def test_an_error_quoting_data_is_stripped(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    result = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "import", "battles", str(bad) + EVIL])
    assert result.exit_code != 0
    _assert_clean(result.output)
