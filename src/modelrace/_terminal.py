"""Terminal tables that never cut what a user copies, and never read data as markup.

Rich shrinks a table that is wider than the terminal by cutting cells with "…". A model id or a model spec cut
that way cannot be copied, so such columns are declared ``"id"``: they keep the width of their longest value on
one line, and the other columns wrap instead (at 80 columns an id longer than the whole table folds onto a second
line rather than being cut). Every cell is a :class:`rich.text.Text`: names from the Hub are never markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
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
    return cell if isinstance(cell, Text) else Text(safe_text(cell))


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


# ---------------------------------------------------------------------------------- text that cannot drive a terminal
# An escape sequence (CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL|ST``, or ESC and one character), then any C0 or C1
# control left (newline and tab kept) and the bidirectional overrides and isolates (U+202A-202E, U+2066-2069) that
# make a name print as another (issue #29).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]?|\x1b.?")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """``text`` without escape sequences, control characters or bidi overrides: what data (a model name, a path, a
    reason) may print on a terminal. Sequences go whole (``ESC]52;c;...BEL`` leaves nothing, not ``]52;c;...``)."""
    if text.isprintable():
        return text  # the common case: nothing to strip
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class SafeConsole(Console):
    """A Rich console whose every printed segment of text passes :func:`safe_text` (its own styling is added after
    rendering, so colours stay): one guard at the output edge for every renderer, tables and plain lines alike.

    A string printed is cleaned whole before Rich highlights it (a sequence goes whole, not its ESC alone); a
    segment of any other renderable is cleaned as Rich cuts it, so no control character ever passes (what is left
    of a sequence split across styles is inert text)."""

    def render_str(self, text: str, **options: Any) -> Text:
        """Rich's str-to-Text, on the cleaned string."""
        return super().render_str(safe_text(text), **options)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        """Rich's rendering, with data's control characters stripped."""
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(safe_text(segment.text), segment.style, segment.control)
