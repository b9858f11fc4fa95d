"""`modelrace gap` on a long history: B dated boards of M models each (default 150 x 300), open vs closed and CN vs
US, in one process (the library call) and as the command (a fresh process, startup included).

The boards are written straight into a warehouse (result_imports and results, as `import lmarena` stores a board):
model names the resolver knows (gpt-4o-N, claude-3-5-sonnet-N, gemini-1.5-pro-N closed; deepseek-v3-N, qwen2.5-Nb,
llama-3.1-Nb open), each board holding the M most recent of a pool that grows over time, ratings rising by about
60 points a year with a 95 % interval of +-6. Baseline in the same run: reading the latest board's results into
the leaderboard's catalogue (`ranking.load_catalogue`, what `modelrace leaderboard` reads), per call.

Target (issue #25): `gap` <= 1 s at 150 boards x 300 models.
Run: python bench/bench_gap.py [--boards B] [--models M]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from modelrace.ranking import gap_history, load_catalogue
from modelrace.store import Warehouse

LINES = (
    "gpt-4o-{}",
    "claude-3-5-sonnet-{}",
    "gemini-1.5-pro-{}",
    "deepseek-v3-{}",
    "qwen2.5-{}b-instruct",
    "llama-3.1-{}b-instruct",
)


def build(path: Path, boards: int, models: int) -> None:
    """The warehouse: ``boards`` weekly boards of ``models`` models each."""
    rng = np.random.default_rng(25)
    pool = models * 3
    names = [LINES[i % len(LINES)].format(1000 + i) for i in range(pool)]
    born = np.sort(rng.uniform(-models, boards, pool))  # the week each model first appears
    strength = 1300 + 60 * born / 52 + rng.normal(0, 25, pool)
    start = date(2023, 1, 2)
    with Warehouse.open(path) as warehouse:
        connection = warehouse.connection
        frames = []
        for board in range(boards):
            alive = np.flatnonzero(born <= board)[-models:]
            day = start + timedelta(weeks=board)
            connection.execute(
                "INSERT INTO result_imports (import_id, source, path, file_sha256, data_date, imported_at, models, "
                "results, rejected, date_basis) VALUES (?, 'lmarena', ?, ?, ?, ?, ?, ?, 0, 'file name')",
                [board + 1, f"lmarena_leaderboard_text_{day}.json", f"{board:064d}", day, datetime.now(), len(alive),
                 len(alive)],
            )  # fmt: skip
            rating = strength[alive] + rng.normal(0, 3, len(alive))
            frames.append(
                pd.DataFrame(
                    {
                        "import_id": board + 1,
                        "source_name": [names[i] for i in alive],
                        "benchmark": "full",
                        "metric": "rating",
                        "value": rating,
                        "scale": "elo",
                        "ci_low": rating - 6,
                        "ci_high": rating + 6,
                    }
                )
            )
        connection.register("board_rows", pd.concat(frames))
        connection.execute(
            "INSERT INTO results (import_id, source_name, benchmark, metric, value, scale, ci_low, ci_high) "
            "SELECT * FROM board_rows"
        )
        connection.unregister("board_rows")


def best_of(seconds: list[float]) -> float:
    """The fastest of several runs (the machine is shared)."""
    return min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=150)
    parser.add_argument("--models", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "warehouse.duckdb"
        started = time.perf_counter()
        build(path, args.boards, args.models)
        print(f"built {args.boards} boards x {args.models} models in {time.perf_counter() - started:.1f} s")
        with Warehouse.open(path, read_only=True) as warehouse:
            timings: dict[str, list[float]] = {"baseline": [], "open,closed": [], "CN,US": []}
            for _ in range(3):
                started = time.perf_counter()
                load_catalogue(warehouse)
                timings["baseline"].append(time.perf_counter() - started)
                for pair in ("open,closed", "CN,US"):
                    started = time.perf_counter()
                    result = gap_history(warehouse, pair)
                    timings[pair].append(time.perf_counter() - started)
                    assert len(result.series) == args.boards, (pair, len(result.series), result.skipped)
        baseline = best_of(timings["baseline"])
        print(f"baseline: the latest board's catalogue {baseline:.3f} s")
        for pair in ("open,closed", "CN,US"):
            took = best_of(timings[pair])
            print(f"gap --between {pair}: {took:.3f} s in process ({took / baseline:.2f} x the baseline)")
        environment = os.environ | {"MODELRACE_DB": str(path)}
        output = ""
        for command in (["imports", "--json"], ["gap", "--between", "CN,US", "--json"]):
            wall, cpu = [], []
            for _ in range(3):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                output = subprocess.run(
                    [sys.executable, "-m", "modelrace", *command], env=environment, check=True, capture_output=True,
                    text=True,
                ).stdout  # fmt: skip
                wall.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            print(f"modelrace {' '.join(command)}: {best_of(wall):.3f} s wall, {best_of(cpu):.3f} s CPU as a command")
        print(f"  ({len(json.loads(output)['series'])} boards; `imports` is the startup baseline)")


if __name__ == "__main__":
    main()
