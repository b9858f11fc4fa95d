"""The race over time: two sides (open vs closed, one country vs another) on every dated board of a benchmark.

A **board** is one dated import of a leaderboard source (each LMArena file is one; two imports of the same date:
the latest). On each board: each side's best model with its 95 % interval, the gap ``best_b - best_a`` with its
interval ``gap +- 1.96 sqrt(se_a^2 + se_b^2)`` (a board publishes no bootstrap samples, so the two ratings'
intervals it does publish are combined as independent), and the months behind (``_months_behind``). The trend is
the weighted least-squares slope of the gap against time. Method and assumptions: docs/race.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from modelrace._serialise import JsonResult
from modelrace.ranking._boards import (
    DEFAULT_BENCHMARK,
    BoardHistory,
    BoardInfo,
    Sides,
    load_history,
    parse_sides,
)
from modelrace.ranking._months_behind import Z95, months_behind
from modelrace.store import Warehouse

Verdict = Literal["narrowing", "widening", "no clear change", "too few boards"]
_DAYS_PER_YEAR = 365.2425
_MIN_TREND_DAYS = 30  # boards closer together than this say nothing of a trend


# ------------------------------------------------------------------------------------------------ the gap
@dataclass(frozen=True)
class Best(JsonResult):
    """A side's best model on one board, with its published 95 % interval (None where it has none)."""

    model: str
    rating: float
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class GapPoint(JsonResult):
    """One board: both sides' best, the gap ``b - a`` with its interval, and how many months the trailing side is
    behind (``behind`` names it; None when the two are level)."""

    date: date
    best_a: Best
    best_b: Best
    gap: float
    gap_lower: float | None
    gap_upper: float | None
    months_behind: float
    months_behind_lower: float
    months_behind_upper: float | None  # None: censored (the level was reached by the history's first board)
    behind: str | None
    import_id: int = 0
    path: str = ""
    reached_on: dt.date | None = None
    reached_by: str | None = None
    censored: bool = False
    gap_se: float | None = None
    at_least: bool = False  # the level was already reached on the first board: months_behind is a lower bound

    def to_json(self) -> dict[str, Any]:
        """The documented shape (docs/json.md): provenance fields stay in Python."""
        return {
            "date": self.date.isoformat(),
            "best_a": self.best_a.to_json(),
            "best_b": self.best_b.to_json(),
            "gap": self.gap,
            "gap_lower": self.gap_lower,
            "gap_upper": self.gap_upper,
            "months_behind": self.months_behind,
            "months_behind_lower": self.months_behind_lower,
            "months_behind_upper": self.months_behind_upper,
            "behind": self.behind,
        }


@dataclass(frozen=True)
class ScaleShift(JsonResult):
    """The median change of the ratings of the models both the first and the latest board rate (latest minus
    first): how far the boards' scales moved, the caveat of months behind (docs/race.md)."""

    first: date
    latest: date
    models: int
    median: float
    p10: float
    p90: float


def scale_shift(history: BoardHistory) -> ScaleShift | None:
    """The shift between the first and the latest board (None with one board or fewer than 5 shared models)."""
    if len(history.boards) < 2:
        return None
    last = len(history.boards) - 1
    first_rows = np.flatnonzero(history.row_board == 0)
    last_rows = np.flatnonzero(history.row_board == last)
    shared, in_first, in_last = np.intersect1d(
        history.row_entity[first_rows], history.row_entity[last_rows], return_indices=True
    )
    if len(shared) < 5:
        return None
    change = history.rating[last_rows[in_last]] - history.rating[first_rows[in_first]]
    p10, median, p90 = (float(x) for x in np.percentile(change, [10, 50, 90]))
    return ScaleShift(history.boards[0].data_date, history.boards[last].data_date, len(shared), median, p10, p90)


@dataclass(frozen=True)
class GapTrend(JsonResult):
    """The gap's change per year (weighted least squares over the boards) with its 95 % interval."""

    change_per_year: float | None
    lower: float | None
    upper: float | None
    verdict: Verdict


@dataclass(frozen=True)
class GapHistory(JsonResult):
    """The gap between two sides on every dated board of a benchmark (`modelrace gap`)."""

    sides: Sides
    benchmark: str
    series: list[GapPoint]
    trend: GapTrend
    boards: list[BoardInfo]  # every board read (some may lack a side: then no point)
    skipped: list[str]  # boards without a model of one side, with why
    scale_shift: ScaleShift | None = None  # how the same models' ratings moved from the first board to the last

    def to_json(self) -> dict[str, Any]:
        """`gap --json` (docs/json.md)."""
        return {
            "between": list(self.sides.labels),
            "benchmark": self.benchmark,
            "series": [p.to_json() for p in self.series],
            "trend": self.trend.to_json(),
        }

    def point_near(self, when: date, tolerance_days: int) -> GapPoint | None:
        """The point whose board is nearest ``when`` (within the tolerance), else None."""
        near = [p for p in self.series if abs((p.date - when).days) <= tolerance_days]
        return min(near, key=lambda p: (abs((p.date - when).days), -p.date.toordinal())) if near else None


def _best_per_board(history: BoardHistory, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per board, the row of the side's best model (-1 where the side has none); equal ratings: by name."""
    rows = np.flatnonzero(mask[history.row_entity])
    best = np.full(len(history.boards), -1, dtype=np.int64)
    if len(rows) == 0:
        return best
    names = np.asarray(history.entity_names, dtype=str)[history.row_entity[rows]]
    order = rows[np.lexsort((names, -history.rating[rows], history.row_board[rows]))]
    boards, first = np.unique(history.row_board[order], return_index=True)
    best[boards] = order[first]
    return best


def best_of_row(history: BoardHistory, row: int) -> Best:
    low, high = float(history.lower[row]), float(history.upper[row])
    has = not np.isnan(history.se[row])
    return Best(
        history.entity_names[history.row_entity[row]], float(history.rating[row]), low if has else None,
        high if has else None,
    )  # fmt: skip


def _trend(series: list[GapPoint]) -> GapTrend:
    """Weighted least squares of the gap on years (weights 1 / se^2, equal where a board has no interval); the
    slope's error is the larger of the measurement-only one and the one the scatter implies."""
    if len(series) < 2 or (series[-1].date - series[0].date).days < _MIN_TREND_DAYS:
        return GapTrend(None, None, None, "too few boards")
    years = np.asarray([p.date.toordinal() for p in series], dtype=np.float64) / _DAYS_PER_YEAR
    gaps = np.asarray([p.gap for p in series])
    ses = np.asarray([p.gap_se if p.gap_se else np.nan for p in series])
    measured = not np.isnan(ses).any()
    weights = 1 / ses**2 if measured else np.ones_like(gaps)
    centre = np.average(years, weights=weights)
    sxx = float(np.sum(weights * (years - centre) ** 2))
    slope = float(np.sum(weights * (years - centre) * (gaps - np.average(gaps, weights=weights))) / sxx)
    intercept = np.average(gaps, weights=weights) - slope * centre
    residual = float(np.sum(weights * (gaps - intercept - slope * years) ** 2))
    dof = len(series) - 2
    scale = max(1.0, residual / dof) if measured and dof > 0 else (residual / dof if dof > 0 else None)
    if scale is None:  # two boards without intervals: a slope, no interval
        return GapTrend(slope, None, None, "no clear change")
    spread = Z95 * float(np.sqrt(scale / sxx))
    lower, upper = slope - spread, slope + spread
    latest = 1.0 if series[-1].gap >= 0 else -1.0
    verdict: Verdict = "no clear change"
    if lower > 0 or upper < 0:
        verdict = "narrowing" if latest * slope < 0 else "widening"
    return GapTrend(slope, lower, upper, verdict)


def gap_series(history: BoardHistory, sides: Sides) -> GapHistory:
    """Both sides' best, the gap and the months behind on every board of the history (module docstring)."""
    best_a = _best_per_board(history, history.side_mask(sides.a))
    best_b = _best_per_board(history, history.side_mask(sides.b))
    skipped = [
        f"{board.data_date}: no model of {(sides.a if best_a[i] < 0 else sides.b).words()} on the board"
        for i, board in enumerate(history.boards)
        if best_a[i] < 0 or best_b[i] < 0
    ]
    both = np.flatnonzero((best_a >= 0) & (best_b >= 0))
    rows_a, rows_b = best_a[both], best_b[both]
    dates = np.asarray([history.boards[i].data_date.toordinal() for i in both], dtype=np.int64)
    rating_a, rating_b = history.rating[rows_a], history.rating[rows_b]
    se_a, se_b = history.se[rows_a], history.se[rows_b]
    a_trails = months_behind(dates, rating_a, se_a, rating_b, se_b)
    b_trails = months_behind(dates, rating_b, se_b, rating_a, se_a)
    gaps = rating_b - rating_a
    gap_se = np.sqrt(se_a**2 + se_b**2)
    series: list[GapPoint] = []
    for k, index in enumerate(both):
        board = history.boards[index]
        gap = float(gaps[k])
        behind = sides.a.label if gap > 0 else sides.b.label if gap < 0 else None
        estimate = a_trails if gap > 0 else b_trails
        known = not np.isnan(gap_se[k])
        reached = int(estimate.reached[k]) if behind else -1
        upper = float(estimate.upper[k])
        leader_rows = rows_b if gap > 0 else rows_a
        series.append(
            GapPoint(
                date=board.data_date,
                best_a=best_of_row(history, int(rows_a[k])),
                best_b=best_of_row(history, int(rows_b[k])),
                gap=gap,
                gap_lower=gap - Z95 * float(gap_se[k]) if known else None,
                gap_upper=gap + Z95 * float(gap_se[k]) if known else None,
                months_behind=float(estimate.months[k]) if behind else 0.0,
                months_behind_lower=float(estimate.lower[k]) if behind else 0.0,
                months_behind_upper=(None if np.isnan(upper) else upper) if behind else 0.0,
                behind=behind,
                import_id=board.import_id,
                path=board.path,
                reached_on=date.fromordinal(int(dates[reached])) if reached >= 0 else None,
                reached_by=history.entity_names[history.row_entity[leader_rows[reached]]] if reached >= 0 else None,
                censored=bool(estimate.censored[k]) if behind else False,
                gap_se=float(gap_se[k]) if known else None,
                at_least=reached == 0,
            )
        )
    return GapHistory(
        sides, history.benchmark_id, series, _trend(series), history.boards, skipped, scale_shift(history)
    )


def gap_history(
    warehouse: Warehouse,
    between: str | Sides = "open,closed",
    benchmark: str = DEFAULT_BENCHMARK,
    since: date | None = None,
    open_only: bool = False,
) -> GapHistory:
    """`modelrace gap`: the two sides on every dated board of ``benchmark`` (``between`` as ``open,closed``,
    ``CN,US``, or typed :class:`Sides`)."""
    sides = between if isinstance(between, Sides) else parse_sides(between, open_only)
    return gap_series(load_history(warehouse, benchmark, since), sides)
