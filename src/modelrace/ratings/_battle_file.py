"""Reading a battle file in LMArena's layout, row by row: a bad row is rejected with its reason, never fatal.

Layout: ``model_a``, ``model_b``, ``winner`` (``model_a`` | ``model_b`` | ``tie`` | ``tie (bothbad)``), and
optionally ``language``, ``category``, ``judge``, ``timestamp`` (or LMArena's ``tstamp``: ISO text or Unix
seconds) and ``question_id``. Files: JSON (a list of objects), JSONL, CSV or Parquet, told apart by extension.

Read through :mod:`modelrace._safe_read`: regular files only, JSON nested no deeper than its bound (a row nested
deeper is one rejected row), a CSV with a BOM, timestamps within the years a datetime holds (``1e20``, ``inf``
and ``10**30`` are a row's rejection, not an OverflowError), and a row given twice with the same identity
(``tstamp``/``timestamp`` or ``question_id``: a file concatenated with itself) counted and skipped.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from modelrace._dates import latest_allowed_date
from modelrace._safe_read import (
    MAX_FILE_BYTES,
    JsonTextError,
    Repeats,
    TooDeep,
    csv_reader,
    find_too_deep,
    lines,
    loads_json,
    open_regular,
    read_text,
    row_key,
)
from modelrace.errors import ConfigError, ImportFormatError

WINNERS = ("model_a", "model_b", "tie", "tie (bothbad)")
# spellings other exports use for the same verdicts
_WINNER_ALIASES = {"both_bad": "tie (bothbad)", "bothbad": "tie (bothbad)", "tie(bothbad)": "tie (bothbad)"}
# A battle file streamed row by row (JSONL, CSV, Parquet) may be large: LMArena's full dump is ~1 GB as JSONL.
MAX_STREAMED_BYTES = 16 << 30
# Unix seconds a datetime can hold (year 1 to 9999); outside it a tstamp is no time.
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799


@dataclass(frozen=True)
class Battle:
    """One verdict between two models, as its source names them."""

    model_a: str
    model_b: str
    winner: str
    judge: str | None = None
    category: str | None = None
    language: str | None = None
    question_id: str | None = None
    happened_at: datetime | None = None


@dataclass(frozen=True)
class Rejection:
    """A row that could not be read, and why."""

    position: int
    reason: str
    raw: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"position": self.position, "reason": self.reason, "raw": self.raw}


@dataclass
class BattleFile:
    """What a file holds: valid battles (with their row numbers) and rejected rows."""

    battles: list[tuple[int, Battle]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    repeated: int = 0  # rows given again with the same identity, skipped


def _text(value: Any, field_name: str = "field") -> str | None:
    """A text field: a string or number as text; None for nothing; a list or object there is a row's error."""
    if type(value) is str:  # the common case first: a battle file holds ~10 text fields a row
        return value.strip() or None
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (list, dict, TooDeep)):
        deep = find_too_deep(value)
        if deep is not None:
            raise ValueError(f"{field_name} is {deep.reason}")
        raise ValueError(f"{field_name} is a JSON {'list' if isinstance(value, list) else 'object'}, not text")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        raise ValueError(f"{field_name} is a number too long for a name")
    text = str(value).strip()
    return text or None


def _seconds(value: float) -> datetime:
    """Unix seconds as a naive UTC datetime; ValueError where no datetime holds them."""
    if not math.isfinite(value) or not _MIN_SECONDS <= value <= _MAX_SECONDS:
        raise ValueError(f"timestamp {value:.6g} is not a time (outside the years 1 to 9999)")
    try:
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"timestamp {value:.6g} is not a time (outside the years 1 to 9999)") from None


def _timestamp(value: Any) -> datetime | None:
    """ISO text, or Unix seconds (LMArena's ``tstamp``); naive UTC."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and not _MIN_SECONDS <= value <= _MAX_SECONDS:
            raise ValueError("timestamp is not a time (outside the years 1 to 9999)")
        return _seconds(float(value))
    if isinstance(value, (list, dict, TooDeep)):
        raise ValueError("timestamp is not text or a number")
    text = str(value).strip()[:100]
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return _seconds(seconds)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {text[:40]!r} is neither ISO 8601 nor Unix seconds") from None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _first_given(*values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


def parse_battle(row: Any, not_after: datetime | None = None) -> Battle:
    """One row as a battle; ValueError says what is wrong with it. A time after ``not_after`` (default: a day from
    now, naive UTC) is refused: it would date the whole file in the future."""
    if not isinstance(row, dict):
        raise ValueError(getattr(row, "reason", None) or f"not an object but {type(row).__name__}")
    model_a, model_b = _text(row.get("model_a"), "model_a"), _text(row.get("model_b"), "model_b")
    if model_a is None or model_b is None:
        raise ValueError(f"no {'model_a' if model_a is None else 'model_b'}")
    if model_a == model_b:
        raise ValueError(f"{model_a!r} against itself")
    raw_winner = _text(row.get("winner"), "winner")
    if raw_winner is None:
        raise ValueError("no winner")
    winner = _WINNER_ALIASES.get(raw_winner.lower(), raw_winner.lower())
    if winner not in WINNERS:
        raise ValueError(f"winner {raw_winner[:40]!r} is not one of {', '.join(WINNERS)}")
    category = row.get("category")
    if isinstance(category, dict):  # LMArena's category_tag-like objects are not one category
        raise ValueError("category is an object, not a name")
    happened_at = _timestamp(_first_given(row.get("timestamp"), row.get("tstamp")))
    latest = not_after or latest_allowed_date()
    if happened_at is not None and happened_at > latest:
        raise ValueError(f"timestamp {happened_at.isoformat(sep=' ')} is in the future")
    return Battle(
        model_a,
        model_b,
        winner,
        judge=_text(row.get("judge"), "judge"),
        category=_text(category, "category"),
        language=_text(row.get("language"), "language"),
        question_id=_text(row.get("question_id"), "question_id"),
        happened_at=happened_at,
    )


def _rows(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(1-based position, row, why it could not even be parsed) for each row of the file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            with open_regular(path, MAX_STREAMED_BYTES) as handle:
                for position, line in lines(handle):
                    try:
                        yield position, loads_json(line, f"line {position}"), None
                    except JsonTextError as error:
                        yield position, line[:200], f"not JSON: {error.detail}"
        elif suffix == ".json":
            data = loads_json(read_text(path, MAX_FILE_BYTES), path)
            if isinstance(data, dict) and isinstance(data.get("battles"), list):
                data = data["battles"]
            if not isinstance(data, list):
                raise ImportFormatError(f"{path} holds no list of battles (a JSON list of objects)")
            for position, row in enumerate(data, 1):
                yield position, row, None
        elif suffix == ".csv":
            with open_regular(path, MAX_STREAMED_BYTES) as handle:
                for position, row in enumerate(csv_reader(handle), 1):
                    yield position, row, None
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            with open_regular(path, MAX_STREAMED_BYTES, binary=True) as handle:
                table = pq.read_table(handle)
            columns = {name: table.column(name).to_pylist() for name in table.column_names}
            for index in range(table.num_rows):
                yield index + 1, {name: values[index] for name, values in columns.items()}, None
        else:
            raise ConfigError(f"{path}: give a .json, .jsonl, .csv or .parquet file of battles")
    except (UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        raise ImportFormatError(f"{path} cannot be read as {suffix[1:]}: {error}") from None


def _identity(row: Any) -> Any:
    """A row's identity when it carries one (a time or a question id): the same row again is a repeat. A row
    without either cannot be told from a second, identical vote, and is kept."""
    if not isinstance(row, dict) or (
        row.get("tstamp") in (None, "") and row.get("timestamp") in (None, "") and row.get("question_id") in (None, "")
    ):
        return None
    return row_key(row)


def read_battles(path: Path) -> BattleFile:
    """Every row of a battle file, valid or rejected with its reason; rows repeated (same identity) counted and
    skipped."""
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    found = BattleFile()
    repeats = Repeats()
    not_after = latest_allowed_date()
    for position, row, broken in _rows(path):
        if broken is not None:
            found.rejected.append(Rejection(position, broken, str(row)[:200]))
            continue
        identity = _identity(row)
        if identity is not None and repeats.first_seen(identity, position) is not None:
            continue
        try:
            found.battles.append((position, parse_battle(row, not_after)))
        except ValueError as error:
            found.rejected.append(Rejection(position, str(error), json.dumps(row, default=str)[:200]))
    found.repeated = repeats.count
    if not found.battles and not found.rejected:
        raise ImportFormatError(f"{path} holds no battles")
    return found
