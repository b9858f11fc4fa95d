"""The run store: runs and their items in the warehouse, so a killed run resumes without redoing items, and a
run's scores with intervals (:class:`EvalRun`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, NotFoundError
from modelrace.evals._stats import Estimate, bootstrap_mean
from modelrace.evals._tasks import Task
from modelrace.store import Warehouse

if TYPE_CHECKING:
    from modelrace.evals._manifest import RunManifest
    from modelrace.evals._scoring import ScoredItem


@dataclass(frozen=True)
class CommonestAnswer:
    """The answer a run gave most often, and its share of the scored items."""

    answer: str
    share: float


@dataclass(frozen=True)
class PairedItem:
    """An item two runs both scored: each run's metrics and whether each got it right (None: pass@k)."""

    item_id: str
    metrics_a: dict[str, float]
    metrics_b: dict[str, float]
    correct_a: bool | None
    correct_b: bool | None


@dataclass(frozen=True)
class EvalRun(JsonResult):
    """A run's scores with 95 % intervals, its progress and its manifest."""

    run_id: str
    task_id: str
    model_spec: str
    items: int
    done: int
    resumed: int
    metrics: dict[str, Estimate]
    truncation_rate: float | None
    # the stored JSON column as read: an earlier version's manifest is kept whole, whatever it holds
    manifest: dict[str, Any]
    # multiple choice: the answer given most often and its share (a model that always says "True" shows here)
    commonest_answer: CommonestAnswer | None = None

    @property
    def protocol(self) -> str | None:
        """The published protocol the run's task reproduces (``leaderboard_bbh``), or None."""
        protocol = self.manifest.get("protocol")
        return str(protocol) if protocol else None

    @property
    def task_hash(self) -> str:
        """The content hash of the task's items as the run evaluated them."""
        return str(self.manifest["task"]["hash"])

    @property
    def task_available(self) -> int | None:
        """How many items the task had before ``--limit`` (None in manifests that did not record it)."""
        available = self.manifest.get("task", {}).get("available")
        return int(available) if available is not None else None

    def __json__(self) -> dict[str, object]:
        """As `eval --json` prints it (docs/json.md): the task and model by id, each metric without its method."""
        return {
            "run_id": self.run_id,
            "task": self.task_id,
            "model": self.model_spec,
            "items": self.items,
            "done": self.done,
            "resumed_items": self.resumed,
            "metrics": {
                name: {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n}
                for name, e in self.metrics.items()
            },
            "truncation_rate": self.truncation_rate,
            "commonest_answer": self.commonest_answer,
            "manifest": self.manifest,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RunStore:
    """Runs and items in the warehouse: one row per run (keyed by its manifest's hash), one per scored item."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def open_run(self, run_id: str, task: Task, model_spec: str, manifest: RunManifest) -> set[str]:
        """Record the run if it is new; return the ids of the items it has already scored."""
        if not self.warehouse.query("SELECT run_id FROM eval_runs WHERE run_id = ?", [run_id]):
            self.warehouse.connection.execute(
                "INSERT INTO eval_runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running')",
                [
                    run_id,
                    task.spec.id,
                    task.content_hash,
                    model_spec,
                    json.dumps(manifest.to_json(), default=str),
                    len(task.items),
                    _now(),
                ],
            )
        rows = self.warehouse.query("SELECT item_id FROM eval_items WHERE run_id = ?", [run_id])
        return {r["item_id"] for r in rows}

    def record_item(self, run_id: str, item_id: str, scored: ScoredItem) -> None:
        """Store one scored item (each on its own, so a killed run keeps everything scored before)."""
        self.warehouse.connection.execute(
            "INSERT INTO eval_items VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                run_id,
                item_id,
                scored.correct,
                json.dumps(scored.metrics),
                json.dumps(scored.output.stored(), default=str),
                _now(),
            ],
        )

    def finish_run(self, run_id: str) -> datetime:
        """Mark the run finished; return when."""
        finished_at = _now()
        self.warehouse.connection.execute(
            "UPDATE eval_runs SET status = 'finished', finished_at = ? WHERE run_id = ?", [finished_at, run_id]
        )
        return finished_at

    def paired_items(self, run_a: str, run_b: str) -> list[PairedItem]:
        """The items both runs scored, with each run's metrics and correctness."""
        rows = self.warehouse.query(
            """SELECT x.item_id, x.metrics AS ma, y.metrics AS mb, x.correct AS ca, y.correct AS cb
               FROM eval_items x JOIN eval_items y ON x.item_id = y.item_id
               WHERE x.run_id = ? AND y.run_id = ? ORDER BY x.item_id""",
            [run_a, run_b],
        )
        return [PairedItem(r["item_id"], json.loads(r["ma"]), json.loads(r["mb"]), r["ca"], r["cb"]) for r in rows]


def summarise(warehouse: Warehouse, run_id: str, resumed: int = 0) -> EvalRun:
    """A run's metrics with percentile-bootstrap 95 % intervals over items."""
    runs = warehouse.query("SELECT * FROM eval_runs WHERE run_id = ?", [run_id])
    if not runs:
        raise NotFoundError(f"no evaluation run {run_id}")
    run = runs[0]
    rows = warehouse.query(
        "SELECT item_id, metrics, output FROM eval_items WHERE run_id = ? ORDER BY item_id", [run_id]
    )
    values: dict[str, list[float]] = {}
    truncated = []
    answers: Counter[str] = Counter()
    for row in rows:
        for name, value in json.loads(row["metrics"]).items():
            values.setdefault(name, []).append(value)
        output = json.loads(row["output"] or "{}")
        if "choice" in output:
            answers[str(output["choice"])] += 1
        if "truncated" in output:
            truncated.append(bool(output["truncated"]))
        for sample in output.get("samples", []):
            truncated.append(bool(sample.get("truncated")))
    return EvalRun(
        run_id=run_id,
        task_id=run["task_id"],
        model_spec=run["model_spec"],
        items=run["items_total"],
        done=len(rows),
        resumed=resumed,
        metrics={name: bootstrap_mean(v) for name, v in values.items()},
        truncation_rate=sum(truncated) / len(truncated) if truncated else None,
        commonest_answer=(
            CommonestAnswer(answers.most_common(1)[0][0], answers.most_common(1)[0][1] / len(rows)) if answers else None
        ),
        manifest=json.loads(run["manifest"]),
    )


def find_run(warehouse: Warehouse, model_or_run: str, task_id: str | None = None) -> str:
    """A run id as given, or the latest run of a model on a task: the model is its spec as `eval` was given it
    (``gguf:gemma-3-270m``), the part after the backend (``gemma-3-270m``), or a served model's name."""
    if warehouse.query("SELECT 1 FROM eval_runs WHERE run_id = ?", [model_or_run]):
        return model_or_run
    if task_id is None:
        raise NotFoundError(f"no evaluation run {model_or_run!r} (give a run id, or a model spec and --task)")
    rows = warehouse.query(
        """SELECT run_id, model_spec FROM eval_runs WHERE task_id = ?
           AND ? IN (model_spec, substr(model_spec, strpos(model_spec, ':') + 1),
                     split_part(substr(model_spec, strpos(model_spec, ':') + 1), '@', 1))
           ORDER BY status = 'finished' DESC, coalesce(finished_at, started_at) DESC""",
        [task_id, model_or_run],
    )
    if not rows:
        raise NotFoundError(
            f"no run of {model_or_run} on {task_id}: run `modelrace eval --model {model_or_run} --task {task_id}`"
        )
    specs = sorted({r["model_spec"] for r in rows})
    if len(specs) > 1:
        raise ConfigError(f"{model_or_run!r} names runs of several models on {task_id}: {', '.join(specs)}")
    return str(rows[0]["run_id"])
