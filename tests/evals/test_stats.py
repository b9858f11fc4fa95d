from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelrace.evals._stats import bootstrap_mean, mcnemar, paired_difference, pass_at_k


def test_bootstrap_interval_contains_the_mean_and_narrows_with_n() -> None:
    small = bootstrap_mean([1, 0] * 10)
    large = bootstrap_mean([1, 0] * 500)
    assert small.ci_low <= 0.5 <= small.ci_high
    assert (large.ci_high - large.ci_low) < (small.ci_high - small.ci_low)
    assert bootstrap_mean([1, 0, 1], seed=3) == bootstrap_mean([1, 0, 1], seed=3)  # reproducible


def test_paired_difference() -> None:
    a = [1.0] * 60 + [0.0] * 40
    b = [1.0] * 40 + [0.0] * 60
    diff = paired_difference(a, b)
    assert diff.mean == pytest.approx(0.2)
    assert diff.ci_low > 0
    with pytest.raises(ValueError):
        paired_difference([1.0], [1.0, 0.0])


def test_mcnemar_exact() -> None:
    a = [True] * 10 + [False] * 2 + [True] * 5
    b = [False] * 10 + [True] * 2 + [True] * 5
    only_a, only_b, p = mcnemar(a, b)
    assert (only_a, only_b) == (10, 2)
    assert p == pytest.approx(2 * sum(math.comb(12, i) for i in range(3)) / 2**12)
    assert mcnemar([True, False], [True, False]) == (0, 0, 1.0)


def test_pass_at_k_matches_the_definition() -> None:
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(10, 10, 5) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - math.comb(3, 2) / math.comb(5, 2))
    with pytest.raises(ValueError):
        pass_at_k(2, 1, 3)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))))
def test_pass_at_k_is_the_probability_a_draw_of_k_holds_a_pass(case: tuple[int, int, int]) -> None:
    n, c, k = case
    exact = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-9)


def test_binary_scores_use_wilson_intervals() -> None:
    from modelrace.evals._stats import wilson

    zero = bootstrap_mean([0.0] * 5)
    assert zero.method == "Wilson score" and zero.ci_low == 0 and zero.ci_high > 0.4
    low, high = wilson(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-3) and high == pytest.approx(0.5962, abs=1e-3)
    assert bootstrap_mean([0.2, 0.7, 0.4]).method == "percentile bootstrap"


def test_a_paired_difference_is_never_treated_as_a_proportion() -> None:
    same = paired_difference([1.0, 0.0, 1.0], [1.0, 0.0, 1.0])
    assert (same.mean, same.ci_low, same.ci_high, same.method) == (0.0, 0.0, 0.0, "percentile bootstrap")
