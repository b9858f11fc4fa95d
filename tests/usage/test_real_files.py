"""The importer and the shares on the real OpenRouter files of 2025-11-16 to 2026-05-16."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from modelrace.store import Warehouse
from modelrace.usage import NOT_LISTED, developer_of, import_usage, load_authors, usage_series, usage_unmatched

pytestmark = pytest.mark.reference


def test_counts_per_date(openrouter_warehouse: Warehouse) -> None:
    rows = openrouter_warehouse.query(
        "SELECT s.layout, r.section, r.day, count(*) AS n FROM usage_rows r JOIN usage_snapshots s USING "
        "(usage_snapshot_id) GROUP BY ALL ORDER BY ALL"
    )
    by = {(r["layout"], r["section"], r["day"]): r["n"] for r in rows}
    assert len({d for (layout, _, d) in by if layout == "rankings-page"}) == 44
    assert len({d for (layout, _, d) in by if layout == "weekly-top-models"}) == 26
    assert by[("rankings-page", "authors", date(2026, 4, 15))] == 9
    assert by[("rankings-page", "models", date(2026, 4, 15))] == 9
    assert by[("weekly-top-models", "models", date(2025, 11, 16))] == 9
    assert by[("weekly-top-models", "models", date(2026, 5, 11))] == 10
    assert not openrouter_warehouse.query("SELECT * FROM usage_rejections")


def test_a_known_models_tokens_on_a_known_date(openrouter_warehouse: Warehouse) -> None:
    row = openrouter_warehouse.query(
        "SELECT tokens, share_pct, share_base FROM usage_rows WHERE day = '2026-04-15' AND section = 'models' "
        "AND slug = 'deepseek/deepseek-v3.2-20251201'"
    )[0]
    assert row["tokens"] == 444_710_699_138
    assert row["share_pct"] == 6.4 and row["share_base"] == "all OpenRouter tokens"
    series = usage_series(openrouter_warehouse, by="model", series="models")
    point = next(p for p in series.on(date(2026, 4, 15)) if p.key == "deepseek-ai/DeepSeek-V3.2")
    assert point.tokens == 444_710_699_138 and point.share == pytest.approx(0.064)


def test_every_author_in_the_files_maps_to_a_country(reference_data: Path) -> None:
    authors: set[str] = set()
    for path in (reference_data / "openrouter").rglob("*.json"):
        data = json.loads(path.read_text())
        for row in data.get("models", []):
            authors.add(row.get("author") or row["slug"].split("/")[0])
        authors.update(row["author"] for row in data.get("market_share", []))
    expected = {
        "anthropic": "US", "arcee-ai": "US", "deepseek": "CN", "google": "US", "meta-llama": "US",
        "minimax": "CN", "mistralai": "FR", "moonshotai": "CN", "nvidia": "US", "openai": "US", "qwen": "CN",
        "stepfun": "CN", "tencent": "CN", "x-ai": "US", "xiaomi": "CN", "z-ai": "CN", "openrouter": "unattributed",
    }  # fmt: skip
    assert authors == set(expected)
    assert {author: developer_of(author).country for author in authors} == expected
    assert all(developer_of(author).mapped for author in authors)
    assert set(load_authors().authors) >= authors


def test_dollar_share_prices_free_variants_at_zero(openrouter_warehouse: Warehouse) -> None:
    week = date(2026, 4, 6)  # three :free Qwen/StepFun variants among the top 10 that week
    tokens = usage_series(openrouter_warehouse, by="model", metric="tokens", series="weekly").on(week)
    dollars = usage_series(openrouter_warehouse, by="model", metric="usd").on(week)
    free = openrouter_warehouse.query(
        "SELECT slug, tokens FROM usage_rows WHERE day = ? AND is_free AND section = 'models'", [week]
    )
    assert len(free) == 3
    # The free variants carry tokens but no dollars: the dollar base is what the paid rows cost at list price.
    paid = openrouter_warehouse.query(
        "SELECT prompt_tokens * prompt_usd_per_token + completion_tokens * completion_usd_per_token AS usd "
        "FROM usage_rows WHERE day = ? AND NOT is_free AND prompt_usd_per_token IS NOT NULL AND section = 'models'",
        [week],
    )
    total = sum(r["usd"] for r in paid)
    assert sum(p.value or 0 for p in dollars) == pytest.approx(total)
    qwen_free = next(p for p in tokens if p.key.startswith("qwen3.6-plus"))
    assert qwen_free.share > 0.2  # 4.6 T of 16.8 T tokens
    assert all(p.base.startswith("the listed top models' list-price dollars") for p in dollars)
    assert all(p.base == "the listed top models' tokens" for p in tokens)
    anthropic_tokens = sum(p.share or 0 for p in tokens if p.key.startswith("claude"))
    anthropic_dollars = sum(p.share or 0 for p in dollars if p.key.startswith("claude"))
    assert anthropic_dollars > 2 * anthropic_tokens  # leads by revenue far more than by tokens


def test_country_shares_of_all_tokens_name_what_is_not_listed(openrouter_warehouse: Warehouse) -> None:
    series = usage_series(openrouter_warehouse, by="country")
    assert series.series == "authors"
    latest = series.latest()
    assert latest[0].date == date(2026, 5, 16)
    shares = {p.key: p.share for p in latest}
    assert shares["CN"] == pytest.approx(0.427) and shares["US"] == pytest.approx(0.411)
    assert shares[NOT_LISTED] == pytest.approx(0.162)
    assert {p.base for p in series.points} == {"all OpenRouter tokens"}  # one base in one series


def test_the_same_folder_twice_stores_nothing_new(openrouter_warehouse: Warehouse, reference_data: Path) -> None:
    before = openrouter_warehouse.query("SELECT count(*) AS n FROM usage_rows")[0]["n"]
    again = import_usage(openrouter_warehouse, [reference_data / "openrouter" / "weekly_top_models"])
    assert again.stored == 0 and len(again.snapshots) == 26
    assert openrouter_warehouse.query("SELECT count(*) AS n FROM usage_rows")[0]["n"] == before


def test_unresolved_slugs_are_listed(openrouter_warehouse: Warehouse) -> None:
    found = usage_unmatched(openrouter_warehouse)
    assert "openrouter/hunter-alpha" in found["openrouter"]
    assert "deepseek/deepseek-v3.2-20251201" not in found["openrouter"]
    assert "openrouter-authors" not in found


def test_since_keeps_the_change_against_the_day_before(openrouter_warehouse: Warehouse) -> None:
    series = usage_series(openrouter_warehouse, by="country", since=date(2026, 5, 16))
    assert series.dates == [date(2026, 5, 16)]
    cn = next(p for p in series.points if p.key == "CN")
    assert cn.change == pytest.approx(0.427 - 0.426)  # 2026-05-14's 42.6 %
