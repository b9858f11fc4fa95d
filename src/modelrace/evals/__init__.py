"""The evaluation engine: tasks as data, model backends, resumable runs, scores with uncertainty, a sandbox.

Owns tasks, backends (one protocol: :class:`Backend`), scoring, the run store and comparisons. Publishing a run
writes a result import through ``sources``; it never imports ``ranking``, ``adoption``, ``report`` or ``cli``.
"""

from modelrace.evals._backends import (
    Backend,
    BackendInfo,
    ChoiceScore,
    Generation,
    LlamaCppInfo,
    ServedInfo,
    TransformersInfo,
    split_reasoning,
)
from modelrace.evals._bigbench_catalogue import BigBenchSearch, BigBenchTask, SourceListing, search_bigbench
from modelrace.evals._bounded import run_bounded
from modelrace.evals._compare import Comparison, compare_models, compare_runs
from modelrace.evals._inspect import (
    CheckpointFacts,
    FetchedModel,
    GgufFacts,
    HubFile,
    HubTarget,
    LocalTarget,
    ModelListing,
    ModelTarget,
    SpecOption,
    inspect_target,
    list_models,
)
from modelrace.evals._protocols import ProtocolScore, protocol_scores
from modelrace.evals._publish import model_identity, publish_run
from modelrace.evals._runner import EvalRequest, PreparedEval, check_prerequisites, prepare_eval, run_eval
from modelrace.evals._runstore import EvalRun, RunStore, find_run, summarise
from modelrace.evals._sandbox import Limits, Outcome, SandboxUnavailable, run_python
from modelrace.evals._scoring import RunOptions, ScoredItem
from modelrace.evals._spec import check_backend, install_hint, make_backend, missing_backend
from modelrace.evals._stats import Estimate, bootstrap_mean, mcnemar, paired_difference, pass_at_k
from modelrace.evals._tasks import Item, ItemExtra, Task, TaskSpec, builtin_specs, load_task
from modelrace.local import (  # re-exported: the model files and cache evals runs on (`modelrace cache`, `models`)
    CachePart,
    CacheUsage,
    LocalFile,
    PackagedModelRow,
    cache_dir,
    cache_usage,
    clear_cache,
    packaged_model_rows,
    packaged_models,
    resolve_local_model,
)

__all__ = [
    "Backend",
    "BackendInfo",
    "BigBenchSearch",
    "BigBenchTask",
    "CachePart",
    "CacheUsage",
    "CheckpointFacts",
    "ChoiceScore",
    "Comparison",
    "Estimate",
    "EvalRequest",
    "EvalRun",
    "FetchedModel",
    "Generation",
    "GgufFacts",
    "HubFile",
    "HubTarget",
    "Item",
    "ItemExtra",
    "Limits",
    "LlamaCppInfo",
    "LocalFile",
    "LocalTarget",
    "ModelListing",
    "ModelTarget",
    "Outcome",
    "PackagedModelRow",
    "PreparedEval",
    "ProtocolScore",
    "RunOptions",
    "RunStore",
    "SandboxUnavailable",
    "ScoredItem",
    "ServedInfo",
    "SourceListing",
    "SpecOption",
    "Task",
    "TaskSpec",
    "TransformersInfo",
    "bootstrap_mean",
    "builtin_specs",
    "cache_dir",
    "cache_usage",
    "check_backend",
    "check_prerequisites",
    "clear_cache",
    "compare_models",
    "compare_runs",
    "find_run",
    "inspect_target",
    "install_hint",
    "list_models",
    "load_task",
    "make_backend",
    "mcnemar",
    "missing_backend",
    "model_identity",
    "packaged_model_rows",
    "packaged_models",
    "paired_difference",
    "pass_at_k",
    "prepare_eval",
    "protocol_scores",
    "publish_run",
    "resolve_local_model",
    "run_bounded",
    "run_eval",
    "run_python",
    "search_bigbench",
    "split_reasoning",
    "summarise",
]
