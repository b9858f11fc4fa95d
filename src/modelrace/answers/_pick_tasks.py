"""The task-to-benchmark map `pick --task` ranks by: data (``data/tasks.yaml``) validated by a schema."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from modelrace._yaml import parse_yaml
from modelrace.errors import ConfigError


class PickTaskBenchmark(BaseModel):
    """One benchmark of a task, with its weight and why it measures the task."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9-]+:.+$")
    weight: float = Field(gt=0)
    why: str


class PickTask(BaseModel):
    """A task people pick a model for (``pick --task``): the published benchmarks that measure it, weighted. Not an
    evaluation task (``evals.Task``, items a backend is scored on)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str
    benchmarks: list[PickTaskBenchmark] = Field(min_length=1)


class PickTaskFile(BaseModel):
    """The task-to-benchmark map file (``data/tasks.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    version: int
    reviewed: str
    tasks: dict[str, PickTask] = Field(min_length=1)


def parse_tasks(text: str, source: str = "tasks.yaml") -> PickTaskFile:
    """Parse and validate a tasks file (errors name the file and field)."""
    return parse_yaml(text, source, PickTaskFile)


@cache
def load_tasks() -> PickTaskFile:
    """The task map shipped in the package."""
    text = resources.files("modelrace.answers").joinpath("data/tasks.yaml").read_text("utf-8")
    return parse_tasks(text)


def task_names() -> list[str]:
    """The tasks `pick --task` knows."""
    return list(load_tasks().tasks)


def get_task(name: str) -> PickTask:
    """A task by name, or a one-line error listing the known ones."""
    tasks = load_tasks().tasks
    if name not in tasks:
        raise ConfigError(f"--task {name!r}: choose one of {', '.join(tasks)}")
    return tasks[name]
