"""Writing one snapshot atomically: records are staged, then land together with their resolved tree.

A sync or import stages every valid record in a temporary table inside one transaction and commits only
after the whole source was read and the model tree resolved. A killed process (kill -9 included) leaves
no partial snapshot: DuckDB discards the uncommitted transaction when the file is next opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from modelrace._dates import latest_allowed_date
from modelrace._progress import NoProgress, ProgressSink
from modelrace.errors import ModelraceError, WarehouseError, refused_import
from modelrace.hub._bulk import name_params
from modelrace.hub._ingest_stats import (
    MAX_KEPT_REJECTIONS,
    MAX_REJECTION_SAMPLES,
    IngestStats,
    PageRejection,
    Rejection,
    _bounded,
    _claimed_id,
)
from modelrace.hub._records import ModelRecord, RecordError, parse_model
from modelrace.store import SnapshotInfo, Warehouse, resolve_snapshot
from modelrace.tree import resolve_tree

BATCH_SIZE = 20_000
WRITE_MEMORY_LIMIT = "768MB"  # DuckDB's buffer limit while a snapshot is written (issue #15: <= 1.5 GiB peak)
# A version is a model's n-th distinct content: version_id = model_key * 2^20 + n (store migration 0007).
VERSION_BITS = 20
# The content that makes a new version (downloads and likes are per snapshot, not content). DuckDB's hash():
# a DuckDB upgrade that changed it would store each model's content once more, never mix two contents.
CONTENT_HASH = """(hash(s.model_id, s.pipeline_tag, s.library_name, s.tags, s.gated, s.license, s.license_name,
    s.license_link, s.params, s.params_active, s.params_source, s.created_at, s.last_modified, s.base_models) >> 1
    )::BIGINT"""


# A snapshot's source kind when the writer is not told (store/_snapshots.py SourceKind).
_SOURCE_KINDS = {"hub-api": "live", "hub-stats": "hub-stats-file", "hub-json": "hub-json-file"}

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
        source: str,
        source_detail: str | None = None,
        filters: dict[str, Any] | None = None,
        taken_at: datetime | None = None,
        progress: ProgressSink | None = None,
        *,
        source_kind: str | None = None,
        origin: str | None = None,
        selection: str | None = None,
        data_date: str | None = None,
        date_basis: str | None = None,
        lacks: Iterable[str] = (),
        allow_partial: bool = True,
        file_fingerprint: str | None = None,
    ) -> None:
        if warehouse.read_only:
            raise WarehouseError("the warehouse is open read-only")
        self.warehouse = warehouse
        self.source = source
        self.source_detail = source_detail
        self.filters = filters
        self.taken_at = (taken_at or datetime.now(UTC)).replace(tzinfo=None)
        # Provenance (store/_snapshots.py, docs/provenance.md); data_date defaults to taken_at's date at commit.
        self.source_kind = source_kind or _SOURCE_KINDS.get(source, source)
        self.origin = origin if origin is not None else source_detail
        self.selection = selection or ("subset" if source == "hub-json" else "complete")
        self.data_date = data_date
        self.date_basis = date_basis
        self.lacks = tuple(lacks)
        self.file_fingerprint = file_fingerprint
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
            position = self._position
            self._position += 1
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
        position = self._position
        self._position += 1
        self.reject(position, model_id, reason)

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
        raise refused_import(f"{self.source} {self.origin or ''}", f"this snapshot {what}{pages}", self.stats.reasons())

    def commit(self) -> SnapshotInfo:
        """Write the staged records as a new snapshot, resolve its tree, and commit everything at once."""
        if not self._open:
            raise ModelraceError("the snapshot was already committed or abandoned")
        self._flush()
        connection = self.warehouse.connection
        rows = connection.execute("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots").fetchall()
        snapshot_id = int(rows[0][0])
        self._progress.start("store the snapshot", 5)
        staged, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT model_id) FROM staging_models"
        ).fetchall()[0]
        if staged != distinct:
            connection.execute(
                """DELETE FROM staging_models WHERE position IN (
                       SELECT position FROM staging_models
                       QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY position) > 1)"""
            )
        self.stats.accepted = int(distinct)
        self.stats.duplicates = int(staged - distinct)
        if not self.allow_partial:
            self._refuse_if_damaging()
        # Every id seen, as a record or as a referenced base model, gets one integer key, once: a new record's id
        # the next key in the order of the source, then the new ids only named as base models, in id order.
        last_key = int(connection.execute("SELECT coalesce(max(model_key), 0) FROM models").fetchall()[0][0])
        # One pass over the wide staging table: each record's key, content hash and counts (a narrow table the
        # later steps read instead of the staging table). Rows whose model the bulk lookup found carry its key;
        # only the others are joined with the stored ids.
        connection.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE staged_keys AS
            SELECT s.position, s.model_id, s.namespace, FALSE AS is_new, s.known_key AS model_key,
                   CASE WHEN s.known_version IS NULL THEN {CONTENT_HASH} END AS content_hash,
                   s.downloads_30d, s.downloads_all_time, s.likes, s.raw_hash, s.known_version
            FROM staging_models s WHERE s.known_key IS NOT NULL
            UNION ALL
            SELECT position, model_id, namespace, known IS NULL AS is_new,
                   coalesce(known, {last_key} + row_number() OVER (PARTITION BY known IS NULL ORDER BY position))
                       AS model_key,
                   content_hash, downloads_30d, downloads_all_time, likes, raw_hash, known_version
            FROM (SELECT s.position, s.model_id, s.namespace, m.model_key AS known,
                         CASE WHEN s.known_version IS NULL THEN {CONTENT_HASH} END AS content_hash,
                         s.downloads_30d, s.downloads_all_time, s.likes, s.raw_hash, s.known_version
                  FROM staging_models s LEFT JOIN models m USING (model_id) WHERE s.known_key IS NULL)
            """
        )
        connection.execute("INSERT INTO models SELECT model_key, model_id, namespace FROM staged_keys WHERE is_new")
        last_key = int(connection.execute("SELECT coalesce(max(model_key), 0) FROM models").fetchall()[0][0])
        connection.execute(
            f"""
            INSERT INTO models
            SELECT {last_key} + row_number() OVER (ORDER BY model_id), model_id,
                   CASE WHEN contains(model_id, '/') THEN split_part(model_id, '/', 1) END
            FROM (SELECT DISTINCT b.model_id
                  FROM (SELECT unnest(base_models) AS b FROM staging_models WHERE len(base_models) > 0)) AS named
            WHERE NOT EXISTS (SELECT 1 FROM models m WHERE m.model_id = named.model_id)
            """
        )
        self._progress.advance()
        # Each record's content: an existing version of the same model with the same content is reused; a new
        # content gets the model's next version number.
        connection.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE staged_versions AS
            WITH known AS (
                -- The rows that took no version by their raw hash (all of a first import, ~1 % of a daily one).
                SELECT h.position, h.model_key, h.is_new AS new_model, h.content_hash, h.downloads_30d,
                       h.downloads_all_time, h.likes, h.raw_hash, v.version_id AS existing,
                       v.version_id IS NOT NULL AND v.raw_hash IS NULL AS existing_unhashed
                FROM staged_keys h LEFT JOIN model_versions v
                     ON v.model_key = h.model_key AND v.content_hash = h.content_hash
                WHERE h.known_version IS NULL
            ), numbered AS (
                SELECT model_key, max(version_id & {(1 << VERSION_BITS) - 1}) AS last_number
                FROM model_versions
                WHERE model_key IN (SELECT model_key FROM known WHERE existing IS NULL AND NOT new_model)
                GROUP BY model_key
            )
            SELECT k.position, k.model_key, k.content_hash, k.existing IS NULL AS is_new, k.downloads_30d,
                   k.downloads_all_time, k.likes, k.raw_hash, k.existing_unhashed,
                   coalesce(k.existing, (k.model_key::BIGINT << {VERSION_BITS}) + coalesce(n.last_number, 0) + 1)
                       AS version_id
            FROM known k LEFT JOIN numbered n USING (model_key)
            UNION ALL
            SELECT position, model_key, content_hash, FALSE, downloads_30d, downloads_all_time, likes, raw_hash, FALSE,
                   known_version
            FROM staged_keys WHERE known_version IS NOT NULL
            """
        )
        self._progress.advance()
        connection.execute(
            """
            INSERT INTO model_versions
            SELECT k.version_id, k.model_key, s.pipeline_tag, s.library_name, s.tags, s.gated, s.license,
                   s.license_name, s.license_link, s.params, s.params_active, s.params_source,
                   s.created_at, s.last_modified, s.base_models, k.content_hash, s.raw_hash
            FROM staging_models s JOIN staged_versions k USING (position)
            WHERE k.is_new
            """
        )
        # A version reused by its content that keeps no raw hash (parsed in Python, or stored before migration 0009)
        # learns the one of this row, so that the next import takes it without validation.
        unhashed = connection.execute(
            "SELECT count(*) FROM staged_versions WHERE NOT is_new AND existing_unhashed AND raw_hash IS NOT NULL"
        ).fetchall()[0][0]
        if unhashed:
            connection.execute(
                """UPDATE model_versions SET raw_hash = k.raw_hash FROM staged_versions k
                   WHERE model_versions.version_id = k.version_id AND NOT k.is_new AND k.existing_unhashed
                         AND k.raw_hash IS NOT NULL"""
            )
        self._progress.advance()
        # In model_key order: the key and version columns of a snapshot then compress to almost nothing.
        connection.execute(
            """
            INSERT INTO snapshot_models
            SELECT ?, model_key, version_id, downloads_30d, downloads_all_time, likes
            FROM staged_versions
            ORDER BY model_key
            """,
            [snapshot_id],
        )
        connection.execute("DROP TABLE staged_versions")
        connection.execute("DROP TABLE staged_keys")
        self._progress.advance()
        if self._rejections:
            rejected = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB
                [{"position": r.position, "model_id": r.model_id, "reason": r.reason} for r in self._rejections],
                schema=pa.schema([("position", pa.int64()), ("model_id", pa.string()), ("reason", pa.string())]),
            )
            connection.execute(
                "INSERT INTO rejections SELECT ?, position, model_id, reason FROM rejected", [snapshot_id]
            )
        if self._page_rejections:
            pages = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB
                [{"listing": r.listing, "page": r.page, "reason": r.reason} for r in self._page_rejections],
                schema=pa.schema([("listing", pa.string()), ("page", pa.int64()), ("reason", pa.string())]),
            )
            connection.execute("INSERT INTO page_rejections SELECT ?, listing, page, reason FROM pages", [snapshot_id])
        connection.execute(
            """INSERT INTO snapshots (snapshot_id, taken_at, source, source_detail, filters, model_count,
                   rejected_count, duplicate_count, created_at, source_kind, data_date, date_basis, origin, selection,
                   lacks, file_fingerprint)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                snapshot_id,
                self.taken_at,
                self.source,
                self.source_detail,
                json.dumps(self.filters, sort_keys=True) if self.filters is not None else None,
                self.stats.accepted,
                self.stats.rejected,
                self.stats.duplicates,
                datetime.now(UTC).replace(tzinfo=None),
                self.source_kind,
                self.data_date or self.taken_at.date().isoformat(),
                self.date_basis,
                self.origin,
                self.selection,
                json.dumps(sorted(self.lacks)) if self.lacks else None,
                self.file_fingerprint,
            ],
        )
        self._progress.advance()
        resolve_tree(connection, snapshot_id, self._progress, with_stats=False)
        connection.execute("DROP TABLE staging_models")
        connection.execute("COMMIT")
        self._open = False
        self.snapshot = resolve_snapshot(self.warehouse, snapshot_id)
        return self.snapshot
