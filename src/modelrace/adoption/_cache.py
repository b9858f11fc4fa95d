"""The reports' stored tables (store migration 0008): one snapshot's attribution and licences, kept so that a
report reads them instead of building them. A part is used only when its key matches: the code's cache version,
the registry content it was built from and the snapshot's identity (its row, and its tree); otherwise the report
builds it on the fly as before. Storing is a step of its own, after an import, in its own transaction: a killed
run leaves the previous cache or none, never half of one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from modelrace.store import Warehouse, resolve_snapshot

# Bump when the stored tables' shape or meaning changes: older caches are then ignored (and replaced).
CACHE_VERSION = "1"
CACHE_STATE = "report_cache"


def cache_key(connection: duckdb.DuckDBPyConnection, snapshot_id: int, *content: str) -> str:
    """The key of a part built for ``snapshot_id`` from ``content`` (e.g. a registry's JSON)."""
    identity = connection.execute(
        """SELECT s.created_at, s.model_count,
                  (SELECT count(*) FROM model_tree WHERE snapshot_id = s.snapshot_id),
                  (SELECT coalesce(sum(root_key), 0) FROM model_tree WHERE snapshot_id = s.snapshot_id)
           FROM snapshots s WHERE s.snapshot_id = ?""",
        [snapshot_id],
    ).fetchall()
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, str(snapshot_id), repr(identity), *content):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _has_cache(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has the cache table (an attached Parquet export, or an old file, does not)."""
    rows = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main' AND table_name = ?",
        [CACHE_STATE],
    ).fetchall()
    return bool(rows[0][0])


def cached_table(connection: duckdb.DuckDBPyConnection, part: str, snapshot_id: int, content: str) -> str | None:
    """The stored table of ``part`` when it holds ``snapshot_id`` built from ``content`` by this code; else None."""
    if not _has_cache(connection):
        return None
    rows = connection.execute(
        f"SELECT cache_key FROM {CACHE_STATE} WHERE part = ? AND snapshot_id = ?", [part, snapshot_id]
    ).fetchall()
    if not rows or rows[0][0] != cache_key(connection, snapshot_id, content):
        return None
    return f"report_{part}"


def store_table(
    connection: duckdb.DuckDBPyConnection, part: str, snapshot_id: int, content: str, build: Callable[[str], None]
) -> None:
    """Replace the stored ``part`` with the table ``build(name)`` creates (built for ``snapshot_id`` from
    ``content``), in one transaction: written straight into the warehouse, never copied from a temporary table.
    A part already stored for this snapshot with the same key is kept as it is (importing an older snapshot leaves
    the latest one's tables valid: nothing to rebuild)."""
    key = cache_key(connection, snapshot_id, content)
    stored = connection.execute(
        f"SELECT cache_key FROM {CACHE_STATE} WHERE part = ? AND snapshot_id = ?", [part, snapshot_id]
    ).fetchall()
    if stored and stored[0][0] == key:
        return
    # Views of the rows about to be replaced (a report on this connection) would read the new snapshot's rows:
    # drop them, so the next reader checks the cache again.
    views = connection.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND contains(sql, ?)", [f"report_{part}"]
    ).fetchall()
    for (view,) in views:
        connection.execute(f'DROP VIEW "{view}"')
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute(f"DELETE FROM {CACHE_STATE} WHERE part = ?", [part])
        build(f"report_{part}")
        connection.execute(
            f"INSERT INTO {CACHE_STATE} VALUES (?, ?, ?, ?)",
            [part, snapshot_id, key, datetime.now(UTC).replace(tzinfo=None)],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def open_part(
    connection: duckdb.DuckDBPyConnection,
    part: str,
    snapshot_id: int,
    content: str,
    table: str,
    build: Callable[[str], None],
) -> str:
    """``table`` on this connection: a view of the stored ``part`` when it holds ``snapshot_id`` built from
    ``content`` by this code, else the temporary table ``build(table)`` creates. Returns ``table``."""
    stored = cached_table(connection, part, snapshot_id, content)
    if stored is None:
        build(table)
    else:
        connection.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {stored}")
    return table


def store_part(
    warehouse: Warehouse, part: str, snapshot_ref: str | int | None, content: str, build: Callable[[int, str], None]
) -> int:
    """Store ``part`` of a snapshot (default: the latest, the one a report opens), built by
    ``build(snapshot_id, table)`` from ``content``, replacing the one stored before; returns the snapshot id."""
    snapshot_id = resolve_snapshot(warehouse, snapshot_ref).snapshot_id
    store_table(warehouse.connection, part, snapshot_id, content, lambda table: build(snapshot_id, table))
    return snapshot_id
