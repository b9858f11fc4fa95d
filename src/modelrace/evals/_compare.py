"""Comparing two runs on the items both scored: a paired bootstrap interval and McNemar's test."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, NotFoundError
from modelrace.evals._runstore import RunStore, find_run, summarise
from modelrace.evals._stats import mcnemar, paired_difference
from modelrace.store import Warehouse


@dataclass(frozen=True)
class RunMean(JsonResult):
    """One side of a comparison."""

    run_id: str
    model: str
    mean: float


@dataclass(frozen=True)
class Difference(JsonResult):
    """A's mean minus B's over the paired items, with its paired-bootstrap 95 % interval."""

    mean: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class McNemar(JsonResult):
    """Discordant items and McNemar's exact p-value."""

    only_a_right: int
    only_b_right: int
    p_value: float


@dataclass(frozen=True)
class Comparison(JsonResult):
    """Two runs compared on the items both scored."""

    task: str
    metric: str
    items: int
    a: RunMean
    b: RunMean
    difference: Difference
    significant: bool
    mcnemar: McNemar | None = None

    def to_json(self) -> dict[str, object]:
        """JSON-ready (``mcnemar`` only where every paired item has a right/wrong answer)."""
        data: dict[str, object] = super().to_json()
        if self.mcnemar is None:
            del data["mcnemar"]
        return data


def compare_runs(warehouse: Warehouse, run_a: str, run_b: str, metric: str | None = None) -> Comparison:
    """Paired comparison over the items both runs scored: mean difference with a paired bootstrap CI, McNemar."""
    a, b = summarise(warehouse, run_a), summarise(warehouse, run_b)
    if a.task_hash != b.task_hash and a.task_id != b.task_id:
        raise ConfigError(f"runs {run_a} and {run_b} are on different tasks")
    rows = RunStore(warehouse).paired_items(run_a, run_b)
    if not rows:
        raise NotFoundError("the two runs share no scored item")
    first = rows[0].metrics_a
    metric = metric or next(
        (m for m in ("acc", "pass@1", "exact_match", "acc_letter") if m in first), next(iter(first))
    )
    found_a = [r.metrics_a.get(metric) for r in rows]
    found_b = [r.metrics_b.get(metric) for r in rows]
    if any(v is None for v in found_a + found_b):
        raise ConfigError(f"metric {metric!r} is not scored on every common item of both runs")
    scores_a = [v for v in found_a if v is not None]
    scores_b = [v for v in found_b if v is not None]
    difference = paired_difference(scores_a, scores_b)
    test = None
    if all(r.correct_a is not None and r.correct_b is not None for r in rows):
        only_a, only_b, p = mcnemar([bool(r.correct_a) for r in rows], [bool(r.correct_b) for r in rows])
        test = McNemar(only_a, only_b, p)
    return Comparison(
        task=a.task_id,
        metric=metric,
        items=len(rows),
        a=RunMean(run_a, a.model_spec, sum(scores_a) / len(rows)),
        b=RunMean(run_b, b.model_spec, sum(scores_b) / len(rows)),
        difference=Difference(difference.mean, difference.ci_low, difference.ci_high),
        significant=not (difference.ci_low <= 0 <= difference.ci_high),
        mcnemar=test,
    )


def compare_models(
    warehouse: Warehouse, a: str, b: str, task_id: str | None = None, metric: str | None = None
) -> Comparison:
    """Compare two run ids, or two models' latest runs on ``task_id`` (specs, short names or served names)."""
    return compare_runs(warehouse, find_run(warehouse, a, task_id), find_run(warehouse, b, task_id), metric)
