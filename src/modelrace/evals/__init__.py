"""The evaluation engine: tasks as data, model backends, resumable runs, scores with uncertainty, a sandbox."""

from modelrace.evals._backends import Backend, ChoiceScore, Generation, split_reasoning
from modelrace.evals._local import LocalFile, packaged_models, resolve_local_model
from modelrace.evals._runner import RunOptions, RunSummary, compare_runs, run_eval, summarise
from modelrace.evals._sandbox import Limits, Outcome, SandboxUnavailable, run_python
from modelrace.evals._spec import make_backend
from modelrace.evals._stats import Estimate, bootstrap_mean, mcnemar, paired_difference, pass_at_k
from modelrace.evals._tasks import Item, Task, TaskSpec, builtin_specs, load_task

__all__ = [
    "Backend",
    "ChoiceScore",
    "Estimate",
    "Generation",
    "Item",
    "Limits",
    "LocalFile",
    "Outcome",
    "RunOptions",
    "RunSummary",
    "SandboxUnavailable",
    "Task",
    "TaskSpec",
    "bootstrap_mean",
    "builtin_specs",
    "compare_runs",
    "load_task",
    "make_backend",
    "mcnemar",
    "packaged_models",
    "paired_difference",
    "pass_at_k",
    "resolve_local_model",
    "run_eval",
    "run_python",
    "split_reasoning",
    "summarise",
]
