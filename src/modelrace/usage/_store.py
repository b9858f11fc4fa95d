"""Storing usage snapshots: every file read and checked first, then each stored in one transaction of its own.

A bad file (another layout, unreadable, empty) stops the import before anything is written, named in one line.
A file that rejects more than half of its rows, or stores none, is refused unless ``allow_partial``. The same
file twice is recognised by its content hash and not stored again. A killed import leaves the files already
committed and nothing of the one it was writing (DuckDB rolls an open transaction back).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from modelrace._serialise import JsonResult
from modelrace.errors import ImportFormatError, NotFoundError, refused_import
from modelrace.store import Warehouse, tables_with_column
from modelrace.usage._parse import SOURCE, UsageFile, parse_usage
from modelrace.usage._read import read_bytes

_REJECTION_SAMPLES = 10
_ROW_SCHEMA = pa.schema(
    [
        ("usage_snapshot_id", pa.int32()),
        ("position", pa.int32()),
        ("section", pa.string()),
        ("day", pa.date32()),
        ("slug", pa.string()),
        ("author", pa.string()),
        ("rank", pa.int32()),
        ("tokens", pa.float64()),
        ("requests", pa.float64()),
        ("prompt_tokens", pa.float64()),
        ("completion_tokens", pa.float64()),
        ("share_pct", pa.float64()),
        ("share_base", pa.string()),
        ("prompt_usd_per_token", pa.float64()),
        ("completion_usd_per_token", pa.float64()),
        ("is_free", pa.bool_()),
    ]
)
_REJECTION_SCHEMA = pa.schema(
    [
        ("usage_snapshot_id", pa.int32()),
        ("section", pa.string()),
        ("position", pa.int32()),
        ("slug", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)


@dataclass(frozen=True)
class UsageSnapshotSummary(JsonResult):
    """One file's snapshot: what it stored (or, ``already_imported``, found stored) and what it rejected."""

    snapshot_id: int
    source: str
    layout: str
    path: str
    data_date: date
    date_basis: str
    rows: int
    rejected: int
    coverage: dict[str, str]
    already_imported: bool
    rejection_samples: list[dict[str, Any]]


@dataclass(frozen=True)
class UsageImport(JsonResult):
    """Every file of one `import openrouter`."""

    snapshots: list[UsageSnapshotSummary]

    @property
    def stored(self) -> int:
        """How many files were stored now (not found stored)."""
        return sum(not s.already_imported for s in self.snapshots)


def usage_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the ``.json``/``.jsonl`` files under the folders named (sorted, hidden ones skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in (".json", ".jsonl")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.is_file()
            )
            if not inside:
                raise ImportFormatError(f"{path} holds no .json or .jsonl files")
            found.extend(inside)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise ImportFormatError(f"no file or folder at {path}")
    return list(dict.fromkeys(found))


def _json(value: dict[str, Any]) -> str | None:
    return json.dumps(value, default=str, sort_keys=True) if value else None


def _existing(warehouse: Warehouse, digest: str) -> dict[str, Any] | None:
    rows = warehouse.query(
        "SELECT * FROM usage_snapshots WHERE file_sha256 = ? ORDER BY usage_snapshot_id LIMIT 1", [digest]
    )
    return rows[0] if rows else None


def summary_of(row: dict[str, Any], already: bool, samples: list[dict[str, Any]]) -> UsageSnapshotSummary:
    return UsageSnapshotSummary(
        row["usage_snapshot_id"], row["source"], row["layout"], row["path"], row["data_date"], row["date_basis"],
        row["rows"], row["rejected"], json.loads(row["coverage"]), already, samples,
    )  # fmt: skip


def store_usage_file(warehouse: Warehouse, parsed: UsageFile, location: str, digest: str) -> int:
    """Store one parsed file as a snapshot, in one transaction; returns its id."""
    with warehouse.transaction() as connection:
        snapshot_id = int(
            connection.execute("SELECT coalesce(max(usage_snapshot_id), 0) + 1 FROM usage_snapshots").fetchall()[0][0]
        )
        connection.execute(
            "INSERT INTO usage_snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                snapshot_id,
                SOURCE,
                parsed.layout,
                location,
                digest,
                parsed.data_date,
                parsed.date_basis,
                datetime.now(UTC).replace(tzinfo=None),
                len(parsed.rows),
                len(parsed.rejected),
                json.dumps(parsed.coverage, sort_keys=True),
                _json(parsed.notes),
            ],
        )
        if parsed.rows:
            rows = [{**asdict(r), "usage_snapshot_id": snapshot_id} for r in parsed.rows]
            connection.register("new_usage_rows", pa.Table.from_pylist(rows, schema=_ROW_SCHEMA))
            connection.execute(f"INSERT INTO usage_rows SELECT {', '.join(_ROW_SCHEMA.names)} FROM new_usage_rows")
            connection.unregister("new_usage_rows")
        if parsed.rejected:
            rejected = [{**asdict(r), "usage_snapshot_id": snapshot_id} for r in parsed.rejected]
            connection.register("new_usage_rejections", pa.Table.from_pylist(rejected, schema=_REJECTION_SCHEMA))
            connection.execute(
                f"INSERT INTO usage_rejections SELECT {', '.join(_REJECTION_SCHEMA.names)} FROM new_usage_rejections"
            )
            connection.unregister("new_usage_rejections")
    return snapshot_id


def import_usage(warehouse: Warehouse, paths: Sequence[Path], *, allow_partial: bool = False) -> UsageImport:
    """Import OpenRouter usage files and folders: all read and checked first, then one transaction per file."""
    files = usage_files(paths)
    checked: list[tuple[Path, str, UsageFile | None]] = []
    for path in files:
        digest = hashlib.sha256(read_bytes(path)).hexdigest()
        if _existing(warehouse, digest) is not None or any(d == digest for _, d, _ in checked):
            checked.append((path, digest, None))
            continue
        parsed = parse_usage(path)
        read = len(parsed.rows) + len(parsed.rejected)
        if not allow_partial and (not parsed.rows or len(parsed.rejected) * 2 > read):
            what = f"it rejects {len(parsed.rejected):,} of the {read:,} rows it read"
            raise refused_import(f"openrouter {path}", what, parsed.reasons())
        checked.append((path, digest, parsed))
    summaries = []
    for path, digest, checked_file in checked:
        if checked_file is None:
            stored = _existing(warehouse, digest)
            if stored is not None:
                summaries.append(summary_of(stored, True, []))
            continue
        snapshot_id = store_usage_file(warehouse, checked_file, str(path.resolve()), digest)
        stored = warehouse.query("SELECT * FROM usage_snapshots WHERE usage_snapshot_id = ?", [snapshot_id])[0]
        samples = [asdict(r) for r in checked_file.rejected[:_REJECTION_SAMPLES]]
        summaries.append(summary_of(stored, False, samples))
    return UsageImport(summaries)


@dataclass(frozen=True)
class UsageSnapshotInfo(JsonResult):
    """One stored usage snapshot, as `modelrace imports` lists it."""

    usage_snapshot_id: int
    source: str
    layout: str
    path: str
    data_date: date
    date_basis: str
    rows: int
    rejected: int
    coverage: dict[str, str]


def list_usage_snapshots(warehouse: Warehouse) -> list[UsageSnapshotInfo]:
    """Every usage snapshot, oldest id first."""
    rows = warehouse.query(
        """SELECT usage_snapshot_id, source, layout, path, data_date, date_basis, rows, rejected, coverage
           FROM usage_snapshots ORDER BY usage_snapshot_id"""
    )
    return [UsageSnapshotInfo(**{**row, "coverage": json.loads(row["coverage"] or "{}")}) for row in rows]


def drop_usage_snapshot(warehouse: Warehouse, usage_snapshot_id: int) -> UsageSnapshotInfo:
    """Remove one usage snapshot and its rows and rejections in one transaction (the file can then be imported
    again); return what was removed."""
    found = [s for s in list_usage_snapshots(warehouse) if s.usage_snapshot_id == usage_snapshot_id]
    if not found:
        raise NotFoundError(f"no usage snapshot {usage_snapshot_id}: `modelrace imports` lists them")
    with warehouse.transaction() as connection:
        for table in tables_with_column(warehouse, "usage_snapshot_id"):  # a later table keyed on it too
            if table != "usage_snapshots":
                connection.execute(f'DELETE FROM "{table}" WHERE usage_snapshot_id = ?', [usage_snapshot_id])
        connection.execute("DELETE FROM usage_snapshots WHERE usage_snapshot_id = ?", [usage_snapshot_id])
    return found[0]
