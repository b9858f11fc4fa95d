"""Scores with uncertainty: bootstrap intervals, paired comparisons, McNemar's test, pass@k."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class Estimate:
    """A mean with a 95 % interval over items, and how the interval was made."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    method: str = "percentile bootstrap"


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion: sensible at 0 % and 100 %, where a bootstrap collapses."""
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_mean(
    values: Sequence[float], seed: int = 0, samples: int = BOOTSTRAP_SAMPLES, binary_as_proportion: bool = True
) -> Estimate:
    """Mean of per-item scores with a 95 % interval: Wilson for right/wrong scores, else a percentile bootstrap
    (items resampled with replacement)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    if binary_as_proportion and np.isin(data, (0.0, 1.0)).all():
        low, high = wilson(int(data.sum()), int(data.size))
        return Estimate(float(data.mean()), low, high, int(data.size), "Wilson score")
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, (samples, data.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Estimate(float(data.mean()), float(low), float(high), int(data.size))


def paired_difference(
    a: Sequence[float], b: Sequence[float], seed: int = 0, samples: int = BOOTSTRAP_SAMPLES
) -> Estimate:
    """Mean of a - b over the same items, with a paired bootstrap 95 % interval (items resampled together)."""
    if len(a) != len(b):
        raise ValueError("paired scores need the same items")
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return bootstrap_mean(differences.tolist(), seed, samples, binary_as_proportion=False)


def mcnemar(a_correct: Sequence[bool], b_correct: Sequence[bool]) -> tuple[int, int, float]:
    """McNemar's exact test on paired right/wrong outcomes: (a-only right, b-only right, two-sided p)."""
    only_a = sum(1 for x, y in zip(a_correct, b_correct, strict=True) if x and not y)
    only_b = sum(1 for x, y in zip(a_correct, b_correct, strict=True) if y and not x)
    n = only_a + only_b
    if n == 0:
        return only_a, only_b, 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return only_a, only_b, min(1.0, 2 * tail)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimator (Chen et al., 2021): 1 - C(n - c, k) / C(n, k) for n samples, c correct."""
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))
