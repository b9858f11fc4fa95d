from __future__ import annotations

import duckdb
from rich.console import Console
from rich.progress import Progress

from modelrace._progress import RichProgress, query_progress


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.advances: list[int] = []

    def start(self, description: str, total: int | None) -> None:
        self.events.append(("start", total))

    def advance(self, count: int = 1) -> None:
        self.events.append(("advance", count))
        self.advances.append(count)

    def describe(self, description: str) -> None:
        self.events.append(("describe", description))


def test_a_long_statement_moves_its_bar_to_the_end() -> None:
    connection = duckdb.connect()
    sink = Recorder()
    with query_progress(connection, sink, "count"):
        connection.execute("SELECT count(*) FROM range(200000000) WHERE hash(range) % 7 = 0").fetchall()
    assert sink.events[0] == ("start", 100)
    assert sum(sink.advances) == 100
    assert len(sink.advances) >= 2, "the bar moved only once, at the end"


def test_a_finished_stage_shows_complete() -> None:
    progress = Progress(console=Console(file=open("/dev/null", "w")))  # noqa: SIM115
    sink = RichProgress(progress)
    sink.start("store", None)
    sink.advance(3)
    sink.start("resolve", 4)
    first = progress.tasks[0]
    assert first.total == first.completed == 3
