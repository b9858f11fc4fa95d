"""BIG-Bench Hard as the Open LLM Leaderboard runs it (lm-evaluation-harness's ``leaderboard_bbh``), and its
generative chain-of-thought variant (``bbh_cot_fewshot``), from a folder or the Hugging Face dataset.

Tasks: ``bbh:TASK`` and the group ``bbh`` (the leaderboard's 24 tasks), ``bbh-cot:TASK`` and ``bbh-cot`` (all 27).
The protocols, as the harness's task files state them (copied in ``data/bbh/``, its commit recorded there):

- **leaderboard_bbh** (multiple choice, log-likelihood). The prompt is the task's description, then its three
  fixed few-shot examples, then the item: ``{description}Q: {shot}\\nA: {answer}\\n\\n`` x 3 + ``Q: {input}\\nA:``
  (the description is joined to the first ``Q:`` without a separator, as the harness renders it). Each of the task's
  answer options is scored as the continuation ``" " + option``; ``acc_norm`` picks the option with the highest
  log-likelihood divided by the option's length in characters (without the leading space). The group's score is
  the mean over all items of its tasks (``weight_by_size: true``), which is the leaderboard's ``BBH Raw``.
  Three items whose target is none of the options count as wrong for every model, as in the harness.
- **bbh_cot_fewshot** (generation). ``{description}\\n\\n`` then three worked examples ``Q: {input}\\nA: Let's think
  step by step.\\n{reasoning}\\n\\n`` and ``Q: {input}\\nA: Let's think step by step.\\n``; greedy, at most 1,024
  tokens, stopping at ``</s>``, ``Q`` or a blank line; the answer is the first match of
  ``(?<=the answer is )(.*)(?=.)`` (``[invalid]`` when none), compared exactly with the target
  (``cot_exact_match``, a separate metric: it is not the leaderboard's number).

Sources, first found wins: ``--data DIR`` (or ``hf:DATASET``), ``MODELRACE_BBH``, the reference data's ``bbh/``
folder, then the Hugging Face dataset the harness reads (``SaylorTwift/bbh``) through ``datasets`` (its cache and
offline mode honoured). A folder holds ``TASK.json`` files (``{"examples": [{"input", "target"}]}``, the layout of
the BIG-Bench-Hard repository), directly or under ``tasks/`` or ``bbh/``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from modelrace._yaml import parse_yaml
from modelrace.config import reference_data_dir
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals._taskspec import Item, ItemExtra, TaskSpec, dataset_rows

PREFIX = "bbh:"
COT_PREFIX = "bbh-cot:"
GROUP = "bbh"
COT_GROUP = "bbh-cot"
DATA_ENV = "MODELRACE_BBH"
HF_DATASET = "SaylorTwift/bbh"  # what lm-evaluation-harness's BBH tasks load
LEADERBOARD: Final = "leaderboard_bbh"
COT: Final = "bbh_cot_fewshot"
COT_STOP = ["</s>", "Q", "\n\n"]
COT_ANSWER = r"(?<=the answer is )(.*)(?=.)"
INVALID = "[invalid]"  # the harness's regex filter fallback
NO_OPTION = -1  # the gold of an item whose target is none of its options
Protocol = Literal["leaderboard_bbh", "bbh_cot_fewshot"]


class _Shot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    input: str
    target: str


class _TaskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str
    choices: list[str] = []
    fewshot: list[_Shot]


class _Configs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    harness_commit: str
    tasks: dict[str, _TaskConfig]


@cache
def configs(protocol: Protocol) -> _Configs:
    """The harness's per-task settings for a protocol (data/bbh/*.yaml)."""
    name = f"data/bbh/{protocol}.yaml"
    return parse_yaml(resources.files("modelrace.evals").joinpath(name).read_text("utf-8"), name, _Configs)


def task_names(protocol: Protocol) -> list[str]:
    """The tasks of a protocol's group (24 for the leaderboard, 27 for chain of thought)."""
    return list(configs(protocol).tasks)


@dataclass(frozen=True)
class BbhSource:
    """Where BBH items are read from: a folder of task files, or a Hugging Face dataset; and why this one."""

    kind: Literal["folder", "datasets"]
    location: str
    chosen_by: str  # --data, MODELRACE_BBH, reference data, default

    def describe(self) -> str:
        """One phrase for manifests and messages."""
        return f"{self.kind} {self.location} ({self.chosen_by})"


def _task_file(folder: Path, task: str) -> Path | None:
    for candidate in (folder / f"{task}.json", folder / "tasks" / f"{task}.json", folder / "bbh" / f"{task}.json"):
        if candidate.is_file():
            return candidate
    return None


def _from_text(value: str, chosen_by: str) -> BbhSource:
    if value.startswith("hf:"):
        return BbhSource("datasets", value.removeprefix("hf:"), chosen_by)
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise ConfigError(
            f"BBH data ({chosen_by}): no folder at {folder} (give a folder of TASK.json files or hf:DATASET)"
        )
    return BbhSource("folder", str(folder), chosen_by)


def resolve_source(data: str | None = None) -> BbhSource:
    """The BBH source a run reads (module docstring: --data, MODELRACE_BBH, the reference data, the Hub dataset)."""
    if data:
        return _from_text(data, "--data")
    if os.environ.get(DATA_ENV):
        return _from_text(os.environ[DATA_ENV], DATA_ENV)
    reference = reference_data_dir()
    if reference is not None and (reference / "bbh").is_dir():
        return BbhSource("folder", str(reference / "bbh"), "reference data")
    return BbhSource("datasets", HF_DATASET, "default: the harness's dataset")


def read_examples(source: BbhSource, task: str) -> list[dict[str, str]]:
    """One task's examples (input, target), in the source's order."""
    if source.kind == "folder":
        path = _task_file(Path(source.location), task)
        if path is None:
            raise ConfigError(
                f"BBH task {task!r} is not in {source.describe()}: expected {task}.json there (or under tasks/); "
                f'use --data DIR, {DATA_ENV}, or --data hf:{HF_DATASET} (pip install -e ".[datasets]")'
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ImportFormatError(f"{path} is not valid JSON: {error}") from None
        rows = data.get("examples") if isinstance(data, dict) else None
    else:
        spec = TaskSpec(id=f"{PREFIX}{task}", kind="multiple_choice", source=f"hf:{source.location}", subset=task)
        rows = dataset_rows(spec, source.location)
    if not isinstance(rows, list):
        raise ImportFormatError(f"BBH task {task} in {source.describe()}: no list of examples")
    examples = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("input"), str) or "target" not in row:
            raise ImportFormatError(f"BBH task {task} in {source.describe()}: example {index + 1} lacks input/target")
        examples.append({"input": row["input"], "target": str(row["target"])})
    return examples


def leaderboard_prompt(task: str, question: str) -> str:
    """The harness's ``leaderboard_bbh_TASK`` context for one question (module docstring)."""
    config = configs(LEADERBOARD).tasks[task]
    shots = "".join(f"Q: {shot.input}\nA: {shot.target}\n\n" for shot in config.fewshot)
    return f"{config.description}{shots}Q: {question}\nA:"


def cot_prompt(task: str, question: str) -> str:
    """The harness's ``bbh_cot_fewshot_TASK`` prompt for one question (module docstring)."""
    config = configs(COT).tasks[task]
    shots = "".join(f"Q: {shot.input}\nA: Let's think step by step.\n{shot.target}\n\n" for shot in config.fewshot)
    return f"{config.description}{shots}Q: {question}\nA: Let's think step by step.\n"


def cot_answer(text: str) -> str:
    """The harness's answer extraction: the regex's first match, stripped, or ``[invalid]``."""
    found = re.findall(COT_ANSWER, text)
    return str(found[0]).strip() if found else INVALID


def parse_name(name: str) -> tuple[Protocol, list[str]] | None:
    """(protocol, tasks) of a BBH task name, None when the name is not one."""
    if name == GROUP:
        return LEADERBOARD, task_names(LEADERBOARD)
    if name == COT_GROUP:
        return COT, task_names(COT)
    prefixes: tuple[tuple[str, Protocol], ...] = ((PREFIX, LEADERBOARD), (COT_PREFIX, COT))
    for prefix, protocol in prefixes:
        if name.startswith(prefix):
            task = name.removeprefix(prefix)
            known = task_names(protocol)
            if task not in known:
                extra = ""
                if protocol == LEADERBOARD and task in task_names(COT):
                    extra = f" ({task} has no answer options in the leaderboard: run it as {COT_PREFIX}{task})"
                raise ConfigError(f"no BBH task {task!r}{extra}; the tasks: {', '.join(known)}")
            return protocol, [task]
    return None


def task_spec(name: str) -> TaskSpec:
    """The spec `eval --task bbh...` runs (items come from :func:`bbh_items`)."""
    parsed = parse_name(name)
    assert parsed is not None
    protocol, tasks = parsed
    scope = "the leaderboard's 24 BBH tasks" if len(tasks) > 1 else tasks[0]
    if protocol == LEADERBOARD:
        return TaskSpec(
            id=name,
            description=f"BIG-Bench Hard, {scope}: 3-shot, log-likelihood of each option, acc_norm (leaderboard_bbh)",
            kind="multiple_choice",
            source=name,
            prompt="{description}Q: {shot}\\nA: {answer}\\n\\n x3, Q: {input}\\nA:",
            fewshot=3,
            protocol=LEADERBOARD,
        )
    return TaskSpec(
        id=name,
        description=f"BIG-Bench Hard, {scope}: 3-shot chain of thought, answer extracted (bbh_cot_fewshot)",
        kind="generation",
        source=name,
        prompt="{description}\\n\\n, 3 worked examples, Q: {input}\\nA: Let's think step by step.\\n",
        fewshot=3,
        max_tokens=1024,
        stop=COT_STOP,
        answer_regex=COT_ANSWER,
        protocol=COT,
    )


def bbh_items(spec: TaskSpec, data: str | None = None) -> tuple[list[Item], BbhSource]:
    """Every item of a BBH task or group, with the source they were read from."""
    parsed = parse_name(spec.source)
    assert parsed is not None
    protocol, tasks = parsed
    source = resolve_source(data)
    items = []
    for task in tasks:
        choices = tuple(configs(LEADERBOARD).tasks[task].choices) if protocol == LEADERBOARD else ()
        for index, example in enumerate(read_examples(source, task)):
            item_id = f"{task}/{index}"
            if protocol == LEADERBOARD:
                # Three items of BBH (movie_recommendation 163, ruin_names 99 and 144) have a target that is not
                # one of the options: the harness then compares the choice with a string, and every model gets
                # them wrong. The same here: gold -1 matches no option.
                target = example["target"]
                gold = choices.index(target) if target in choices else NO_OPTION
                context = leaderboard_prompt(task, example["input"])
                items.append(Item(item_id, context, choices, gold, extra=ItemExtra(subtask=task, target=target)))
            else:
                prompt = cot_prompt(task, example["input"])
                items.append(Item(item_id, prompt, target=example["target"], extra=ItemExtra(subtask=task)))
    return items, source
