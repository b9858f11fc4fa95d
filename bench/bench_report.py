"""The race report for a whole-Hub snapshot (2.2 M synthetic models): wall time, peak memory, HTML size.

Ours: attribution, every adoption analysis, change since the previous snapshot is skipped (one snapshot),
charts and the self-contained HTML. Baseline, in the same run: pandas reading the same joined rows out of
DuckDB and computing the share tables by country, developer and family with groupby (no charts, no HTML).
Each runs in a fresh process (peak RSS = its VmHWM). Targets: <= 10 s, <= 2 GiB, HTML <= 5 MB.
Run: python bench/bench_report.py [--models N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_tree import prepare
from modelrace.store import Warehouse
from modelrace.tree import resolve_tree


def peak_rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def run_ours(db: str, html: str) -> dict[str, float]:
    from modelrace.report import build_report, render_html

    start = time.perf_counter()
    with Warehouse.open(db, read_only=True) as warehouse:
        report = build_report(warehouse)
        render_html(report, Path(html))
    return {"seconds": time.perf_counter() - start, "html_mb": Path(html).stat().st_size / 1e6}


def run_pandas(db: str) -> dict[str, float]:
    start = time.perf_counter()
    with Warehouse.open(db, read_only=True) as warehouse:
        frame = warehouse.connection.execute(
            """SELECT sm.downloads_30d, t.credit, r.namespace AS root_namespace, m.namespace
               FROM model_tree t JOIN snapshot_models sm USING (snapshot_id, model_key)
               JOIN models m ON m.model_key = t.model_key JOIN models r ON r.model_key = t.root_key"""
        ).df()
    frame["weighted"] = frame["downloads_30d"] * frame["credit"]
    for column in ("root_namespace", "namespace"):
        shares = frame.groupby(column)["weighted"].sum().sort_values(ascending=False)
        (shares / shares.sum()).head(50)
    return {"seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=2_200_000)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, db, *rest = args.child
        result = run_ours(db, rest[0]) if kind == "ours" else run_pandas(db)
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        html = Path(folder) / "report.html"
        prepare(db, args.models)
        with Warehouse.open(db) as wh, wh.transaction() as connection:
            resolve_tree(connection, 1)
        results = {}
        for kind in ("ours", "pandas"):
            command = [sys.executable, __file__, "--child", kind, str(db), str(html)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{kind:7s} {json.dumps(results[kind])}")
    ours, base = results["ours"], results["pandas"]
    print(
        f"report for {args.models:,} models: modelrace {ours['seconds']:.2f} s, {ours['peak_rss_mib']:.0f} MiB, "
        f"HTML {ours['html_mb']:.2f} MB; pandas share tables only {base['seconds']:.2f} s, "
        f"{base['peak_rss_mib']:.0f} MiB; ratio {ours['seconds'] / base['seconds']:.1f}x the baseline's time"
    )
    print(
        f"targets: <= 10 s {'met' if ours['seconds'] <= 10 else 'NOT met'}; <= 2 GiB "
        f"{'met' if ours['peak_rss_mib'] <= 2048 else 'NOT met'}; "
        f"HTML <= 5 MB {'met' if ours['html_mb'] <= 5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
