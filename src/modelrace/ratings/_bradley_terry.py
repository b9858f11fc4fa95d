"""Bradley-Terry ratings from pairwise battles, with bootstrap intervals: pure, vectorised numpy.

The model: P(i beats j) = 1 / (1 + exp(s_j - s_i)) for strengths s. Rules:
- **Aggregate first.** The likelihood depends on the battles only through, per unordered pair, how often each
  side won and how often they tied, so battles are counted per pair once (`PairCounts`) and every fit works on
  an n x n win matrix: a million battles cost no more than their pair table.
- **Ties are half a win for each side**, as LMArena and its `arena-rank` package count them ("tie" and
  "tie (bothbad)" alike).
- **Maximum likelihood by Newton's method** with a backtracking line search (the log-likelihood is concave, so
  it converges in a handful of steps), plus a ridge of ``RIDGE`` pseudo-battles' weight (``RIDGE / 2 * sum s^2``):
  negligible against real data, it keeps a model that won or lost every battle at a finite rating instead of
  infinity. The ridge also fixes the sum of strengths at zero, so the **anchor is the mean: the average model
  rates 1000** (arena-rank's default); ``anchor`` moves the scale so that a named model has a given rating.
- **Scale**: rating = 1000 + 400 / ln(10) x strength, Elo's scale as LMArena uses it: 400 points more means
  10:1 odds of winning.
- **Bootstrap**: resampling battles with replacement is drawing, for the N battles, a multinomial over the
  (pair, outcome) cells with the observed shares; each round is a new win matrix, all rounds are fitted together
  (batched Newton, warm-started from the full fit). The 95 % interval is the 2.5 and 97.5 percentiles.
- **Rank range**: a model's best rank is 1 + the models whose lower bound is above its upper bound; its worst
  rank is n - the models whose upper bound is below its lower bound (LMArena's rule on interval overlap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SCALE = 400.0 / math.log(10.0)  # Elo points per unit of strength (natural log odds)
CENTRE = 1000.0
RIDGE = 1e-3
_TOLERANCE = 1e-9
_MAX_ITERATIONS = 100
_CHORD_ITERATIONS = 60
_CELLS_PER_CHUNK = 20_000_000  # bootstrap rounds are fitted in chunks of at most this many matrix cells

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

# outcome codes
A_WINS, B_WINS, TIE = 0, 1, 2


@dataclass(frozen=True)
class PairCounts:
    """Battles counted per unordered pair (first < second, as indices into ``models``)."""

    models: tuple[str, ...]
    first: Ints
    second: Ints
    wins_first: Floats
    wins_second: Floats
    ties: Floats

    @property
    def total(self) -> int:
        """Battles counted."""
        return round(float(self.wins_first.sum() + self.wins_second.sum() + self.ties.sum()))

    def battles_per_model(self) -> Ints:
        """How many battles each model fought."""
        games = self.wins_first + self.wins_second + self.ties
        counted = np.bincount(self.first, games, len(self.models)) + np.bincount(self.second, games, len(self.models))
        battles: Ints = np.rint(counted).astype(np.int64)
        return battles

    def win_matrix(self) -> Floats:
        """W[i, j]: i's wins over j, ties counted half to each."""
        matrix: Floats = _win_matrices(self, self.wins_first[None], self.wins_second[None], self.ties[None])[0]
        return matrix


def aggregate(model_a: Sequence[str], model_b: Sequence[str], outcome: Sequence[int] | Ints) -> PairCounts:
    """Count battles (``outcome`` 0: a won, 1: b won, 2: tie) per unordered pair; models sorted by name."""
    names, codes = np.unique(np.concatenate([np.asarray(model_a, dtype=object), np.asarray(model_b, dtype=object)]),
                             return_inverse=True)  # fmt: skip
    size = len(model_a)
    return aggregate_codes(tuple(str(n) for n in names), codes[:size], codes[size:], np.asarray(outcome))


def aggregate_codes(models: tuple[str, ...], a: Ints, b: Ints, outcome: Ints) -> PairCounts:
    """`aggregate` for battles already given as model indices."""
    n = len(models)
    a, b, outcome = np.asarray(a, np.int64), np.asarray(b, np.int64), np.asarray(outcome, np.int64)
    if (a == b).any():
        raise ValueError("a model cannot battle itself")
    low, high = np.minimum(a, b), np.maximum(a, b)
    # the outcome seen from the lower index: 0 low won, 1 high won, 2 tie
    flipped = np.where(outcome == TIE, TIE, np.where((outcome == A_WINS) == (a == low), A_WINS, B_WINS))
    cell = (low * n + high) * 3 + flipped
    counts = np.bincount(cell, minlength=n * n * 3).reshape(n * n, 3) if n * n * 3 <= 50_000_000 else None
    if counts is None:  # many models: count only the cells that occur
        cells, tally = np.unique(cell, return_counts=True)
        pair_ids, slots = np.unique(cells // 3, return_inverse=True)
        table = np.zeros((len(pair_ids), 3))
        np.add.at(table, (slots, cells % 3), tally)
        return PairCounts(models, pair_ids // n, pair_ids % n, table[:, 0], table[:, 1], table[:, 2])
    present = np.flatnonzero(counts.sum(axis=1))
    table = counts[present].astype(np.float64)
    return PairCounts(models, present // n, present % n, table[:, 0], table[:, 1], table[:, 2])


def _win_matrices(counts: PairCounts, wins_first: Floats, wins_second: Floats, ties: Floats) -> Floats:
    """(rounds, n, n) win matrices from per-pair counts of shape (rounds, pairs)."""
    n = len(counts.models)
    rounds = wins_first.shape[0]
    flat = np.zeros((rounds, n * n))
    # each unordered pair appears once, so fancy-index addition has no repeated index
    flat[:, counts.first * n + counts.second] += wins_first + 0.5 * ties
    flat[:, counts.second * n + counts.first] += wins_second + 0.5 * ties
    return flat.reshape(rounds, n, n)


def _log_likelihood(wins: Floats, strengths: Floats, ridge: float) -> Floats:
    diff = strengths[:, :, None] - strengths[:, None, :]
    # log sigmoid(d) = -log(1 + exp(-d))
    value: Floats = -(wins * np.logaddexp(0.0, -diff)).sum(axis=(1, 2)) - 0.5 * ridge * (strengths**2).sum(axis=1)
    return value


def fit_strengths(wins: Floats, start: Floats | None = None, ridge: float = RIDGE) -> Floats:
    """Maximum-likelihood strengths for each of a batch of win matrices (rounds, n, n) -> (rounds, n)."""
    rounds, n, _ = wins.shape
    games = wins + wins.transpose(0, 2, 1)
    strengths = np.zeros((rounds, n)) if start is None else np.array(start, dtype=np.float64)
    current = _log_likelihood(wins, strengths, ridge)
    for _ in range(_MAX_ITERATIONS):
        gradient = _gradient(wins, games, strengths, ridge)
        information = _information(wins, strengths, ridge)
        step = np.linalg.solve(information, gradient[..., None])[..., 0]
        scale = np.ones(rounds)
        for _ in range(40):  # backtrack where a full step would lower the likelihood
            candidate = strengths + scale[:, None] * step
            value = _log_likelihood(wins, candidate, ridge)
            worse = value < current - 1e-12 * np.abs(current)
            if not worse.any():
                break
            scale[worse] *= 0.5
        moved = np.abs(candidate - strengths).max()
        strengths, current = candidate, value
        if moved < _TOLERANCE:
            break
    return strengths


def ratings_from_strengths(strengths: Floats, anchor: tuple[int, float] | None = None) -> Floats:
    """Elo-scale ratings: mean 1000, or shifted so that model ``anchor[0]`` rates ``anchor[1]``."""
    centred = strengths - strengths.mean(axis=-1, keepdims=True)
    ratings: Floats = CENTRE + SCALE * centred
    if anchor is not None:
        index, value = anchor
        ratings = ratings + (value - ratings[..., index : index + 1])
    return ratings


def _information(wins: Floats, strengths: Floats, ridge: float) -> Floats:
    """The negative Hessian of the log-likelihood (a weighted graph Laplacian plus the ridge), per round."""
    games = wins + wins.transpose(0, 2, 1)
    p = 1.0 / (1.0 + np.exp(strengths[:, None, :] - strengths[:, :, None]))
    weight = games * p * (1.0 - p)
    information = -weight
    n = wins.shape[1]
    information[:, np.arange(n), np.arange(n)] += weight.sum(axis=2) + ridge
    return information


def _gradient(wins: Floats, games: Floats, strengths: Floats, ridge: float) -> Floats:
    p = 1.0 / (1.0 + np.exp(strengths[:, None, :] - strengths[:, :, None]))
    gradient: Floats = (wins - games * p).sum(axis=2) - ridge * strengths
    return gradient


def refit_near(wins: Floats, start: Floats, ridge: float = RIDGE) -> Floats:
    """Fit win matrices close to one already fitted (bootstrap rounds): Newton steps with the Hessian at ``start``
    held fixed, one n x n inverse for every round (a batch of LAPACK solves costs far more, and its threads fight
    over 2 cores); a round that does not settle in a few such steps gets full Newton."""
    rounds = wins.shape[0]
    inverse = np.linalg.inv(_information(wins.mean(axis=0, keepdims=True), start[None], ridge)[0])
    games = wins + wins.transpose(0, 2, 1)
    strengths = np.repeat(start[None], rounds, axis=0)
    previous = np.full(rounds, np.inf)
    active = np.ones(rounds, dtype=bool)
    for _ in range(_CHORD_ITERATIONS):
        index = np.flatnonzero(active)
        if not len(index):
            break
        if len(index) == rounds:  # no copies while every round is still moving
            step = _gradient(wins, games, strengths, ridge) @ inverse
        else:
            step = _gradient(wins[index], games[index], strengths[index], ridge) @ inverse
        size = np.abs(step).max(axis=1)
        strengths[index] += step
        settled = size < _TOLERANCE
        diverging = size > 0.9 * previous[index]
        previous[index] = size
        active[index[settled | diverging]] = False
        if diverging.any():
            # undo, and leave these rounds to full Newton
            strengths[index[diverging & ~settled]] -= step[diverging & ~settled]
            previous[index[diverging & ~settled]] = np.inf
    unsettled = np.flatnonzero(np.isinf(previous) | (previous >= _TOLERANCE))
    if len(unsettled):
        strengths[unsettled] = fit_strengths(wins[unsettled], strengths[unsettled], ridge)
    return strengths


def bootstrap_strengths(
    counts: PairCounts, rounds: int, seed: int = 0, start: Floats | None = None, ridge: float = RIDGE
) -> Floats:
    """Strengths refitted on ``rounds`` resamples of the battles (multinomial counts per pair and outcome)."""
    n = len(counts.models)
    cells = np.concatenate([counts.wins_first, counts.wins_second, counts.ties])
    total = round(float(cells.sum()))
    if rounds <= 0 or total == 0:
        return np.zeros((0, n))
    if start is None:
        start = fit_strengths(counts.win_matrix()[None], ridge=ridge)[0]
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(total, cells / cells.sum(), size=rounds).astype(np.float64)
    pairs = len(counts.first)
    chunk = max(1, _CELLS_PER_CHUNK // max(n * n, 1))
    fitted = []
    for begin in range(0, rounds, chunk):
        part = drawn[begin : begin + chunk]
        wins = _win_matrices(counts, part[:, :pairs], part[:, pairs : 2 * pairs], part[:, 2 * pairs :])
        fitted.append(refit_near(wins, start, ridge))
    return np.concatenate(fitted)


def rank_ranges(lower: Floats, upper: Floats) -> tuple[Ints, Ints]:
    """(best, worst) rank of each model from interval overlap (1 is best)."""
    above = (lower[None, :] > upper[:, None]).sum(axis=1)  # models surely better than each model
    below = (upper[None, :] < lower[:, None]).sum(axis=1)  # models surely worse
    return 1 + above, len(lower) - below


def win_probabilities(ratings: Floats) -> Floats:
    """P[i, j]: the modelled chance that i beats j."""
    probability: Floats = 1.0 / (1.0 + np.power(10.0, (ratings[None, :] - ratings[:, None]) / 400.0))
    return probability
