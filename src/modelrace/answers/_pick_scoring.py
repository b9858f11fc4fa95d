"""The task score of `modelrace pick`: benchmarks standardised, combined by weight over what a model has, and
its uncertainty (docs/answers.md; the rule is stated in ``_pick``)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Literal

from modelrace.answers._pick_model import (
    MIN_FIELD,
    TaskScore,
    TaskWeights,
)
from modelrace.answers._pick_tasks import PickTask
from modelrace.ranking import Catalogue, Entity, Score


@dataclass
class _Scored:
    entity: Entity
    scores: list[TaskScore]
    score: float
    se: float | None
    coverage: float
    basis: list[str]


def _standardise(catalogue: Catalogue, task: PickTask) -> tuple[dict[str, _Scored], list[TaskWeights], float]:
    """Every entity's task score (module docstring, steps 2-4)."""
    total_weight = sum(b.weight for b in task.benchmarks)
    per_entity: dict[str, list[tuple[TaskScore, float, float | None]]] = {}
    entities: dict[str, Entity] = {}
    used: list[TaskWeights] = []
    for wanted in task.benchmarks:
        benchmark = catalogue.benchmarks.get(wanted.id)
        if benchmark is None:
            used.append(TaskWeights(wanted.id, wanted.weight, False, "not imported"))
            continue
        field_scores: list[Score] = [s for s in benchmark.scores if s.entity.matched]
        if len(field_scores) < MIN_FIELD:
            used.append(TaskWeights(wanted.id, wanted.weight, False, f"only {len(field_scores)} models scored"))
            continue
        values = [s.value for s in field_scores]
        mean, sd = statistics.fmean(values), statistics.pstdev(values)
        if sd == 0:
            used.append(TaskWeights(wanted.id, wanted.weight, False, "every model scores the same"))
            continue
        used.append(TaskWeights(wanted.id, wanted.weight, True, f"{len(values)} models, mean {mean:.3g}, sd {sd:.3g}"))
        for score in field_scores:
            z = (score.value - mean) / sd
            entry = TaskScore(
                wanted.id,
                benchmark.name,
                score.source_name,
                benchmark.data_date.isoformat(),
                score.value,
                score.se,
                z,
                wanted.weight,
            )
            key = score.entity.key
            entities.setdefault(key, score.entity)
            per_entity.setdefault(key, []).append((entry, wanted.weight, None if score.se is None else score.se / sd))
    tau = _spread_across_benchmarks(per_entity)
    weights = {b.id: b.weight for b in task.benchmarks}
    scored: dict[str, _Scored] = {}
    for key, items in per_entity.items():
        weight = sum(w for _, w, _ in items)
        value = sum(w * entry.standard_score for entry, w, _ in items) / weight
        with_se = [(w, se) for _, w, se in items if se is not None]
        have = {entry.benchmark for entry, _, _ in items}
        missing = sum(w**2 for b, w in weights.items() if b not in have)
        variance = sum((w * s) ** 2 for w, s in with_se) / weight**2 + missing * tau**2 / total_weight**2
        scored[key] = _Scored(
            entities[key],
            [entry for entry, _, _ in items],
            value,
            math.sqrt(variance) if with_se or missing else None,
            weight / total_weight,
            [entry.benchmark for entry, _, s in items if s is not None],
        )
    return scored, used, tau


def _spread_across_benchmarks(per_entity: dict[str, list[tuple[TaskScore, float, float | None]]]) -> float:
    """Pooled standard deviation of one model's z across the task's benchmarks (1 without enough models)."""
    squares, freedom, models = 0.0, 0, 0
    for items in per_entity.values():
        if len(items) < 2:
            continue
        zs = [entry.standard_score for entry, _, _ in items]
        mean = statistics.fmean(zs)
        squares += sum((z - mean) ** 2 for z in zs)
        freedom += len(zs) - 1
        models += 1
    return math.sqrt(squares / freedom) if models >= 3 and freedom else 1.0


def _lower(item: _Scored) -> float:
    return item.score - 1.96 * item.se if item.se is not None else item.score


def _confidence(item: _Scored) -> Literal["high", "medium", "low"]:
    if item.coverage >= 2 / 3 and len(item.scores) >= 2:
        return "high"
    return "medium" if item.coverage >= 1 / 3 else "low"
