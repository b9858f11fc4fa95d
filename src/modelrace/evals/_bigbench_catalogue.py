"""The BIG-bench catalogue: every task and subtask in a source with its kind (the rules are
:mod:`modelrace.evals._bigbench`'s docstring), searching it, and which sources are here (`tasks --search`)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from modelrace._safe_read import read_json
from modelrace._serialise import JsonResult
from modelrace.errors import ImportFormatError
from modelrace.evals._bigbench_sources import (
    DATA_ENV,
    HF_DATASET,
    cached_hf_configs,
    datasets_installed,
    local_sources,
    sdist_folder,
    sdist_root,
    task_folder,
    tasks_root,
)
from modelrace.evals._taskspec import BIGBENCH_VERSION

PREFIX = "bigbench:"
CATALOGUE_VERSION = 1
Kind = Literal["multiple_choice", "generation"]
TaskJson = dict[str, Any]


def read_task_json(path: Path) -> TaskJson:
    """A task's ``task.json`` read boundedly (``_safe_read``); a file that is not a JSON object is a clear error
    naming it, never a traceback."""
    loaded = read_json(path)
    if not isinstance(loaded, dict):
        raise ImportFormatError(f"{path} is not a BIG-bench task: its JSON is not an object")
    return loaded


"""A BIG-bench task.json as parsed (or the Hugging Face dataset's rows in its shape): JSON at the edge, read by
key where its kind, prompt framing and examples are decided."""


@dataclass(frozen=True)
class BigBenchTask(JsonResult):
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

    def __json__(self) -> dict[str, object]:
        """As docs/json.md documents it: the id `eval --task` takes, and whether it can be scored."""
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


def _kind_of(data: TaskJson) -> tuple[Kind | None, int, str | None]:
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


def task_entry(name: str, data: TaskJson) -> BigBenchTask:
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
        parent = task_entry(folder.name, read_task_json(task_json))
        subtasks = []
        for sub in sorted(p for p in folder.iterdir() if (p / "task.json").exists()):
            entry = task_entry(f"{folder.name}/{sub.name}", read_task_json(sub / "task.json"))
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
    index = sdist_folder() / f"catalogue-v{CATALOGUE_VERSION}.json"
    if index.exists():
        entries = json.loads(index.read_text(encoding="utf-8"))
        return {e["name"]: BigBenchTask(**{**e, "subtasks": tuple(e["subtasks"])}) for e in entries}
    found = _scan(sdist_root())
    partial = index.with_suffix(".partial")
    partial.write_text(json.dumps([asdict(t) for t in found.values()]), encoding="utf-8")
    partial.replace(index)
    return found


def catalogue(data: str | None = None) -> dict[str, BigBenchTask]:
    """Every BIG-bench task and subtask by name in the chosen folder (a checkout's scanned each time, since it may
    change; the sdist's once)."""
    root = tasks_root(data)
    return _sdist_catalogue() if root == sdist_root() else _scan(root)


@dataclass(frozen=True)
class SourceListing(JsonResult):
    """One source as `tasks --search` lists it: present or not, how many tasks it holds, how to get it."""

    source: str
    present: bool
    tasks: int | None
    detail: str


@dataclass(frozen=True)
class BigBenchSearch(JsonResult):
    """What `tasks --search WORD` shows: the matching tasks of the first local source, and every source's state."""

    word: str
    tasks: tuple[BigBenchTask, ...]
    sources: tuple[SourceListing, ...]

    def __json__(self) -> dict[str, object]:
        """The tasks and sources (docs/json.md); the word is the command's own."""
        return {"tasks": self.tasks, "sources": self.sources}


def list_sources(data: str | None = None) -> list[SourceListing]:
    """Each BIG-bench source: whether it is here, what it holds, and how to get the missing ones (no download)."""
    listings = []
    given = data or os.environ.get(DATA_ENV)
    if given:
        folder = task_folder(given, "--data" if data else DATA_ENV)
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
    if sdist_root().is_dir():
        listings.append(SourceListing("sdist", True, len(_sdist_catalogue()), str(sdist_root())))
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
    if datasets_installed():
        cached = cached_hf_configs()
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


def search_bigbench(word: str, data: str | None = None) -> BigBenchSearch:
    """Every BIG-bench task and subtask whose name or description holds ``word``, and which sources are here."""
    found = search(word, data)
    return BigBenchSearch(word, tuple(found), tuple(list_sources(data)))
