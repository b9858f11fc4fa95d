"""Ratings of a battle file by LMArena's `arena-rank` package, as JSON on stdout: {"model": rating, ...}.

The reference that tests/ratings/test_arena_rank.py and docs/ratings.md compare ours with. arena-rank pins its own
numpy and jax, so it usually lives in a virtualenv of its own:

    python -m venv /tmp/arena-venv && /tmp/arena-venv/bin/pip install arena-rank
    /tmp/arena-venv/bin/python bench/arena_rank_ratings.py BATTLES.jsonl
"""

from __future__ import annotations

import json
import sys

import pandas as pd
from arena_rank.models.bradley_terry import BradleyTerry
from arena_rank.utils.data_utils import PairDataset


def main() -> None:
    battles = pd.read_json(sys.argv[1], lines=True)
    dataset = PairDataset.from_pandas(battles[["model_a", "model_b", "winner"]])
    model = BradleyTerry(n_competitors=len(dataset.competitors))
    result = model.compute_ratings_and_cis(dataset, significance_level=0.05, ci_method="sandwich")
    ratings = {name: float(rating) for name, rating in zip(result["competitors"], result["ratings"], strict=True)}
    json.dump(ratings, sys.stdout)


if __name__ == "__main__":
    main()
