"""Figures from the history of dated boards (ranking.gap_history): the gap now against the gap some months
earlier, each within its own board, and the months one side trails another (docs/race.md).

Each figure names the boards that answered it (source file, date, import) in its source and its parts.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

from pydantic import Field

from modelrace.answers._figure_model import Z95, Evidence, Figure, Measured, Part, _insufficient, _Params
from modelrace.errors import ModelraceError
from modelrace.ranking import DEFAULT_BENCHMARK, GapHistory, GapPoint, gap_history, parse_sides
from modelrace.ranking._months_behind import DAYS_PER_MONTH


class HistoryGapParams(_Params):
    """How the gap ``best of b - best of a`` changed between the latest board and the board ``months`` before."""

    between: str = "open,closed"
    open_only: bool = False
    benchmark: str = DEFAULT_BENCHMARK
    months: int = Field(default=12, ge=1)
    tolerance_days: int = Field(default=45, ge=0, description="how far from that date the earlier board may be")


class MonthsBehindParams(_Params):
    """How many months the trailing side trails on the latest board; with ``stated_months``, how far that is
    from the months a claim states."""

    between: str = "CN,US"
    open_only: bool = False
    benchmark: str = DEFAULT_BENCHMARK
    stated_months: float | None = Field(default=None, ge=0)
    tolerance_months: float = Field(default=3.0, ge=0)
    side: Literal["a", "b"] = "a"  # the side the claim says is behind


def _history(evidence: Evidence, between: str, open_only: bool, benchmark: str) -> GapHistory | str:
    try:
        return gap_history(evidence.warehouse, parse_sides(between, open_only), benchmark)
    except ModelraceError as error:
        return str(error)


def _board(point: GapPoint) -> str:
    return f"board of {point.date} (import {point.import_id}: {point.path})"


def _board_part(point: GapPoint, passes: bool, what: str) -> Part:
    return Part(f"{point.date}", passes, f"{what}; {_board(point)}")


def _ratings(point: GapPoint, found: GapHistory) -> str:
    a, b = found.sides.a.label, found.sides.b.label
    return f"{b} {point.best_b.rating:,.0f} - {a} {point.best_a.rating:,.0f} = {point.gap:+.1f}"


def history_gap_change(evidence: Evidence, params: HistoryGapParams) -> Figure:
    """Gap on the latest board minus the gap on the board nearest ``months`` earlier, each gap read within its own
    board; negative is closing. The interval combines the two gaps' 95 % intervals as independent."""
    name = "history.gap_change"
    found = _history(evidence, params.between, params.open_only, params.benchmark)
    if isinstance(found, str):
        return _insufficient(name, "capability", found)
    if not found.series:
        return _insufficient(name, "capability", f"no board of {params.benchmark} holds both sides")
    now = found.series[-1]
    wanted = now.date - timedelta(days=round(params.months * DAYS_PER_MONTH))
    then = found.point_near(wanted, params.tolerance_days)
    source = f"{found.benchmark} boards"
    if then is None or then is now:
        earliest = found.series[0].date
        why = (
            f"no {found.benchmark} board within {params.tolerance_days} days of {wanted} ({params.months} months "
            f"before the latest board, {now.date}); the earliest board holding both sides is {earliest}"
        )
        return _insufficient(name, "capability", why, f"{source}: {_board(now)}", now.date.isoformat())
    change = now.gap - then.gap
    borrowed = [p for p in (now, then) if p.gap_se is None]
    # A board without intervals (the history CSV's older boards) is taken to be as uncertain as the other one:
    # never more certain than a board that says how uncertain it is.
    se_now, se_then = now.gap_se or then.gap_se, then.gap_se or now.gap_se
    spread = Z95 * math.sqrt(se_now**2 + se_then**2) if se_now is not None and se_then is not None else None
    sides = found.sides
    label = f"change of the gap ({sides.b.label} minus {sides.a.label}) over {params.months} months"
    value = Measured(
        change, change - spread if spread is not None else None, change + spread if spread is not None else None,
        "points", label,
    )  # fmt: skip
    text = (
        f"gap {then.gap:+.1f} on the board of {then.date} ({then.best_b.model} vs {then.best_a.model}) -> "
        f"{now.gap:+.1f} on the board of {now.date} ({now.best_b.model} vs {now.best_a.model})"
    )
    gaps = {
        "gap_now": Measured(now.gap, now.gap_lower, now.gap_upper, "points", f"gap on {now.date}"),
        "gap_then": Measured(then.gap, then.gap_lower, then.gap_upper, "points", f"gap on {then.date}"),
    }
    parts = [_board_part(then, True, _ratings(then, found)), _board_part(now, change < 0, _ratings(now, found))]
    caveats = [
        "each gap is read within its own board (ratings of different boards are not on one scale)",
        f"the earlier board is the one nearest {wanted} (within {params.tolerance_days} days)",
    ]
    if borrowed and spread is not None:
        caveats.append(
            f"the board of {borrowed[0].date} publishes no intervals: its gap is taken as uncertain as the other's"
        )
    elif spread is None:
        caveats.append("neither board publishes intervals: the change is decided on the values alone")
    return Figure(
        name, {"value": value, **gaps}, text, "95 %" if spread is not None else None,
        f"{source} of {then.date} and {now.date} (imports {then.import_id}, {now.import_id})",
        now.date.isoformat(), "capability", parts, caveats,
    )  # fmt: skip


def _distance(low: float, high: float, stated: float) -> tuple[float, float]:
    """The range of |x - stated| for x in [low, high]."""
    if low <= stated <= high:
        return 0.0, max(stated - low, high - stated)
    ends = abs(low - stated), abs(high - stated)
    return min(ends), max(ends)


def history_months_behind(evidence: Evidence, params: MonthsBehindParams) -> Figure:
    """Months the claimed trailing side trails on the latest board (ranking.months_behind), with its 95 %
    interval; with ``stated_months``, ``off_by`` = |months - stated| over that interval."""
    name = "history.months_behind"
    found = _history(evidence, params.between, params.open_only, params.benchmark)
    if isinstance(found, str):
        return _insufficient(name, "capability", found)
    if len(found.series) < 2:
        why = f"{len(found.series)} board(s) of {params.benchmark} hold both sides: months behind needs a history"
        return _insufficient(name, "capability", why, f"{found.benchmark} boards")
    now = found.series[-1]
    claimed = found.sides.a if params.side == "a" else found.sides.b
    other = found.sides.b if params.side == "a" else found.sides.a
    source = f"{found.benchmark} boards of {found.series[0].date} to {now.date} ({len(found.series)} boards)"
    when = now.date.isoformat()
    if now.behind is not None and now.behind != claimed.label:
        # The claimed side leads: it is 0 months behind (and the other side trails it).
        months, low, high = 0.0, 0.0, 0.0
        text = (
            f"{claimed.words()} {claimed.verb('lead')} {other.words()} on the board of {now.date} by "
            f"{abs(now.gap):.1f} points"
        )
    else:
        months, low = now.months_behind, now.months_behind_lower
        high = now.months_behind_upper if now.months_behind_upper is not None else math.inf
        reached = f"{now.reached_by} on the board of {now.reached_on}" if now.reached_by else "the same board"
        text = (
            f"{claimed.words()} {claimed.verb('trail')} {other.words()} by "
            f"{'at least ' if now.at_least else ''}{months:.1f} months"
            f" on the board of {now.date}: their best ({now.best_a.model if params.side == 'a' else now.best_b.model})"
            f" is at the level {other.words()} first reached with {reached}"
        )
    parts = [
        _board_part(p, True, f"{p.months_behind:.1f} months behind ({p.behind or 'level'})") for p in found.series[-6:]
    ]
    caveats = [
        "months behind compares the trailing side's best on the latest board with the leading side's best on each "
        "earlier board as that board published it (docs/race.md)",
        "boards are discrete: the level was reached between the board found and the one before it",
    ]
    shift = found.scale_shift
    if shift is not None and abs(shift.median) >= 5:
        caveats.append(
            f"the boards' scale moved: the {shift.models} models on both the first and the latest board rate "
            f"{shift.median:+.1f} points (median) on the latest, so months behind errs "
            f"{'short' if shift.median > 0 else 'long'}"
        )
    if math.isinf(high):
        caveats.append(f"the level was reached by the first board ({found.series[0].date}): the upper end is unknown")
    measured = Measured(months, low, high, "float", f"months {claimed.label} trails")  # high inf: unknown
    values = {"value": measured}
    if params.stated_months is not None:
        off_low, off_high = _distance(low, high, params.stated_months)
        off_label = f"months off the stated {params.stated_months:g}"
        values["off_by"] = Measured(abs(months - params.stated_months), off_low, off_high, "float", off_label)
    return Figure(name, values, text, "95 %", source, when, "capability", parts, caveats)
