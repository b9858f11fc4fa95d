from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelrace.ratings import (
    aggregate,
    aggregate_codes,
    bootstrap_strengths,
    fit_strengths,
    rank_ranges,
    rate,
    ratings_from_strengths,
    win_probabilities,
)

from .synthetic import synthetic_counts


def test_fit_recovers_known_ratings() -> None:
    truth, counts = synthetic_counts(models=30, battles=40_000, seed=7)
    ratings, lower, upper = rate(counts, rounds=100, seed=1)
    # about 2,700 battles per model: a standard error near 7 points
    assert np.abs(ratings - truth).max() < 25
    assert np.abs(ratings - truth).mean() < 8
    assert ratings.mean() == pytest.approx(1000.0)  # the anchor
    assert (lower <= ratings).all() and (ratings <= upper).all()


def test_intervals_cover_the_true_ratings() -> None:
    # One arena's coverage swings with its draw (its models share battles), so 10 arenas of 20 models are pooled:
    # 200 true ratings, each inside its bootstrap 95 % interval or not.
    covered = []
    for arena in range(10):
        truth, counts = synthetic_counts(models=20, battles=8_000, seed=100 + arena)
        _, lower, upper = rate(counts, rounds=100, seed=arena)
        covered.extend(((truth >= lower) & (truth <= upper)).tolist())
    assert len(covered) == 200
    assert np.mean(covered) >= 0.9, f"only {np.mean(covered):.1%} of true ratings inside their 95 % interval"


def test_aggregation_ignores_which_side_is_a() -> None:
    a = ["x", "y", "x", "z", "y", "x"]
    b = ["y", "x", "z", "x", "z", "y"]
    outcome = [0, 0, 1, 2, 0, 1]
    counts = aggregate(a, b, outcome)
    swapped = aggregate(b, a, [{0: 1, 1: 0, 2: 2}[o] for o in outcome])
    assert counts.models == ("x", "y", "z")
    np.testing.assert_array_equal(counts.win_matrix(), swapped.win_matrix())
    # x beat y once (row 0), y beat x once (row 1), x lost to y once more (row 5); ties are half a win each
    matrix = counts.win_matrix()
    assert matrix[0, 1] == 1 and matrix[1, 0] == 2
    assert matrix[0, 2] == 0.5 and matrix[2, 0] == 1.5
    assert counts.battles_per_model().tolist() == [5, 4, 3]
    assert counts.total == 6


def test_only_ties_rate_everyone_equally() -> None:
    counts = aggregate(["a", "b", "c"], ["b", "c", "a"], [2, 2, 2])
    ratings, _, _ = rate(counts, rounds=20)
    np.testing.assert_allclose(ratings, 1000.0, atol=1e-6)


def test_a_model_that_won_every_battle_gets_a_finite_rating() -> None:
    counts = aggregate(["a"] * 30 + ["b"] * 10, ["b"] * 30 + ["c"] * 10, [0] * 30 + [2] * 10)
    ratings, lower, upper = rate(counts, rounds=50)
    assert np.isfinite(ratings).all() and np.isfinite(lower).all() and np.isfinite(upper).all()
    assert ratings[0] > ratings[1] + 400


def test_the_scale_is_elo_like_and_anchorable() -> None:
    # two models, 10:1 odds -> 400 points apart
    counts = aggregate(["a"] * 11, ["b"] * 11, [0] * 10 + [1])
    strengths = fit_strengths(counts.win_matrix()[None], ridge=1e-9)[0]
    ratings = ratings_from_strengths(strengths)
    assert ratings[0] - ratings[1] == pytest.approx(400.0, abs=1e-6)
    assert ratings.mean() == pytest.approx(1000.0)
    anchored = ratings_from_strengths(strengths, (1, 1200.0))
    assert anchored[1] == pytest.approx(1200.0) and anchored[0] == pytest.approx(1600.0)
    probability = win_probabilities(ratings)
    assert probability[0, 1] == pytest.approx(10 / 11) and probability[1, 0] == pytest.approx(1 / 11)


def test_batched_fit_equals_one_by_one() -> None:
    _, counts = synthetic_counts(models=8, battles=2_000, seed=3)
    start = fit_strengths(counts.win_matrix()[None])[0]
    samples = bootstrap_strengths(counts, 6, seed=5, start=start)
    rng = np.random.default_rng(5)
    cells = np.concatenate([counts.wins_first, counts.wins_second, counts.ties])
    drawn = rng.multinomial(counts.total, cells / cells.sum(), size=6).astype(float)
    pairs = len(counts.first)
    for round_, row in enumerate(drawn):
        again = aggregate_codes(
            counts.models,
            np.repeat(np.concatenate([counts.first, counts.first, counts.first]), row.astype(int)),
            np.repeat(np.concatenate([counts.second, counts.second, counts.second]), row.astype(int)),
            np.repeat(np.repeat([0, 1, 2], pairs), row.astype(int)),
        )
        alone = fit_strengths(again.win_matrix()[None])[0]
        np.testing.assert_allclose(samples[round_], alone, atol=1e-6)


def test_bootstrap_is_seeded() -> None:
    _, counts = synthetic_counts(models=6, battles=1_000, seed=11)
    first = bootstrap_strengths(counts, 10, seed=3)
    np.testing.assert_array_equal(first, bootstrap_strengths(counts, 10, seed=3))
    assert not np.array_equal(first, bootstrap_strengths(counts, 10, seed=4))


def test_rank_ranges_follow_interval_overlap() -> None:
    lower = np.array([1100.0, 1090.0, 1000.0, 900.0])
    upper = np.array([1150.0, 1120.0, 1095.0, 950.0])
    best, worst = rank_ranges(lower, upper)
    # 0 and 1 overlap; 2 overlaps 1 but lies below 0; 3 is below everyone
    assert best.tolist() == [1, 1, 2, 4]
    assert worst.tolist() == [2, 3, 3, 4]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 2)).filter(lambda t: t[0] != t[1]),
        min_size=1,
        max_size=60,
    )
)
def test_any_battles_give_finite_centred_ratings(rows: list[tuple[int, int, int]]) -> None:
    names = tuple(f"m{i}" for i in range(5))
    counts = aggregate([names[r[0]] for r in rows], [names[r[1]] for r in rows], [r[2] for r in rows])
    ratings, lower, upper = rate(counts, rounds=10)
    assert np.isfinite(ratings).all() and np.isfinite(lower).all() and np.isfinite(upper).all()
    assert ratings.mean() == pytest.approx(1000.0)
    assert counts.battles_per_model().sum() == 2 * len(rows)
