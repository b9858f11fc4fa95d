"""Reading a usage file boundedly: a regular file only (no device, FIFO or folder), at most ``MAX_BYTES``, read
with one size check before and a bounded read (a file that grows while read is cut at the bound and refused)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from modelrace.errors import ImportFormatError

# The largest usage file read: the rankings pages are ~40 KB, a year of the rankings dataset a few MB.
MAX_BYTES = 64 * 1024 * 1024


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is one ImportFormatError."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO opened for reading must not block
        descriptor = os.open(path, flags)
    except OSError as error:
        raise ImportFormatError(f"{path}: cannot be read: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ImportFormatError(f"{path} is not a regular file")
        if info.st_size > limit:
            raise ImportFormatError(f"{path} is {info.st_size:,} bytes, more than a usage file holds ({limit:,})")
        chunks, read = [], 0
        while True:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - read))
            if not chunk:
                break
            chunks.append(chunk)
            read += len(chunk)
            if read > limit:
                raise ImportFormatError(f"{path} grew past {limit:,} bytes while it was read")
        return b"".join(chunks)
    except OSError as error:
        raise ImportFormatError(f"{path}: cannot be read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def read_json_or_lines(path: Path) -> Any:
    """A JSON document, or JSON Lines (one object a line) as a list; anything else is one ImportFormatError."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFormatError(f"{path} is not UTF-8 text: {error.reason} at byte {error.start}") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ImportFormatError(f"{path} nests JSON deeper than a usage file does") from None
    except ValueError as first:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise ImportFormatError(f"{path} is not JSON: {first}") from None
        rows = []
        for number, line in enumerate(lines, 1):
            try:
                rows.append(json.loads(line))
            except (ValueError, RecursionError) as error:
                raise ImportFormatError(f"{path} is neither JSON nor JSON Lines (line {number}: {error})") from None
        return rows
