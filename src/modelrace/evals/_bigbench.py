"""Every BIG-bench task by name: ``bigbench:TASK`` and ``bigbench:TASK/SUBTASK``, from any source that holds them.

Sources, first found wins: a folder of task folders (``--data DIR`` or ``MODELRACE_BIGBENCH``: a BIG-bench checkout,
its ``bigbench/benchmark_tasks``, or any folder of ``NAME/task.json``), the bigbench sdist already extracted in the
cache, the sdist fetched from the package index (1.0.0, when an index still serves it), then the Hugging Face
dataset ``tasksource/bigbench`` through ``datasets`` (one configuration per task; its cache and offline mode
honoured). The sdist holds 1,041 ``task.json`` files (tasks and their subtasks) and programmatic tasks (``task.py``).
Rules:
- **Kind.** A task whose preferred score is ``multiple_choice_grade`` and whose examples carry
  ``target_scores`` is multiple choice, scored by log-likelihood (the highest-scored choice is gold; choices are
  shuffled, seeded, because many tasks list the right answer first). A task whose examples carry ``target`` and
  whose preferred score is anything else is generative: greedy generation, cut at the task's ``stop_string`` or
  a newline, the task's ``output_regex`` applied, then compared with the target by exact match (ignoring case
  and surrounding space). Where BIG-bench prefers BLEU or ROUGE, exact match is a stricter stand-in, and the
  catalogue says so. Otherwise ``target_scores`` alone make it multiple choice, ``target`` alone generative.
- **Several targets.** Where an example accepts several answers, exact match uses the first one (the run
  engine compares one target); the catalogue counts such tasks in its note.
- **Subtasks.** ``bigbench:TASK`` for a task with subtasks runs all of them (items ``TASK/SUBTASK/N``) when they
  share a kind; otherwise name them one by one.
- **Unscorable.** Programmatic tasks (Python code that BIG-bench runs, no data), tasks without examples, and
  examples with neither ``target_scores`` nor ``target`` are listed, with the reason, and refused by ``eval``.
- The prompt is zero-shot: the task's prefix, ``example_input_prefix`` (default ``"\\nQ: "``), the input and
  ``example_output_prefix`` (default ``"\\nA: "``); choices are not listed in the prompt (their likelihood is
  scored), as the three built-in BIG-bench tasks always did.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from modelrace.errors import ConfigError
from modelrace.evals._bigbench_catalogue import (
    PREFIX,
    BigBenchTask,
    TaskJson,
    catalogue,
    read_task_json,
    task_entry,
)
from modelrace.evals._bigbench_sources import HF_DATASET, missing_message, resolve_source
from modelrace.evals._taskspec import Item, ItemExtra, TaskSpec, dataset_rows


def _hf_task(name: str) -> TaskJson:
    """A task of the Hugging Face BIG-bench dataset as a task.json-shaped dict (its train and validation splits,
    which together hold every example)."""
    if "/" in name:
        raise ConfigError(f"{HF_DATASET} names tasks, not subtasks: use a BIG-bench checkout (--data DIR) for {name!r}")
    examples: list[dict[str, Any]] = []
    for split in ("train", "validation"):
        spec = TaskSpec(id=f"{PREFIX}{name}", kind="generation", source=f"hf:{HF_DATASET}", subset=name, split=split)
        try:
            rows = dataset_rows(spec, HF_DATASET)
        except ConfigError as error:
            raise ConfigError(f"{error} [{missing_message()}]") from None
        for row in rows:
            choices = row.get("multiple_choice_targets") or []
            scores = row.get("multiple_choice_scores") or []
            if choices and len(choices) == len(scores):
                examples.append(
                    {"input": row.get("inputs", ""), "target_scores": dict(zip(choices, scores, strict=True))}
                )
            else:
                examples.append({"input": row.get("inputs", ""), "target": list(row.get("targets") or [])})
    # the dataset's inputs already hold BIG-bench's Q:/A: framing
    return {"examples": examples, "example_input_prefix": "", "example_output_prefix": ""}


def find(name: str, data: str | None = None) -> BigBenchTask:
    """One task by name, or an error saying why it cannot run and what is near it."""
    source = resolve_source(data)
    if source.kind == "datasets":
        task = task_entry(name, _hf_task(name))
        if not task.scorable:
            raise ConfigError(f"BIG-bench task {name!r} cannot be scored: {task.note}")
        return task
    tasks = catalogue(data)
    if name not in tasks:
        near = [t for t in tasks if name.split("/")[0] in t][:8]
        hint = f" (did you mean {', '.join(near)}?)" if near else " (modelrace tasks --search WORD lists them)"
        raise ConfigError(f"BIG-bench has no task {name!r} in {source.describe()}{hint}")
    task = tasks[name]
    if not task.scorable:
        raise ConfigError(f"BIG-bench task {name!r} cannot be scored: {task.note}")
    return task


def _read(name: str, data: str | None = None) -> TaskJson:
    source = resolve_source(data)
    if source.kind == "datasets":
        return _hf_task(name)
    path = Path(source.location) / name / "task.json"
    if not path.is_file():
        raise ConfigError(f"BIG-bench has no JSON task {name!r} in {source.describe()}")
    return read_task_json(path)


def task_spec(name: str, data: str | None = None) -> TaskSpec:
    """The task spec `eval --task bigbench:NAME` runs."""
    task = find(name, data)
    assert task.kind is not None  # find() refuses unscorable tasks
    description = task.description + (f" ({task.note})" if task.note else "")
    if task.kind == "multiple_choice":
        return TaskSpec(id=f"{PREFIX}{name}", description=description, kind="multiple_choice",
                        source=f"{PREFIX}{name}", shuffle_choices=True)  # fmt: skip
    parts = [name] if not task.subtasks else [s for s in task.subtasks]
    data_files = [_read(part, data) for part in parts]
    stops = {d.get("stop_string") for d in data_files}
    regexes = {d.get("output_regex") or None for d in data_files}
    longest = max(
        (len(str(t)) for d in data_files for e in d.get("examples", []) for t in _targets(e)),
        default=16,
    )
    regex = regexes.pop() if len(regexes) == 1 else None
    if regex is not None:
        try:
            re.compile(regex)
        except re.error:
            regex = None
    stop = stops.pop() if len(stops) == 1 else None
    return TaskSpec(
        id=f"{PREFIX}{name}",
        description=description,
        kind="generation",
        source=f"{PREFIX}{name}",
        max_tokens=min(256, max(16, longest // 3 + 8)),
        stop=[stop] if stop else ["\n"],
        answer_regex=regex,
    )


def _targets(example: dict[str, Any]) -> list[str]:
    target = example.get("target")
    if target is None or target == "":
        return []
    return [str(t) for t in target] if isinstance(target, list) else [str(target)]


def _items_of(spec: TaskSpec, name: str, data: TaskJson) -> list[Item]:
    prefix = data.get("example_input_prefix", "\nQ: ")
    suffix = data.get("example_output_prefix", "\nA: ")
    task_prefix = data.get("task_prefix", "")
    rng = random.Random(spec.seed)
    items = []
    for index, example in enumerate(data.get("examples", [])):
        context = f"{task_prefix}{prefix}{example['input']}{suffix}".lstrip("\n")
        if spec.kind == "multiple_choice":
            scores = example.get("target_scores")
            if not scores:
                continue
            choices = list(scores)
            gold_text = max(scores, key=lambda c: scores[c])
            if spec.shuffle_choices:
                # Some tasks always list the right answer first: shuffle, seeded, so order gives nothing away.
                rng.shuffle(choices)
            items.append(Item(f"{name}/{index}", context, tuple(choices), choices.index(gold_text)))
        else:
            targets = _targets(example)
            if not targets:
                continue
            items.append(Item(f"{name}/{index}", context, target=targets[0], extra=ItemExtra(targets=tuple(targets))))
    return items


def bigbench_items(spec: TaskSpec, name: str, data: str | None = None) -> list[Item]:
    """The items of ``bigbench:NAME`` (a task, a subtask, or a task's subtasks together)."""
    task = _read(name, data)
    items = _items_of(spec, name, task)
    source = resolve_source(data)
    if not task.get("examples") and source.kind != "datasets":
        folder = Path(source.location) / name
        for sub in sorted(p for p in folder.iterdir() if (p / "task.json").exists()):
            items += _items_of(spec, f"{name}/{sub.name}", _read(f"{name}/{sub.name}", data))
    return items
