"""Model-tree resolution for a whole-Hub snapshot (2.2 M models): time and peak memory.

Our resolver (SQL edge extraction, numpy pointer jumping, merge credit split, model_tree and root_ecosystem
writes) against a pandas baseline in the same run: repeated self-joins that follow first parents until every
model reaches its root, and the result written back (fewer features: no merge split, no cycle handling, no
ecosystem). Each runs in a fresh process so its peak RSS is its own. Targets: <= 5 s and <= 2 GiB RSS on 2 cores.
Run: python bench/bench_tree.py [--models N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from modelrace.store import Warehouse
from synthetic_hub import make_hub


def prepare(path: Path, n: int) -> None:
    """Write a snapshot of n synthetic models straight into the warehouse tables."""
    hub = make_hub(n, seed=2)
    keys = np.arange(1, n + 1, dtype=np.int32)
    names = [f"{hub.namespaces[s]}/model-{i}" for i, s in enumerate(hub.namespace.tolist())]
    bases = []
    for i in range(n):
        p = hub.parent[i]
        if p < 0:
            bases.append([])
            continue
        relation = str(hub.relation[i])
        entry = [{"model_id": names[p], "relation": relation}]
        if hub.second_parent[i] >= 0:
            entry.append({"model_id": names[hub.second_parent[i]], "relation": relation})
        bases.append(entry)
    model_rows = pa.table({"model_key": keys, "model_id": names, "namespace": [x.split("/")[0] for x in names]})  # noqa: F841
    version_rows = pa.table(  # noqa: F841
        {
            "version_id": keys.astype(np.int64),
            "model_key": keys,
            "base_models": pa.array(bases, pa.list_(pa.struct([("model_id", pa.string()), ("relation", pa.string())]))),
        }
    )
    snapshot_rows = pa.table({"model_key": keys, "downloads": hub.downloads})  # noqa: F841
    with Warehouse.open(path) as wh, wh.transaction() as c:
        c.execute("INSERT INTO models SELECT * FROM model_rows")
        c.execute(
            "INSERT INTO model_versions (version_id, model_key, base_models, content_hash) "
            "SELECT version_id, model_key, base_models, version_id FROM version_rows"
        )
        c.execute(
            "INSERT INTO snapshot_models SELECT 1, model_key, model_key, downloads, NULL, NULL FROM snapshot_rows"
        )
        c.execute(
            "INSERT INTO snapshots (snapshot_id, taken_at, source, model_count, rejected_count, duplicate_count, "
            "created_at) VALUES (1, now(), 'bench', ?, 0, 0, now())",
            [n],
        )


def run_ours(path: str) -> dict[str, float]:
    from modelrace.tree import resolve_tree

    with Warehouse.open(path) as wh:
        wh.connection.execute("BEGIN TRANSACTION")
        start = time.perf_counter()
        stats = resolve_tree(wh.connection, 1)
        seconds = time.perf_counter() - start
        wh.connection.execute("ROLLBACK")
    return {"seconds": seconds, "roots": stats.roots, "max_depth": stats.max_depth}


def run_pandas(path: str) -> dict[str, float]:

    with Warehouse.open(path) as wh:
        start = time.perf_counter()
        edges = wh.connection.execute(
            """SELECT m.model_key AS child, p.model_key AS parent
               FROM model_versions v JOIN models m ON m.model_key = v.model_key
               JOIN models p ON p.model_id = v.base_models[1].model_id"""
        ).df()
        keys = wh.connection.execute("SELECT model_key FROM snapshot_models").df()
        frame = _chase(keys, edges)
        wh.connection.execute("BEGIN TRANSACTION")
        wh.connection.register("pandas_tree", frame)
        wh.connection.execute("CREATE TEMP TABLE baseline_tree AS SELECT model_key, root FROM pandas_tree")
        wh.connection.execute("ROLLBACK")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "roots": int(frame["root"].nunique())}


def _chase(keys: Any, edges: Any) -> Any:
    frame = keys.merge(edges, left_on="model_key", right_on="child", how="left")
    frame["root"] = frame["parent"].fillna(frame["model_key"]).astype("int64")
    step = edges.set_index("child")["parent"]
    while True:
        up = frame["root"].map(step)
        moved = up.notna()
        if not moved.any():
            break
        frame.loc[moved, "root"] = up[moved].astype("int64")
    return frame


def child(kind: str, path: str) -> None:
    result = run_ours(path) if kind == "ours" else run_pandas(path)
    # VmHWM is this process's own peak (ru_maxrss survives exec and would include the parent's).
    status = Path("/proc/self/status").read_text()
    peak_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    result["peak_rss_mib"] = peak_kib / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=2_200_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        start = time.perf_counter()
        prepare(path, args.models)
        print(f"prepared {args.models:,} models in {time.perf_counter() - start:.1f} s")
        results = {}
        for kind in ("ours", "pandas"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
            )
            results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{kind:7s} {json.dumps(results[kind])}")
    ours, base = results["ours"], results["pandas"]
    print(
        f"tree resolution: modelrace {ours['seconds']:.2f} s, {ours['peak_rss_mib']:.0f} MiB peak; "
        f"pandas {base['seconds']:.2f} s, {base['peak_rss_mib']:.0f} MiB; "
        f"speed-up {base['seconds'] / ours['seconds']:.1f}x"
    )
    print(
        f"targets <= 5 s: {'met' if ours['seconds'] <= 5 else 'NOT met'}; "
        f"<= 2 GiB: {'met' if ours['peak_rss_mib'] <= 2048 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
