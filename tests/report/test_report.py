from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.hub import import_hub_json
from modelrace.report._render import markdown_text
from modelrace.store import Warehouse

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE_LICENCE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


@pytest.fixture
def hostile_warehouse(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> Path:
    models = [dict(m) for m in edge_cases["valid"]]
    models.append(
        {
            "id": "evil/top-model",
            "downloads": 99_000_000,
            "pipeline_tag": "text-generation",
            "tags": [f"license:{HOSTILE_LICENCE}"],
            "cardData": {"license": HOSTILE_LICENCE, "license_name": "</script><script>window.pwned=3</script>"},
        }
    )
    path = tmp_path / "models.json"
    path.write_text(json.dumps(models))
    with Warehouse.open(db_path) as wh:
        import_hub_json(wh, path, taken_at=datetime(2025, 10, 1), selection="complete")
        path.write_text(json.dumps([m for m in models if not m["id"].startswith("chain/step-4")]))
        import_hub_json(wh, path, taken_at=datetime(2025, 11, 1), selection="complete")
    return db_path


def test_report_json_schema(hostile_warehouse: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    result = runner.invoke(app, ["--db", str(hostile_warehouse), "-q", "report", "--html", str(html), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures["snapshot"]) >= {"id", "taken_at", "source", "models"}
    adoption = figures["adoption"]
    for key in ("by_country", "by_uploader_country", "by_developer", "by_family", "by_namespace"):
        rows = adoption[key]
        assert rows and all({"downloads_30d", "share"} <= set(r) for r in rows)
        shares = [r["share"] for r in rows]
        assert shares == sorted(shares, reverse=True)
    assert set(adoption["concentration"]) >= {"hhi_developer", "hhi_family", "top1_share", "top5_share"}
    assert adoption["ecosystem"]["by_family"]
    assert figures["headlines"]
    licensing = figures["licensing"]
    assert set(licensing["by_verdict"]) == {"permissive", "conditional", "non-commercial", "unknown"}
    assert sum(licensing["by_verdict"].values()) == pytest.approx(1.0)
    assert licensing["by_country"] and "permissive" in licensing["by_country"][0]
    sections = figures["sections"]
    assert sections.index("adoption") < sections.index("licensing") and "capability" not in sections
    assert html.is_file()


def test_report_markdown_with_charts(hostile_warehouse: Path, tmp_path: Path) -> None:
    md = tmp_path / "out" / "report.md"
    result = runner.invoke(
        app, ["--db", str(hostile_warehouse), "-q", "report", "--html", str(tmp_path / "r.html"), "--md", str(md)]
    )
    assert result.exit_code == 0, result.output
    text = md.read_text()
    # every download chart's title names its scope (language models, the snapshot's selection and date)
    assert re.search(
        r"!\[Download share by country \(language models; snapshot \d+, [0-9-]+\)\]"
        r"\(report_charts/share-by-country\.png\)",
        text,
    ), text[:2000]
    assert "## The claims, answered" in text and "## The state of the race" in text
    assert (md.parent / "report_charts" / "share-by-country.png").read_bytes()[:4] == b"\x89PNG"
    assert (md.parent / "report_charts" / "ecosystem.svg").read_text().startswith("<svg")
    assert "Source: Hub API JSON file" in text
    # the top models' licences as the openness analysis reads them, with the verdict (not the bare stated tag)
    top = text.split("### Most downloaded models", 1)[1].split("###", 1)[0]
    assert "licence (verdict)" in top and "apache-2.0 (permissive)" in top


def test_report_on_empty_warehouse_says_what_to_run(db_path: Path, tmp_path: Path) -> None:
    Warehouse.open(db_path).close()
    result = runner.invoke(app, ["--db", str(db_path), "report", "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert "modelrace sync" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_html_escapes_card_text(hostile_warehouse: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    assert runner.invoke(app, ["--db", str(hostile_warehouse), "-q", "report", "--html", str(html)]).exit_code == 0
    page = html.read_text()
    assert "<script>window.pwned" not in page
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page
    assert os.path.getsize(html) < 5_000_000


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
def test_report_renders_in_headless_chromium(hostile_warehouse: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI must install chromium (see .ci/run)"
    from playwright.sync_api import sync_playwright

    html = tmp_path / "r.html"
    assert runner.invoke(app, ["--db", str(hostile_warehouse), "-q", "report", "--html", str(html)]).exit_code == 0
    problems: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page()

        def on_console(message: Any) -> None:
            if message.type == "error":
                problems.append(message.text)

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("dialog", on_dialog)
        page.goto(html.as_uri())
        page.wait_for_function("document.querySelectorAll('.chart svg').length >= 7", timeout=20_000)
        charts = page.eval_on_selector_all(
            ".chart", "els => els.map(e => e.querySelectorAll('svg .mark-rect, svg .mark-area').length)"
        )
        pwned = page.evaluate("window.pwned")
        licence_cells = page.eval_on_selector_all("#table-top-models td", "els => els.map(e => e.textContent)")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.click("#table-top-models th:nth-child(2)")  # sort by downloads: ascending
        first = page.eval_on_selector("#table-top-models tbody tr td", "e => e.textContent")
        browser.close()
    assert problems == []
    assert dialogs == []
    assert pwned is None
    assert all(count > 0 for count in charts), charts
    assert any(HOSTILE_LICENCE.lower() in cell for cell in licence_cells), licence_cells  # shown as text
    assert first != "evil/top-model"


@pytest.mark.reference
def test_report_has_the_capability_section_when_results_are_imported(
    hostile_warehouse: Path, tmp_path: Path, reference_data: Path
) -> None:
    for source, name in (
        ("lmarena", "lmarena_leaderboard_text_2025-12.json"),
        ("epoch-benchmarks", "epoch_benchmarking_hub_2025-12.json"),
    ):
        assert (
            runner.invoke(
                app, ["--db", str(hostile_warehouse), "-q", "import", source, str(reference_data / name)]
            ).exit_code
            == 0
        )
    md = tmp_path / "md" / "report.md"
    result = runner.invoke(
        app,
        ["--db", str(hostile_warehouse), "-q", "report", "--html", str(tmp_path / "r.html"), "--md", str(md), "--json"],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    sections = figures["sections"]
    assert sections.index("adoption") < sections.index("licensing") < sections.index("capability")
    assert figures["cost"]["models"] and figures["cost"]["sources"]  # the cost section's figures are in the JSON too
    ids = {b["id"] for b in figures["capability"]["benchmarks"]}
    assert {"lmarena:full", "epoch-benchmarks:gpqa_diamond"} <= ids
    assert any("leaders by size" in h["text"] for h in figures["headlines"])
    assert (md.parent / "report_charts" / "frontier.png").exists()
    html = (tmp_path / "r.html").read_text()
    spec = json.loads(html.split('id="spec-frontier">', 1)[1].split("</script>", 1)[0])
    # the points' data (the layers naming points carry only the labelled ones)
    layers = [spec, *spec.get("layer", [])]
    rows = next(
        part["data"]["values"]
        for part in layers
        if isinstance(part.get("data"), dict) and any("frontier" in r for r in part["data"].get("values", []))
    )
    assert rows and all(isinstance(r["params_b"], float) for r in rows)
    assert any(r["frontier"] for r in rows)
    assert (md.parent / "report_charts" / "open-closed-gap.png").exists()
    text = md.read_text()
    assert "Leaders by size class" in text
    assert markdown_text("lmarena (LMArena text (overall)), data of 2025-12-01") in text  # escaped as data
    # the open models no size class holds are counted under the table, with the best of them
    assert markdown_text("are in no class: LMArena text (overall) ") in text and "mistral-large-3" in text


@pytest.mark.reference
def test_report_on_imported_results_without_a_hub_snapshot(db_path: Path, tmp_path: Path, reference_data: Path) -> None:
    imported = runner.invoke(
        app,
        [
            "--db",
            str(db_path),
            "-q",
            "import",
            "lmarena",
            str(reference_data / "lmarena_leaderboard_text_2025-12.json"),
        ],
    )
    assert imported.exit_code == 0, imported.output
    html = tmp_path / "r.html"
    result = runner.invoke(app, ["--db", str(db_path), "-q", "report", "--html", str(html), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    # the download claims say why they cannot be answered (no snapshot), the capability ones are answered
    assert figures["sections"][:2] == ["claims", "capability"] and "adoption" not in figures["sections"]
    claims = {c["id"]: c for c in figures["claims"]}
    assert claims["cn-most-downloaded"]["verdict"] == "insufficient data"
    assert "modelrace sync" in claims["cn-most-downloaded"]["why"]
    assert figures["snapshot"] is None and figures["adoption"] is None
    assert "No Hub snapshot in this warehouse" in html.read_text()
    text = runner.invoke(app, ["--db", str(db_path), "-q", "report", "--html", str(html)])
    assert text.exit_code == 0 and "Leaders by size class" in text.stdout and "The claims, answered" in text.stdout


def test_an_empty_table_says_why(tmp_path: Path) -> None:
    from modelrace.report._model import Column, Table
    from modelrace.report._render import empty_text, terminal_table

    table = Table("licence-conflicts", "Conflicts", [Column("model_id", "model")], [], "src", empty="No conflicts.")
    assert empty_text(table) == "No conflicts."
    assert terminal_table(table, 100).caption == "No conflicts."


def test_a_report_path_under_a_file_is_a_clear_error(hostile_warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = runner.invoke(
        app, ["--db", str(hostile_warehouse), "-q", "--json", "report", "--html", str(tmp_path / "afile" / "r.html")]
    )
    assert result.exit_code != 0 and "afile is a file, not a folder" in json.loads(result.stdout)["error"]
