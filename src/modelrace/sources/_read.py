"""Reading publishers' files: CSV with required columns, rows that must name their model, JSON.

Every file goes through :mod:`modelrace._safe_read` (regular files only, size caps, bounded nesting, BOMs).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from modelrace._safe_read import (
    MAX_COMPANION_BYTES,
    MAX_FILE_BYTES,
    Repeats,
    csv_reader,
    open_regular,
    read_json,
    row_key,
)
from modelrace.errors import ImportFormatError
from modelrace.sources._model import ImportBatch

Importer = Callable[[Path, date], ImportBatch]


# Where csv.DictReader puts the fields of a row longer than the header (a shorter one gets None values).
_EXTRA = "\0extra fields"
# Set on the last row of a file that ends in the middle of it (no newline, fewer fields than the header).
_CUT = "\0cut short"


def _read_csv(path: Path, required: set[str]) -> list[dict[str, str]]:
    try:
        with open_regular(path) as handle:
            reader = csv_reader(handle, restkey=_EXTRA)
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
    repeats = Repeats()
    header = {key: key for key in rows[0] if key not in (_EXTRA, _CUT)} if rows else {}
    for position, row in enumerate(rows):
        name = (row.get(column) or "").strip()
        if header and all((row.get(k) or "").removeprefix("\ufeff") == k for k in header):  # the header again
            batch.notes["repeated_rows"] = repeats.count = repeats.count + 1
            continue
        if repeats.first_seen(row_key(row), position) is not None:  # the very same row again: skipped
            batch.notes["repeated_rows"] = repeats.count
            continue
        if _CUT in row:
            batch.reject(position, name or None, "the file ends in the middle of this row: truncated?")
        elif _EXTRA in row and any(field.strip() for field in row[_EXTRA]):  # a trailing comma adds an empty one
            extra = len(row[_EXTRA])
            batch.reject(position, name or None, f"row has {extra} more fields than the header: shifted")
        elif name:
            yield position, name, row
        else:
            batch.reject(position, None, missing)


def _read_json(path: Path, companion: bool = False) -> Any:
    """A JSON file (a regular file under the cap; a companion file under the smaller one), nested values below
    the depth bound marked :class:`~modelrace._safe_read.TooDeep`."""
    return read_json(path, MAX_COMPANION_BYTES if companion else MAX_FILE_BYTES)


def _found_beside(path: Path, pattern: str) -> Path | None:
    """The last regular file beside ``path`` matching ``pattern`` (a FIFO or folder of that name is passed over)."""
    found = sorted(p for p in path.parent.glob(pattern) if p.is_file())
    return found[-1] if found else None
