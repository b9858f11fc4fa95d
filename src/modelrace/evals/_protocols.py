"""Our runs of a published protocol (``leaderboard_bbh``), found by model spec: what `versus` puts next to the
leaderboard's own number for the same model."""

from __future__ import annotations

import json
from dataclasses import dataclass

from modelrace.evals._bbh import GROUP, LEADERBOARD
from modelrace.evals._runstore import summarise
from modelrace.local import packaged_models
from modelrace.store import Warehouse

_RUNS_SQL = """
SELECT run_id, model_spec, manifest FROM eval_runs
WHERE task_id = ? AND status = 'finished'
  AND ? IN (model_spec, substr(model_spec, strpos(model_spec, ':') + 1))
ORDER BY finished_at DESC
"""


@dataclass(frozen=True)
class ProtocolScore:
    """Our latest finished run of a protocol's group for one model spec, with what it covered."""

    protocol: str
    task_id: str
    model_spec: str
    hub_id: str | None  # the packaged model's Hub id, when the spec names one
    precision: str  # what ran: the GGUF quantisation, or the dtype in memory
    value: float
    ci_low: float
    ci_high: float
    items: int
    available: int | None
    per_task_limit: int | None  # the run kept the first N items of each task
    run_id: str


def _precision(spec: str, model: dict[str, object]) -> str:
    name = spec.partition(":")[2] or spec
    packaged = packaged_models().get(name)
    if model.get("backend") == "transformers":
        return f"{model.get('dtype', '?')} (dequantised from {packaged.name})" if packaged else str(model.get("dtype"))
    if packaged is not None:
        return f"{packaged.name.rsplit(' ', 1)[-1]} GGUF"
    return "GGUF" if model.get("backend") == "llama-cpp-python" else str(model.get("backend", "?"))


def _largest_task(warehouse: Warehouse, run_id: str) -> int:
    """The most items the run scored of one task (item ids are ``TASK/N``): the first N it kept of each task, a
    task with fewer items than N kept whole."""
    found = warehouse.query(
        "SELECT max(n) AS n FROM (SELECT split_part(item_id, '/', 1), count(*) AS n FROM eval_items "
        "WHERE run_id = ? GROUP BY 1)",
        [run_id],
    )
    return int(found[0]["n"] or 0)


def protocol_scores(warehouse: Warehouse, model_spec: str) -> list[ProtocolScore]:
    """The latest finished ``bbh`` (leaderboard_bbh) run of ``model_spec`` (as `eval` was given it, or without its
    backend prefix), scored by the protocol's metric, acc_norm; empty when there is none."""
    rows = warehouse.query(_RUNS_SQL, [GROUP, model_spec])
    for row in rows:
        manifest = json.loads(row["manifest"])
        if manifest.get("protocol") != LEADERBOARD:
            continue
        summary = summarise(warehouse, row["run_id"])
        estimate = summary.metrics.get("acc_norm")
        if estimate is None:
            continue
        items, available = summary.items, manifest["task"].get("available")
        name = str(row["model_spec"]).partition(":")[2]
        packaged = packaged_models().get(name)
        return [
            ProtocolScore(
                LEADERBOARD,
                GROUP,
                str(row["model_spec"]),
                packaged.hub_id if packaged else None,
                _precision(str(row["model_spec"]), manifest.get("model", {})),
                estimate.mean,
                estimate.ci_low,
                estimate.ci_high,
                items,
                available,
                None if items == available else _largest_task(warehouse, str(row["run_id"])),
                str(row["run_id"]),
            )
        ]
    return []
