"""The race over time: the months-behind estimator on synthetic histories with a known answer, and the gap on the
real LMArena boards (known dates, known leaders)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from modelrace.errors import ConfigError, NotFoundError
from modelrace.ranking import (
    frontier_by_date,
    gap_history,
    gap_series,
    load_history,
    months_behind,
    parse_sides,
    race_headline,
)
from modelrace.sources import import_results
from modelrace.store import Warehouse


def _monthly(count: int, start: date = date(2024, 1, 1)) -> np.ndarray:
    return np.asarray([(start + timedelta(days=round(30.436875 * i))).toordinal() for i in range(count)])


def test_a_side_six_months_behind_is_found_six_months_behind_with_an_interval_that_covers_it() -> None:
    # The leader gains 10 points a month; the trailing side is where the leader was 6 months earlier.
    dates = _monthly(24)
    leading = 1300 + 10.0 * np.arange(24)
    trailing = leading - 60
    se = np.full(24, 3.0)
    found = months_behind(dates, trailing, se, leading, se)
    for i in range(7, 24):
        assert found.months[i] == pytest.approx(6.0, abs=0.05)
        assert found.lower[i] <= 6.0 <= found.upper[i]
        assert found.reached[i] == i - 6
    # the level reached by the first board: at least that many months, the upper end unknown
    assert found.censored[6] and np.isnan(found.upper[6]) and found.months[6] == pytest.approx(6.0, abs=0.05)


def test_irregular_boards_bound_the_date_between_two_boards() -> None:
    # Boards on days 0, 100, 250, 400: the leader passes 1400 between day 100 and 250; the trailing side is at
    # 1400 on day 400. The true lag lies between 150 and 300 days: the interval holds both ends.
    dates = np.asarray([0, 100, 250, 400]) + date(2025, 1, 1).toordinal()
    leading = np.asarray([1350.0, 1390.0, 1420.0, 1450.0])
    trailing = np.asarray([1300.0, 1320.0, 1350.0, 1400.0])
    no_error = np.full(4, np.nan)
    found = months_behind(dates, trailing, no_error, leading, no_error)
    assert found.months[3] == pytest.approx(150 / 30.436875)
    assert found.upper[3] == pytest.approx(300 / 30.436875)
    assert found.lower[3] == pytest.approx(found.months[3])  # no rating errors: only the boards' spacing


def test_a_side_level_or_ahead_is_zero_months_behind() -> None:
    dates = _monthly(3)
    ratings = np.asarray([1300.0, 1310.0, 1320.0])
    se = np.full(3, 5.0)
    found = months_behind(dates, ratings + 5, se, ratings, se)
    assert (found.months == 0).all() and (found.reached == -1).all()


def test_sides_are_parsed_and_bad_ones_refused() -> None:
    sides = parse_sides("cn,united states", open_only=True)
    assert sides.labels == ("CN", "US") and sides.a.open_weights is True
    assert parse_sides("open,closed").b.open_weights is False
    for text in ("CN", "CN,CN", "CN,Atlantis"):
        with pytest.raises(ConfigError):
            parse_sides(text)
    with pytest.raises(ConfigError, match="open-only"):
        parse_sides("open,closed", open_only=True)


def _board(path: Path, ratings: dict[str, tuple[float, float]]) -> Path:
    """A board in LMArena's layout: name -> (rating, half-width of the 95 % interval)."""
    full = {name: {"rating": r, "rating_q025": r - h, "rating_q975": r + h} for name, (r, h) in ratings.items()}
    path.write_text(json.dumps({"full": full}))
    return path


def test_gap_series_on_small_boards(warehouse: Warehouse, tmp_path: Path) -> None:
    # gpt-4o (closed, US), llama-3.1-405b (open, US), deepseek-v3 (open, CN)
    boards = {
        "2025-01-01": {"gpt-4o-2024-08-06": (1300, 4), "deepseek-v3": (1250, 4), "llama-3.1-405b-instruct": (1260, 4)},
        "2025-07-01": {"gpt-4o-2024-08-06": (1302, 4), "deepseek-v3": (1255, 4), "deepseek-r1": (1299, 4)},
    }
    for day, ratings in boards.items():
        import_results(warehouse, "lmarena", _board(tmp_path / f"lmarena_leaderboard_text_{day}.json", ratings))
    result = gap_history(warehouse, "open,closed")
    assert [p.date.isoformat() for p in result.series] == list(boards)
    first, last = result.series
    assert "llama-3.1-405b" in first.best_a.model.lower()
    assert first.gap == pytest.approx(40) and first.behind == "open"
    assert first.gap_lower == pytest.approx(40 - 1.96 * np.sqrt(2) * 4 / 1.96, rel=1e-6)
    assert last.gap == pytest.approx(3) and last.months_behind == pytest.approx(181 / 30.436875)
    assert last.months_behind_upper is None and last.at_least  # reached by the first board: censored
    assert result.to_json()["between"] == ["open", "closed"]
    assert set(result.to_json()["series"][0]) == {
        "date", "best_a", "best_b", "gap", "gap_lower", "gap_upper", "months_behind", "months_behind_lower",
        "months_behind_upper", "behind",
    }  # fmt: skip
    cn_us = gap_history(warehouse, "CN,US")
    assert cn_us.series[0].behind == "CN" and "deepseek-r1" in cn_us.series[1].best_a.model.lower()
    assert gap_history(warehouse, "open,closed", since=date(2025, 3, 1)).series[0].date == date(2025, 7, 1)
    with pytest.raises(NotFoundError):
        gap_history(warehouse, "open,closed", since=date(2026, 1, 1))
    headline = race_headline(warehouse, "CN,US")
    assert headline is not None and headline.behind == "CN" and headline.date == date(2025, 7, 1)
    history = load_history(warehouse)
    frontier = frontier_by_date(history, parse_sides("open,closed"))
    assert [(p.side, p.model, p.date_basis) for p in frontier if p.side == "closed"] == [
        ("closed", "gpt-4o-2024-08-06", "first on a board")
    ]
    # a release date, where a source gives one, dates the model instead of its first board; DeepSeek-R1 (first
    # seen 2025-07-01) then beats it
    dated = frontier_by_date(history, parse_sides("open,closed"), {"deepseek-ai/DeepSeek-V3": date(2024, 12, 26)})
    opened = [(p.model, p.date, p.date_basis) for p in dated if p.side == "open"]
    assert opened[0] == ("deepseek-ai/DeepSeek-V3", date(2024, 12, 26), "release date")
    assert [m for m, _, _ in opened][-1].lower().endswith("deepseek-r1")


@pytest.fixture(scope="module")
def real_boards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    from tests.conftest import reference_dir

    data = reference_dir()
    if data is None:
        pytest.skip("reference data absent: set MODELRACE_REFERENCE_DATA to ../shared/data")
    warehouse = Warehouse.open(tmp_path_factory.mktemp("boards") / "warehouse.duckdb")
    for day in ("2025-03-07", "2025-05-07", "2025-11-05", "2025-12-11"):
        import_results(warehouse, "lmarena", data / "lmarena_history" / f"lmarena_leaderboard_text_{day}.json")
    yield warehouse
    warehouse.close()


@pytest.mark.reference
def test_gap_on_the_real_boards(real_boards: Warehouse) -> None:
    history = load_history(real_boards)
    assert [b.data_date.isoformat() for b in history.boards] == ["2025-03-07", "2025-05-07", "2025-11-05", "2025-12-11"]
    assert [b.models for b in history.boards][-1] >= 270
    result = gap_series(history, parse_sides("CN,US"))
    latest = result.series[-1]
    assert latest.best_b.model == "gemini-3-pro" and latest.behind == "CN"
    assert latest.best_a.model == "ernie-5.0-preview-1103"
    assert latest.best_a.lower is not None and latest.best_a.lower < latest.best_a.rating < (latest.best_a.upper or 0)
    assert latest.gap == pytest.approx(latest.best_b.rating - latest.best_a.rating)
    assert latest.gap_lower is not None and 0 < latest.gap_lower < latest.gap
    # the best US model of 2025-05-07 (gemini-2.5-pro-preview-05-06) was already at the level CN reaches on
    # 2025-12-11: about seven months behind
    assert latest.reached_by == "gemini-2.5-pro-preview-05-06" and not latest.at_least
    assert latest.months_behind == pytest.approx((date(2025, 12, 11) - date(2025, 5, 7)).days / 30.436875)
    assert latest.months_behind_lower <= latest.months_behind <= (latest.months_behind_upper or 0)
    # the scale moved up between the first and the last board: the same models rate ~16 points higher
    shift = result.scale_shift
    assert shift is not None and shift.models >= 150 and 10 < shift.median < 25 and shift.p10 < shift.median
    opened = gap_series(history, parse_sides("open,closed"))
    assert opened.series[0].best_a.model == "deepseek-ai/DeepSeek-R1"  # early-grok-3 is closed, not open
    assert opened.series[-1].best_a.model == "zai-org/GLM-4.6" and opened.series[-1].behind == "open"


def test_no_board_holding_both_sides_is_an_empty_estimate() -> None:
    from modelrace.ranking._months_behind import months_behind

    empty = np.zeros(0)
    found = months_behind(np.zeros(0, dtype=np.int64), empty, empty, empty, empty)
    assert found.months.shape == (0,) and found.reached.shape == (0,)
