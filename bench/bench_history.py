"""A month of daily whole-Hub snapshots: storage growth per snapshot and a country-share trend across all of them.

Day 0 is a synthetic hub-stats file of N models (bench/synthetic_hub.py); each later day drifts from the one
before as the Hub does (most rows unchanged, 30-day downloads moving, 0.35 % new models, 0.3 % edited, 0.03 %
deleted: ``drift``). Every day is written as a hub-stats Parquet and imported with ``import_hub_stats`` into one
warehouse (the real path: validation, versions, tree). After each import the file is checkpointed and both its
size and the blocks that hold data are read: a snapshot's growth is the data it adds (the file around it grows in
steps, as blocks freed by one day's commit are reused the next day; its mean is printed too). The trend (each
snapshot's download share by country of the root developer) runs in a fresh read-only process over all snapshots
at once. Baseline in the same run: the first snapshot's own size (what a snapshot would cost stored whole).

Targets (issue #15): <= 50 MB of growth per added snapshot at 2.2 M models; the trend over 30 snapshots <= 5 s.
Run: python bench/bench_history.py [--models N] [--days D]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from synthetic_hub import drift, make_hub, write_hub_stats

# The registry's namespaces with their country, as the trend query reads them.
TREND_SQL = """
WITH roots AS (
    SELECT m.model_key AS root_key, c.country
    FROM models m JOIN registry_countries c ON c.namespace = lower(m.namespace)
), attributed AS (
    -- only tree rows whose root is a known developer's: the join's hash table stays small
    SELECT t.snapshot_id, r.country, sum(sm.downloads_30d * t.credit) AS downloads
    FROM model_tree t
    JOIN roots r ON r.root_key = t.root_key
    JOIN snapshot_models sm ON sm.snapshot_id = t.snapshot_id AND sm.model_key = t.model_key
    WHERE sm.downloads_30d > 0  -- two thirds of the Hub has none: fewer probes
    GROUP BY ALL
), totals AS (
    -- a model's credits sum to 1, so a snapshot's credited total is its plain total
    SELECT snapshot_id, sum(downloads_30d) AS downloads FROM snapshot_models GROUP BY 1
), credited AS (
    SELECT * FROM attributed
    UNION ALL
    SELECT t.snapshot_id, 'unattributed', t.downloads - coalesce(sum(a.downloads), 0)
    FROM totals t LEFT JOIN attributed a USING (snapshot_id) GROUP BY t.snapshot_id, t.downloads
)
SELECT snapshot_id, country, downloads / sum(downloads) OVER (PARTITION BY snapshot_id) AS share
FROM credited ORDER BY 1, 3 DESC
"""


def peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def run_trend(db: str) -> dict[str, Any]:
    import pyarrow as pa

    from modelrace.registry import load_registry
    from modelrace.store import Warehouse

    start = time.perf_counter()
    registry = load_registry()
    countries = pa.table(
        {
            "namespace": [ns.lower() for o in registry.organisations for ns in o.namespaces],
            "country": [o.country or "unattributed" for o in registry.organisations for _ in o.namespaces],
        }
    )
    with Warehouse.open(db, read_only=True) as warehouse:
        warehouse.connection.register("registry_countries", countries)
        query_start, query_cpu = time.perf_counter(), time.process_time()
        rows = warehouse.connection.execute(TREND_SQL).fetchall()
        query_seconds = time.perf_counter() - query_start
        query_cpu = time.process_time() - query_cpu
    seconds = time.perf_counter() - start
    snapshots = sorted({r[0] for r in rows})
    first = {r[1]: r[2] for r in rows if r[0] == snapshots[0]}
    last = {r[1]: r[2] for r in rows if r[0] == snapshots[-1]}
    return {
        "seconds": seconds,
        "query_seconds": query_seconds,
        "query_cpu_seconds": query_cpu,
        "snapshots": len(snapshots),
        "rows": len(rows),
        "first": first,
        "last": last,
    }


def import_day(parquet: str, db: str, day: int) -> dict[str, Any]:
    from modelrace.hub import import_hub_stats
    from modelrace.store import Warehouse

    start = time.perf_counter()
    with Warehouse.open(db) as warehouse:
        snapshot, _stats = import_hub_stats(
            warehouse, Path(parquet), taken_at=datetime(2025, 10, 1) + timedelta(days=day)
        )
        warehouse.connection.execute("CHECKPOINT")
        used_blocks, block_size = warehouse.connection.execute(
            "SELECT used_blocks, block_size FROM pragma_database_size()"
        ).fetchall()[0]
    return {"seconds": time.perf_counter() - start, "models": snapshot.model_count, "used": used_blocks * block_size}


def spawn(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr[-4000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=2_200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/modelrace-bench/history"))
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--trend-only", type=Path, help="Only time the trend on this warehouse file.")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = run_trend(rest[0]) if kind == "trend" else import_day(rest[0], rest[1], int(rest[2]))
        result["peak_rss_mib"] = peak_rss_mib()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(result))
        return
    if args.trend_only:
        print(json.dumps(spawn("trend", str(args.trend_only)), indent=1))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    db = args.folder / f"history-{args.models}.duckdb"
    db.unlink(missing_ok=True)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    hub = make_hub(args.models, seed=0, attributes=True)
    sizes: list[int] = []  # the file's size after each day's import and checkpoint
    used: list[int] = []  # the blocks that hold data then (the file also keeps blocks freed that day, reused later)
    daily: list[dict[str, Any]] = []  # the imports after the first: rows unchanged since the day before take
    # their stored versions (store migration 0009)
    for day in range(args.days):
        if day:
            hub = drift(hub, day)
        parquet = write_hub_stats(args.folder / f"day-{day}.parquet", hub)
        imported = spawn("import", str(parquet), str(db), str(day))
        parquet.unlink()
        sizes.append(db.stat().st_size)
        used.append(int(imported["used"]))
        if day:
            daily.append(imported)
        growth = sizes[-1] - (sizes[-2] if day else 0)
        added = used[-1] - (used[-2] if day else 0)
        print(
            f"day {day:2d}: {imported['models']:,} models imported in {imported['seconds']:5.1f} s "
            f"({imported['cpu_seconds']:.1f} s CPU, {imported['peak_rss_mib']:.0f} MiB); "
            f"file {sizes[-1] / 1e6:7.1f} MB (+{growth / 1e6:.1f} MB), data +{added / 1e6:.1f} MB",
            flush=True,
        )
    trend = spawn("trend", str(db))
    growths = [b - a for a, b in itertools.pairwise(sizes)]
    stored = [b - a for a, b in itertools.pairwise(used)]
    mean_growth = sum(growths) / len(growths) if growths else 0.0
    year = sizes[0] + 364 * mean_growth
    print(
        f"first snapshot (the baseline: one snapshot stored whole) {sizes[0] / 1e6:.1f} MB; growth per added "
        f"snapshot mean {mean_growth / 1e6:.1f} MB, max {max(growths, default=0) / 1e6:.1f} MB "
        f"({mean_growth / sizes[0]:.0%} of a whole snapshot)"
    )
    print(
        f"projected: a year of daily snapshots {year / 1e9:.1f} GB; "
        f"five years {(sizes[0] + 1824 * mean_growth) / 1e9:.1f} GB"
    )
    top = sorted(trend["last"].items(), key=lambda kv: -kv[1])[:5]
    print(
        f"country-share trend over {trend['snapshots']} snapshots: {trend['seconds']:.2f} s (query "
        f"{trend['query_seconds']:.2f} s, {trend['query_cpu_seconds']:.2f} s CPU), "
        f"{trend['peak_rss_mib']:.0f} MiB; last day: " + ", ".join(f"{c} {s:.1%}" for c, s in top)
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    largest = max(growths, default=0)
    largest_stored = max(stored, default=0)
    # The data a snapshot adds (blocks in use after its checkpoint) decides the target; the file grows in steps
    # around it (blocks freed by one day's commit are reused by the next: +53 MB then +11 MB), so its largest single
    # day is shown but its mean is what a year costs on disk.
    print(
        f"target growth <= 50 MB per snapshot (data added: largest day {largest_stored / 1e6:.1f} MB, mean "
        f"{sum(stored) / max(len(stored), 1) / 1e6:.1f} MB; file: largest day {largest / 1e6:.1f} MB, mean "
        f"{mean_growth / 1e6:.1f} MB): {'met' if largest_stored <= 50e6 and mean_growth <= 50e6 else 'NOT met'}"
    )
    print(f"target trend <= 5 s: {'met' if trend['seconds'] <= 5 else 'NOT met'}")
    if daily:
        wall = sum(d["seconds"] for d in daily) / len(daily)
        cpu = sum(d["cpu_seconds"] for d in daily) / len(daily)
        print(
            f"target daily import <= 10 s (days 1-{len(daily)}, mean {wall:.1f} s wall, {cpu:.1f} s CPU): "
            f"{'met' if wall <= 10 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
