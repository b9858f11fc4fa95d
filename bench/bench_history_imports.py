"""History imports and trends (issue #25): importing the whole ``lmarena_history`` folder, and ``trend`` over 150
boards x 300 models and over 30 snapshots.

1. The folder (15 board JSONs and the all-time CSV of 105 dates) into a fresh warehouse with ``import_boards``;
   baseline in the same run: one board JSON through the single-file ``import_results`` (the figure is the
   folder's time and its ratio to 120 single-board imports at that speed).
2. Synthetic: 150 boards of 300 models (ratings with intervals, organisations stated) stored as result imports,
   and 30 Hub snapshots of 300 models (a drifting selection, as llmfit's); then ``trend`` by country of ratings
   and by family of downloads (on the same-models scope), and the pairwise pass of two families. Baseline: the
   metric's ``observe`` alone (the SQL and the attribution), so the ratio is what the aggregation adds.

Targets: the folder <= 10 s; each trend <= 1 s.
Run: python bench/bench_history_imports.py [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from modelrace.hub import import_hub_json
from modelrace.sources import import_results
from modelrace.sources._history import import_boards
from modelrace.sources._model import ImportBatch, Result
from modelrace.sources._store import store_batch
from modelrace.store import Warehouse
from modelrace.timeline import DownloadsMetric, RatingMetric, pairwise_pass, trend

ORGANISATIONS = [("OpenAI", "gpt-"), ("Google", "gemini-"), ("Alibaba", "qwen-"), ("DeepSeek", "deepseek-"),
                 ("Meta", "llama-"), ("Anthropic", "claude-")]  # fmt: skip
NAMESPACES = [
    ("Qwen", "Qwen3"), ("meta-llama", "Llama-3"), ("deepseek-ai", "DeepSeek-V3"), ("google", "gemma-3"),
    ("mistralai", "Mistral"), ("microsoft", "Phi-4"), ("unsloth", "Qwen3"), ("bartowski", "Llama-3"),
]  # fmt: skip


def _timed(step: object) -> tuple[float, object]:
    start = time.perf_counter()
    value = step()  # type: ignore[operator]
    return time.perf_counter() - start, value


def bench_folder(data: Path, workdir: Path) -> None:
    folder = data / "lmarena_history"
    single = Warehouse.open(workdir / "single.duckdb")
    one, _ = _timed(lambda: import_results(single, "lmarena", folder / "lmarena_leaderboard_text_2025-12-11.json"))
    single.close()
    warehouse = Warehouse.open(workdir / "folder.duckdb")
    took, found = _timed(lambda: import_boards(warehouse, [folder]))
    boards = len(found.imports)  # type: ignore[attr-defined]
    warehouse.close()
    print(f"lmarena_history folder: {boards} boards in {took:.2f} s (target <= 10 s); one board JSON alone "
          f"{one:.2f} s: the folder costs {took / (one * boards):.2f} x {boards} single-board imports")  # fmt: skip


def bench_trend(workdir: Path, boards: int, models: int, snapshots: int) -> None:
    rng = random.Random(25)
    warehouse = Warehouse.open(workdir / "trend.duckdb")
    start = date(2023, 1, 1)
    names = [(org, f"{prefix}{i}") for i in range(models) for org, prefix in [ORGANISATIONS[i % len(ORGANISATIONS)]]]
    for board in range(boards):
        batch = ImportBatch("lmarena", start + timedelta(days=7 * board))
        for org, name in names:
            rating = 1000 + rng.gauss(0, 80) + board
            batch.model(name).organisation = org
            batch.results.append(Result(name, "full", "rating", rating, "elo", ci_low=rating - 6, ci_high=rating + 6))
        store_batch(warehouse, batch, f"synthetic#{board}", f"synthetic-{board}")
    pool = [f"{ns}/{name}-{i}" for i in range(models * 2) for ns, name in [NAMESPACES[i % len(NAMESPACES)]]]
    for day in range(snapshots):
        chosen = rng.sample(pool, models)
        path = workdir / f"hub_{day}.json"
        path.write_text(json.dumps([{"id": m, "downloads": rng.randint(0, 10**6), "pipeline_tag": "text-generation"}
                                    for m in chosen + pool[:20] if m]))  # fmt: skip
        import_hub_json(warehouse, path, taken_at=datetime(2026, 1, 1) + timedelta(days=day))
    for label, metric, by in (("rating by country", RatingMetric(), "country"),
                              ("downloads by family", DownloadsMetric(), "family")):  # fmt: skip
        metric.observe(warehouse, by)  # warm: the registry, the resolver's tables and DuckDB's caches
        observe, _ = _timed(lambda metric=metric, by=by: metric.observe(warehouse, by))
        took, found = _timed(lambda metric=metric, by=by: trend(warehouse, metric, by, 10))
        print(f"trend {label}: {took:.3f} s (target <= 1 s); observe alone {observe:.3f} s "
              f"(aggregation adds {took / observe:.2f} x); {len(found.points):,} points")  # type: ignore[attr-defined]  # fmt: skip
    ids = DownloadsMetric().chosen(warehouse)
    took, found = _timed(
        lambda: pairwise_pass(warehouse, lambda pair: DownloadsMetric(snapshot_ids=pair), ids, "Qwen", "Llama")
    )
    print(f"pairwise pass Qwen/Llama over {len(ids)} snapshots: {took:.3f} s ({len(found.steps)} comparable pairs)")  # type: ignore[attr-defined]
    warehouse.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("MODELRACE_REFERENCE_DATA", "../shared/data")))
    parser.add_argument("--boards", type=int, default=150)
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--snapshots", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if (args.data / "lmarena_history").is_dir():
            bench_folder(args.data, workdir)
        else:
            print(f"no lmarena_history under {args.data}: the folder import is not timed")
        bench_trend(workdir, args.boards, args.models, args.snapshots)


if __name__ == "__main__":
    main()
