"""Reading files from outside as the Hub importers do: regular files only, with a size cap; JSON nested no deeper
than a bound (an over-deep value is one marker, not a RecursionError); CSV with or without a UTF-8 BOM; numbers
finite and bounded; repeated rows counted.

Every importer of results, battles or usage reads through these (issue #29). Nothing here knows a publisher's
format: an importer checks shapes and turns a marker or a bad number into a row rejected with its reason.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from modelrace.errors import ImportFormatError

# A results or battles file read whole (the largest real one is ~4 MB; LMArena's full battle dump ~1 GB as JSONL,
# which is streamed, not read whole).
MAX_FILE_BYTES = 1 << 30
# A companion file (LMArena's organisation/price file, LiveBench's categories): ~50 kB in real data.
MAX_COMPANION_BYTES = 64 << 20
# Deeper than any publisher nests (lm-eval's config is the deepest, ~5 levels); far below Python's recursion limit.
MAX_JSON_DEPTH = 64
# No published figure (a score, a rating, a price, a parameter count, training FLOP ~1e26) is larger.
MAX_MAGNITUDE = 1e30


@dataclass(frozen=True)
class TooDeep:
    """Where a JSON array or object nested deeper than :data:`MAX_JSON_DEPTH` stood: never a dict, list, str or
    number, so an importer's shape checks reject the row holding it."""

    at: int  # character offset in the text

    @property
    def reason(self) -> str:
        """Why the row holding it is rejected."""
        return f"nested deeper than {MAX_JSON_DEPTH} levels (at character {self.at})"

    def __str__(self) -> str:
        return f"<{self.reason}>"


class JsonTextError(ImportFormatError):
    """A text that is not JSON; ``detail`` says where, without the file's name (a JSONL line's rejection)."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def find_too_deep(value: object) -> TooDeep | None:
    """The first :class:`TooDeep` inside a parsed value (which is itself bounded in depth), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, TooDeep):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _refuse(path: Path, why: str) -> ImportFormatError:
    return ImportFormatError(f"{path} {why}")


def open_regular(path: Path, max_bytes: int = MAX_FILE_BYTES, binary: bool = False) -> IO[Any]:
    """Open ``path`` for reading only if it is a regular file no larger than ``max_bytes``.

    Opened non-blocking first and checked on the open descriptor (a FIFO never blocks the open, and a file swapped
    between a check and the open is still caught); a device such as /dev/zero or a FIFO is refused, never read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _refuse(path, "does not exist") from None
    except IsADirectoryError:
        raise _refuse(path, "is a folder, not a file") from None
    except OSError as error:
        raise _refuse(path, f"cannot be opened: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device"
            raise _refuse(path, f"is {kind}, not a regular file: refused (only regular files are read)")
        if info.st_size > max_bytes:
            raise _refuse(path, f"is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit for this file")
        os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    if binary:
        return handle
    return io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``max_bytes`` (a file that grows while read is cut off, and refused)."""
    with open_regular(path, max_bytes, binary=True) as handle:
        data: bytes = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(path, f"grew past the {max_bytes:,}-byte limit while read")
    return data


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A regular file as UTF-8 text, a leading BOM dropped."""
    try:
        return read_bytes(path, max_bytes).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(path, f"is not UTF-8 text: {error}") from None


# ---------------------------------------------------------------------------------- JSON
_STEP = np.zeros(256, np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1
_KEEP = frozenset(b'[]{}"')
_DROP = bytes(i for i in range(256) if i not in _KEEP)


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored), without
    recursion; cheap when the text holds few brackets."""
    brackets = text.count("[") + text.count("{")
    if brackets <= MAX_JSON_DEPTH:
        return brackets  # an upper bound that is already within the limit
    return bytes_nesting_depth(text.encode("utf-8", "surrogatepass"))


def bytes_nesting_depth(body: bytes) -> int:
    """:func:`nesting_depth` of JSON bytes, vectorised (the Hub's page reader checks every page with it)."""
    structure = body.translate(None, _DROP)
    if b"\\" in body:  # escaped quotes or backslashes: drop the escapes first (rare: costs a pass more)
        structure = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DROP)
    marks = np.frombuffer(structure, np.uint8)
    if not len(marks):
        return 0
    outside = (np.cumsum(marks == ord('"'), dtype=np.int32) & 1) == 0
    return int(np.cumsum(_STEP[marks] * outside, dtype=np.int64).max())


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_STRUCTURE = re.compile(r'["\[\]{}]')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _space(text: str, at: int) -> int:
    found = _SPACE.match(text, at)
    return found.end() if found else at


def _skip_container(text: str, start: int) -> int:
    """The end of the array or object starting at ``start``, found without recursion."""
    depth, at = 0, start
    while True:
        found = _STRUCTURE.search(text, at)
        if found is None:
            raise ValueError(f"an array or object at character {start} never ends")
        if found.group() == '"':
            string = _STRING.match(text, found.start())
            if string is None:
                raise ValueError(f"a string at character {found.start()} never ends")
            at = string.end()
            continue
        depth += 1 if found.group() in "[{" else -1
        at = found.end()
        if depth == 0:
            return at


def _bounded(text: str, at: int, depth: int) -> tuple[Any, int]:
    """One JSON value at ``at``: containers parsed here down to the limit (recursion bounded by it), a container
    below it skipped as one :class:`TooDeep`, scalars by the standard decoder."""
    at = _space(text, at)
    opening = text[at : at + 1]
    if opening not in ("[", "{"):
        value, end = _DECODER.raw_decode(text, at)
        return value, end
    if depth >= MAX_JSON_DEPTH:
        return TooDeep(at), _skip_container(text, at)
    closing = "]" if opening == "[" else "}"
    items: list[Any] = []
    pairs: dict[str, Any] = {}
    at = _space(text, at + 1)
    if text.startswith(closing, at):
        return (items if opening == "[" else pairs), at + 1
    while True:
        if opening == "{":
            key, at = _DECODER.raw_decode(text, _space(text, at))
            if not isinstance(key, str):
                raise ValueError(f"an object key at character {at} is not a string")
            at = _space(text, at)
            if not text.startswith(":", at):
                raise ValueError(f"expected ':' at character {at}")
            pairs[key], at = _bounded(text, at + 1, depth + 1)
        else:
            item, at = _bounded(text, at, depth + 1)
            items.append(item)
        at = _space(text, at)
        if text.startswith(closing, at):
            return (items if opening == "[" else pairs), at + 1
        if not text.startswith(",", at):
            raise ValueError(f"expected ',' or '{closing}' at character {at}")
        at += 1


def loads_json(text: str, path: Path | str = "JSON") -> Any:
    """Parse a JSON text; any array or object nested deeper than :data:`MAX_JSON_DEPTH` becomes a
    :class:`TooDeep` where it stood (the rest is kept). ``NaN``/``Infinity`` and numbers too large for a float
    parse to non-finite floats: :func:`finite` turns them into a row's rejection."""
    text = text.removeprefix("\ufeff")
    try:
        if nesting_depth(text) <= MAX_JSON_DEPTH:
            return json.loads(text)
        value, end = _bounded(text, 0, 0)
        if _space(text, end) != len(text):
            raise ValueError(f"extra data at character {end}")
        return value
    except (ValueError, RecursionError) as error:
        detail = str(error)[:200]
        raise JsonTextError(f"{path} is not valid JSON: {detail}", detail) from None


def json_list_items(text: str) -> Iterator[Any]:
    """The items of a top-level JSON list one by one, each as the standard decoder reads it; an item nested too
    deep for it is a :class:`TooDeep` (one rejected record, not the whole list). ValueError when the text is not a
    JSON list."""
    at = _space(text, 0)
    if not text.startswith("[", at):
        raise ValueError("not a JSON list")
    at = _space(text, at + 1)
    if text.startswith("]", at):
        return
    while True:
        item: Any
        try:
            item, at = _DECODER.raw_decode(text, at)
        except RecursionError:
            if not text.startswith(("[", "{"), at):
                raise ValueError(f"not JSON at character {at}") from None
            item, at = TooDeep(at), _skip_container(text, at)
        yield item
        at = _space(text, at)
        if text.startswith("]", at):
            if _space(text, at + 1) != len(text):
                raise ValueError(f"extra data at character {at + 1}")
            return
        if not text.startswith(",", at):
            raise ValueError(f"expected ',' or ']' at character {at}")
        at = _space(text, at + 1)


def read_json(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """A regular file (at most ``max_bytes``) parsed by :func:`loads_json`."""
    return loads_json(read_text(path, max_bytes), path)


# ---------------------------------------------------------------------------------- CSV
def csv_reader(handle: IO[str], restkey: str | None = None) -> csv.DictReader[str]:
    """A DictReader whose first column's name carries no BOM (a file opened without ``utf-8-sig``)."""
    reader = csv.DictReader(handle, restkey=restkey)
    if reader.fieldnames:
        reader.fieldnames = [reader.fieldnames[0].removeprefix("\ufeff"), *reader.fieldnames[1:]]
    return reader


# ---------------------------------------------------------------------------------- numbers
def finite(value: float, field_name: str, bound: float = MAX_MAGNITUDE) -> float:
    """``value`` if finite and within ``±bound``; else ValueError naming the field (a row's rejection)."""
    if not math.isfinite(value):
        raise ValueError(f"{field_name} {value!r} is not a finite number")
    if abs(value) > bound:
        raise ValueError(f"{field_name} {value:.3g} is out of range (over {bound:.3g})")
    return value


def number(value: object, field_name: str, bound: float = MAX_MAGNITUDE) -> float | None:
    """A JSON number as a finite, bounded float (None for no number: a string, null, a bool); ValueError for a
    non-finite or out-of-range one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        as_float = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError(f"{field_name} is out of range (over {bound:.3g})") from None
    return finite(as_float, field_name, bound)


# ---------------------------------------------------------------------------------- repeated rows
class Repeats:
    """Counts rows seen before in the same file (a file concatenated with itself, a header repeated inside it)."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, int] = {}
        self.count = 0

    def first_seen(self, key: Hashable, position: int) -> int | None:
        """None the first time ``key`` is seen (remembering ``position``); else the position it was first seen at,
        counted as a repeat."""
        earlier = self._seen.setdefault(key, position)
        if earlier == position:
            return None
        self.count += 1
        return earlier


def row_key(row: dict[str, Any]) -> Hashable:
    """A row's identity for :class:`Repeats`: its fields and values (JSON text where a value is nested)."""
    try:
        return frozenset(row.items())  # the common case: every value a scalar
    except TypeError:
        return tuple(sorted((str(k), json.dumps(v, sort_keys=True, default=str)) for k, v in row.items()))


def lines(handle: IO[str]) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of a text file, blank lines skipped."""
    for position, line in enumerate(handle, 1):
        if line.strip():
            yield position, line
