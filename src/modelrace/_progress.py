"""Progress reporting: Rich bars on stderr (stdout stays clean for --json), or nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import duckdb
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
        """Begin a new bar; the previous one stays, shown complete (never as a "0/?" that looks stuck)."""
        if self._task is not None:
            done = max(1, int(self._progress.tasks[-1].completed))
            self._progress.update(self._task, total=done, completed=done)
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


@contextmanager
def query_progress(connection: duckdb.DuckDBPyConnection, sink: ProgressSink, description: str) -> Iterator[None]:
    """Show the progress DuckDB reports for the statement(s) the block runs, as a bar from 0 to 100 %.

    One long statement (validating 2 M rows, say) would otherwise leave a bar standing still for seconds: a
    thread reads ``query_progress()`` four times a second and moves the bar.
    """
    sink.start(description, 100)
    if isinstance(sink, NoProgress):
        yield
        return
    connection.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    stop = threading.Event()
    shown = 0

    def poll() -> None:
        nonlocal shown
        while not stop.wait(0.25):
            percent = int(connection.query_progress())
            if percent > shown:
                sink.advance(min(percent, 99) - shown)
                shown = min(percent, 99)

    thread = threading.Thread(target=poll, name="query-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        sink.advance(100 - shown)
