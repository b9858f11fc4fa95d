"""Bradley-Terry ratings with bootstrap intervals: 1 M battles among 200 models, 100 bootstrap rounds.

Ours: battles counted per pair once (numpy from arrays; SQL from the warehouse), then batched Newton fits on
n x n win matrices, the bootstrap drawing multinomial counts per (pair, outcome). Baseline, measured in the same
run: the per-row way (a Newton fit whose every step reads all battles, a bootstrap that resamples rows), timed
on one fit and BASELINE_ROUNDS rounds and scaled to 100 rounds. Both must give the same ratings.

    python bench/bench_ratings.py [--battles 1000000] [--models 200] [--rounds 100]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from modelrace.ratings import aggregate_codes, arena, rate
from modelrace.store import Warehouse

BASELINE_ROUNDS = 3
SCALE = 400.0 / math.log(10.0)


def synthetic(models: int, battles: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.normal(1000.0, 150.0, models)
    a = rng.integers(0, models, battles)
    b = rng.integers(0, models - 1, battles)
    b = np.where(b >= a, b + 1, b)
    p_a = 1.0 / (1.0 + np.power(10.0, (truth[b] - truth[a]) / 400.0))
    outcome = np.where(rng.random(battles) < p_a, 0, 1)  # no ties: they are not in the model that made the truth
    return truth, a, b, outcome


def per_row_fit(n: int, a: np.ndarray, b: np.ndarray, score: np.ndarray, ridge: float = 1e-3) -> np.ndarray:
    """Newton's method where each step reads every battle (score: 1 a won, 0 b won, 0.5 tie)."""
    strengths = np.zeros(n)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(strengths[b] - strengths[a]))
        residual = score - p
        gradient = np.bincount(a, residual, n) - np.bincount(b, residual, n) - ridge * strengths
        weight = p * (1.0 - p)
        pairs = np.bincount(a * n + b, weight, n * n).reshape(n, n)
        pairs = pairs + pairs.T
        information = -pairs
        information[np.arange(n), np.arange(n)] += pairs.sum(axis=1) + ridge
        step = np.linalg.solve(information, gradient)
        strengths += step
        if np.abs(step).max() < 1e-9:
            break
    return strengths - strengths.mean()


def baseline(n: int, a: np.ndarray, b: np.ndarray, outcome: np.ndarray, rounds: int) -> tuple[np.ndarray, float]:
    """Ratings and the seconds for one fit plus ``rounds`` row-resampled refits."""
    score = np.where(outcome == 0, 1.0, np.where(outcome == 1, 0.0, 0.5))
    started = time.perf_counter()
    strengths = per_row_fit(n, a, b, score)
    rng = np.random.default_rng(0)
    for _ in range(rounds):
        rows = rng.integers(0, len(a), len(a))
        per_row_fit(n, a[rows], b[rows], score[rows])
    return 1000.0 + SCALE * strengths, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--battles", type=int, default=1_000_000)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    truth, a, b, outcome = synthetic(args.models, args.battles)
    names = tuple(f"model-{i:03d}" for i in range(args.models))

    started = time.perf_counter()
    counts = aggregate_codes(names, a, b, outcome)
    ratings, lower, upper = rate(counts, args.rounds)
    ours = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse.open(Path(folder) / "bench.duckdb")
        winners = np.array(["model_a", "model_b", "tie"])[outcome]
        table = pa.table(
            {
                "batch_id": pa.array(np.ones(len(a), dtype=np.int32)),
                "position": pa.array(np.arange(1, len(a) + 1)),
                "model_a": pa.array(np.array(names)[a]),
                "model_b": pa.array(np.array(names)[b]),
                "winner": pa.array(winners),
                "judge_kind": pa.array(["human"] * len(a)),
            }
        )
        warehouse.connection.execute(
            "INSERT INTO battle_batches VALUES (1, 'import', 'bench', 'human', 'bench', 'x', DATE '2026-01-01', "
            "now()::TIMESTAMP, ?, 0, NULL)",
            [len(a)],
        )
        warehouse.connection.register("bench_battles", table)
        warehouse.connection.execute(
            "INSERT INTO battles (batch_id, position, model_a, model_b, winner, judge_kind) "
            "SELECT batch_id, position, model_a, model_b, winner, judge_kind FROM bench_battles"
        )
        started = time.perf_counter()
        board = arena(warehouse, rounds=args.rounds)
        warehouse_s = time.perf_counter() - started
        warehouse.close()
    stored = {m.name: m.rating for m in board.models}

    reference, baseline_s = baseline(args.models, a, b, outcome, BASELINE_ROUNDS)
    per_round = (baseline_s - baseline_s / (BASELINE_ROUNDS + 1)) / BASELINE_ROUNDS
    baseline_scaled = baseline_s / (BASELINE_ROUNDS + 1) + per_round * args.rounds

    print(f"{args.battles:,} battles, {args.models} models, {args.rounds} bootstrap rounds")
    print(f"ours, from arrays:          {ours:6.2f} s (aggregate, fit, bootstrap)")
    print(f"ours, from the warehouse:   {warehouse_s:6.2f} s (`arena`: SQL count per pair, fit, bootstrap, names)")
    print(
        f"per-row baseline:           {baseline_scaled:6.2f} s (1 fit + {BASELINE_ROUNDS} rounds measured: "
        f"{baseline_s:.2f} s, scaled to {args.rounds})"
    )
    print(f"speed-up: {baseline_scaled / ours:.1f}x (arrays), {baseline_scaled / warehouse_s:.1f}x (warehouse)")
    print(f"largest rating difference, ours vs per-row: {np.abs(ratings - reference).max():.2e} points")
    apart = max(abs(stored[name] - rating) for name, rating in zip(names, ratings, strict=True))
    print(f"largest difference, warehouse vs arrays: {apart:.2e}")
    centred_truth = truth - truth.mean() + 1000.0
    inside = float(((centred_truth >= lower) & (centred_truth <= upper)).mean())
    print(f"true rating inside the 95 % interval: {inside:.1%} of models; median width {np.median(upper - lower):.1f}")


if __name__ == "__main__":
    main()
