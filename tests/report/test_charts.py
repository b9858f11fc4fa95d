"""Charts people can read: one colour per country in every chart, values on bars, size order, dates as dates,
a page that fits 420 px, no Vega warnings, scroll boxes that show whole rows, PNG exports in the right colours."""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.answers import builtin_claims
from modelrace.cli.main import app
from modelrace.hub import import_hub_json
from modelrace.knowledge import country_label
from modelrace.report import _charts as charts
from modelrace.store import Warehouse

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def decode_png(data: bytes) -> tuple[int, int, set[tuple[int, int, int]]]:
    """Width, height and the set of opaque RGB colours of an 8-bit RGB/RGBA PNG (what vl-convert writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        position += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    channels = 4 if colour_type == 6 else 3
    raw = zlib.decompress(chunks)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[tuple[int, int, int]] = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                line[i] = (line[i] + predictor) & 0xFF
        for x in range(0, stride, channels):
            if channels == 3 or line[x + 3] == 255:
                colours.add((line[x], line[x + 1], line[x + 2]))
        previous = line
    return width, height, colours


def colour_scales(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every colour scale with an explicit domain and range in a spec (its layers included)."""
    found = []
    for part in [spec, *spec.get("layer", [])]:
        scale = part.get("encoding", {}).get("color", {}).get("scale", {})
        if "domain" in scale and "range" in scale:
            found.append(scale)
    return found


def test_each_country_has_one_fixed_distinct_colour() -> None:
    colours = list(charts.COUNTRY_COLOURS.values()) + list(charts.SPECIAL_COLOURS.values())
    assert len(set(colours)) == len(colours)
    for code, colour in charts.COUNTRY_COLOURS.items():
        assert charts.country_colour(charts.country_key(code)) == colour
        assert charts.country_key(code) == country_label(code) == f"{code} – {country_label(code)[5:]}"
    assert charts.country_key("PT") == charts.OTHER_COUNTRIES  # not in the palette: never a repeated hue
    assert charts.country_key(None) == "unattributed"


def test_bars_carry_values_keep_an_order_and_fit_the_page() -> None:
    classes = ["<1B", "1-3B", "3-10B", "unknown"]
    rows: list[dict[str, Any]] = [
        {"size_class": c, "share": s} for c, s in zip(classes, (0.1, 0.5, 0.3, 0.1), strict=True)
    ]
    spec = charts.bars(rows, "size_class", "share", "Downloads by size", "source", order=classes)
    assert spec["width"] == "container"
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "text"]
    # the labels round as the tables do: "<0.1 %" for a share that is not nothing, never "0.0 %"
    assert spec["layer"][1]["encoding"]["text"]["field"] == charts.LABEL
    assert charts.value_label(0.0003) == "<0.1 %" and charts.value_label(0.5) == "50.0 %"
    labels = {row[charts.LABEL] for row in _inline_rows(spec)}
    assert labels == {"10.0 %", "50.0 %", "30.0 %"}
    assert all(layer["encoding"]["y"]["sort"] == ["<1B", "1-3B", "3-10B", "unknown"] for layer in spec["layer"])
    exported = charts.for_export(spec)
    assert exported["width"] == charts.EXPORT_WIDTH and spec["width"] == "container"
    assert "title" not in charts.for_page(spec) and charts.chart_title(spec) == ("Downloads by size", "source")


def _inline_rows(spec: Any) -> list[dict[str, Any]]:
    """Every inline data row of a spec, its layers' included."""
    if isinstance(spec, list):
        return [row for part in spec for row in _inline_rows(part)]
    if not isinstance(spec, dict):
        return []
    found = list(spec["data"]["values"]) if isinstance(spec.get("data"), dict) and "values" in spec["data"] else []
    for key in ("layer", "datasets"):
        if key in spec:
            found += _inline_rows(spec[key] if key == "layer" else list(spec[key].values()))
    return found


def test_scatter_names_the_frontier_and_the_labelled_points() -> None:
    rows = [
        {"model": "org/big-1", "params_b": 100.0, "score": 90.0, "country": "x", "frontier": True},
        {"model": "org/small-1", "params_b": 1.0, "score": 50.0, "country": "x", "frontier": True},
        {"model": "org/leader", "params_b": 10.0, "score": 70.0, "country": "x", "labelled": True},
        {"model": "org/unnamed", "params_b": 5.0, "score": 40.0, "country": "x"},
    ]
    spec = charts.scatter(rows, "params_b", "score", "country", "t", "s", "params", "score")
    names = {row["point_label"] for row in _inline_rows(spec) if "point_label" in row}
    assert names == {"big-1", "small-1", "leader"}  # without the namespace; the unremarkable point unnamed


def test_history_axis_has_one_date_per_snapshot() -> None:
    rows = [
        {"taken_at": when, "country": label, "share": share}
        for when in ("2024-09-20T19:55:23", "2025-01-02T00:00:00", "2026-05-20T18:24:08")
        for label, share in ((country_label("CN"), 0.4), (country_label("US"), 0.6))
    ]
    spec = charts.stacked_area(rows, "taken_at", "share", "country", "Share", "source")
    axis = spec["encoding"]["x"]["axis"]
    assert axis["format"] == "%Y-%m-%d" and len(axis["values"]) == 3
    assert spec["encoding"]["x"]["scale"]["type"] == "utc"
    assert spec["mark"]["point"] is True


def test_png_export_has_its_size_and_the_country_colours() -> None:
    rows = [
        {"family": "Qwen", "share": 0.33, "country": country_label("CN")},
        {"family": "Llama", "share": 0.2, "country": country_label("US")},
        {"family": "Mistral", "share": 0.05, "country": country_label("FR")},
    ]
    spec = charts.bars(rows, "family", "share", "Top families", "source", color="country")
    width, height, colours = decode_png(charts.to_png(spec, scale=1.0))
    assert charts.EXPORT_WIDTH <= width <= charts.EXPORT_WIDTH + 40  # the plot is 560 px, plus padding
    assert 80 <= height <= 400
    for code in ("CN", "US", "FR"):
        assert _hex(charts.COUNTRY_COLOURS[code]) in colours, code
    assert _hex(charts.COUNTRY_COLOURS["GB"]) not in colours


@pytest.fixture
def two_snapshots(db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]) -> Path:
    models = [dict(m) for m in edge_cases["valid"]]
    path = tmp_path / "models.json"
    path.write_text(json.dumps(models))
    with Warehouse.open(db_path) as wh:
        import_hub_json(wh, path, taken_at=datetime(2025, 10, 1), selection="complete")
        for model in models:
            model["downloads"] = (
                int(model.get("downloads") or 0) * 2 if "Qwen" in model["id"] else model.get("downloads")
            )
        path.write_text(json.dumps(models))
        import_hub_json(wh, path, taken_at=datetime(2025, 11, 1), selection="complete")
    return db_path


def _specs(html: str) -> dict[str, dict[str, Any]]:
    specs = {}
    for part in html.split('<script type="application/json" id="spec-')[1:]:
        chart_id, rest = part.split('">', 1)
        specs[chart_id] = json.loads(rest.split("</script>", 1)[0])
    return specs


def test_report_colours_each_country_the_same_in_every_chart(two_snapshots: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    result = runner.invoke(app, ["--db", str(two_snapshots), "-q", "report", "--html", str(html)])
    assert result.exit_code == 0, result.output
    specs = _specs(html.read_text())
    seen: dict[str, str] = {}
    country_charts = 0
    for chart_id, spec in specs.items():
        assert spec["width"] == "container" and "title" not in spec, chart_id
        for scale in colour_scales(spec):
            pairs = dict(zip(scale["domain"], scale["range"], strict=True))
            if not any(" – " in label for label in pairs):
                continue
            country_charts += 1
            assert len(set(pairs.values())) == len(pairs), (chart_id, pairs)  # distinct within a chart
            for label, colour in pairs.items():
                assert seen.setdefault(label, colour) == colour, (chart_id, label)
                assert colour == charts.country_colour(label)
    assert country_charts >= 3  # history, top families, top developers
    assert specs["share-by-country"]["mark"]["type"] == "area"  # two snapshots: the history chart


def _open_page(playwright: Any, html: Path, width: int) -> tuple[Any, Any, list[str]]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": width, "height": 900})
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.goto(html.as_uri())
    page.wait_for_function("document.querySelectorAll('.chart svg').length >= 7", timeout=30_000)
    page.wait_for_timeout(300)
    return browser, page, messages


# What the page must show at both widths: the verdict board first, every table's first row in view (no scroll box
# hides a table's rows), nothing wider than the page. Returned as plain data so that each assertion reads alone.
_PAGE_FACTS = """() => {
    const main = document.querySelector('main');
    const first = main.firstElementChild;
    const board = document.querySelector('#verdicts');
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const tables = Array.from(document.querySelectorAll('table.sortable')).map(t => {
        const row = t.tBodies[0].rows[0].getBoundingClientRect();
        const wrap = t.closest('.table-wrap').getBoundingClientRect();
        const inView = row.height > 0 && row.top >= wrap.top - 1 && row.bottom <= wrap.bottom + 1;
        return {id: t.id, height: row.height, inView: inView,
                boxed: getComputedStyle(t.closest('.table-wrap')).maxHeight !== 'none'};
    });
    return {first: first && first.id, boardTop: board ? board.getBoundingClientRect().top + window.scrollY : null,
            badges: document.querySelectorAll('#verdicts .badge').length,
            tiles: document.querySelectorAll('#race .tile').length, tables: tables};
}"""


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("width", [1400, 420])
def test_report_opens_with_the_verdicts_and_shows_every_table(two_snapshots: Path, tmp_path: Path, width: int) -> None:
    assert CHROMIUM is not None, "CI must install chromium (see .ci/run)"
    from playwright.sync_api import sync_playwright

    html = tmp_path / "r.html"
    assert runner.invoke(app, ["--db", str(two_snapshots), "-q", "report", "--html", str(html)]).exit_code == 0
    shots = Path(os.environ.get("MODELRACE_SCREENSHOTS", tmp_path))  # set it to keep the screenshots and look
    with sync_playwright() as playwright:
        browser, page, messages = _open_page(playwright, html, width)
        page.screenshot(path=str(shots / f"report-top-{width}.png"))
        page_width = page.evaluate("document.documentElement.scrollWidth")
        too_wide = page.eval_on_selector_all(
            ".chart svg", "els => els.filter(e => e.getBoundingClientRect().right > window.innerWidth).length"
        )
        numbers = page.eval_on_selector_all("th.num", "els => els.map(e => getComputedStyle(e).textAlign)")
        facts = page.evaluate(_PAGE_FACTS)
        browser.close()
    assert messages == []
    assert page_width <= width
    assert too_wide == 0
    assert numbers and set(numbers) == {"right"}
    # the verdict board is the first content, on the first screen, one badge per claim; then the race's tiles
    assert facts["first"] == "verdicts" and facts["boardTop"] < 400
    assert facts["badges"] == len(builtin_claims().claims) and facts["tiles"] >= 2
    tables = facts["tables"]
    assert len(tables) >= 10
    hidden = [t["id"] for t in tables if not t["inView"] or t["boxed"]]
    assert hidden == [], hidden  # every table's first row in view; no height-limited scroll box
