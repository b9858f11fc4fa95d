"""Start-up time of `modelrace` commands: lazy command loading against the old eager loading, in one run.

Ours: the console entry point as installed (``modelrace.cli.main:run``): ``modelrace X`` imports only the cli
module that defines X. Baseline, in the same run and alternating with ours: the same entry point after importing
what the old main imported at start-up (every cli module and the library packages they imported at their top).
Each run is a fresh interpreter; wall time and CPU time (user + system) of the child, median of --runs.
Run: python bench/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = (["--help"], ["hardware", "--json"], ["licenses", "--json"], ["pick", "--help"])

# What cli/main.py imported before lazy loading: every capability module, and what those imported at their top.
EAGER = (
    "modelrace.cli.hub",
    "modelrace.cli.imports",
    "modelrace.cli.warehouse",
    "modelrace.cli.adoption",
    "modelrace.cli.licences",
    "modelrace.cli.results",
    "modelrace.cli.evals",
    "modelrace.cli.ratings",
    "modelrace.cli.serving",
    "modelrace.cli.answers",
    "modelrace.cli.report",
    "modelrace.cli.cache",
    "modelrace._progress",
    "modelrace.store",
    "modelrace.hub",
    "modelrace.adoption",
    "modelrace.licensing",
    "modelrace.ranking",
    "modelrace.sources",
    "modelrace.serving",
    "modelrace.answers",
)


def _script(eager: bool) -> str:
    preload = "".join(f"import {name}\n" for name in EAGER) if eager else ""
    return f"import sys\n{preload}from modelrace.cli.main import run\nsys.argv[0] = 'modelrace'\nrun()\n"


def _once(args: list[str], eager: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh ``modelrace ARGS`` (output discarded)."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _script(eager), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100"},
        check=False,
    )
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    print(f"{'command':<18} {'lazy wall':>10} {'eager wall':>11} {'ratio':>6} {'lazy CPU':>9} {'eager CPU':>10}")
    for args in COMMANDS:
        times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        _once(args, eager=False)  # warm the file cache once
        for _ in range(options.runs):
            for eager in (False, True):  # alternate, so that load on a shared machine hits both alike
                times[eager].append(_once(args, eager))
        lazy_wall, eager_wall = (statistics.median(t[0] for t in times[e]) for e in (False, True))
        lazy_cpu, eager_cpu = (statistics.median(t[1] for t in times[e]) for e in (False, True))
        print(
            f"{' '.join(args):<18} {lazy_wall:>9.2f}s {eager_wall:>10.2f}s {eager_wall / lazy_wall:>5.1f}x "
            f"{lazy_cpu:>8.2f}s {eager_cpu:>9.2f}s"
        )


if __name__ == "__main__":
    main()
