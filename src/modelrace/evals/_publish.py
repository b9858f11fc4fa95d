"""A finished evaluation run, published next to imported results: one result import per run, source
``modelrace-eval``, named by the model's Hub id where it has one, so entity resolution ties it to the same model,
family, developer and country as every leaderboard's figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from modelrace.evals._backends import Backend, ServedInfo, TransformersInfo
from modelrace.evals._runstore import EvalRun
from modelrace.knowledge import EVAL_SOURCE
from modelrace.local import HUB_PREFIX
from modelrace.sources._model import ImportBatch, Result, SourceModel
from modelrace.sources._store import store_batch
from modelrace.store import Warehouse

# our per-item metrics, in the results table's vocabulary
METRICS = {
    "acc": "accuracy",
    "acc_norm": "normalised",
    "acc_letter": "letter accuracy",
    "exact_match": "accuracy",
    "math_equivalent": "accuracy",
    "pass@1": "pass@1",
    "pass@10": "pass@10",
}


def model_identity(backend: Backend) -> SourceModel:
    """The model as the results table names it: a packaged model's Hub id and facts, a Hub repository, the name a
    server serves it under, or a local file's name (which `modelrace resolve` then lists as unmatched)."""
    local = backend.local_file
    if local is not None and local.packaged is not None:
        packaged = local.packaged
        return SourceModel(
            packaged.hub_id,
            display_name=packaged.name,
            organisation=packaged.developer,
            country=packaged.country,
            params_total=float(packaged.params),
            license=packaged.license,
            open_weights=True,
            extra={"sha256": local.sha256},
        )
    if local is not None:
        name = local.name
        if name.count("/") >= 2:  # downloaded from a Hub repository: owner/repo/file.gguf
            name = "/".join(name.split("/")[:2])
        return SourceModel(name, open_weights=True, extra={"sha256": local.sha256, "file": local.name})
    info = backend.info()
    served = (info.model if isinstance(info, TransformersInfo | ServedInfo) else None) or backend.spec
    if isinstance(info, TransformersInfo) and Path(served).exists():
        return SourceModel(Path(served).name, open_weights=True, extra={"path": served})
    revision = info.revision if isinstance(info, TransformersInfo) else None
    return SourceModel(served.removeprefix(HUB_PREFIX), extra={"revision": revision})


def publish_run(warehouse: Warehouse, summary: EvalRun, backend: Backend, finished: date | None = None) -> int | None:
    """Store a finished run's scores as a result import (once per run: its id is the import's hash), dated the
    day it finished (``finished``, default today)."""
    if summary.done < summary.items:
        return None
    if warehouse.query(
        "SELECT 1 FROM result_imports WHERE source = ? AND file_sha256 = ?", [EVAL_SOURCE, summary.run_id]
    ):
        return None
    model = model_identity(backend)
    full = summary.task_available
    benchmark = summary.task_id if full in (None, summary.items) else f"{summary.task_id} (first {summary.items})"
    batch = ImportBatch(
        EVAL_SOURCE, finished or date.today(), notes={"run_id": summary.run_id, "model_spec": summary.model_spec}
    )
    batch.models[model.source_name] = model
    for name, estimate in summary.metrics.items():
        batch.results.append(
            Result(
                model.source_name,
                benchmark,
                METRICS.get(name, name),
                estimate.mean,
                "fraction",
                estimate.ci_low,
                estimate.ci_high,
                estimate.n,
                extra={"run_id": summary.run_id, "metric": name, "task_hash": summary.task_hash},
            )
        )
    return store_batch(warehouse, batch, f"run:{summary.run_id}", summary.run_id)
