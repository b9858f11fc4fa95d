"""Views of the race on top of the gap history: the Epoch-style frontier by date on one board, and the headline
figure of a "state of the race" tile (docs/race.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.ranking._boards import (
    DEFAULT_BENCHMARK,
    BoardHistory,
    BoardInfo,
    Sides,
    load_history,
    parse_sides,
)
from modelrace.ranking._gap_history import best_of_row, gap_history
from modelrace.store import Warehouse


# ------------------------------------------------------------------------------------------------ one board
@dataclass(frozen=True)
class FrontierPoint(JsonResult):
    """A side's running best by date on one board: a model that beat every earlier model of its side."""

    side: str
    date: date
    date_basis: Literal["release date", "first on a board"]
    model: str
    rating: float
    lower: float | None
    upper: float | None


def frontier_by_date(
    history: BoardHistory, sides: Sides, release_dates: dict[str, date] | None = None
) -> list[FrontierPoint]:
    """The Epoch-style view on the latest board: each side's models in date order (release date where a source
    gives one that no check refutes, else the first board that lists the model), kept when they beat every earlier
    model of their side, rated as the latest board rates them."""
    latest = len(history.boards) - 1
    rows = np.flatnonzero(history.row_board == latest)
    dates = release_dates or {}
    points: list[FrontierPoint] = []
    for side in (sides.a, sides.b):
        mask = history.side_mask(side)
        mine = rows[mask[history.row_entity[rows]]]
        dated = []
        for row in mine:
            name = history.entity_names[history.row_entity[row]]
            released = dates.get(name)
            when = released or date.fromordinal(int(history.first_seen[history.row_entity[row]]))
            dated.append((when, -float(history.rating[row]), name, int(row), released is not None))
        best = -np.inf
        for when, negative, _name, row, is_release in sorted(dated):
            if -negative > best:
                best = -negative
                top = best_of_row(history, row)
                basis: Literal["release date", "first on a board"] = (
                    "release date" if is_release else "first on a board"
                )
                points.append(FrontierPoint(side.label, when, basis, top.model, top.rating, top.lower, top.upper))
    return points


def release_dates(warehouse: Warehouse) -> dict[str, date]:
    """Each model's release date as the leaderboard's catalogue keeps it (the earliest a source gives that no
    check refutes: `resolve --check-dates`), by the model's name; empty without published results."""
    from modelrace.ranking._catalogue import load_catalogue

    try:
        catalogue = load_catalogue(warehouse)
    except NotFoundError:
        return {}
    found: dict[str, date] = {}
    for benchmark in catalogue.benchmarks.values():
        for score in benchmark.scores:
            if score.release_date is not None:
                found.setdefault(score.entity.name, score.release_date)
    return found


def frontier_view(
    warehouse: Warehouse, between: str | Sides = "open,closed", benchmark: str = DEFAULT_BENCHMARK
) -> tuple[BoardInfo, list[FrontierPoint]]:
    """The Epoch-style view (:func:`frontier_by_date`) on the latest board of ``benchmark``, and that board."""
    sides = between if isinstance(between, Sides) else parse_sides(between)
    history = load_history(warehouse, benchmark)
    return history.boards[-1], frontier_by_date(history, sides, release_dates(warehouse))


# ------------------------------------------------------------------------------------------------ the tile
@dataclass(frozen=True)
class RaceHeadline(JsonResult):
    """The "state of the race" tile: months behind on the latest board, with its interval, and a short series."""

    between: tuple[str, str]
    behind: str | None
    months_behind: float
    lower: float
    upper: float | None  # None: censored, the level may have been reached before the first board
    date: date
    benchmark: str
    source: str  # the board file
    series: list[tuple[dt.date, float, float, float | None]]  # (board date, months, lower, upper), the last ones
    text: str


def race_headline(
    warehouse: Warehouse, between: str = "CN,US", benchmark: str = DEFAULT_BENCHMARK, points: int = 8
) -> RaceHeadline | None:
    """The headline figure of the race (None with fewer than two dated boards holding both sides)."""
    try:
        result = gap_history(warehouse, between, benchmark)
    except NotFoundError:
        return None
    if len(result.series) < 2:
        return None
    now = result.series[-1]
    trailing = result.sides.a if now.behind == result.sides.a.label else result.sides.b
    leading = result.sides.b if trailing is result.sides.a else result.sides.a
    upper = f"{now.months_behind_upper:.1f}" if now.months_behind_upper is not None else "?"
    text = (
        f"{trailing.words()} {trailing.verb('trail')} {leading.words()} by {'at least ' if now.at_least else ''}"
        f"{now.months_behind:.1f} months ({now.months_behind_lower:.1f} to {upper}) on the {benchmark} board of "
        f"{now.date}"
        if now.behind
        else f"{result.sides.a.words()} and {result.sides.b.words()} level on the {benchmark} board of {now.date}"
    )
    return RaceHeadline(
        between=result.sides.labels,
        behind=now.behind,
        months_behind=now.months_behind,
        lower=now.months_behind_lower,
        upper=now.months_behind_upper,
        date=now.date,
        benchmark=benchmark,
        source=now.path,
        series=[(p.date, p.months_behind, p.months_behind_lower, p.months_behind_upper) for p in result.series][
            -points:
        ],
        text=text,
    )
