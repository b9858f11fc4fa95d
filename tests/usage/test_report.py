"""The report's Usage section: present with usage data (beside adoption), absent without."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelrace.hub import import_hub_json
from modelrace.report._build import build_report
from modelrace.report._usage_section import report_usage_figures, usage_section
from modelrace.store import Warehouse
from modelrace.usage import import_usage


def test_no_usage_no_section(warehouse: Warehouse) -> None:
    assert report_usage_figures(warehouse, None) is None


@pytest.mark.reference
def test_the_section_on_the_real_files(openrouter_warehouse: Warehouse) -> None:
    figures = report_usage_figures(openrouter_warehouse, None)
    assert figures is not None
    section = usage_section(figures)
    tables = {t.id: t for t in section.tables}
    assert set(tables) == {"usage-country-all", "usage-country-weekly", "usage-developer", "usage-vs-downloads"}
    weekly = tables["usage-country-weekly"].rows
    assert len({r["week"] for r in weekly}) == 26
    # tokens and dollars disagree: the week of 2026-05-04, China's token share is far above its dollar share
    china = next(r for r in weekly if r["week"] == "2026-05-04" and r["key"].startswith("CN"))
    assert china["token_share"] > 0.6 and china["usd_share"] < china["token_share"] / 2
    leaders = tables["usage-vs-downloads"].rows
    assert leaders[0]["usage_rank"] == 1 and leaders[0]["share"] == pytest.approx(0.096)
    assert section.headlines[0].text.startswith("Usage: CN leads with 42.7 % of all OpenRouter tokens")


@pytest.mark.reference
def test_the_report_places_usage_beside_adoption(db_path: Path, reference_data: Path) -> None:
    with Warehouse.open(db_path) as warehouse:
        import_hub_json(warehouse, reference_data / "hub_api_top100_textgen_2026-02-16.json", selection="top-downloads")
        import_usage(warehouse, [reference_data / "openrouter" / "weekly_top_models"])
        report = build_report(warehouse)
    ids = [s.id for s in report.sections]
    assert ids.index("usage") == ids.index("adoption") + 1
