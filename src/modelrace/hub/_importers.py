"""Importers for Hub metadata dumps: the hub-stats ``models.parquet`` and JSON lists of API objects."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from modelrace._files import file_sha256
from modelrace._progress import NoProgress, ProgressSink, query_progress
from modelrace._safe_read import TooDeep, json_list_items
from modelrace.errors import AlreadyImportedError, ImportFormatError
from modelrace.hub._bulk import plan, rows_at
from modelrace.hub._ingest import SnapshotWriter
from modelrace.hub._ingest_stats import IngestStats
from modelrace.hub._llmfit import LLMFIT_DATE_BASIS, LLMFIT_LACKS, is_llmfit, llmfit_date, llmfit_record
from modelrace.hub._provenance import Provenance
from modelrace.hub._records import RECORD_FIELDS
from modelrace.store import Selection, SnapshotInfo, Warehouse, check_selection

# hub-stats (the public dataset cfahlgren1/hub-stats) columns we read; others are ignored.
HUB_STATS_COLUMNS = ("author", *RECORD_FIELDS)
_JSON_COLUMNS = ("baseModels", "safetensors", "cardData")


def _decode_nested(row: dict[str, Any]) -> dict[str, Any]:
    """hub-stats stores some nested fields as JSON text in some releases: decode them when so."""
    for column in _JSON_COLUMNS:
        value = row.get(column)
        if isinstance(value, str):
            try:
                row[column] = json.loads(value) if value.strip() else None
            except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser allows
                row[column] = None if column == "cardData" else value  # a bad card is no reason to reject
    return row


def _date_basis(taken_at: datetime | None) -> str:
    """How an import's data date is found (docs/provenance.md)."""
    return "--taken-at" if taken_at is not None else "newest lastModified of an accepted record"


# When no accepted record carries a lastModified, nothing in the file dates it: the import's own time stands.
_UNDATED = "import time: no accepted record has a lastModified (give --date)"


def _write_file(
    warehouse: Warehouse,
    provenance: Provenance,
    progress: ProgressSink,
    allow_partial: bool,
    stage: Callable[[SnapshotWriter], None],
) -> tuple[SnapshotInfo, IngestStats]:
    """One file as one snapshot: ``stage`` hands the writer the file's records (by the SQL route or record by
    record); undated by the caller, the snapshot takes the newest ``lastModified`` of an accepted record."""
    with SnapshotWriter(warehouse, provenance, progress, allow_partial=allow_partial) as writer:
        stage(writer)
        if provenance.taken_at is None:
            latest = writer.latest_modified()
            if latest is not None:
                writer.provenance = replace(writer.provenance, taken_at=latest)
            else:
                writer.provenance = replace(writer.provenance, date_basis=_UNDATED)
        snapshot = writer.commit()
    return snapshot, writer.stats


def _open_hub_stats(path: Path) -> tuple[pq.ParquetFile, list[str]]:
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as error:
        raise ImportFormatError(f"{path} is not a readable Parquet file: {error}") from None
    names = set(parquet.schema_arrow.names)
    if "id" not in names:
        raise ImportFormatError(
            f"{path} has no `id` column: not a hub-stats models.parquet (columns: {', '.join(sorted(names))})"
        )
    if "downloads" not in names:  # every model would count 0 downloads: shares of nothing, read as shares
        raise ImportFormatError(
            f"{path} has no `downloads` column: not a hub-stats models.parquet, or one cut down "
            f"(columns: {', '.join(sorted(names))})"
        )
    return parquet, [c for c in HUB_STATS_COLUMNS if c in names]


def refuse_if_imported(warehouse: Warehouse, path: Path, sha256: str) -> str:
    """Raise :class:`AlreadyImportedError` when a snapshot holds this file already (the SHA-256 of its bytes: a
    digest of less, the Parquet footer and size, took two files one count apart for one); else return the
    fingerprint to store."""
    fingerprint = f"sha256:{sha256}"
    rows = warehouse.connection.execute(
        "SELECT snapshot_id, data_date, selection FROM snapshots WHERE file_fingerprint = ? ORDER BY 1 LIMIT 1",
        [fingerprint],
    ).fetchall()
    if rows:
        snapshot_id, data_date, selection = rows[0]
        raise AlreadyImportedError(
            f"{path} is already stored as snapshot {snapshot_id} (data of {data_date}, {selection}): nothing to do "
            f"(`modelrace drop snapshot {snapshot_id}` first to import it again, e.g. with another --selection)",
            int(snapshot_id),
        )
    return fingerprint


def _iter_hub_stats(parquet: pq.ParquetFile, columns: list[str], progress: ProgressSink) -> Iterator[dict[str, Any]]:
    for batch in parquet.iter_batches(batch_size=50_000, columns=columns):
        for row in batch.to_pylist():
            yield _decode_nested(row)
        progress.advance(batch.num_rows)


def import_hub_stats(
    warehouse: Warehouse,
    path: Path,
    taken_at: datetime | None = None,
    progress: ProgressSink | None = None,
    vectorised: bool = True,
    *,
    selection: Selection = "complete",
    allow_partial: bool = False,
) -> tuple[SnapshotInfo, IngestStats]:
    """Load a hub-stats ``models.parquet`` as one snapshot.

    Validation is vectorised (``_bulk.py``): DuckDB checks every row against the per-record rules at once and
    stages the rows it can prove valid; the rest (rare) go through ``parse_model`` one by one, so that each
    rejection has the per-record reason. A file whose columns have unexpected types is read record by record,
    as is every file with ``vectorised=False`` (the reference the tests and the bench compare with).
    The snapshot's date is ``taken_at`` if given, else the latest ``lastModified`` of an accepted record (the
    dump cannot be older than its newest record).
    """
    progress = progress or NoProgress()
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    selection = check_selection(selection)  # a wrong argument is said before anything else
    parquet, columns = _open_hub_stats(path)
    rows = parquet.metadata.num_rows
    fingerprint = refuse_if_imported(warehouse, path, file_sha256(path))

    def stage(writer: SnapshotWriter) -> None:
        connection = warehouse.connection
        bulk = plan(connection, path, writer.not_after)
        if not vectorised:
            bulk = replace(bulk, all_rows_need_python="asked to")
        if bulk.all_rows_need_python is None:
            with query_progress(connection, progress, f"validate {path.name} ({rows:,} models)"):
                unusual = writer.stage_query(bulk.select_sql, [str(path)])
            progress.start("check unusual records one by one", len(unusual))
            for position, row in rows_at(connection, path, unusual, columns):
                writer.add_raw(_decode_nested(row), position)
                progress.advance()
        else:
            progress.start(f"import {path.name} record by record ({bulk.all_rows_need_python})", rows)
            for row in _iter_hub_stats(parquet, columns, progress):
                writer.add_raw(row)

    provenance = Provenance(
        "hub-stats",
        source_detail=str(path.resolve()),  # where the file is, whatever the working folder
        taken_at=taken_at,
        selection=selection,
        date_basis=_date_basis(taken_at),
        file_fingerprint=fingerprint,
    )
    return _write_file(warehouse, provenance, progress, allow_partial, stage)


def _json_list_items(text: str, path: Path) -> Iterator[object]:
    """The items of a top-level JSON list, one by one (the shared reader, ``_safe_read.json_list_items``); an item
    nested too deep to parse is a ``TooDeep``: one rejected record, not the file."""
    if not text.lstrip(" \t\n\r").startswith("["):
        raise ImportFormatError(f"{path} is nested deeper than the JSON parser allows and is not a list")
    try:
        yield from json_list_items(text)
    except ValueError as error:
        raise ImportFormatError(f"{path} is not JSON: {error}") from None


def import_hub_json(
    warehouse: Warehouse,
    path: Path,
    taken_at: datetime | None = None,
    progress: ProgressSink | None = None,
    *,
    selection: Selection = "subset",
    allow_partial: bool = False,
) -> tuple[SnapshotInfo, IngestStats]:
    """Load a JSON list of ``/api/models`` objects as one snapshot (dated like :func:`import_hub_stats`).

    Its selection is ``subset`` unless the caller declares it (a file says nothing of how its models were chosen).
    """
    progress = progress or NoProgress()
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    selection = check_selection(selection)  # a wrong argument is said before anything else
    explicit = taken_at is not None
    data = path.read_bytes()
    fingerprint = refuse_if_imported(warehouse, path, hashlib.sha256(data).hexdigest())  # read already
    # Bytes that are not UTF-8 become lone surrogates here, so only the records holding them are rejected.
    text = data.decode("utf-8", "surrogateescape")
    try:
        records: object = json.loads(text)
    except RecursionError:
        # One record nested deeper than the parser allows must cost only that record: read the list item by item.
        records = list(_json_list_items(text, path))
    except ValueError as error:
        raise ImportFormatError(f"{path} is not JSON: {error}") from None
    if isinstance(records, dict) and isinstance(records.get("models"), list):
        records = records["models"]
    if not isinstance(records, list):
        raise ImportFormatError(f"{path} holds a JSON {type(records).__name__}, not a list of model objects")
    llmfit = is_llmfit(records)  # llmfit's Hub figures: one dated version, no licence, no base model
    if llmfit:
        records = [llmfit_record(row) for row in records]
        if taken_at is None and (taken_at := llmfit_date(path)) is None:
            raise ImportFormatError(
                f"{path}: an llmfit version is dated by its file name (..._YYYY-MM-DD.json), and this one gives no "
                "date; pass --date YYYY-MM-DD"
            )
    items: list[object] = records

    def stage(writer: SnapshotWriter) -> None:
        progress.start(f"import {path.name}", len(items))
        for raw in items:
            if isinstance(raw, TooDeep):
                writer.reject_record(f"record is nested deeper than the JSON parser allows (at character {raw.at})")
            else:
                writer.add_raw(raw)
            progress.advance()

    provenance = Provenance(
        "hub-json",
        source_detail=str(path.resolve()),
        taken_at=taken_at,
        selection=selection,
        date_basis=LLMFIT_DATE_BASIS if llmfit and not explicit else _date_basis(taken_at),
        lacks=LLMFIT_LACKS if llmfit else (),
        file_fingerprint=fingerprint,
    )
    return _write_file(warehouse, provenance, progress, allow_partial, stage)
