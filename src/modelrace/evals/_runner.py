"""Running a task against a model: resumable, item by item, with a reproducibility manifest.

The run's identity is the hash of its manifest; items are scored by :mod:`._scoring` and stored one by one in
the run store, so a re-run of the same command resumes. Publishing a finished run next to imported results is
a separate step the caller takes (:func:`modelrace.evals.publish_run`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from modelrace import __version__
from modelrace._progress import NoProgress, ProgressSink
from modelrace.evals._backends import Backend
from modelrace.evals._bounded import run_bounded
from modelrace.evals._manifest import Fewshot, ManifestTask, RunManifest, Sampling
from modelrace.evals._runstore import EvalRun, RunStore, summarise
from modelrace.evals._scoring import RunOptions, ScoredItem, effective_chat, evaluate_item
from modelrace.evals._tasks import Item, Task
from modelrace.store import Warehouse


def manifest(task: Task, backend: Backend, options: RunOptions) -> RunManifest:
    """Everything that determines a run's results (its hash is the run id)."""
    spec = task.spec
    return RunManifest(
        protocol=spec.protocol or None,
        task=ManifestTask(spec.id, spec.version, task.content_hash, len(task.items), task.available),
        prompt_template=spec.prompt,
        fewshot=Fewshot(spec.fewshot, spec.seed),
        chat_template=effective_chat(task, backend, options),
        model=backend.info(),
        sampling=Sampling(0, spec.max_tokens, tuple(spec.stop), spec.samples),
        seed=options.seed,
        modelrace=__version__,
    )


def check_prerequisites(task: Task, options: RunOptions) -> None:
    """Fail before the first generation when the run could not finish here: code tasks need the sandbox (or
    ``--unsafe-no-network-isolation``), math answers need math-verify."""
    import importlib.util

    from modelrace.errors import ConfigError
    from modelrace.evals._sandbox import SandboxUnavailable, network_isolation

    if task.spec.kind == "code" and not options.allow_unisolated_code and network_isolation() is None:
        raise SandboxUnavailable(
            f"task {task.spec.id} runs model-written code, and it cannot be isolated here (bubblewrap is missing or "
            "cannot create namespaces): install bubblewrap (apt-get install bubblewrap), or pass "
            "--unsafe-no-network-isolation to run it anyway"
        )
    if task.spec.check == "math" and importlib.util.find_spec("math_verify") is None:
        raise ConfigError(f"task {task.spec.id} checks math answers with math-verify: pip install math-verify")


def run_id_of(manifest_: RunManifest) -> str:
    """A stable id from the manifest (excluding what may change between resumptions, like probe text)."""
    stable = json.loads(json.dumps(manifest_.to_json(), sort_keys=True, default=str))
    stable["model"].pop("logprob_probe", None)
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()[:16]


def run_eval(
    warehouse: Warehouse,
    task: Task,
    backend: Backend,
    options: RunOptions | None = None,
    progress: ProgressSink | None = None,
) -> EvalRun:
    """Evaluate every item not already done in this run (same manifest), writing each as it finishes."""
    options = options or RunOptions()
    progress = progress or NoProgress()
    check_prerequisites(task, options)
    if task.spec.kind == "multiple_choice":
        backend.probe_loglikelihood()  # a server is probed now, before the manifest, which records what it found
    meta = manifest(task, backend, options)
    run_id = run_id_of(meta)
    store = RunStore(warehouse)
    done = store.open_run(run_id, task, backend.spec, meta)
    pending = [item for item in task.items if item.id not in done]
    progress.start(f"{task.spec.id} on {backend.spec}", len(task.items))
    progress.advance(len(task.items) - len(pending))
    limit = backend.max_concurrency
    workers = max(1, min(options.concurrency, limit) if limit else options.concurrency)

    def record(item: Item, scored: ScoredItem) -> None:
        store.record_item(run_id, item.id, scored)
        progress.advance()

    run_bounded(pending, lambda item: evaluate_item(item, task, backend, options), record, workers)
    store.finish_run(run_id)
    return summarise(warehouse, run_id, resumed=len(done))


@dataclass(frozen=True)
class EvalRequest:
    """What `modelrace eval` asks for: a model spec, a task, and how to run it (``seed`` None: the task's)."""

    model: str
    task: str
    limit: int | None = None
    seed: int | None = None
    data: str | None = None  # where bbh* and bigbench:* tasks are read from
    concurrency: int = 8
    chat: bool | None = None
    allow_unisolated_code: bool = False


@dataclass(frozen=True)
class PreparedEval:
    """A run ready to start: the task loaded, the backend made, every prerequisite checked."""

    task: Task
    backend: Backend
    options: RunOptions

    def run(self, warehouse: Warehouse, progress: ProgressSink | None = None) -> EvalRun:
        """Run it (resuming what an earlier run of the same manifest scored), then publish it beside imported
        results, under the same model identities."""
        from modelrace.evals._publish import publish_run

        summary = run_eval(warehouse, self.task, self.backend, self.options, progress)
        publish_run(warehouse, summary, self.backend)
        return summary


def prepare_eval(request: EvalRequest) -> PreparedEval:
    """Check and load what a run needs, failing early: a missing backend library before a task or weights are
    downloaded, the sandbox and math-verify before weights load."""
    from modelrace.evals._spec import check_backend, make_backend
    from modelrace.evals._tasks import load_task

    check_backend(request.model)
    task = load_task(request.task, request.limit, request.seed, request.data)
    options = RunOptions(
        seed=task.spec.seed,
        concurrency=request.concurrency,
        chat=request.chat,
        allow_unisolated_code=request.allow_unisolated_code,
    )
    check_prerequisites(task, options)
    return PreparedEval(task, make_backend(request.model, request.concurrency), options)
