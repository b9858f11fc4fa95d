"""Writing one snapshot atomically: records are staged, then land together with their resolved tree.

A sync or import stages every valid record in a temporary table inside one transaction and commits only
after the whole source was read and the model tree resolved. A killed process (kill -9 included) leaves
no partial snapshot: DuckDB discards the uncommitted transaction when the file is next opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pyarrow as pa

from modelrace._dates import latest_allowed_date
from modelrace._progress import NoProgress, ProgressSink
from modelrace.errors import ModelraceError, WarehouseError, refused_import
from modelrace.hub._bulk import name_params
from modelrace.hub._commit import (
    drop_duplicates,
    key_models,
    next_snapshot_id,
    number_versions,
    store_membership,
    store_rejections,
    store_snapshot_row,
    store_versions,
)
from modelrace.hub._ingest_stats import (
    MAX_KEPT_REJECTIONS,
    MAX_REJECTION_SAMPLES,
    IngestStats,
    PageRejection,
    Rejection,
    _bounded,
    _claimed_id,
)
from modelrace.hub._provenance import Provenance
from modelrace.hub._records import ModelRecord, RecordError, parse_model
from modelrace.store import SnapshotInfo, Warehouse, resolve_snapshot
from modelrace.tree import resolve_tree

BATCH_SIZE = 20_000
WRITE_MEMORY_LIMIT = "768MB"  # DuckDB's buffer limit while a snapshot is written (issue #15: <= 1.5 GiB peak)
_BASES = pa.list_(pa.struct([("model_id", pa.string()), ("relation", pa.string())]))
_STAGING_SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("model_id", pa.string()),
        ("namespace", pa.string()),
        ("downloads_30d", pa.int64()),
        ("downloads_all_time", pa.int64()),
        ("likes", pa.int64()),
        ("pipeline_tag", pa.string()),
        ("library_name", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("gated", pa.string()),
        ("license", pa.string()),
        ("license_name", pa.string()),
        ("license_link", pa.string()),
        ("params", pa.int64()),
        ("params_active", pa.int64()),
        ("params_source", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("last_modified", pa.timestamp("us")),
        ("base_models", _BASES),
        # Set by the bulk importer's SQL (hub/_bulk.py); a record parsed in Python is clean by construction.
        ("clean", pa.bool_()),
        ("name_needs_python", pa.bool_()),
        ("safetensors_total", pa.int64()),
        # The raw record's hash (hub/_bulk.py RAW_HASH), stored with a new version; None for a record parsed in Python.
        ("raw_hash", pa.int64()),
        # The stored version a bulk row takes unvalidated (its raw record is unchanged); its other columns are NULL.
        ("known_version", pa.int64()),
        # The model's key when the bulk importer's lookup found the model stored (the commit then need not look it up).
        ("known_key", pa.int64()),
    ]
)


class SnapshotWriter:
    """Stage records, then commit them as one snapshot (or nothing). Use as a context manager."""

    def __init__(
        self,
        warehouse: Warehouse,
        provenance: Provenance,
        progress: ProgressSink | None = None,
        *,
        allow_partial: bool = True,
    ) -> None:
        if warehouse.read_only:
            raise WarehouseError("the warehouse is open read-only")
        self.warehouse = warehouse
        # What the snapshot's row will say (hub/_provenance.py); replaced, not edited, by an importer that dates
        # its data while reading.
        self.provenance = provenance.resolved()
        # False: refuse to commit a write that stores nothing or rejects more than half of what it read.
        self.allow_partial = allow_partial
        self.stats = IngestStats()
        self._progress = progress or NoProgress()
        self._position = 0
        self._columns: dict[str, list[Any]] = {name: [] for name in _STAGING_SCHEMA.names}
        self._rejections: list[Rejection] = []
        self._page_rejections: list[PageRejection] = []
        # Records dated after this (now plus a tolerance) are corrupt: they must never date a snapshot.
        self.not_after = latest_allowed_date()
        self._open = False
        self._memory_limit = ""
        self._compression = ""
        self.snapshot: SnapshotInfo | None = None

    def __enter__(self) -> SnapshotWriter:
        connection = self.warehouse.connection
        # A whole-Hub write must fit a laptop: DuckDB spills what exceeds this instead of growing (restored after).
        self._memory_limit = str(connection.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        connection.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
        # Staged rows carry their position and every ordered write says ORDER BY: DuckDB need not keep insertion
        # order, which costs it a third of a whole-Hub staging (issue #15).
        connection.execute("SET preserve_insertion_order = false")
        # FSST string compression costs a fifth of writing a whole Hub's versions and saves ~1 % of their size here.
        self._compression = str(
            connection.execute("SELECT current_setting('disabled_compression_methods')").fetchall()[0][0]
        )
        connection.execute("SET disabled_compression_methods = 'fsst'")
        connection.execute("BEGIN TRANSACTION")
        self._open = True
        connection.execute("DROP TABLE IF EXISTS staging_models")
        connection.register("staging_schema", _STAGING_SCHEMA.empty_table())
        connection.execute("CREATE TEMP TABLE staging_models AS SELECT * FROM staging_schema")
        connection.unregister("staging_schema")
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._open:
            self._open = False
            self.warehouse.connection.execute("ROLLBACK")
        self.warehouse.connection.execute(f"SET memory_limit = '{self._memory_limit}'")
        self.warehouse.connection.execute("RESET preserve_insertion_order")
        self.warehouse.connection.execute(f"SET disabled_compression_methods = '{self._compression}'")

    # -- adding -----------------------------------------------------------------------------------------
    def add_raw(self, raw: object, position: int | None = None) -> ModelRecord | None:
        """Parse and stage one raw record; a bad one is counted and kept with its reason (never raised).

        ``position`` is the record's place in the source (default: the next one); the bulk importer gives the
        positions of the rows it hands over.
        """
        if position is None:
            position = self.claim_position()
        try:
            record = parse_model(raw, self.not_after)
        except RecordError as error:
            reason = str(error)
        except Exception as error:
            reason = f"unreadable record ({type(error).__name__})"
        else:
            self._stage(position, record)
            return record
        self.reject(position, _claimed_id(raw), reason)
        return None

    def stage_query(self, select_sql: str, params: list[Any]) -> list[int]:
        """Stage the rows of ``select_sql`` (the staging columns) that its SQL validation found clean.

        Used by the bulk importer (``_bulk.py``). Returns the positions of the other rows, in order: the caller
        hands them to :meth:`add_raw`, so that each is stored or rejected by the per-record rules.
        """
        self._flush()
        connection = self.warehouse.connection
        columns = ", ".join(_STAGING_SCHEMA.names)
        connection.execute(f"INSERT INTO staging_models SELECT {columns} FROM ({select_sql})", params)
        unclean = connection.execute(
            "SELECT position FROM staging_models WHERE NOT clean ORDER BY position"
        ).fetchnumpy()["position"]
        if len(unclean):
            connection.execute("DELETE FROM staging_models WHERE NOT clean")
        named = connection.execute(
            "SELECT model_id, safetensors_total FROM staging_models WHERE name_needs_python"
        ).fetchall()
        if named:
            fixed = name_params([r[0] for r in named], [r[1] for r in named])  # noqa: F841 - read by DuckDB
            connection.execute(
                """UPDATE staging_models s SET params = f.params, params_active = f.params_active,
                          params_source = f.params_source
                   FROM fixed f WHERE s.model_id = f.model_id AND s.name_needs_python"""
            )
        return [int(p) for p in unclean]

    def reject_record(self, reason: str, model_id: str | None = None) -> None:
        """Count, at the next record position, a record that could not even be read (e.g. nested too deep)."""
        self.reject(self.claim_position(), model_id, reason)

    def claim_position(self) -> int:
        """The next record position in the source (for a record the caller stages or rejects itself)."""
        position = self._position
        self._position += 1
        return position

    def add_many(self, raws: Iterable[object]) -> None:
        """Parse and stage many raw records."""
        for raw in raws:
            self.add_raw(raw)

    def reject(self, position: int, model_id: str | None, reason: str) -> None:
        """Count a refused record with its reason."""
        self.stats.rejected += 1
        reason = _bounded(reason)
        self.stats.count_reason(reason)
        if model_id is not None:
            model_id = model_id.encode("utf-8", "replace").decode("utf-8")[:200]
        rejection = Rejection(position, model_id, reason)
        if len(self._rejections) < MAX_KEPT_REJECTIONS:
            self._rejections.append(rejection)
        if len(self.stats.rejection_samples) < MAX_REJECTION_SAMPLES:
            self.stats.rejection_samples.append(rejection)

    def reject_page(self, page: int, reason: str, listing: str | None = None) -> None:
        """Count a listing page that could not be read (kept apart from record positions)."""
        self.stats.rejected_pages += 1
        reason = _bounded(reason)
        self.stats.count_reason(reason)
        rejection = PageRejection(listing, page, reason)
        if len(self._page_rejections) < MAX_KEPT_REJECTIONS:
            self._page_rejections.append(rejection)
        if len(self.stats.page_rejections) < MAX_REJECTION_SAMPLES:
            self.stats.page_rejections.append(rejection)

    def _stage(self, position: int, record: ModelRecord) -> None:
        # Duplicates (a live listing sorted by downloads can return a model twice when counts move between
        # pages) are dropped at commit, in SQL: the first position of each id is kept.
        columns = self._columns
        columns["position"].append(position)
        columns["model_id"].append(record.model_id)
        columns["namespace"].append(record.namespace)
        columns["downloads_30d"].append(record.downloads_30d)
        columns["downloads_all_time"].append(record.downloads_all_time)
        columns["likes"].append(record.likes)
        columns["pipeline_tag"].append(record.pipeline_tag)
        columns["library_name"].append(record.library_name)
        columns["tags"].append(list(record.tags))
        columns["gated"].append(record.gated)
        columns["license"].append(record.license)
        columns["license_name"].append(record.license_name)
        columns["license_link"].append(record.license_link)
        columns["params"].append(record.params)
        columns["params_active"].append(record.params_active)
        columns["params_source"].append(record.params_source)
        columns["created_at"].append(record.created_at)
        columns["last_modified"].append(record.last_modified)
        columns["base_models"].append(
            [{"model_id": model_id, "relation": relation} for model_id, relation in record.base_models]
        )
        columns["clean"].append(True)
        columns["name_needs_python"].append(False)
        columns["safetensors_total"].append(None)
        columns["raw_hash"].append(None)
        columns["known_version"].append(None)
        columns["known_key"].append(None)
        if len(columns["model_id"]) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self._columns["model_id"]:
            return
        connection = self.warehouse.connection
        connection.register("staging_batch", pa.Table.from_pydict(self._columns, schema=_STAGING_SCHEMA))
        connection.execute("INSERT INTO staging_models SELECT * FROM staging_batch")
        connection.unregister("staging_batch")
        self._columns = {name: [] for name in _STAGING_SCHEMA.names}

    def latest_modified(self) -> datetime | None:
        """The newest ``lastModified`` among the records accepted so far (what dates an import)."""
        self._flush()
        rows = self.warehouse.connection.execute("SELECT max(last_modified) FROM staging_models").fetchall()
        value = rows[0][0]
        return value if isinstance(value, datetime) else None

    # -- committing ---------------------------------------------------------------------------------------
    def _refuse_if_damaging(self) -> None:
        """Raise (the caller's ``with`` rolls everything back) when the write stores nothing or rejects more than
        half of the records it read: such a snapshot would become "latest" and every figure would rest on it."""
        accepted, rejected = self.stats.accepted, self.stats.rejected
        read = accepted + rejected + self.stats.duplicates
        if accepted > 0 and rejected * 2 <= read:
            return
        what = "stores no model" if accepted == 0 else f"rejects {rejected:,} of the {read:,} records it read"
        pages = f" and {self.stats.rejected_pages:,} unreadable pages" if self.stats.rejected_pages else ""
        where = f"{self.provenance.source} {self.provenance.origin or ''}"
        raise refused_import(where, f"this snapshot {what}{pages}", self.stats.reasons())

    def commit(self) -> SnapshotInfo:
        """Write the staged records as a new snapshot, resolve its tree, and commit everything at once."""
        if not self._open:
            raise ModelraceError("the snapshot was already committed or abandoned")
        self._flush()
        connection = self.warehouse.connection
        snapshot_id = next_snapshot_id(connection)
        self._progress.start("store the snapshot", 5)
        self.stats.accepted, self.stats.duplicates = drop_duplicates(connection)
        if not self.allow_partial:
            self._refuse_if_damaging()
        key_models(connection)
        self._progress.advance()
        number_versions(connection)
        self._progress.advance()
        store_versions(connection)
        self._progress.advance()
        store_membership(connection, snapshot_id)
        self._progress.advance()
        store_rejections(connection, snapshot_id, self._rejections, self._page_rejections)
        store_snapshot_row(connection, snapshot_id, self.provenance, self.stats)
        self._progress.advance()
        resolve_tree(connection, snapshot_id, self._progress, with_stats=False)
        connection.execute("DROP TABLE staging_models")
        connection.execute("COMMIT")
        self._open = False
        self.snapshot = resolve_snapshot(self.warehouse, snapshot_id)
        return self.snapshot
