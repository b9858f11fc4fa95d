"""Running a task against a model: resumable, item by item, with a reproducibility manifest."""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from modelrace import __version__
from modelrace._progress import NoProgress, ProgressSink
from modelrace.errors import ConfigError, NotFoundError
from modelrace.evals._backends import Backend
from modelrace.evals._publish import publish_run
from modelrace.evals._sandbox import Limits, run_python
from modelrace.evals._stats import Estimate, bootstrap_mean, mcnemar, paired_difference, pass_at_k
from modelrace.evals._tasks import Item, Task
from modelrace.store import Warehouse

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class RunOptions:
    """How to run: concurrency, seed, chat template, and whether code may run without isolation."""

    seed: int = 0
    concurrency: int = 1
    chat: bool | None = None  # None: the task's setting
    allow_unisolated_code: bool = False
    letter_fallback: bool = True


def effective_chat(task: Task, backend: Backend, options: RunOptions) -> bool:
    """Whether the chat template is applied, as the run will really do it. Log-likelihood multiple choice scores
    the raw prompt, so asking for a chat template there is an error rather than a false line in the manifest;
    the letter fallback always asks in a chat."""
    requested = task.spec.chat_template if options.chat is None else options.chat
    if task.spec.kind != "multiple_choice":
        return requested
    if not backend.supports_loglikelihood:
        return True
    if requested:
        raise ConfigError(
            f"task {task.spec.id}: multiple-choice log-likelihood scoring uses the raw prompt, not a chat template "
            "(drop --chat / chat_template; chat models are compared through generation tasks or the letter fallback)"
        )
    return False


def manifest(task: Task, backend: Backend, options: RunOptions) -> dict[str, Any]:
    """Everything that determines a run's results (its hash is the run id)."""
    spec = task.spec
    chat = effective_chat(task, backend, options)
    return {
        "task": {
            "id": spec.id,
            "version": spec.version,
            "hash": task.content_hash,
            "items": len(task.items),
            "available": task.available,
        },
        "prompt_template": spec.prompt,
        "fewshot": {"n": spec.fewshot, "seed": spec.seed},
        "chat_template": chat,
        "model": backend.info(),
        "sampling": {"temperature": 0, "max_tokens": spec.max_tokens, "stop": spec.stop, "samples": spec.samples},
        "seed": options.seed,
        "modelrace": __version__,
    }


def run_id_of(manifest_: dict[str, Any]) -> str:
    """A stable id from the manifest (excluding what may change between resumptions, like probe text)."""
    stable = json.loads(json.dumps(manifest_, sort_keys=True, default=str))
    stable["model"].pop("logprob_probe", None)
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()[:16]


def math_equivalent(target: str, answer: str) -> bool:
    """Whether an answer equals the target mathematically (1/2 = 0.5 = \\frac{1}{2}), by math-verify."""
    try:
        from math_verify import parse, verify
    except ImportError:
        raise ConfigError("math answers are checked with math-verify: pip install math-verify") from None
    # Items are scored in worker threads, where math-verify's signal-based timeout cannot run; answers are
    # bounded by the task's token budget.
    gold = parse(target if "$" in target else f"${target}$", parsing_timeout=None)
    return bool(gold) and bool(verify(gold, parse(answer, parsing_timeout=None), timeout_seconds=None))


def _letter_prompt(item: Item) -> str:
    options = "\n".join(f"{LETTERS[i]}. {choice.strip()}" for i, choice in enumerate(item.choices))
    return f"{item.context.strip()}\n\n{options}\n\nAnswer with the letter of the correct option only."


def _extract_letter(text: str, count: int) -> int | None:
    found = re.search(rf"\b([{LETTERS[:count]}])\b", text.strip().upper())
    return LETTERS.index(found.group(1)) if found else None


FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


def code_program(item: Item, completion: str) -> str:
    """The program to test: the completion appended to the code prompt (a base model continues the function), or,
    when the answer is a fenced code block that defines the function (an instruct model answering a chat), that
    block after the prompt closed with ``pass``, so the prompt's imports and helpers stay defined."""
    code_prompt = str(item.extra.get("code_prompt", item.context))
    fenced = FENCE.search(completion)
    if fenced is None:
        return f"{code_prompt}{completion}"
    code = fenced.group(1)
    if item.entry_point and re.search(rf"^\s*def {re.escape(item.entry_point)}\s*\(", code, re.MULTILINE):
        return f"{code_prompt.rstrip()}\n    pass\n\n\n{code}"
    return f"{code_prompt}{code}"


def evaluate_item(
    item: Item, task: Task, backend: Backend, options: RunOptions
) -> tuple[bool | None, dict[str, Any], dict[str, Any]]:
    """Score one item: (primary correct, metrics, output)."""
    spec = task.spec
    chat = spec.chat_template if options.chat is None else options.chat
    if spec.kind == "multiple_choice":
        assert item.gold is not None
        if backend.supports_loglikelihood:
            # "Answer: " + " 7am" would score a double space: the separator belongs to the choice.
            context = item.context.rstrip() if spec.choice_prefix[:1].isspace() else item.context
            scores = backend.score_choices(context, [spec.choice_prefix + c for c in item.choices])
            logprobs = [s.logprob for s in scores]
            predicted = max(range(len(scores)), key=lambda i: logprobs[i])
            normalised = max(range(len(scores)), key=lambda i: logprobs[i] / max(scores[i].characters, 1))
            metrics = {"acc": float(predicted == item.gold), "acc_norm": float(normalised == item.gold)}
            output = {
                "logprobs": logprobs,
                "predicted": predicted,
                "gold": item.gold,
                "choice": item.choices[predicted],
            }
            return predicted == item.gold, metrics, output
        if not options.letter_fallback:
            raise ConfigError(f"{backend.spec} gives no log-probabilities and the letter fallback is off")
        generation = backend.generate(_letter_prompt(item), 16, [], chat=True)
        predicted_letter = _extract_letter(generation.text, len(item.choices))
        correct = predicted_letter == item.gold
        # A different metric: a letter answer is not a log-likelihood choice, and is never mixed with one.
        return (
            correct,
            {"acc_letter": float(correct)},
            {
                "answer": generation.text,
                "predicted": predicted_letter,
                "gold": item.gold,
                "choice": item.choices[predicted_letter] if predicted_letter is not None else None,
            },
        )
    if spec.kind == "generation":
        generation = backend.generate(item.context, spec.max_tokens, spec.stop, chat)
        answer = generation.text.strip()
        if spec.answer_regex:
            match = re.search(spec.answer_regex, answer)
            answer = match.group(1) if match and match.groups() else (match.group(0) if match else "")
        if spec.check == "math":
            correct = math_equivalent(item.target or "", answer)
        else:
            correct = answer.strip().lower() == (item.target or "").strip().lower()
        output = {
            "answer": answer,
            "text": generation.text,
            "reasoning_tokens": generation.reasoning_tokens,
            "truncated": generation.truncated,
        }
        metric = "math_equivalent" if spec.check == "math" else "exact_match"
        return correct, {metric: float(correct)}, output
    # code: sample, run each completion against the item's tests in the sandbox
    passed, outcomes = 0, []
    for _ in range(spec.samples):
        generation = backend.generate(item.context, spec.max_tokens, spec.stop, chat)
        program = f"{code_program(item, generation.text)}\n\n{item.tests}\n\ncheck({item.entry_point})\n"
        outcome = run_python(program, Limits(), allow_network=options.allow_unisolated_code)
        passed += outcome.passed
        outcomes.append(
            {
                "status": outcome.status,
                "completion": generation.text,
                "truncated": generation.truncated,
                "stderr": outcome.stderr[-500:],
            }
        )
    n = spec.samples
    metrics = {"pass@1": pass_at_k(n, passed, 1)}
    if n >= 10:
        metrics["pass@10"] = pass_at_k(n, passed, 10)
    return passed == n if n == 1 else None, metrics, {"samples": outcomes, "passed": passed, "n": n}


@dataclass
class RunSummary:
    """A run's scores with intervals."""

    run_id: str
    task_id: str
    model_spec: str
    items: int
    done: int
    resumed: int
    metrics: dict[str, Estimate]
    truncation_rate: float | None
    manifest: dict[str, Any]
    # multiple choice: the answer given most often and its share (a model that always says "True" shows here)
    commonest_answer: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
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


def run_eval(
    warehouse: Warehouse,
    task: Task,
    backend: Backend,
    options: RunOptions | None = None,
    progress: ProgressSink | None = None,
) -> RunSummary:
    """Evaluate every item not already done in this run (same manifest), writing each as it finishes."""
    options = options or RunOptions()
    progress = progress or NoProgress()
    if task.spec.kind == "multiple_choice":
        backend.supports_loglikelihood  # noqa: B018 - runs a server's probe, so the manifest records its result
    meta = manifest(task, backend, options)
    run_id = run_id_of(meta)
    connection = warehouse.connection
    existing = warehouse.query("SELECT run_id FROM eval_runs WHERE run_id = ?", [run_id])
    if not existing:
        connection.execute(
            "INSERT INTO eval_runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running')",
            [
                run_id,
                task.spec.id,
                task.content_hash,
                backend.spec,
                json.dumps(meta, default=str),
                len(task.items),
                _now(),
            ],
        )
    done = {r["item_id"] for r in warehouse.query("SELECT item_id FROM eval_items WHERE run_id = ?", [run_id])}
    pending = [item for item in task.items if item.id not in done]
    progress.start(f"{task.spec.id} on {backend.spec}", len(task.items))
    progress.advance(len(task.items) - len(pending))
    workers = max(1, min(options.concurrency, getattr(backend, "max_concurrency", options.concurrency)))
    with ThreadPoolExecutor(workers) as pool:
        running: dict[Future[Any], Item] = {}
        queue = iter(pending)
        for item in queue:
            running[pool.submit(evaluate_item, item, task, backend, options)] = item
            if len(running) >= workers * 2:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                correct, metrics, output = future.result()
                connection.execute(
                    "INSERT INTO eval_items VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [run_id, item.id, correct, json.dumps(metrics), json.dumps(output, default=str), _now()],
                )
                progress.advance()
                following = next(queue, None)
                if following is not None:
                    running[pool.submit(evaluate_item, following, task, backend, options)] = following
    finished_at = _now()
    connection.execute(
        "UPDATE eval_runs SET status = 'finished', finished_at = ? WHERE run_id = ?", [finished_at, run_id]
    )
    summary = summarise(warehouse, run_id, resumed=len(done))
    publish_run(warehouse, summary, backend, finished_at.date())  # next to imported results, same identities
    return summary


def summarise(warehouse: Warehouse, run_id: str, resumed: int = 0) -> RunSummary:
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
    return RunSummary(
        run_id=run_id,
        task_id=run["task_id"],
        model_spec=run["model_spec"],
        items=run["items_total"],
        done=len(rows),
        resumed=resumed,
        metrics={name: bootstrap_mean(v) for name, v in values.items()},
        truncation_rate=sum(truncated) / len(truncated) if truncated else None,
        commonest_answer=(
            {"answer": answers.most_common(1)[0][0], "share": answers.most_common(1)[0][1] / len(rows)}
            if answers
            else None
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


def compare_runs(warehouse: Warehouse, run_a: str, run_b: str, metric: str | None = None) -> dict[str, Any]:
    """Paired comparison over the items both runs scored: mean difference with a paired bootstrap CI, McNemar."""
    a, b = summarise(warehouse, run_a), summarise(warehouse, run_b)
    if a.manifest["task"]["hash"] != b.manifest["task"]["hash"] and a.task_id != b.task_id:
        raise ConfigError(f"runs {run_a} and {run_b} are on different tasks")
    rows = warehouse.query(
        """SELECT x.item_id, x.metrics AS ma, y.metrics AS mb, x.correct AS ca, y.correct AS cb
           FROM eval_items x JOIN eval_items y ON x.item_id = y.item_id
           WHERE x.run_id = ? AND y.run_id = ? ORDER BY x.item_id""",
        [run_a, run_b],
    )
    if not rows:
        raise NotFoundError("the two runs share no scored item")
    first = json.loads(rows[0]["ma"])
    metric = metric or next(
        (m for m in ("acc", "pass@1", "exact_match", "acc_letter") if m in first), next(iter(first))
    )
    scores_a = [json.loads(r["ma"]).get(metric) for r in rows]
    scores_b = [json.loads(r["mb"]).get(metric) for r in rows]
    if any(v is None for v in scores_a + scores_b):
        raise ConfigError(f"metric {metric!r} is not scored on every common item of both runs")
    difference = paired_difference(scores_a, scores_b)
    result: dict[str, Any] = {
        "task": a.task_id,
        "metric": metric,
        "items": len(rows),
        "a": {"run_id": run_a, "model": a.model_spec, "mean": sum(scores_a) / len(rows)},
        "b": {"run_id": run_b, "model": b.model_spec, "mean": sum(scores_b) / len(rows)},
        "difference": {"mean": difference.mean, "ci_low": difference.ci_low, "ci_high": difference.ci_high},
        "significant": not (difference.ci_low <= 0 <= difference.ci_high),
    }
    if all(r["ca"] is not None and r["cb"] is not None for r in rows):
        only_a, only_b, p = mcnemar([bool(r["ca"]) for r in rows], [bool(r["cb"]) for r in rows])
        result["mcnemar"] = {"only_a_right": only_a, "only_b_right": only_b, "p_value": p}
    return result
