"""A whole Hub, end to end: import a 2.2 M-model hub-stats file, then the report, against an analyst's notebook.

The baseline is the pandas notebook an analyst writes for the same question, measured in the same run: read
the parquet, follow first base models to the root (a merge's downloads split equally among its bases), map
root namespaces to organisations and countries (the same registry), share tables by country and developer,
and the developer HHI. Ours: ``import_hub_stats`` (every record validated, rejections kept, the model tree
resolved and stored) and then ``build_report`` + the HTML, each in a fresh process (peak RSS = its VmHWM).
The share tables of both are compared row by row.

Targets (issue #15): import <= 10 s and <= 1.5 GiB; report <= 3 s and <= 1 GiB; import + report at least
2x faster than the notebook. The file is generated once under /tmp/modelrace-bench (bench/synthetic_hub.py).

Then the next day, as a daily job runs: the same hub a day of drift later (``synthetic_hub.drift``) imported into
the same warehouse (a daily import takes the stored versions of unchanged rows and carries the tree over), its
report tables stored, its report, against the notebook on that day's file: the notebook has no history to use,
so this ratio is the daily job's, not a first import's (both are printed; the first import's is the harder one).
Run: python bench/bench_notebook.py [--models N] [--no-next-day]
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
from pathlib import Path
from typing import Any

from synthetic_hub import cached_hub_stats

GIB = 1024.0


def peak_rss_mib() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss would include a parent's)."""
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def run_import(parquet: str, db: str, route: str = "vectorised") -> dict[str, Any]:
    from modelrace.hub import import_hub_stats
    from modelrace.store import Warehouse

    start = time.perf_counter()
    with Warehouse.open(db) as warehouse:
        snapshot, stats = import_hub_stats(warehouse, Path(parquet), vectorised=route == "vectorised")
    return {"seconds": time.perf_counter() - start, "models": snapshot.model_count, "rejected": stats.rejected}


def run_store(db: str) -> dict[str, Any]:
    """What the CLI's import does after the snapshot is written: store the report's attribution and licences."""
    from modelrace.report import store_report_tables
    from modelrace.store import Warehouse

    start = time.perf_counter()
    with Warehouse.open(db) as warehouse:
        store_report_tables(warehouse)
    return {"seconds": time.perf_counter() - start}


def run_report(db: str, html: str) -> dict[str, Any]:
    from modelrace.report import build_report, render_html
    from modelrace.store import Warehouse

    start = time.perf_counter()
    with Warehouse.open(db, read_only=True) as warehouse:
        report = build_report(warehouse)
        render_html(report, Path(html))
    seconds = time.perf_counter() - start
    figures = report.figures
    data = figures.to_json() if hasattr(figures, "to_json") else figures
    adoption = data["adoption"]
    return {
        "seconds": seconds,
        "html_mb": Path(html).stat().st_size / 1e6,
        "by_country": {r["country"]: r["share"] for r in adoption["by_country"]},
        "by_developer": {r["developer"]: r["share"] for r in adoption["by_developer"]},
        "hhi_developer": adoption["concentration"]["hhi_developer"],
    }


def run_notebook(parquet: str) -> dict[str, Any]:
    """The analyst's notebook, as one would write it (vectorised pandas where pandas allows)."""
    import pandas as pd

    from modelrace.registry import load_registry

    start = time.perf_counter()
    registry = load_registry()
    organisation = {ns.lower(): o for o in registry.organisations for ns in o.namespaces}
    developer_of = {ns: o.name for ns, o in organisation.items()}
    country_of = {ns: o.country or "unattributed" for ns, o in organisation.items()}

    df = pd.read_parquet(parquet, columns=["id", "downloads", "baseModels"])
    df["bases"] = [
        [m["id"] for m in b["models"]] if b is not None and len(b["models"]) else [] for b in df["baseModels"]
    ]
    # First bases, followed to the root (a cycle guard of 100 steps). Only derivatives move: the loop runs over
    # them alone, and replaces values by position (a masked assignment would align 2.2 M string labels each step).
    derived = df["bases"].map(len) > 0
    first = pd.Series([b[0] for b in df.loc[derived, "bases"]], index=df.loc[derived, "id"])
    root = pd.Series(first.index, index=first.index)
    for _ in range(100):
        up = root.map(first)
        moved = up.notna() & (up != root)
        if not moved.any():
            break
        root = root.where(~moved, up)
    # A merge's downloads go in equal parts to its bases' roots.
    rows = df[["id", "downloads", "bases"]].copy()
    rows["weight"] = 1.0 / rows["bases"].map(len).clip(lower=1)
    rows["base"] = [b if b else [i] for b, i in zip(rows["bases"], rows["id"], strict=True)]
    rows = rows.explode("base", ignore_index=True)
    rows["root"] = rows["base"].map(root).fillna(rows["base"])
    namespace = rows["root"].str.split("/").str[0].str.lower()
    rows["developer"] = namespace.map(developer_of).fillna("unattributed")
    rows["country"] = namespace.map(country_of).fillna("unattributed")
    rows["credited"] = rows["downloads"] * rows["weight"]
    total = rows["credited"].sum()
    by_country = (rows.groupby("country")["credited"].sum() / total).sort_values(ascending=False)
    by_developer = (rows.groupby("developer")["credited"].sum() / total).sort_values(ascending=False)
    attributed = by_developer.drop("unattributed", errors="ignore")
    hhi = float(((attributed / attributed.sum() * 100) ** 2).sum())
    return {
        "seconds": time.perf_counter() - start,
        "by_country": by_country.to_dict(),
        "by_developer": by_developer.to_dict(),
        "hhi_developer": hhi,
    }


def child(kind: str, args: list[str]) -> None:
    runners = {"import": run_import, "store": run_store, "report": run_report, "notebook": run_notebook}
    result = runners[kind](*args)
    result["peak_rss_mib"] = peak_rss_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # all threads: on an idle 2-core machine, wall >= cpu / 2
    print(json.dumps(result))


def spawn(kind: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True, env=os.environ.copy()
    )
    if out.returncode:
        raise SystemExit(f"{kind} failed:\n{out.stderr[-4000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def largest_difference(ours: dict[str, float], theirs: dict[str, float]) -> tuple[float, str]:
    keys = set(ours) | set(theirs)
    worst = max(keys, key=lambda k: abs(ours.get(k, 0.0) - theirs.get(k, 0.0)))
    return abs(ours.get(worst, 0.0) - theirs.get(worst, 0.0)) * 100, worst


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=2_200_000)
    parser.add_argument("--child", nargs="+")
    parser.add_argument(
        "--per-record", action="store_true", help="Also time the record-by-record import (the route before #15)."
    )
    parser.add_argument("--no-next-day", action="store_true", help="Skip the next day's import, report and notebook.")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    started = time.perf_counter()
    parquet = cached_hub_stats(args.models)
    print(
        f"hub-stats file: {parquet} ({parquet.stat().st_size / 1e6:.0f} MB), "
        f"ready in {time.perf_counter() - started:.0f} s"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        db, html = str(Path(folder) / "bench.duckdb"), str(Path(folder) / "report.html")
        imported = spawn("import", str(parquet), db)
        print(
            f"import   {imported['seconds']:6.2f} s ({imported['cpu_seconds']:5.1f} s CPU)  "
            f"{imported['peak_rss_mib']:6.0f} MiB  "
            f"{imported['models']:,} models, {imported['rejected']:,} rejected"
        )
        if args.per_record:
            old = spawn("import", str(parquet), str(Path(folder) / "per-record.duckdb"), "per-record")
            print(
                f"import, record by record {old['seconds']:6.2f} s ({old['cpu_seconds']:5.1f} s CPU)  "
                f"{old['peak_rss_mib']:6.0f} MiB: the vectorised import is {old['seconds'] / imported['seconds']:.1f}x "
                f"faster ({old['cpu_seconds'] / imported['cpu_seconds']:.1f}x less CPU)"
            )
        built = spawn("report", db, html)
        print(
            f"report, built on the fly  {built['seconds']:6.2f} s ({built['cpu_seconds']:5.1f} s CPU)  "
            f"{built['peak_rss_mib']:6.0f} MiB"
        )
        stored = spawn("store", db)
        print(
            f"store report tables (part of `modelrace import`)  {stored['seconds']:6.2f} s "
            f"({stored['cpu_seconds']:5.1f} s CPU)  {stored['peak_rss_mib']:6.0f} MiB"
        )
        reported = spawn("report", db, html)
        print(
            f"report   {reported['seconds']:6.2f} s ({reported['cpu_seconds']:5.1f} s CPU)  "
            f"{reported['peak_rss_mib']:6.0f} MiB  "
            f"HTML {reported['html_mb']:.2f} MB (from the stored tables)"
        )
        notebook = spawn("notebook", str(parquet))
        print(
            f"notebook {notebook['seconds']:6.2f} s ({notebook['cpu_seconds']:5.1f} s CPU)  "
            f"{notebook['peak_rss_mib']:6.0f} MiB"
        )
        next_day = None if args.no_next_day else run_next_day(args.models, db, html)
    # What a user runs: `modelrace import hub-stats` (the snapshot, then the stored report tables), then `report`.
    ours = imported["seconds"] + stored["seconds"] + reported["seconds"]
    on_the_fly = imported["seconds"] + built["seconds"]
    ratio = notebook["seconds"] / ours
    country_pp, country = largest_difference(reported["by_country"], notebook["by_country"])
    developer_pp, developer = largest_difference(reported["by_developer"], notebook["by_developer"])
    print(
        f"share tables: largest difference by country {country_pp:.3f} pp ({country}), by developer "
        f"{developer_pp:.3f} pp ({developer}); HHI developer {reported['hhi_developer']:.0f} vs "
        f"{notebook['hhi_developer']:.0f}"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    checks = [
        ("import <= 10 s (snapshot only)", imported["seconds"] <= 10),
        ("import <= 1.5 GiB", max(imported["peak_rss_mib"], stored["peak_rss_mib"]) <= 1.5 * GIB),
        ("report <= 3 s", reported["seconds"] <= 3),
        ("report <= 1 GiB", reported["peak_rss_mib"] <= GIB),
        (
            f"import + stored tables + report {ours:.2f} s vs notebook {notebook['seconds']:.2f} s: {ratio:.2f}x >= 2x"
            f" (import + report built on the fly: {on_the_fly:.2f} s, {notebook['seconds'] / on_the_fly:.2f}x)",
            ratio >= 2,
        ),
    ]
    if next_day is not None:
        daily_ours, daily_notebook = next_day
        checks.append(
            (
                f"a day later, import + stored tables + report {daily_ours:.2f} s vs notebook {daily_notebook:.2f} s:"
                f" {daily_notebook / daily_ours:.2f}x >= 2x",
                daily_notebook / daily_ours >= 2,
            )
        )
    for label, met in checks:
        print(f"target {label}: {'met' if met else 'NOT met'}")


def run_next_day(models: int, db: str, html: str) -> tuple[float, float]:
    """The next day's file into the same warehouse, its stored tables and report; the notebook on that file."""
    parquet = cached_hub_stats(models, day=1)
    imported = spawn("import", str(parquet), db)
    stored = spawn("store", db)
    reported = spawn("report", db, html)
    notebook = spawn("notebook", str(parquet))
    for label, result in (("import", imported), ("store", stored), ("report", reported), ("notebook", notebook)):
        print(
            f"next day: {label:8} {result['seconds']:6.2f} s ({result['cpu_seconds']:5.1f} s CPU)  "
            f"{result['peak_rss_mib']:6.0f} MiB"
        )
    country_pp, country = largest_difference(reported["by_country"], notebook["by_country"])
    print(f"next day: share tables, largest difference by country {country_pp:.3f} pp ({country})")
    return imported["seconds"] + stored["seconds"] + reported["seconds"], notebook["seconds"]


if __name__ == "__main__":
    main()
