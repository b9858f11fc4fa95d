"""The tiles of the state of the race that other capabilities measure: usage (OpenRouter), months behind (the
dated LMArena boards) and chips (the US export rules' timeline). Each provider returns no tile when its data is
absent, so a report without usage data or board history simply has fewer tiles."""

from __future__ import annotations

from modelrace.errors import ModelraceError
from modelrace.knowledge import country_name
from modelrace.ranking import race_headline
from modelrace.report._tiles import (
    TILE_PROVIDERS,
    Tile,
    TileContext,
    TileProvider,
    TrendPoint,
    capability_tiles,
    downloads_tiles,
)
from modelrace.serving import chips_headline, hardware_gap, load_hardware
from modelrace.usage import usage_headline


def _pct(share: float) -> str:
    return "<0.1 %" if 0 < share < 0.0005 else f"{share * 100:.1f} %"


def usage_tiles(context: TileContext) -> list[Tile]:
    """Who leads OpenRouter tokens by country, on the newest day held, with the share of the base not listed."""
    found = usage_headline(context.warehouse)
    if found is None:
        return []
    detail = (
        f"{country_name(found.runner_up)} {_pct(found.runner_up_share)}"
        if found.runner_up is not None and found.runner_up_share is not None
        else "no runner-up listed"
    )
    if found.not_listed:
        detail += f"; {_pct(found.not_listed)} not listed (could be anyone's)"
    trend = [TrendPoint(day.isoformat(), share * 100) for day, share in found.recent]
    return [
        Tile(
            "usage-country",
            "usage",
            "Usage on OpenRouter: who leads by tokens",
            f"{country_name(found.leader)} {_pct(found.share)}",
            detail,
            found.date.isoformat(),
            f"{found.base}; one router among many, no self-hosted use",
            found.source,
            "usage",
            trend if len(trend) >= 2 else [],
            f"{country_name(found.leader)}'s share, by day (%)",
        )
    ]


def months_behind_tiles(context: TileContext) -> list[Tile]:
    """How many months China's best model trails the best US model, on the latest dated board."""
    found = race_headline(context.warehouse)
    if found is None or found.behind is None:
        return []
    upper = "open" if found.upper is None else f"{found.upper:.1f}"
    trend = [TrendPoint(day.isoformat(), months) for day, months, _, _ in found.series]
    behind = country_name(found.behind)
    return [
        Tile(
            "capability-months-behind",
            "capability",
            "Months behind: China vs the US",
            f"{behind} {found.months_behind:.1f} months behind",
            f"95 % interval {found.lower:.1f} to {upper} months; ratings compared within each board",
            found.date.isoformat(),
            f"{found.benchmark}: the best model of each country, every dated board held",
            found.source,
            "race-over-time",
            trend if len(trend) >= 2 else [],
            "months behind, by board",
        )
    ]


def chips_tiles(context: TileContext) -> list[Tile]:
    """The best chip a lab in China can buy without a US licence against a US lab's, and the TPP ratio."""
    try:
        registry = load_hardware(include_cpu=False)
        found = chips_headline(registry)
    except ModelraceError:  # no chip data (Epoch's file), or no counted chip on one side: no tile, as the cost
        return []  # section then has no chips headline either
    gap = hardware_gap(registry)
    trend = [TrendPoint(q.end.isoformat(), q.tpp_ratio) for q in gap.quarters[-8:] if q.tpp_ratio is not None]
    return [
        Tile(
            "chips-gap",
            "chips",
            "Chips: what a lab in China can buy",
            f"the US x{found.tpp_ratio:.1f} the TPP",
            f"{found.us_chip} (US) vs {found.china_chip} (China, without a licence)",
            found.date.isoformat(),
            f"data-centre chips on sale, under the rule in force ({found.rule}); datasheet TPP",
            found.source,
            "cost",
            trend if len(trend) >= 2 else [],
            "US / China TPP ratio, by quarter",
        )
    ]


def report_tile_providers() -> list[TileProvider]:
    """The report's tiles in reading order: downloads, usage, capability, months behind, chips; then any provider
    added to ``TILE_PROVIDERS``."""
    ordered: list[TileProvider] = [downloads_tiles, usage_tiles, capability_tiles, months_behind_tiles, chips_tiles]
    return ordered + [provider for provider in TILE_PROVIDERS if provider not in ordered]
