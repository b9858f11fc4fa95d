"""Progress reporting: Rich bars on stderr (stdout stays clean for --json), or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class ProgressSink(Protocol):
    """What long work reports to: a count advancing towards an optional total."""

    def start(self, description: str, total: int | None) -> None:
        """Begin a new stage."""

    def advance(self, count: int = 1) -> None:
        """Count work done in the current stage."""

    def describe(self, description: str) -> None:
        """Change the current stage's label."""


class NoProgress:
    """A sink that shows nothing (tests, libraries, --quiet)."""

    def start(self, description: str, total: int | None) -> None:
        """Ignore."""

    def advance(self, count: int = 1) -> None:
        """Ignore."""

    def describe(self, description: str) -> None:
        """Ignore."""


class RichProgress:
    """A Rich progress bar with counts, rate and ETA."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, description: str, total: int | None) -> None:
        """Begin a new bar (the previous one stays, completed)."""
        if self._task is not None:
            self._progress.stop_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, count: int = 1) -> None:
        """Advance the current bar."""
        if self._task is not None:
            self._progress.advance(self._task, count)

    def describe(self, description: str) -> None:
        """Relabel the current bar."""
        if self._task is not None:
            self._progress.update(self._task, description=description)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressSink]:
    """A progress sink on stderr, or a silent one when disabled."""
    if not enabled:
        yield NoProgress()
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with progress:
        yield RichProgress(progress)
