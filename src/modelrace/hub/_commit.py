"""The named steps of a snapshot's commit (``SnapshotWriter.commit``), each one SQL stage over the staged records.

They run in the writer's transaction, in this order: :func:`drop_duplicates`, :func:`key_models`,
:func:`number_versions`, :func:`store_versions`, :func:`store_membership`, :func:`store_rejections`,
:func:`store_snapshot_row`; then the tree is resolved and the transaction committed. ``staging_models`` holds the
staged records (hub/_ingest.py); ``staged_keys`` and ``staged_versions`` are the narrow tables between the steps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from modelrace.hub._ingest_stats import IngestStats, PageRejection, Rejection
from modelrace.hub._provenance import Provenance

# A version is a model's n-th distinct content: version_id = model_key * 2^20 + n (store migration 0007).
VERSION_BITS = 20
# The content that makes a new version (downloads and likes are per snapshot, not content). DuckDB's hash():
# a DuckDB upgrade that changed it would store each model's content once more, never mix two contents.
CONTENT_HASH = """(hash(s.model_id, s.pipeline_tag, s.library_name, s.tags, s.gated, s.license, s.license_name,
    s.license_link, s.params, s.params_active, s.params_source, s.created_at, s.last_modified, s.base_models) >> 1
    )::BIGINT"""


def next_snapshot_id(connection: duckdb.DuckDBPyConnection) -> int:
    """The id the new snapshot takes."""
    rows = connection.execute("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots").fetchall()
    return int(rows[0][0])


def drop_duplicates(connection: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Keep the first position of each staged id; return (records kept, duplicates dropped)."""
    staged, distinct = connection.execute("SELECT count(*), count(DISTINCT model_id) FROM staging_models").fetchall()[0]
    if staged != distinct:
        connection.execute(
            """DELETE FROM staging_models WHERE position IN (
                   SELECT position FROM staging_models
                   QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY position) > 1)"""
        )
    return int(distinct), int(staged - distinct)


def key_models(connection: duckdb.DuckDBPyConnection) -> None:
    """Give every id seen its model key (``staged_keys``), storing the new ids in ``models``."""
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


def number_versions(connection: duckdb.DuckDBPyConnection) -> None:
    """Each record's version (``staged_versions``): a stored one of the same content, or the model's next."""
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


def store_versions(connection: duckdb.DuckDBPyConnection) -> None:
    """Store the new versions' content; a reused version without a raw hash learns this record's."""
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


def store_membership(connection: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Store which version of which model the snapshot holds, with its counts (``snapshot_models``)."""
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


def store_rejections(
    connection: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    rejections: list[Rejection],
    page_rejections: list[PageRejection],
) -> None:
    """Store the kept rejections of records and of listing pages."""
    if rejections:
        rejected = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB
            [{"position": r.position, "model_id": r.model_id, "reason": r.reason} for r in rejections],
            schema=pa.schema([("position", pa.int64()), ("model_id", pa.string()), ("reason", pa.string())]),
        )
        connection.execute("INSERT INTO rejections SELECT ?, position, model_id, reason FROM rejected", [snapshot_id])
    if page_rejections:
        pages = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB
            [{"listing": r.listing, "page": r.page, "reason": r.reason} for r in page_rejections],
            schema=pa.schema([("listing", pa.string()), ("page", pa.int64()), ("reason", pa.string())]),
        )
        connection.execute("INSERT INTO page_rejections SELECT ?, listing, page, reason FROM pages", [snapshot_id])


def store_snapshot_row(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, provenance: Provenance, stats: IngestStats
) -> None:
    """Store the snapshot's row: its provenance and counts."""
    connection.execute(
        """INSERT INTO snapshots (snapshot_id, taken_at, source, source_detail, filters, model_count,
               rejected_count, duplicate_count, created_at, source_kind, data_date, date_basis, origin, selection,
               lacks, file_fingerprint)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            snapshot_id,
            provenance.taken_at,
            provenance.source,
            provenance.source_detail,
            json.dumps(provenance.filters, sort_keys=True) if provenance.filters is not None else None,
            stats.accepted,
            stats.rejected,
            stats.duplicates,
            datetime.now(UTC).replace(tzinfo=None),
            provenance.source_kind,
            provenance.stored_date,
            provenance.date_basis,
            provenance.origin,
            provenance.selection,
            json.dumps(sorted(provenance.lacks)) if provenance.lacks else None,
            provenance.file_fingerprint,
        ],
    )
