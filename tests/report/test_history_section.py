"""The report's "The race over time" section: present with two dated boards or more, its charts valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from modelrace.ranking import race_headline
from modelrace.report import build_report
from modelrace.report._render import render_html
from modelrace.sources import import_results
from modelrace.store import Warehouse

BOARDS = {
    "2025-01-01": {"gpt-4o-2024-08-06": 1300, "deepseek-v3": 1250, "llama-3.1-405b-instruct": 1260},
    "2025-04-01": {"gpt-4o-2024-08-06": 1301, "gpt-4.5-preview-2025-02-27": 1330, "deepseek-v3": 1252},
    "2025-07-01": {"gpt-4o-2024-08-06": 1302, "gpt-5": 1380, "deepseek-v3": 1255, "deepseek-r1": 1320},
}


def _import(warehouse: Warehouse, folder: Path, day: str) -> None:
    full = {n: {"rating": r, "rating_q025": r - 4, "rating_q975": r + 4} for n, r in BOARDS[day].items()}
    path = folder / f"lmarena_leaderboard_text_{day}.json"
    path.write_text(json.dumps({"full": full}))
    import_results(warehouse, "lmarena", path)


def test_the_section_needs_two_dated_boards(warehouse: Warehouse, tmp_path: Path) -> None:
    _import(warehouse, tmp_path, "2025-01-01")
    assert "race-over-time" not in [s.id for s in build_report(warehouse).sections]
    assert race_headline(warehouse) is None
    _import(warehouse, tmp_path, "2025-04-01")
    _import(warehouse, tmp_path, "2025-07-01")
    report = build_report(warehouse)
    section = next(s for s in report.sections if s.id == "race-over-time")
    assert [c.id for c in section.charts] == [
        "race-open-closed", "race-cn-us", "race-months-behind", "race-frontier-open-closed", "race-frontier-cn-us",
    ]  # fmt: skip
    schema = load_schema()
    for chart in section.charts:
        validate_jsonschema(chart.spec, schema)
        assert "lmarena_leaderboard_text_2025-07-01.json" in chart.source
    # the latest board: gpt-5 (US, closed) 1380 against deepseek-r1 (CN, open) 1320, a level gpt-4.5 reached on the
    # board of 2025-04-01 (three months before; not on the first board, so the upper end is known)
    assert any("60.0 points apart" in h.text and "CN is 3.0 months behind" in h.text for h in section.headlines)
    # the Epoch-style view on the latest board (gpt-4.5 is not on it): gpt-4o (first seen 01-01), then gpt-5 (07-01)
    closed = [(r["model"], r["date"]) for r in section.charts[3].spec["data"]["values"] if r["side"] == "closed"]
    assert closed == [("gpt-4o-2024-08-06", "2025-01-01"), ("gpt-5", "2025-07-01")]
    months = section.charts[2].spec["data"]["values"]
    assert [(r["series"], r["date"]) for r in months if r["series"] == "CN behind US"] == [
        ("CN behind US", "2025-07-01")
    ]
    rows = section.tables[0].rows
    assert {r["date"] for r in rows} == set(BOARDS) and all(r["file"].endswith(".json") for r in rows)
    html = tmp_path / "report.html"
    render_html(report, html)
    assert 'id="race-over-time"' in html.read_text()
    tile = race_headline(warehouse)
    assert tile is not None and tile.behind == "CN" and tile.date.isoformat() == "2025-07-01"
    assert len(tile.series) == 3 and tile.upper is not None and tile.lower <= tile.months_behind <= tile.upper
    assert tile.source.endswith("lmarena_leaderboard_text_2025-07-01.json")


def test_without_chip_data_the_report_has_no_chips_tile(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelrace.errors import ConfigError
    from modelrace.report import _race_tiles

    def missing(include_cpu: bool = True) -> None:
        raise ConfigError("the hardware registry reads Epoch AI's ML Hardware file")

    monkeypatch.setattr(_race_tiles, "load_hardware", missing)
    assert _race_tiles.chips_tiles(None) == []  # type: ignore[arg-type]  # the context is not read before the data


def test_without_a_counted_chip_on_one_side_the_report_has_no_chips_tile(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelrace.errors import NotFoundError
    from modelrace.report import _race_tiles

    def one_sided(registry: object) -> None:
        raise NotFoundError("no counted chip on the China side on 2026-06-30")

    monkeypatch.setattr(_race_tiles, "chips_headline", one_sided)
    assert _race_tiles.chips_tiles(None) == []  # type: ignore[arg-type]  # the context is not read before the data
