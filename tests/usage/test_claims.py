"""The usage claims on the real OpenRouter files and on too little data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelrace.answers import ClaimCheck, Evidence, check_claims
from modelrace.answers._figures import compute_figure
from modelrace.store import Warehouse
from modelrace.usage import import_usage


def _checked(warehouse: Warehouse) -> dict[str, ClaimCheck]:
    return {c.id: c for c in check_claims(warehouse).claims if c.id in ("cn-most-used", "open-share-of-usage")}


@pytest.mark.reference
def test_the_usage_claims_on_the_real_files(openrouter_warehouse: Warehouse) -> None:
    checked = _checked(openrouter_warehouse)
    cn, open_share = checked["cn-most-used"], checked["open-share-of-usage"]
    # 2026-05-16: CN 42.7 %, US 41.1 % of all tokens, 16.2 % in authors outside the top 9: it cannot tell
    assert cn.verdict == "insufficient data" and cn.date == "2026-05-16"
    assert cn.interval == [pytest.approx(-0.146), pytest.approx(0.178)]
    assert "all OpenRouter tokens" in cn.figure
    # week of 2026-05-11: open 41.4 % of the top 10 models' tokens, up to 69.8 % with hy3-preview's unknown
    assert open_share.verdict == "supported" and open_share.date == "2026-05-11"
    assert open_share.interval == [pytest.approx(0.414, abs=1e-3), pytest.approx(0.698, abs=1e-3)]
    assert "the listed top models' tokens" in open_share.figure


def test_the_usage_claims_without_usage_data_are_insufficient(warehouse: Warehouse) -> None:
    checked = _checked(warehouse)
    assert {c.verdict for c in checked.values()} == {"insufficient data"}
    assert "import openrouter" in checked["cn-most-used"].why


def test_too_few_days_is_insufficient_and_a_whole_base_decides(warehouse: Warehouse, tmp_path: Path) -> None:
    rows = [
        {"date": "2026-05-11", "model_permaslug": "deepseek/deepseek-v3.2-20251201", "total_tokens": 600},
        {"date": "2026-05-11", "model_permaslug": "anthropic/claude-4.6-opus-20260205", "total_tokens": 300},
        {"date": "2026-05-11", "model_permaslug": "other", "total_tokens": 50},
    ]
    path = tmp_path / "rankings.json"
    path.write_text(json.dumps({"data": rows}), encoding="utf-8")
    import_usage(warehouse, [path])
    evidence = Evidence(warehouse)
    few = compute_figure(evidence, "usage.open_share", {"min_days": 4})
    assert few.insufficient and "holds 1 days, fewer than the 4" in few.insufficient
    lead = compute_figure(evidence, "usage.lead", {"by": "country", "key": "CN"})
    # 600 of 950 tokens Chinese, 300 American, 50 outside the top 50: a lead of 31.6 pp, at least 26.3 pp
    assert lead.values["value"].value == pytest.approx(300 / 950)
    assert lead.values["value"].low == pytest.approx(250 / 950)
    assert _checked(warehouse)["cn-most-used"].verdict == "supported"
