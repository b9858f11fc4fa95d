"""Terminal tables that never cut what a user copies, and never read data as markup.

Rich shrinks a table that is wider than the terminal by cutting cells with "…". A model id or a model spec cut
that way cannot be copied, so such columns are declared ``"id"``: they keep the width of their longest value on
one line, and the other columns wrap instead (at 80 columns an id longer than the whole table folds onto a second
line rather than being cut). Every cell is a :class:`rich.text.Text`: names from the Hub are never markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

ColumnKind = Literal["id", "number", "text"]


@dataclass(frozen=True)
class TerminalColumn:
    """A column: its heading and what it holds (``id``: copied by users, never cut; ``number``: right-aligned)."""

    label: str
    kind: ColumnKind = "text"


Cell = str | Text


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def data_table(
    columns: Sequence[TerminalColumn | str],
    rows: Iterable[Sequence[Cell]],
    title: str | None = None,
    show_header: bool = True,
    width: int | None = None,
) -> Table:
    """A Rich table of plain-text cells in which ``id`` columns are never cut and numbers are right-aligned.

    With ``width`` (the terminal's), the columns that do not fit are left out, rightmost first, and the caption
    names them; the first ``id`` column always stays (if it alone is wider than the terminal, it folds).
    """
    specs = [c if isinstance(c, TerminalColumn) else TerminalColumn(c) for c in columns]
    cells = [[_text(cell) for cell in row] for row in rows]
    keep = list(range(len(specs)))
    fold_ids = False
    if width is not None:
        # The first id column always stays; every other column (ids too, whole) only where it fits.
        keep = [next((i for i, c in enumerate(specs) if c.kind == "id"), 0)] if specs else []
        for index in range(len(specs)):
            trial = sorted({*keep, index})
            if index not in keep and _minimum(_build(specs, cells, trial, title, show_header, False)) <= width:
                keep = trial
        fold_ids = _minimum(_build(specs, cells, keep, title, show_header, False)) > width
    table = _build(specs, cells, keep, title, show_header, fold_ids)
    left_out = [specs[i].label for i in range(len(specs)) if i not in keep]
    if left_out:
        table.caption = f"not shown at this width: {', '.join(left_out)} (a wider terminal or --json has them)"
        table.caption_justify = "left"
    return table


_MEASURE = Console(width=100_000)  # wide enough that a measurement is never clamped to the console


def _minimum(table: Table) -> int:
    """The narrowest Rich can draw the table without cutting a cell (what it needs before it starts cutting)."""
    return Measurement.get(_MEASURE, _MEASURE.options, table).minimum


def _build(
    specs: Sequence[TerminalColumn],
    cells: Sequence[Sequence[Text]],
    keep: Sequence[int],
    title: str | None,
    show_header: bool,
    fold_ids: bool,
) -> Table:
    table = Table(title=title, title_justify="left", show_header=show_header, highlight=False)
    for index in keep:
        column = specs[index]
        longest = max((row[index].cell_len for row in cells), default=1)
        if column.kind == "id" and not fold_ids:
            table.add_column(column.label, no_wrap=True, min_width=max(longest, 1))
        elif column.kind == "number":
            # Not no_wrap: the heading may wrap at its spaces; a number (no spaces) keeps its width.
            table.add_column(column.label, justify="right", overflow="fold", min_width=max(longest, 1))
        else:
            table.add_column(column.label, overflow="fold")
    for row in cells:
        table.add_row(*(row[i] for i in keep))
    return table
