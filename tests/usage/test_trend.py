"""Usage in `trend`'s point shape and the state-of-the-race headline."""

from __future__ import annotations

from datetime import date

import pytest

from modelrace.store import Warehouse
from modelrace.usage import usage_headline, usage_trend

pytestmark = pytest.mark.reference


def test_trend_points_carry_their_base_in_coverage(openrouter_warehouse: Warehouse) -> None:
    points = usage_trend(openrouter_warehouse, by="country", since=date(2026, 5, 16))
    assert {tuple(p.to_json()) for p in points} == {("date", "key", "value", "share", "coverage")}
    cn = next(p for p in points if p.key == "CN")
    assert cn.share == pytest.approx(0.427) and cn.value == pytest.approx(9_056_887_662_667)
    assert cn.coverage.endswith("share of all OpenRouter tokens") and "top 9 authors" in cn.coverage


def test_the_headline_names_leader_base_and_date(openrouter_warehouse: Warehouse) -> None:
    headline = usage_headline(openrouter_warehouse)
    assert headline is not None
    assert (headline.leader, headline.runner_up, headline.date) == ("CN", "US", date(2026, 5, 16))
    assert headline.not_listed == pytest.approx(0.162)
    assert len(headline.recent) == 8 and headline.recent[-1] == (date(2026, 5, 16), pytest.approx(0.427))
    assert "all OpenRouter tokens" in headline.words and "16.2 % not listed" in headline.words


def test_no_usage_no_headline(warehouse: Warehouse) -> None:
    assert usage_headline(warehouse) is None
