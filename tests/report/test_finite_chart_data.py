"""The HTML page's chart data never holds a bare Infinity or NaN (issue #29): JSON.parse would fail on it and no
chart would render. A non-finite figure that reached the warehouse anyway is written as null."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.report import build_report, render_html
from modelrace.report._model import Chart
from modelrace.report._render import _finite_json
from modelrace.store import Warehouse

runner = CliRunner()


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"bare {constant} in the page's JSON")

    return json.loads(text, parse_constant=refuse)


def test_non_finite_numbers_are_written_as_null() -> None:
    assert _finite_json({"a": float("inf"), "b": [float("nan"), 1.5, -float("inf")]}) == (
        '{"a": null, "b": [null, 1.5, null]}'
    )


def test_a_chart_holding_an_infinite_figure_still_parses_on_the_page(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    board = {"full": {f"m{i}": {"rating": 1000.0 + 10 * i} for i in range(6)}}
    (tmp_path / "lmarena_2025-01-01.json").write_text(json.dumps(board))
    assert (
        runner.invoke(app, ["--db", str(db), "import", "lmarena", str(tmp_path / "lmarena_2025-01-01.json")]).exit_code
        == 0
    )
    with Warehouse.open(db, read_only=True) as warehouse:
        report = build_report(warehouse, None)
    # A figure no importer stores any more (1e400 is a rejected row), as an older warehouse or a bug could hold it.
    spec = {"data": {"values": [{"model": "m5", "gap": -float("inf"), "rating": float("nan")}]}, "mark": "bar"}
    report.sections[0].charts.append(Chart("infinite", "Infinite", spec, "test"))
    html = tmp_path / "r.html"
    render_html(report, html)
    blocks = re.findall(
        r'<script type="application/json" id="spec-([^"]*)">(.*?)</script>', html.read_text(), re.DOTALL
    )
    assert "infinite" in [name for name, _ in blocks]
    for _, block in blocks:
        _strict(block)
