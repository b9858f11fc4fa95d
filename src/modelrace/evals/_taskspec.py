"""A task's spec, its items and reading a Hugging Face dataset: what the task loaders share.

``_tasks`` dispatches a task name to its loader (``_bigbench``, ``_bbh``, the user's files); the loaders build
:class:`Item` objects from a :class:`TaskSpec` with these, so none of them imports ``_tasks``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelrace.errors import ConfigError

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
class ItemExtra:
    """What some tasks add to an item beyond its question and answer (None: the task gives none)."""

    canonical: str | None = None  # HumanEval: the reference solution
    code_prompt: str | None = None  # HumanEval: the function's prompt, which the tested program starts with
    targets: tuple[str, ...] | None = None  # BIG-bench: every accepted answer (exact match takes any)
    subtask: str | None = None  # BBH: the task of a group; --limit keeps the first N of each
    target: str | None = None  # BBH multiple choice: the answer text (which may be none of the options)

    def record(self) -> dict[str, object]:
        """The fields the task gave, as the task's content hash has always read them."""
        return {field.name: value for field in fields(self) if (value := getattr(self, field.name)) is not None}


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
    extra: ItemExtra = ItemExtra()


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
