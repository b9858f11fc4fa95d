"""The report a journalist reads in 30 seconds (#27), on real data in headless Chromium at 420 and 1400 px: the
verdict board is the first content, the download claims are answered on the 2026-02-16 top 100 and say so, the
tiles carry a number, a date and a scope, and every table (the cost table included, whose 618 px first row a
520 px scroll box once hid entirely) shows its first row."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from tests.report.test_charts import _PAGE_FACTS, CHROMIUM
from typer.testing import CliRunner

from modelrace.answers import builtin_claims
from modelrace.cli.main import app
from modelrace.hub import import_hub_json
from modelrace.store import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def race_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    from tests.conftest import reference_dir

    data = reference_dir()
    if data is None:
        pytest.skip("the reference data is not available (set MODELRACE_REFERENCE_DATA)")
    folder = tmp_path_factory.mktemp("opening")
    db = folder / "race.duckdb"
    with Warehouse.open(db) as warehouse:
        import_hub_json(
            warehouse,
            data / "hub_api_top100_textgen_2026-02-16.json",
            taken_at=datetime(2026, 2, 16),
            selection="top-downloads",
        )
    for source, name in (
        ("lmarena", "lmarena_leaderboard_text_2025-12.json"),
        ("artificial-analysis", "artificial_analysis_providers_2025-08-14.csv"),
    ):
        assert runner.invoke(app, ["--db", str(db), "-q", "import", source, str(data / name)]).exit_code == 0
    html = folder / "report.html"
    result = runner.invoke(app, ["--db", str(db), "-q", "report", "--html", str(html), "--json"])
    assert result.exit_code == 0, result.output
    return html, json.loads(result.stdout)


@pytest.mark.reference
def test_the_tiles_and_the_download_claims_say_their_scope(race_report: tuple[Path, dict[str, object]]) -> None:
    _, figures = race_report
    claims = {c["id"]: c for c in figures["claims"]}  # type: ignore[attr-defined]
    for claim in ("cn-most-downloaded", "qwen-top-family"):
        assert claims[claim]["verdict"] == "supported" and "among the top 100" in claims[claim]["figure"]
    tiles = {t["id"]: t for t in figures["tiles"]}  # type: ignore[attr-defined]
    downloads = tiles["downloads-cn-us"]
    assert downloads["value"] == "60.7 %" and "the United States 32.5 %" in downloads["detail"]
    assert downloads["date"] == "2026-02-16" and "top 100" in downloads["scope"]
    assert "language models only" in downloads["scope"]
    assert tiles["downloads-top-family"]["value"] == "Qwen"
    gap = tiles["capability-open-closed"]
    assert gap["value"].startswith("closed ahead by") and gap["date"] == "2025-12-01"


@pytest.mark.reference
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("width", [1400, 420])
def test_every_table_shows_its_first_row(race_report: tuple[Path, dict[str, object]], width: int) -> None:
    from playwright.sync_api import sync_playwright

    html, _ = race_report
    shots = Path(os.environ.get("MODELRACE_SCREENSHOTS", html.parent))
    messages: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: messages.append(str(error)))
        page.goto(html.as_uri())
        page.wait_for_function("document.querySelectorAll('.chart svg').length >= 5", timeout=30_000)
        page.screenshot(path=str(shots / f"opening-{width}.png"))
        facts = page.evaluate(_PAGE_FACTS)
        text = page.inner_text("#verdicts")
        browser.close()
    assert messages == []
    assert facts["first"] == "verdicts" and facts["boardTop"] < 400 and facts["badges"] == len(builtin_claims().claims)
    assert "hub_api_top100_textgen_2026-02-16.json" in text and "the top 100 models" in text
    ids = [t["id"] for t in facts["tables"]]
    assert "table-cost-models" in ids
    hidden = [t["id"] for t in facts["tables"] if not t["inView"] or t["boxed"]]
    assert hidden == []
