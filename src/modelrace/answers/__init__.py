"""Answers: the questions people bring, answered with the evidence, its source, date and uncertainty.

Owns ``versus`` (two models on every benchmark that scores both), ``pick`` (the best models under constraints:
hardware, context, task, licence, country, price) and ``claims`` (statements checked against named figures, with
a verdict and why), and the curated data they read: the task-to-benchmark map (``data/tasks.yaml``) and the
built-in claims (``data/claims.yaml``), each validated by a pydantic schema. It reads the analyses' public APIs
(adoption, ranking, licensing, serving, ratings, evals, sources, knowledge, store); it must not import ``report``
or ``cli``, and never calls the network.
"""

from modelrace.answers._claims import (
    Claim,
    ClaimCheck,
    ClaimFile,
    ClaimsChecked,
    ClaimVerdict,
    Test,
    builtin_claims,
    check_claim,
    check_claims,
    decide,
    load_claims,
    parse_claims,
)
from modelrace.answers._facts import LicenceFacts, ModelFacts
from modelrace.answers._figures import FIGURES, Evidence, Figure, Measured, Part, compute_figure
from modelrace.answers._match import closest_names, find_score, is_variant, resolve_scored
from modelrace.answers._pick import pick
from modelrace.answers._pick_model import (
    Candidate,
    Excluded,
    LicenceChoice,
    Pick,
    PickConstraints,
    TaskScore,
    TaskWeights,
)
from modelrace.answers._pick_tasks import (
    PickTask,
    PickTaskBenchmark,
    PickTaskFile,
    get_task,
    load_tasks,
    parse_tasks,
    task_names,
)
from modelrace.answers._versus import (
    BenchmarkComparison,
    MissingSide,
    Versus,
    VersusSummary,
    VersusVerdict,
    WinProbability,
    versus,
)

__all__ = [
    "FIGURES",
    "BenchmarkComparison",
    "Candidate",
    "Claim",
    "ClaimCheck",
    "ClaimFile",
    "ClaimVerdict",
    "ClaimsChecked",
    "Evidence",
    "Excluded",
    "Figure",
    "LicenceChoice",
    "LicenceFacts",
    "Measured",
    "MissingSide",
    "ModelFacts",
    "Part",
    "Pick",
    "PickConstraints",
    "PickTask",
    "PickTaskBenchmark",
    "PickTaskFile",
    "TaskScore",
    "TaskWeights",
    "Test",
    "Versus",
    "VersusSummary",
    "VersusVerdict",
    "WinProbability",
    "builtin_claims",
    "check_claim",
    "check_claims",
    "closest_names",
    "compute_figure",
    "decide",
    "find_score",
    "get_task",
    "is_variant",
    "load_claims",
    "load_tasks",
    "parse_claims",
    "parse_tasks",
    "pick",
    "resolve_scored",
    "task_names",
    "versus",
]
