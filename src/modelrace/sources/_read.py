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


def _read_csv(path: Path, required: set[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFormatError(f"{path} is not a readable CSV file: {error}") from None
    columns = set(rows[0]) if rows else set()
    missing = required - columns
    if missing:
        raise ImportFormatError(f"{path} lacks the columns {', '.join(sorted(missing))}")
    return rows


def _named_rows(
    batch: ImportBatch, rows: list[dict[str, str]], column: str, missing: str = "no model name"
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(position, model name, row) for each row that names its model; the others are rejected, counted."""
    for position, row in enumerate(rows):
        name = (row.get(column) or "").strip()
        if name:
            yield position, name, row
        else:
            batch.reject(position, None, missing)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ImportFormatError(f"{path} is not a readable JSON file: {error}") from None
