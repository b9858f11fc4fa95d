"""Terminal tables that never cut what a user copies, and never read data as markup.

Rich shrinks a table that is wider than the terminal by cutting cells with "…". A model id or a model spec cut
that way cannot be copied, so such columns are declared ``"id"``: they keep the width of their longest value on
one line, and the other columns wrap instead (at 80 columns an id longer than the whole table folds onto a second
line rather than being cut). Every cell is a :class:`rich.text.Text`: names from the Hub are never markup.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
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
            if (
                index not in keep
                and minimum_width([specs[i] for i in trial], [[r[i] for i in trial] for r in cells]) <= width
            ):
                keep = trial
        fold_ids = minimum_width([specs[i] for i in keep], [[r[i] for i in keep] for r in cells]) > width
        # Rich's column collapse can leave a table a column or two wider than planned (a number column's minimum
        # is restored after shrinking): drawn wider than the terminal, it loses its rightmost columns until it fits
        while (
            len(keep) > 1
            and not fold_ids
            and _drawn_width(_build(specs, cells, keep, title, show_header, False), width) > width
        ):
            keep = keep[:-1]
    table = _build(specs, cells, keep, title, show_header, fold_ids)
    left_out = [specs[i].label for i in range(len(specs)) if i not in keep]
    if left_out:
        table.caption = f"not shown at this width: {', '.join(left_out)} (a wider terminal or --json has them)"
        table.caption_justify = "left"
    return table


def _drawn_width(table: Table, width: int) -> int:
    """How wide Rich draws ``table`` on a terminal ``width`` columns wide."""
    console = Console(width=width, file=io.StringIO(), color_system=None, soft_wrap=True)  # soft: never cropped
    with console.capture() as captured:
        console.print(table)
    return max((len(line) for line in captured.get().splitlines()), default=0)


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
            # at least its heading's longest word, so that Rich never folds the heading mid-word ("result|s")
            width = max(longest, _longest_word(column.label), 1)
            table.add_column(column.label, justify="right", overflow="fold", min_width=width)
        else:
            table.add_column(column.label, overflow="fold")
    for row in cells:
        table.add_row(*(row[i] for i in keep))
    return table


TEXT_MIN_WIDTH = 14  # a wrapping column is planned at its longest word, up to this many characters (then folds)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def minimum_width(columns: Sequence[TerminalColumn], rows: Sequence[Sequence[Cell]]) -> int:
    """The narrowest a table of these rows can be drawn without cutting an id or a number: ids and numbers at
    their longest value, text at its longest word (at most :data:`TEXT_MIN_WIDTH`), plus padding and borders."""
    cells = [[_text(cell) for cell in row] for row in rows]
    width = 1
    for index, column in enumerate(columns):
        longest = max((row[index].cell_len for row in cells), default=0)
        if column.kind == "id":
            needed = longest
        elif column.kind == "number":
            needed = max(longest, _longest_word(column.label))
        else:
            words = [_longest_word(row[index].plain) for row in cells] + [_longest_word(column.label)]
            needed = min(max(words, default=1), TEXT_MIN_WIDTH)
        width += needed + 3  # one space each side and a border
    return width
