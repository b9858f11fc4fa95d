"""Ingest rate of a sync: ``/api/models`` page bodies (bytes as the Hub sends them) parsed, validated and stored as
one snapshot with its model tree; network excluded.

Three routes on the same bytes, in one run:

* modelrace, vectorised (what ``modelrace sync`` does, hub/_bulk_json.py): bodies staged and validated in DuckDB,
  Python only for the rare records that need it;
* modelrace, per record (``sync_hub(vectorised=False)``, the reference): ``json.loads`` per page and
  ``parse_model`` per record;
* baseline: the obvious pandas route (``json.loads`` of the pages, ``pd.json_normalize``, one DuckDB insert of
  the frame), which validates nothing and resolves no tree.

Target (issue #15): >= 100,000 models/s parsed and stored. Wall times on a shared machine are noisy: CPU seconds
are printed too. Run: python bench/bench_ingest.py [--models N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from modelrace.hub import Provenance, SnapshotWriter
from modelrace.hub._bulk_json import DeferredPage, PageStager
from modelrace.hub._client import parse_page
from modelrace.store import Warehouse
from synthetic_hub import make_hub, page_bodies

TARGET = 100_000


def vectorised(writer: SnapshotWriter, bodies: list[bytes]) -> None:
    """The sync's loop over the pages of a listing without cuts, as ``sync_hub(vectorised=True)`` runs it."""
    stager = PageStager(writer, batched=True)
    for number, body in enumerate(bodies):
        page = stager.read(number, body)
        if isinstance(page.staged, DeferredPage):
            if stager.pending:
                stager.flush()
            continue
        stager.flush()
        for raw in page.items:
            writer.add_raw(raw, stager.claim_position())
    stager.flush()
    stager.close()


def per_record(writer: SnapshotWriter, bodies: list[bytes]) -> None:
    """The reference route: Python's json per page, ``parse_model`` per record."""
    for number, body in enumerate(bodies):
        writer.add_many(parse_page(number, body).items)


Route = Callable[[SnapshotWriter, list[bytes]], None]


def timed(folder: Path, name: str, route: Route, bodies: list[bytes]) -> dict[str, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    with Warehouse.open(folder / f"{name}.duckdb") as warehouse:
        with SnapshotWriter(warehouse, Provenance("bench")) as writer:
            route(writer, bodies)
            staged_wall, staged_cpu = time.perf_counter(), time.process_time()
            writer.commit()
        accepted = writer.stats.accepted
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "stage_wall": staged_wall - wall,
        "stage_cpu": staged_cpu - cpu,
        "accepted": accepted,
    }


def pandas_baseline(folder: Path, bodies: list[bytes]) -> dict[str, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    records = [record for body in bodies for record in json.loads(body)]
    frame = pd.json_normalize(records)
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith(("baseModels", "safetensors", "cardData"))])
    connection = duckdb.connect(str(folder / "pandas.duckdb"))
    connection.execute("CREATE TABLE models AS SELECT * FROM frame")
    connection.close()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=200_000)
    args = parser.parse_args()
    bodies = page_bodies(make_hub(args.models, seed=1))  # generated up front: the timing covers parsing and storing
    models = args.models
    print(f"models: {models:,} in {len(bodies):,} pages of {sum(map(len, bodies)) / models:,.0f} bytes a model")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        ours = timed(folder, "vectorised", vectorised, bodies)
        reference = timed(folder, "per-record", per_record, bodies)
        baseline = pandas_baseline(folder, bodies)
    assert ours["accepted"] == reference["accepted"] == models, (ours, reference)

    def line(name: str, figures: dict[str, float], note: str) -> None:
        print(
            f"{name:<22} {figures['wall']:6.2f} s wall {figures['cpu']:6.2f} s CPU  "
            f"{models / figures['wall']:10,.0f} models/s  {note}"
        )

    for name, figures in (("modelrace vectorised", ours), ("modelrace per record", reference)):
        line(
            name,
            figures,
            f"(parse + validate + stage {figures['stage_wall']:.2f} s = {models / figures['stage_wall']:,.0f} "
            f"models/s; commit + tree {figures['wall'] - figures['stage_wall']:.2f} s)",
        )
    line("pandas baseline", baseline, "(json.loads + json_normalize + insert; no validation, no tree)")
    rate = models / ours["wall"]
    print(
        f"vectorised / per record: {reference['wall'] / ours['wall']:.2f}x wall, "
        f"{reference['cpu'] / ours['cpu']:.2f}x CPU;"
        f"  vectorised / pandas: {baseline['wall'] / ours['wall']:.2f}x wall"
    )
    print(
        f"target >= {TARGET:,} models/s parsed and stored (issue #15): {'met' if rate >= TARGET else 'NOT met'} "
        f"({rate:,.0f} end to end; {models / ours['stage_wall']:,.0f} before commit + tree)"
    )


if __name__ == "__main__":
    main()
