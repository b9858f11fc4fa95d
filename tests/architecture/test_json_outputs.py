"""Golden `--json` outputs: a small but representative warehouse built from the real reference data, and the
`--json` text of the commands the analyses feed, compared byte for byte against files recorded before the typed-row
refactor (#24). A change here is a change of behaviour: record again only on purpose
(MODELRACE_RECORD_JSON_OUTPUTS=1), and say why in the commit.

Only what truly varies from run to run is replaced before comparing: the reference-data folder (an absolute path,
in `source_detail`, `origin` and the sources' text) by `<reference-data>`, and the report's `generated_at` (the
clock) by `<generated-at>`. Outputs over 100 kB are stored gzipped."""

from __future__ import annotations

import difflib
import gzip
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import FIXTURES, reference_dir
from typer.testing import CliRunner

from modelrace.cli.main import app

GOLDEN = FIXTURES / "json_outputs"
RECORD = os.environ.get("MODELRACE_RECORD_JSON_OUTPUTS") == "1"
_GZIP_OVER = 100_000

# name -> the command's arguments (after `--db PATH --json`)
COMMANDS: dict[str, list[str]] = {
    "leaderboard": ["leaderboard"],
    "leaderboard_size_class": ["leaderboard", "--size-class", "3-10B", "--benchmark", "lmarena:full"],
    "shares": ["shares"],
    "claims": ["claims"],
    "versus": ["versus", "deepseek-r1", "o1"],
    "gap": ["gap"],
    "gap_cn_us": ["gap", "--between", "CN,US"],
    "trend_downloads": ["trend", "--metric", "downloads"],
    "pick": ["pick"],
    "report": ["report"],
}

_GENERATED_AT = re.compile(r'"generated_at": "[^"]*"')


def _imports(data: Path) -> list[list[str]]:
    history = data / "lmarena_history"
    return [
        [
            *("import", "hub-json", str(data / "hub_api_top100_textgen_2026-02-16.json")),
            *("--selection", "top-downloads", "--date", "2026-02-16"),
        ],
        [
            *("import", "lmarena", str(data / "lmarena_leaderboard_text_2025-12.json")),
            *(str(history / f"lmarena_leaderboard_text_{day}.json") for day in ("2025-03-07", "2025-11-05")),
        ],
        ["import", "artificial-analysis", str(data / "artificial_analysis_providers_2025-08-14.csv")],
        ["import", "livebench", str(data / "livebench_table_2026-01-08.csv")],
        ["import", "openrouter", str(data / "openrouter" / "weekly_top_models" / "openrouter_weekly_2025-12-07.json")],
    ]


@pytest.fixture(scope="module")
def golden_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    data = reference_dir()
    if data is None:
        if os.environ.get("CI"):
            pytest.fail("MODELRACE_REFERENCE_DATA is not set to the shared data folder in CI")
        pytest.skip("reference data absent: set MODELRACE_REFERENCE_DATA to ../shared/data")
    db = tmp_path_factory.mktemp("golden") / "warehouse.duckdb"
    runner = CliRunner()
    for args in _imports(data):
        result = runner.invoke(app, ["--db", str(db), "-q", *args])
        assert result.exit_code == 0, (args, result.output)
    yield db, data


def _normalised(text: str, data: Path) -> str:
    text = text.replace(str(data.resolve()), "<reference-data>").replace(str(data), "<reference-data>")
    return _GENERATED_AT.sub('"generated_at": "<generated-at>"', text)


def _recorded(name: str) -> Path:
    plain = GOLDEN / f"{name}.json"
    return plain if plain.exists() or not (GOLDEN / f"{name}.json.gz").exists() else GOLDEN / f"{name}.json.gz"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_json_output_is_unchanged(golden_db: tuple[Path, Path], name: str) -> None:
    db, data = golden_db
    result = CliRunner().invoke(app, ["--db", str(db), "--json", *COMMANDS[name]])
    assert result.exit_code == 0, result.output
    got = _normalised(result.stdout, data)
    if RECORD:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for stale in (GOLDEN / f"{name}.json", GOLDEN / f"{name}.json.gz"):
            stale.unlink(missing_ok=True)
        if len(got.encode()) > _GZIP_OVER:
            (GOLDEN / f"{name}.json.gz").write_bytes(gzip.compress(got.encode(), mtime=0))
        else:
            (GOLDEN / f"{name}.json").write_text(got, encoding="utf-8")
        return
    path = _recorded(name)
    assert path.exists(), f"no recorded output for {name}: run with MODELRACE_RECORD_JSON_OUTPUTS=1"
    raw = path.read_bytes()
    want = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "recorded", "now", lineterm="", n=2)
        pytest.fail(f"`modelrace --json {' '.join(COMMANDS[name])}` changed:\n" + "\n".join(list(diff)[:60]))
