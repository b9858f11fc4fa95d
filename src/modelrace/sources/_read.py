"""Reading publishers' files: CSV with required columns, rows that must name their model, JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from modelrace.errors import ImportFormatError
from modelrace.sources._model import ImportBatch

Importer = Callable[[Path, date], ImportBatch]


# Where csv.DictReader puts the fields of a row longer than the header (a shorter one gets None values).
_EXTRA = "\0extra fields"
# Set on the last row of a file that ends in the middle of it (no newline, fewer fields than the header).
_CUT = "\0cut short"


def _read_csv(path: Path, required: set[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, restkey=_EXTRA)
            rows = list(reader)
            columns = set(reader.fieldnames or ())
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFormatError(f"{path} is not a readable CSV file: {error}") from None
    missing = required - columns
    if missing:
        raise ImportFormatError(f"{path} lacks the columns {', '.join(sorted(missing))}")
    if not rows:
        raise ImportFormatError(f"{path} holds a header and no rows")
    if None in rows[-1].values() and not _ends_with_newline(path):
        # A truncated file: its last figure may be a number cut in two ("6.0" of "6.05"). A short row inside the
        # file is a model without some results, as the publishers write them.
        rows[-1][_CUT] = "yes"
    return rows


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return True
        handle.seek(-1, 2)
        return handle.read(1) in (b"\n", b"\r")


def _named_rows(
    batch: ImportBatch, rows: list[dict[str, str]], column: str, missing: str = "no model name"
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(position, model name, row) for each row that names its model; the others are rejected, counted: a row with
    more fields than the header (shifted: its figures would land under other columns) and the last row of a file
    that ends in the middle of it."""
    for position, row in enumerate(rows):
        name = (row.get(column) or "").strip()
        if _CUT in row:
            batch.reject(position, name or None, "the file ends in the middle of this row: truncated?")
        elif _EXTRA in row and any(field.strip() for field in row[_EXTRA]):  # a trailing comma adds an empty one
            extra = len(row[_EXTRA])
            batch.reject(position, name or None, f"row has {extra} more fields than the header: shifted")
        elif name:
            yield position, name, row
        else:
            batch.reject(position, None, missing)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ImportFormatError(f"{path} is not a readable JSON file: {error}") from None
