"""Our Bradley-Terry ratings against LMArena's own `arena-rank` package, on the same battles.

arena-rank pins numpy and jax versions of its own, so it is not a dependency: the comparison runs it in process
when it is importable, else through the interpreter in ``ARENA_RANK_PYTHON`` (a virtualenv with arena-rank, see
bench/arena_rank_ratings.py), and skips with that instruction otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from modelrace.ratings import aggregate, rate, read_battles

from .synthetic import draw_battles, true_ratings

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "arena_rank_ratings.py"
_OUTCOMES = {"model_a": 0, "model_b": 1, "tie": 2, "tie (bothbad)": 2}


def _interpreter() -> str:
    if importlib.util.find_spec("arena_rank") is not None:
        return sys.executable
    configured = os.environ.get("ARENA_RANK_PYTHON")
    if configured:
        return configured
    pytest.skip(
        "arena-rank is not installed: `python -m venv /tmp/arena-venv && /tmp/arena-venv/bin/pip install "
        "arena-rank`, then ARENA_RANK_PYTHON=/tmp/arena-venv/bin/python"
    )


def _theirs(path: Path) -> dict[str, float]:
    done = subprocess.run([_interpreter(), str(SCRIPT), str(path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    ratings: dict[str, float] = json.loads(done.stdout)
    return ratings


def _ours(path: Path) -> dict[str, float]:
    battles = [battle for _, battle in read_battles(path).battles]
    counts = aggregate(
        [b.model_a for b in battles], [b.model_b for b in battles], [_OUTCOMES[b.winner] for b in battles]
    )
    ratings, _, _ = rate(counts, rounds=0)
    return dict(zip(counts.models, ratings.tolist(), strict=True))


def test_synthetic_battles_agree_within_one_point(tmp_path: Path) -> None:
    truth = true_ratings(25, seed=5)
    a, b, outcome = draw_battles(truth, 30_000, seed=6, tie_share=0.1)
    names = [f"model-{i:02d}" for i in range(25)]
    winners = ["model_a", "model_b", "tie"]
    path = tmp_path / "battles.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"model_a": names[i], "model_b": names[j], "winner": winners[o]})
            for i, j, o in zip(a.tolist(), b.tolist(), outcome.tolist(), strict=True)
        )
    )
    theirs, ours = _theirs(path), _ours(path)
    assert set(theirs) == set(ours)
    gaps = np.array([abs(ours[name] - theirs[name]) for name in ours])
    assert gaps.max() < 1.0, f"largest difference {gaps.max():.3f} points"


@pytest.mark.reference
def test_real_arena_votes_agree_within_one_point(reference_data: Path) -> None:
    path = reference_data / "arena_human_battles_2023-04_06.jsonl"
    theirs, ours = _theirs(path), _ours(path)
    assert len(ours) == 20 and set(theirs) == set(ours)
    assert max(abs(ours[name] - theirs[name]) for name in ours) < 1.0
