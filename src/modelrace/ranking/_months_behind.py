"""Months behind: how long before a board's date the leading side first reached the rating the trailing side
reaches on that board, read from the history of boards (docs/race.md).

For board ``i`` (date ``D_i``) the trailing side's best rating ``r_i`` (on board ``i``) is compared with the
leading side's best rating ``L_j`` on each board ``j <= i`` **as board j published it**: the leading side first
reached ``r_i`` on the earliest board ``j`` with ``L_j >= r_i``, and months behind is ``D_i - D_j``. This takes
each board's ratings as published to be on one scale over the history (LMArena's ratings of a model move by a few
points between boards: docs/race.md measures it); nothing else compares ratings of different boards.

Boards are discrete: the level was reached after board ``j - 1`` and by board ``j``. The 95 % interval combines
that with the ratings' intervals, with ``s = 1.96 sqrt(se_L_j^2 + se_r_i^2)``:

- lower end: ``D_i`` minus the first board where the leading side was *surely* at the level (``L_j - r_i >= s``;
  0 when no board is);
- upper end: ``D_i`` minus the date of the board *before* the first board where it was *plausibly* at the level
  (``L_j - r_i >= -s``). When that first board is the history's first, the level may have been reached at any time
  before: the upper end is unknown (None) and the months are "at least" (**censored**).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from modelrace._serialise import JsonResult

Z95 = 1.96
DAYS_PER_MONTH = 365.2425 / 12

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class MonthsBehind(JsonResult):
    """Per board: months behind with its 95 % interval (``upper`` NaN when censored) and the board index where
    the leading side first reached the level (-1: the trailing side is not behind there)."""

    months: FloatArray
    lower: FloatArray
    upper: FloatArray
    reached: IntArray
    censored: npt.NDArray[np.bool_]


def months_between(later_ordinal: float | FloatArray, earlier_ordinal: float | FloatArray) -> FloatArray:
    """Calendar months (of 30.44 days) between two date ordinals."""
    return np.asarray((np.asarray(later_ordinal) - np.asarray(earlier_ordinal)) / DAYS_PER_MONTH, dtype=np.float64)


def _first(mask: npt.NDArray[np.bool_]) -> IntArray:
    """Per row, the first column where ``mask`` holds (-1 where it never does)."""
    if mask.size == 0:  # no board holds both sides
        return np.full(mask.shape[0], -1, dtype=np.int64)
    first = np.argmax(mask, axis=1).astype(np.int64)
    return np.where(mask.any(axis=1), first, -1)


def months_behind(
    board_dates: IntArray,
    trailing: FloatArray,
    trailing_se: FloatArray,
    leading: FloatArray,
    leading_se: FloatArray,
) -> MonthsBehind:
    """The estimator (module docstring), over every board at once. Inputs are per board, boards by date: date
    ordinals, the trailing side's best rating and its standard error, the leading side's best and its standard
    error (NaN: unknown, counted as 0 so the interval is the rating's alone). A board where the "trailing" side is
    not below the leading one gets 0 months."""
    count = len(board_dates)
    earlier = np.tri(count, dtype=bool)  # [i, j]: board j is board i or before it
    difference = leading[None, :] - trailing[:, None]
    spread = Z95 * np.sqrt(np.nan_to_num(leading_se, nan=0.0)[None, :] ** 2 + np.nan_to_num(trailing_se)[:, None] ** 2)
    reached = _first(earlier & (difference >= 0))
    surely = _first(earlier & (difference - spread >= 0))
    plausibly = _first(earlier & (difference + spread >= 0))
    behind = trailing < leading
    dates = board_dates.astype(np.float64)
    months = np.where(behind & (reached >= 0), months_between(dates, dates[np.maximum(reached, 0)]), 0.0)
    lower = np.where(behind & (surely >= 0), months_between(dates, dates[np.maximum(surely, 0)]), 0.0)
    censored = behind & (plausibly == 0)
    before = dates[np.maximum(plausibly - 1, 0)]
    upper = np.where(behind, months_between(dates, before), 0.0)
    upper = np.where(censored, np.nan, np.maximum(upper, months))
    return MonthsBehind(months, np.minimum(lower, months), upper, np.where(behind, reached, -1), censored)
