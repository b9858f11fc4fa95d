"""The report's opening screen: the verdict board (one row per claim) and "the state of the race" in tiles.

A **tile** is one number a reader takes away (China's share of language-model downloads, the gap between the best
open and the best closed model), with its date, its scope and a small trend where history exists. Any section can
contribute tiles: write a :data:`TileProvider` (a function of the :class:`TileContext` that returns a list of
:class:`Tile`, empty when its data is absent) and add it to :data:`TILE_PROVIDERS` (or pass ``providers`` to
:func:`race_tiles`). Tiles appear in the order of the providers, then of the tiles each returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from modelrace._serialise import JsonResult
from modelrace.adoption import AdoptionFigures
from modelrace.answers import ClaimCheck
from modelrace.knowledge import country_name
from modelrace.ranking import BenchmarkBoard, CountryBest, Leaderboard
from modelrace.store import Warehouse

TileGroup = Literal["downloads", "usage", "capability", "chips"]
BadgeVerdict = Literal["supported", "not supported", "mixed", "insufficient data"]


@dataclass(frozen=True)
class TrendPoint(JsonResult):
    """One point of a tile's trend: a date and the value on it (in the tile's own units)."""

    date: str
    value: float


@dataclass(frozen=True)
class Tile(JsonResult):
    """One figure of the state of the race: the number as shown, what it is, its date, scope and source.

    ``value`` is the number as people read it ("60.7 %"), ``detail`` the comparison beside it ("the US 32.5 %"),
    ``evidence`` the report section holding the full figures (an id, "adoption"), ``trend`` the history where
    there is one (oldest first; two points or more draw a line).
    """

    id: str
    group: TileGroup
    title: str
    value: str
    detail: str
    date: str | None
    scope: str
    source: str
    evidence: str | None = None
    trend: list[TrendPoint] = field(default_factory=list)
    trend_label: str = ""  # what the trend shows ("China's share, by snapshot")


@dataclass(frozen=True)
class TileContext:
    """What tile providers read: the warehouse and the figures the report already computed (None where absent)."""

    warehouse: Warehouse
    adoption: AdoptionFigures | None
    capability: Leaderboard | None
    claims: Sequence[ClaimCheck]


TileProvider = Callable[[TileContext], list[Tile]]


def _pct(value: float) -> str:
    if 0 < abs(value) < 0.0005:
        return "<0.1 %"
    return f"{value * 100:.1f} %"


def downloads_tiles(context: TileContext) -> list[Tile]:
    """China versus the United States, and the top family, by downloads (root view) of the report's snapshot."""
    figures = context.adoption
    if figures is None or not figures.adoption.by_country:
        return []
    snapshot = figures.snapshot
    date = snapshot.data_date or snapshot.taken_at[:10]
    scope = figures.scope.selection or figures.scope_words
    source = f"snapshot {snapshot.id}: {snapshot.provenance}"
    by_country = {r.key: r.share for r in figures.adoption.by_country}
    cn, us = by_country.get("CN", 0.0), by_country.get("US", 0.0)
    trend = [
        TrendPoint(
            p.snapshot.data_date or p.snapshot.taken_at[:10],
            next((r.share for r in p.by_country if r.key == "CN"), 0.0),
        )
        for p in figures.adoption.history
    ]
    tiles = [
        Tile(
            "downloads-cn-us",
            "downloads",
            "China vs the US, downloads",
            _pct(cn),
            f"China {_pct(cn)} vs the United States {_pct(us)}",
            date,
            scope,
            source,
            "adoption",
            trend if len(trend) >= 2 else [],
            "China's share, by comparable snapshot",
        )
    ]
    families = [r for r in figures.adoption.by_family if r.key != "unattributed"]
    if families:
        top = families[0]
        runner = f"; next {families[1].key} {_pct(families[1].share)}" if len(families) > 1 else ""
        tiles.append(
            Tile(
                "downloads-top-family",
                "downloads",
                "Top family, downloads",
                str(top.key),
                f"{top.key} {_pct(top.share)}{runner}",
                date,
                scope,
                source,
                "adoption",
            )
        )
    return tiles


def _board(capability: Leaderboard | None) -> BenchmarkBoard | None:
    """The board capability tiles read: LMArena overall when imported, else the first with a closed model."""
    if capability is None:
        return None
    boards = [b for b in capability.benchmarks if b.open_vs_closed.best_open and b.open_vs_closed.best_closed]
    return next((b for b in boards if b.id == "lmarena:full"), boards[0] if boards else None)


def _score(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def capability_tiles(context: TileContext) -> list[Tile]:
    """Best open versus best closed, and best Chinese versus best US model, on one headline benchmark."""
    board = _board(context.capability)
    if board is None:
        return []
    gap = board.open_vs_closed
    best_open, best_closed = gap.best_open, gap.best_closed
    if best_open is None or best_closed is None or gap.gap is None:
        return []
    source = f"{board.source} ({board.name}), data of {board.data_date}"
    trend = [TrendPoint(p.date, float(p.gap)) for p in gap.over_time if p.gap is not None]
    tiles = [
        Tile(
            "capability-open-closed",
            "capability",
            "Best closed vs best open model",
            f"{'closed' if float(gap.gap) > 0 else 'open'} ahead by {abs(float(gap.gap)):,.1f}",
            f"{best_closed.model} (closed) {_score(best_closed.value)} vs {best_open.model} "
            f"(open, {country_name(best_open.country)}) {_score(best_open.value)}"
            + ("; significant at 95 %" if gap.gap_significant else "; not significant at 95 %"),
            board.data_date,
            f"{board.name}: the closed-minus-open gap, every model it rates",
            source,
            "capability",
            trend if len(trend) >= 2 else [],
            "the gap by release date of the leaders",
        )
    ]
    best: dict[str, CountryBest] = {}
    for entry in board.classes:
        for row in entry.best_by_country:
            country = row.country
            if country in ("CN", "US") and (country not in best or row.value > best[country].value):
                best[country] = row
    if "CN" in best and "US" in best:
        cn, us = best["CN"], best["US"]
        margin = cn.value - us.value
        tiles.append(
            Tile(
                "capability-cn-us",
                "capability",
                "Best open model: China vs the US",
                f"{'China' if margin > 0 else 'the US'} ahead by {abs(margin):,.1f}",
                f"{cn.model} {_score(cn.value)} vs {us.model} {_score(us.value)}",
                board.data_date,
                f"{board.name}: the best open-weight model of each country",
                source,
                "capability",
            )
        )
    return tiles


# The tiles every report draws, in order. Other sections add theirs here (usage, months behind, chips).
TILE_PROVIDERS: list[TileProvider] = [downloads_tiles, capability_tiles]


def race_tiles(context: TileContext, providers: Sequence[TileProvider] | None = None) -> list[Tile]:
    """Every provider's tiles, in order."""
    return [tile for provider in (TILE_PROVIDERS if providers is None else providers) for tile in provider(context)]


def sparkline(points: Sequence[TrendPoint], width: int = 120, height: int = 28) -> str:
    """A tile's trend as an inline SVG line (numbers only: safe to put in the page as markup)."""
    if len(points) < 2:
        return ""
    values = [p.value for p in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(points) - 1)
    coords = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values)
    )
    last_x, last_y = coords.split(" ")[-1].split(",")
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="trend from {points[0].date} to {points[-1].date}">'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.6" points="{coords}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.4" fill="currentColor"/></svg>'
    )
