"""Fit and cost for every model with a parameter count in a 2.2 M-model snapshot (target: <= 5 s).

The synthetic Hub (bench/synthetic_hub.py) gives 2.2 M models, 23 % with safetensors parameter counts. The
parameter columns go through DuckDB as the warehouse query would return them (an Arrow table joined the same
way), then ``fit_and_cost_table`` computes weights, KV cache, fit, roofline throughput and USD per million output
tokens on five chips. Baseline: the same per model in a Python loop with the scalar library functions, timed on
20,000 models and scaled to the full count.

Run: MODELRACE_REFERENCE_DATA=../shared/data python bench/bench_cost_table.py [--models N]
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
import pyarrow as pa

from modelrace.serving import Workload, estimate_weights, fit_and_cost_table, hourly_price, load_hardware
from modelrace.serving._kv import kv_bytes_per_token_from_params
from modelrace.serving._roofline import ModelShape, roofline
from synthetic_hub import make_hub

CHIPS = ["H100 SXM5", "H20", "Ascend 910B", "MI300X", "RTX 4090"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2_200_000)
    args = parser.parse_args()
    hub = make_hub(args.models)
    registry = load_hardware(include_cpu=False)
    chips = [registry.find(name) for name in CHIPS]
    for chip in chips:
        hourly_price(chip)  # price files read once, outside the timing (cached per process)
    workload = Workload(batch=8, input_tokens=1024, output_tokens=256)

    start = time.perf_counter()
    versions = pa.table({"version_id": np.arange(hub.n), "params": hub.params, "params_active": hub.params})
    snapshot = pa.table({"version_id": np.arange(hub.n), "snapshot_id": np.ones(hub.n, dtype=np.int32)})
    connection = duckdb.connect()
    connection.register("versions", versions)
    connection.register("snapshot", snapshot)
    columns = connection.execute(
        "SELECT v.params::DOUBLE AS total, v.params_active::DOUBLE AS active FROM snapshot s "
        "JOIN versions v USING (version_id) WHERE s.snapshot_id = 1 AND v.params > 0"
    ).fetchnumpy()
    read = time.perf_counter() - start
    start = time.perf_counter()
    table = fit_and_cost_table(columns["total"], chips, columns["active"], "bf16", 8192, workload)
    compute = time.perf_counter() - start
    n = len(columns["total"])

    sample = np.asarray(columns["total"][:20_000])
    start = time.perf_counter()
    for params in sample:
        weights = estimate_weights(float(params), "bf16").weights_bytes
        per_token = float(kv_bytes_per_token_from_params(params))
        shape = ModelShape(float(params), float(params), weights, "bf16", None, per_token)
        for chip in chips:
            if chip.memory_bytes and weights + per_token * 8192 * 8 < chip.memory_bytes:
                roofline(shape, chip, 1, workload)
    loop = (time.perf_counter() - start) / len(sample) * n

    print(f"{args.models:,} models, {n:,} with a parameter count, {len(chips)} chips")
    print(f"read parameters through DuckDB: {read:.2f} s")
    print(f"vectorised fit + cost:          {compute:.2f} s  (total {read + compute:.2f} s; target <= 5 s)")
    print(f"per-model Python loop (scaled): {loop:.1f} s  -> {loop / compute:.0f}x")
    for chip, figures in table.summary().chips.items():
        median = figures.median_usd_per_mtok_output
        print(f"  {chip:28} fit {figures.fit:>9,}  median $/Mtok {median if median is None else round(median, 3)}")


if __name__ == "__main__":
    main()
