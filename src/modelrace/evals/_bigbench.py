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

import importlib.util
import json
import os
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from modelrace.errors import ConfigError
from modelrace.evals._taskspec import BIGBENCH_VERSION, Item, TaskSpec, dataset_rows
from modelrace.local import FetchError, cache_dir, extract_member, fetch_file

PREFIX = "bigbench:"
CATALOGUE_VERSION = 1
Kind = Literal["multiple_choice", "generation"]
_COMPLETE = ".complete"  # written once every task.json and task.py of the sdist is extracted
DATA_ENV = "MODELRACE_BIGBENCH"
HF_DATASET = "tasksource/bigbench"
MISSING = (
    "no BIG-bench source here: give a BIG-bench checkout with --data DIR or {env} "
    "(git clone https://github.com/google/BIG-bench), install the datasets extra for the Hugging Face dataset "
    '{hf} (pip install -e ".[datasets]"; offline it needs the Hub cache), or fetch the bigbench '
    "{version} sdist from a package index that still serves it (MODELRACE_PYPI_SIMPLE){why}"
)


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


@dataclass(frozen=True)
class BigBenchSource:
    """Where BIG-bench tasks are read from, and what chose it."""

    kind: Literal["folder", "sdist", "datasets"]
    location: str
    chosen_by: str

    def describe(self) -> str:
        """One phrase for messages and listings."""
        return f"{self.kind} {self.location} ({self.chosen_by})"


def _folder() -> Path:
    return cache_dir() / "bigbench" / BIGBENCH_VERSION


def _sdist_root() -> Path:
    return _folder() / f"bigbench-{BIGBENCH_VERSION}" / "bigbench" / "benchmark_tasks"


def _task_folder(value: str, chosen_by: str) -> BigBenchSource:
    """A checkout, its ``bigbench/benchmark_tasks``, or any folder whose subfolders hold task.json files."""
    if value.startswith("hf:"):
        return BigBenchSource("datasets", value.removeprefix("hf:"), chosen_by)
    base = Path(value).expanduser()
    for root in (base / "bigbench" / "benchmark_tasks", base / "benchmark_tasks", base):
        if root.is_dir() and any((p / "task.json").is_file() or (p / "task.py").is_file() for p in root.iterdir()):
            return BigBenchSource("folder", str(root), chosen_by)
    raise ConfigError(f"BIG-bench data ({chosen_by}): {base} holds no task folders (NAME/task.json)")


def missing_message(why: str = "") -> str:
    """The one-line error when no source holds BIG-bench: the three ways to get it."""
    return MISSING.format(env=DATA_ENV, hf=HF_DATASET, version=BIGBENCH_VERSION, why=f" ({why})" if why else "")


def _datasets_installed() -> bool:
    return importlib.util.find_spec("datasets") is not None


def local_sources(data: str | None = None) -> list[BigBenchSource]:
    """The sources present without any download: --data, MODELRACE_BIGBENCH, the extracted sdist."""
    found = []
    if data:
        found.append(_task_folder(data, "--data"))
    if os.environ.get(DATA_ENV):
        found.append(_task_folder(os.environ[DATA_ENV], DATA_ENV))
    if (_folder() / _COMPLETE).exists() or _sdist_root().is_dir():
        found.append(BigBenchSource("sdist", str(_sdist_root()), "extracted in the cache"))
    return found


def resolve_source(data: str | None = None) -> BigBenchSource:
    """The source `bigbench:` tasks are read from (module docstring), fetching the sdist when nothing is local."""
    local = local_sources(data)
    if local:
        return local[0]
    try:
        _extract_sdist()
        return BigBenchSource("sdist", str(_sdist_root()), "fetched from the package index")
    except FetchError as error:
        if _datasets_installed():
            return BigBenchSource("datasets", HF_DATASET, f"the sdist is not served: {error}")
        raise ConfigError(missing_message(str(error))) from None


def _extract_sdist() -> None:
    folder = _folder()
    if not (folder / _COMPLETE).exists():
        archive = fetch_file("bigbench", rf"bigbench-{BIGBENCH_VERSION}\.tar\.gz")
        extract_member(archive, r"/benchmark_tasks/.*/task\.(json|py)$", folder)
        (folder / _COMPLETE).write_text("every task.json and task.py of the sdist\n")


def tasks_root(data: str | None = None) -> Path:
    """The folder of task folders a run reads (a checkout's, or the sdist's extracted once)."""
    source = resolve_source(data)
    if source.kind == "datasets":
        raise ConfigError(f"BIG-bench from {source.describe()} has no task folders to list")
    return Path(source.location)


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


def _sdist_catalogue() -> dict[str, BigBenchTask]:
    """The extracted sdist's tasks, scanned once, then read from an index file."""
    index = _folder() / f"catalogue-v{CATALOGUE_VERSION}.json"
    if index.exists():
        entries = json.loads(index.read_text(encoding="utf-8"))
        return {e["name"]: BigBenchTask(**{**e, "subtasks": tuple(e["subtasks"])}) for e in entries}
    found = _scan(_sdist_root())
    partial = index.with_suffix(".partial")
    partial.write_text(json.dumps([asdict(t) for t in found.values()]), encoding="utf-8")
    partial.replace(index)
    return found


def catalogue(data: str | None = None) -> dict[str, BigBenchTask]:
    """Every BIG-bench task and subtask by name in the chosen folder (a checkout's scanned each time, since it may
    change; the sdist's once)."""
    root = tasks_root(data)
    return _sdist_catalogue() if root == _sdist_root() else _scan(root)


@dataclass(frozen=True)
class SourceListing:
    """One source as `tasks --search` lists it: present or not, how many tasks it holds, how to get it."""

    source: str
    present: bool
    tasks: int | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (docs/json.md)."""
        return asdict(self)


def _cached_hf_configs() -> list[str]:
    """The BIG-bench configurations already in the ``datasets`` cache (readable offline)."""
    root = Path(os.environ.get("HF_DATASETS_CACHE") or Path.home() / ".cache" / "huggingface" / "datasets")
    folder = root / HF_DATASET.replace("/", "___")
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def list_sources(data: str | None = None) -> list[SourceListing]:
    """Each BIG-bench source: whether it is here, what it holds, and how to get the missing ones (no download)."""
    listings = []
    given = data or os.environ.get(DATA_ENV)
    if given:
        folder = _task_folder(given, "--data" if data else DATA_ENV)
        count = len(_scan(Path(folder.location))) if folder.kind == "folder" else None
        listings.append(SourceListing(f"folder ({folder.chosen_by})", True, count, folder.location))
    else:
        listings.append(
            SourceListing(
                "folder",
                False,
                None,
                f"--data DIR or {DATA_ENV}: a BIG-bench checkout (git clone https://github.com/google/BIG-bench)",
            )
        )
    if _sdist_root().is_dir():
        listings.append(SourceListing("sdist", True, len(_sdist_catalogue()), str(_sdist_root())))
    else:
        listings.append(
            SourceListing(
                "sdist",
                False,
                None,
                f"bigbench {BIGBENCH_VERSION} from the package index (PyPI now serves only "
                "0.0.1; MODELRACE_PYPI_SIMPLE names another index)",
            )
        )
    if _datasets_installed():
        cached = _cached_hf_configs()
        listings.append(
            SourceListing(
                f"Hugging Face {HF_DATASET}",
                True,
                len(cached) or None,
                f"{len(cached)} tasks in the local datasets cache"
                if cached
                else "through datasets: each task is downloaded on first use (offline: from the Hub cache)",
            )
        )
    else:
        listings.append(SourceListing(f"Hugging Face {HF_DATASET}", False, None, 'pip install -e ".[datasets]"'))
    return listings


def search(word: str, data: str | None = None) -> list[BigBenchTask]:
    """Tasks whose name or description contains ``word`` (case-insensitive), in the first local source; none
    when no source is local (``list_sources`` says how to get one)."""
    needle = word.strip().lower()
    local = local_sources(data)
    if not local:
        return []
    found = catalogue(data)
    return [t for t in found.values() if needle in t.name.lower() or needle in t.description.lower()]


def _hf_task(name: str) -> dict[str, Any]:
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
        task = _entry(name, _hf_task(name))
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


def _read(name: str, data: str | None = None) -> dict[str, Any]:
    source = resolve_source(data)
    if source.kind == "datasets":
        return _hf_task(name)
    path = Path(source.location) / name / "task.json"
    if not path.is_file():
        raise ConfigError(f"BIG-bench has no JSON task {name!r} in {source.describe()}")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


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
