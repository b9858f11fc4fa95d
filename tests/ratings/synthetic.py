"""Battles drawn from known Bradley-Terry ratings, for checking the fit against the truth."""

from __future__ import annotations

import math

import numpy as np

from modelrace.ratings import PairCounts, aggregate_codes

SCALE = 400.0 / math.log(10.0)


def true_ratings(models: int, seed: int, spread: float = 150.0) -> np.ndarray:
    """Ratings with mean 1000 (the fit's anchor)."""
    ratings = np.random.default_rng(seed).normal(1000.0, spread, models)
    return 1000.0 + ratings - ratings.mean()


def draw_battles(
    ratings: np.ndarray, battles: int, seed: int, tie_share: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, outcome) for random pairs: a wins with the Bradley-Terry probability. A tie, drawn with
    probability ``tie_share`` whatever the ratings, is not in the model: keep it 0 to test against the truth."""
    rng = np.random.default_rng(seed)
    n = len(ratings)
    a = rng.integers(0, n, battles)
    b = rng.integers(0, n - 1, battles)
    b = np.where(b >= a, b + 1, b)
    p_a = 1.0 / (1.0 + np.power(10.0, (ratings[b] - ratings[a]) / 400.0))
    outcome = np.where(rng.random(battles) < p_a, 0, 1)
    if tie_share:
        outcome = np.where(rng.random(battles) < tie_share, 2, outcome)
    return a, b, outcome


def synthetic_counts(models: int, battles: int, seed: int) -> tuple[np.ndarray, PairCounts]:
    """True ratings and the aggregated battles drawn from them."""
    ratings = true_ratings(models, seed)
    a, b, outcome = draw_battles(ratings, battles, seed + 1)
    return ratings, aggregate_codes(tuple(f"model-{i:03d}" for i in range(models)), a, b, outcome)
