"""`modelrace gap`: two sides of the race on every dated board, the gap in points and in months."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import CommandGroup, JsonOption, emit, open_warehouse, stdout, use_json, user_errors
from modelrace.errors import ConfigError

if TYPE_CHECKING:
    from modelrace.ranking import GapHistory

group = CommandGroup()


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--since {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _interval(low: float | None, high: float | None, digits: int = 1) -> str:
    if low is None and high is None:
        return "–"
    return f"{'?' if low is None else f'{low:.{digits}f}'} to {'?' if high is None else f'{high:.{digits}f}'}"


@group.commands.command()
def gap(
    between: Annotated[
        str, typer.Option("--between", help="Two sides: open,closed or two countries (CN,US). The gap is B - A.")
    ] = "open,closed",
    benchmark: Annotated[str, typer.Option("--benchmark", help="SOURCE:BENCHMARK whose dated boards to read.")] = (
        "lmarena:full"
    ),
    since: Annotated[str | None, typer.Option("--since", help="Only boards dated this day or later.")] = None,
    open_only: Annotated[bool, typer.Option("--open-only", help="Country sides: open models only.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The gap between two sides on every dated board: each side's best with its interval, the gap in points
    and in months behind, and its trend per year (docs/race.md)."""
    from modelrace.ranking import gap_history

    use_json(as_json)
    with user_errors():
        when = _since(since)
        with open_warehouse(read_only=True) as warehouse:
            result = gap_history(warehouse, between, benchmark, when, open_only)
    emit(result.to_json(), lambda: _render(result))


def _render(result: GapHistory) -> None:
    a, b = result.sides.a, result.sides.b
    # ids whole at any width (kind "id"); what does not fit is left out and named under the table (_terminal.py)
    table = data_table(
        [
            TerminalColumn("board", "id"),
            TerminalColumn(f"best {a.label}", "id"),
            TerminalColumn(f"best {b.label}", "id"),
            TerminalColumn(f"gap {b.label} - {a.label}", "number"),
            TerminalColumn("months behind", "number"),
            TerminalColumn("behind"),
            TerminalColumn("gap 95 %"),
            TerminalColumn("months 95 %"),
            TerminalColumn(f"{a.label} rating", "number"),
            TerminalColumn(f"{b.label} rating", "number"),
        ],
        [
            (
                point.date.isoformat(),
                point.best_a.model,
                point.best_b.model,
                f"{point.gap:+.1f}",
                f"{'>= ' if point.at_least else ''}{point.months_behind:.1f}",
                point.behind or "level",
                _interval(point.gap_lower, point.gap_upper),
                _interval(point.months_behind_lower, point.months_behind_upper),
                f"{point.best_a.rating:,.0f}",
                f"{point.best_b.rating:,.0f}",
            )
            for point in result.series
        ],
        title=f"{result.benchmark}: {a.words()} against {b.words()}",
        width=stdout.width,
    )
    stdout.print(table)
    trend = result.trend
    if trend.change_per_year is None:
        stdout.print(f"trend: {trend.verdict} (boards span under a month, or one board)")
    else:
        stdout.print(
            f"trend: {trend.change_per_year:+.1f} points a year ({_interval(trend.lower, trend.upper)}): "
            f"{trend.verdict}",
            highlight=False,
        )
    shift = result.scale_shift
    if shift is not None:
        stdout.print(
            f"scale: the {shift.models} models on both the first ({shift.first}) and the latest ({shift.latest}) board"
            f" rate {shift.median:+.1f} points (median; {shift.p10:+.1f} to {shift.p90:+.1f}) on the latest",
            highlight=False,
        )
    for line in result.skipped:
        stdout.print(Text(f"skipped {line}"))
    stdout.print(
        "Ratings are compared within a board; months behind compares the trailing side's best with the leading "
        "side's best on earlier boards as each published it (docs/race.md).",
        style="dim",
    )
