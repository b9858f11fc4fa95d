"""Ingest rate: replayed /api/models pages parsed, validated and stored as one snapshot (network excluded).

Baseline, in the same run: the obvious pandas route (``pd.json_normalize`` of the pages, then one DuckDB
insert of the frame), which validates nothing and resolves no tree. Target: >= 20 k models/s.
Run: python bench/bench_ingest.py [--models N]
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from modelrace.hub import SnapshotWriter
from modelrace.store import Warehouse
from synthetic_hub import make_hub, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=200_000)
    args = parser.parse_args()
    hub = make_hub(args.models, seed=1)
    replayed = list(pages(hub))  # generated up front: the timing covers parsing and storing only
    records = [r for page in replayed for r in page]
    print(f"models: {len(records):,} in {len(replayed):,} pages")

    with tempfile.TemporaryDirectory() as folder:
        gc.collect()
        start = time.perf_counter()
        with Warehouse.open(Path(folder) / "modelrace.duckdb") as warehouse:
            with SnapshotWriter(warehouse, source="bench") as writer:
                for page in replayed:
                    writer.add_many(page)
                parsed = time.perf_counter()
                writer.commit()
            ours = time.perf_counter() - start
            stored_s = time.perf_counter() - parsed
        gc.collect()
        start = time.perf_counter()
        frame = pd.json_normalize(records)
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith(("baseModels", "safetensors"))])
        connection = duckdb.connect(str(Path(folder) / "pandas.duckdb"))
        connection.execute("CREATE TABLE models AS SELECT * FROM frame")
        connection.close()
        baseline = time.perf_counter() - start

    rate = len(records) / ours
    print(f"modelrace: {ours:6.2f} s  {rate:10,.0f} models/s  (of which commit + tree {stored_s:.2f} s)")
    print(f"pandas:    {baseline:6.2f} s  {len(records) / baseline:10,.0f} models/s  (no validation, no tree)")
    print(
        f"ratio modelrace/pandas throughput: {baseline / ours:.2f}x   target >= 20,000 models/s: "
        f"{'met' if rate >= 20_000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
