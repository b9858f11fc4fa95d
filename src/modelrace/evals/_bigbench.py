"""Every BIG-bench task by name: ``bigbench:TASK`` and ``bigbench:TASK/SUBTASK``, from the bigbench sdist on PyPI.

The sdist holds 1,041 ``task.json`` files (tasks and their subtasks) and programmatic tasks (``task.py``).
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

import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from modelrace.errors import ConfigError
from modelrace.evals._fetch import cache_dir, extract_member, fetch_file
from modelrace.evals._tasks import BIGBENCH_VERSION, Item, TaskSpec, bigbench_task_json

PREFIX = "bigbench:"
CATALOGUE_VERSION = 1
Kind = Literal["multiple_choice", "generation"]
_COMPLETE = ".complete"  # written once every task.json and task.py of the sdist is extracted


@dataclass(frozen=True)
class BigBenchTask:
    """One runnable (or not) BIG-bench task or subtask."""

    name: str
    kind: Kind | None  # None: cannot be scored
    items: int
    description: str
    preferred_metric: str | None
    subtasks: tuple[str, ...] = ()
    note: str | None = None  # why it cannot be scored, or how its scoring differs from BIG-bench's

    @property
    def scorable(self) -> bool:
        """Whether `eval` can run it."""
        return self.kind is not None and self.items > 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (documented in docs/json.md)."""
        return {
            "id": f"{PREFIX}{self.name}",
            "kind": self.kind,
            "items": self.items,
            "scorable": self.scorable,
            "description": self.description,
            "preferred_metric": self.preferred_metric,
            "subtasks": list(self.subtasks),
            "note": self.note,
        }


def _folder() -> Path:
    return cache_dir() / "bigbench" / BIGBENCH_VERSION


def _root() -> Path:
    return _folder() / f"bigbench-{BIGBENCH_VERSION}" / "bigbench" / "benchmark_tasks"


def tasks_root() -> Path:
    """Where the sdist's ``benchmark_tasks`` are extracted, every file extracted once."""
    folder = _folder()
    root = _root()
    if not (folder / _COMPLETE).exists():
        archive = fetch_file("bigbench", rf"bigbench-{BIGBENCH_VERSION}\.tar\.gz")
        extract_member(archive, r"/benchmark_tasks/.*/task\.(json|py)$", folder)
        (folder / _COMPLETE).write_text("every task.json and task.py of the sdist\n")
    return root


def _kind_of(data: dict[str, Any]) -> tuple[Kind | None, int, str | None]:
    """(kind, usable items, note) of one task.json."""
    examples = [e for e in data.get("examples", []) if isinstance(e, dict)]
    if not examples:
        return None, 0, "no examples (its subtasks, if any, hold them)"
    with_scores = sum(1 for e in examples if e.get("target_scores"))
    with_target = sum(1 for e in examples if e.get("target") not in (None, "", []))
    preferred = data.get("preferred_score")
    if with_scores and (preferred == "multiple_choice_grade" or not with_target):
        return "multiple_choice", with_scores, None
    if with_target:
        notes = []
        if preferred not in (None, "exact_str_match"):
            notes.append(f"scored by exact match; BIG-bench prefers {preferred}")
        several = sum(1 for e in examples if isinstance(e.get("target"), list) and len(e["target"]) > 1)
        if several:
            notes.append(f"{several} items accept several answers; exact match uses the first")
        return "generation", with_target, "; ".join(notes) or None
    return None, 0, "examples have neither target_scores nor target"


def _entry(name: str, data: dict[str, Any]) -> BigBenchTask:
    kind, items, note = _kind_of(data)
    return BigBenchTask(name, kind, items, str(data.get("description", "")).strip(), data.get("preferred_score"),
                        note=note)  # fmt: skip


def _scan(root: Path) -> dict[str, BigBenchTask]:
    found: dict[str, BigBenchTask] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        task_json = folder / "task.json"
        if not task_json.exists():
            if (folder / "task.py").exists():
                found[folder.name] = BigBenchTask(
                    folder.name, None, 0, "", None,
                    note="programmatic task (task.py): BIG-bench runs it as Python code, there is no data to score",
                )  # fmt: skip
            continue
        parent = _entry(folder.name, json.loads(task_json.read_text(encoding="utf-8")))
        subtasks = []
        for sub in sorted(p for p in folder.iterdir() if (p / "task.json").exists()):
            entry = _entry(f"{folder.name}/{sub.name}", json.loads((sub / "task.json").read_text(encoding="utf-8")))
            found[entry.name] = entry
            subtasks.append(entry)
        if subtasks and not parent.items:
            kinds = {s.kind for s in subtasks if s.scorable}
            if len(kinds) == 1:
                kind = kinds.pop()
                items = sum(s.items for s in subtasks if s.kind == kind)
                skipped = [s.name for s in subtasks if s.kind != kind]
                note = f"all {len(subtasks)} subtasks" + (f" but {len(skipped)} unscorable" if skipped else "")
                parent = BigBenchTask(parent.name, kind, items, parent.description, parent.preferred_metric,
                                      note=note)  # fmt: skip
            else:
                parent = BigBenchTask(
                    parent.name, None, 0, parent.description, parent.preferred_metric,
                    note="subtasks of different kinds (or none scorable): run them one by one",
                )  # fmt: skip
        found[folder.name] = BigBenchTask(
            parent.name, parent.kind, parent.items, parent.description, parent.preferred_metric,
            tuple(s.name for s in subtasks), parent.note,
        )  # fmt: skip
    return found


def catalogue() -> dict[str, BigBenchTask]:
    """Every BIG-bench task and subtask by name (read once from the extracted sdist, then from an index file)."""
    root = tasks_root()
    index = _folder() / f"catalogue-v{CATALOGUE_VERSION}.json"
    if index.exists():
        entries = json.loads(index.read_text(encoding="utf-8"))
        return {e["name"]: BigBenchTask(**{**e, "subtasks": tuple(e["subtasks"])}) for e in entries}
    found = _scan(root)
    partial = index.with_suffix(".partial")
    partial.write_text(json.dumps([asdict(t) for t in found.values()]), encoding="utf-8")
    partial.replace(index)
    return found


def search(word: str) -> list[BigBenchTask]:
    """Tasks whose name or description contains ``word`` (case-insensitive)."""
    needle = word.strip().lower()
    return [t for t in catalogue().values() if needle in t.name.lower() or needle in t.description.lower()]


def find(name: str) -> BigBenchTask:
    """One task by name, or an error saying why it cannot run and what is near it."""
    tasks = catalogue()
    if name not in tasks:
        near = [t for t in tasks if name.split("/")[0] in t][:8]
        hint = f" (did you mean {', '.join(near)}?)" if near else " (modelrace tasks --search WORD lists them)"
        raise ConfigError(f"BIG-bench has no task {name!r}{hint}")
    task = tasks[name]
    if not task.scorable:
        raise ConfigError(f"BIG-bench task {name!r} cannot be scored: {task.note}")
    return task


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_root() / name / "task.json").read_text(encoding="utf-8"))
    return data


def task_spec(name: str) -> TaskSpec:
    """The task spec `eval --task bigbench:NAME` runs."""
    task = find(name)
    assert task.kind is not None  # find() refuses unscorable tasks
    description = task.description + (f" ({task.note})" if task.note else "")
    if task.kind == "multiple_choice":
        return TaskSpec(id=f"{PREFIX}{name}", description=description, kind="multiple_choice",
                        source=f"{PREFIX}{name}", shuffle_choices=True)  # fmt: skip
    parts = [name] if not task.subtasks else [s for s in task.subtasks]
    data = [_read(part) for part in parts]
    stops = {d.get("stop_string") for d in data}
    regexes = {d.get("output_regex") or None for d in data}
    longest = max(
        (len(str(t)) for d in data for e in d.get("examples", []) for t in _targets(e)),
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


def _items_of(spec: TaskSpec, name: str, data: dict[str, Any]) -> list[Item]:
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
            items.append(Item(f"{name}/{index}", context, target=targets[0], extra={"targets": targets}))
    return items


def bigbench_items(spec: TaskSpec, name: str) -> list[Item]:
    """The items of ``bigbench:NAME`` (a task, a subtask, or a task's subtasks together)."""
    path = bigbench_task_json(name)
    data = json.loads(path.read_text(encoding="utf-8"))
    items = _items_of(spec, name, data)
    if not data.get("examples"):
        for sub in sorted(p for p in path.parent.iterdir() if (p / "task.json").exists()):
            items += _items_of(spec, f"{name}/{sub.name}", _read(f"{name}/{sub.name}"))
    return items
