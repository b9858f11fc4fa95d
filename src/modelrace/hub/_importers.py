"""Importers for Hub metadata dumps: the hub-stats ``models.parquet`` and JSON lists of API objects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from modelrace._progress import NoProgress, ProgressSink
from modelrace.errors import ImportFormatError
from modelrace.hub._ingest import IngestStats, SnapshotWriter
from modelrace.store import SnapshotInfo, Warehouse

# hub-stats (the public dataset cfahlgren1/hub-stats) columns we read; others are ignored.
HUB_STATS_COLUMNS = (
    "id",
    "author",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "lastModified",
    "baseModels",
    "safetensors",
    "cardData",
    "gated",
)
_JSON_COLUMNS = ("baseModels", "safetensors", "cardData")


def _decode_nested(row: dict[str, Any]) -> dict[str, Any]:
    """hub-stats stores some nested fields as JSON text in some releases: decode them when so."""
    for column in _JSON_COLUMNS:
        value = row.get(column)
        if isinstance(value, str):
            try:
                row[column] = json.loads(value) if value.strip() else None
            except ValueError:
                row[column] = None if column == "cardData" else value  # a bad card is no reason to reject
    return row


def _latest_timestamp(rows_max: datetime | None, value: object) -> datetime | None:
    if isinstance(value, datetime):
        stamp = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return rows_max
        stamp = parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    else:
        return rows_max
    return stamp if rows_max is None or stamp > rows_max else rows_max


def _iter_hub_stats(path: Path, progress: ProgressSink) -> Iterator[dict[str, Any]]:
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as error:
        raise ImportFormatError(f"{path} is not a readable Parquet file: {error}") from None
    names = set(parquet.schema_arrow.names)
    if "id" not in names:
        raise ImportFormatError(
            f"{path} has no `id` column: not a hub-stats models.parquet (columns: {', '.join(sorted(names))})"
        )
    columns = [c for c in HUB_STATS_COLUMNS if c in names]
    progress.start(f"import {path.name}", parquet.metadata.num_rows)
    for batch in parquet.iter_batches(batch_size=50_000, columns=columns):
        for row in batch.to_pylist():
            yield _decode_nested(row)
        progress.advance(batch.num_rows)


def import_hub_stats(
    warehouse: Warehouse,
    path: Path,
    taken_at: datetime | None = None,
    progress: ProgressSink | None = None,
) -> tuple[SnapshotInfo, IngestStats]:
    """Load a hub-stats ``models.parquet`` as one snapshot.

    The snapshot's date is ``taken_at`` if given, else the latest ``lastModified`` in the file (the dump
    cannot be older than its newest record).
    """
    progress = progress or NoProgress()
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    latest: datetime | None = None
    with SnapshotWriter(warehouse, source="hub-stats", source_detail=str(path), taken_at=taken_at) as writer:
        for row in _iter_hub_stats(path, progress):
            latest = _latest_timestamp(latest, row.get("lastModified"))
            writer.add_raw(row)
        if taken_at is None and latest is not None:
            writer.taken_at = latest
        progress.start("resolve model tree and commit", None)
        snapshot = writer.commit()
    return snapshot, writer.stats


def import_hub_json(
    warehouse: Warehouse,
    path: Path,
    taken_at: datetime | None = None,
    progress: ProgressSink | None = None,
) -> tuple[SnapshotInfo, IngestStats]:
    """Load a JSON list of ``/api/models`` objects as one snapshot (dated like :func:`import_hub_stats`)."""
    progress = progress or NoProgress()
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    # Bytes that are not UTF-8 become lone surrogates here, so only the records holding them are rejected.
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    try:
        records = json.loads(text)
    except ValueError as error:
        raise ImportFormatError(f"{path} is not JSON: {error}") from None
    if isinstance(records, dict) and isinstance(records.get("models"), list):
        records = records["models"]
    if not isinstance(records, list):
        raise ImportFormatError(f"{path} holds a JSON {type(records).__name__}, not a list of model objects")
    latest: datetime | None = None
    progress.start(f"import {path.name}", len(records))
    with SnapshotWriter(warehouse, source="hub-json", source_detail=str(path), taken_at=taken_at) as writer:
        for raw in records:
            if isinstance(raw, dict):
                latest = _latest_timestamp(latest, raw.get("lastModified"))
            writer.add_raw(raw)
            progress.advance()
        if taken_at is None and latest is not None:
            writer.taken_at = latest
        progress.start("resolve model tree and commit", None)
        snapshot = writer.commit()
    return snapshot, writer.stats
