"""The reports' stored tables (store migration 0008): a snapshot's attribution and licences, kept so that a
report reads them instead of building them. A part is used only when its key matches: the code's cache version,
the registry content it was built from and the snapshot's identity (its row, and its tree); otherwise the report
builds it on the fly as before. Storing is a step of its own, after an import, in its own transaction: a killed
run leaves the previous cache or none, never half of one.

The stored rows of a snapshot live in ``report_<part>_<snapshot id>``. The snapshot just stored and the newest
other one stay (:data:`KEPT_SNAPSHOTS`): a daily report compares the latest snapshot with the one before it, and
reads both from the cache; older ones are dropped, so the cache does not grow with history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from modelrace.store import Warehouse, resolve_snapshot

# Bump when the stored tables' shape or meaning changes: older caches are then ignored (and replaced).
CACHE_VERSION = "2"
CACHE_STATE = "report_cache"
# Snapshots whose parts stay stored: the one just stored and the newest other one.
KEPT_SNAPSHOTS = 2
# What version 1 called a part's only table (report_<part>): dropped when the part is next stored.
_LEGACY = "report_{part}"


def stored_name(part: str, snapshot_id: int) -> str:
    """The table that holds ``part`` of a stored snapshot."""
    return f"report_{part}_{int(snapshot_id)}"


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
    return stored_name(part, snapshot_id)


def store_table(
    connection: duckdb.DuckDBPyConnection, part: str, snapshot_id: int, content: str, build: Callable[[str], None]
) -> None:
    """Store ``part`` of ``snapshot_id`` as the table ``build(name)`` creates (built from ``content``), in one
    transaction: written straight into the warehouse, never copied from a temporary table. The newest other stored
    snapshot's part stays; older ones are dropped. A part already stored for this snapshot with the same key is kept
    as it is (importing an older snapshot leaves the latest one's tables valid: nothing to rebuild)."""
    key = cache_key(connection, snapshot_id, content)
    stored = connection.execute(
        f"SELECT cache_key FROM {CACHE_STATE} WHERE part = ? AND snapshot_id = ?", [part, snapshot_id]
    ).fetchall()
    if stored and stored[0][0] == key:
        return
    # Views of stored rows about to be replaced or dropped (a report on this connection) would read other rows, or
    # none: drop them, so the next reader checks the cache again.
    views = connection.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND contains(sql, ?)", [f"report_{part}"]
    ).fetchall()
    for (view,) in views:
        connection.execute(f'DROP VIEW "{view}"')
    others = connection.execute(
        f"SELECT snapshot_id FROM {CACHE_STATE} WHERE part = ? AND snapshot_id <> ? ORDER BY snapshot_id DESC",
        [part, snapshot_id],
    ).fetchall()
    dropped = [int(row[0]) for row in others[KEPT_SNAPSHOTS - 1 :]]
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute(f"DROP TABLE IF EXISTS {_LEGACY.format(part=part)}")
        for old in [snapshot_id, *dropped]:
            connection.execute(f"DELETE FROM {CACHE_STATE} WHERE part = ? AND snapshot_id = ?", [part, old])
            connection.execute(f"DROP TABLE IF EXISTS {stored_name(part, old)}")
        build(stored_name(part, snapshot_id))
        connection.execute(
            f"INSERT INTO {CACHE_STATE} VALUES (?, ?, ?, ?)",
            [part, snapshot_id, key, datetime.now(UTC).replace(tzinfo=None)],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _temporary_kinds(connection: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """'VIEW' and/or 'TABLE': what this connection holds under the temporary name ``name``."""
    rows = connection.execute(
        """SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = $name
           UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE temporary AND table_name = $name""",
        {"name": name},
    ).fetchall()
    return [str(row[0]) for row in rows]


def temporary_exists(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether this connection holds a temporary table or view ``name``."""
    return bool(_temporary_kinds(connection, name))


def open_part(
    connection: duckdb.DuckDBPyConnection,
    part: str,
    snapshot_id: int,
    content: str,
    table: str,
    build: Callable[[str], None],
) -> str:
    """``table`` on this connection: a view of the stored ``part`` when it holds ``snapshot_id`` built from
    ``content`` by this code, else the temporary table ``build(table)`` creates; an earlier call's view or table of
    that name is replaced. Returns ``table``."""
    for kind in _temporary_kinds(connection, table):
        connection.execute(f"DROP {kind} {table}")
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
    ``build(snapshot_id, table)`` from ``content`` (:func:`store_table`); returns the snapshot id."""
    snapshot_id = resolve_snapshot(warehouse, snapshot_ref).snapshot_id
    store_table(warehouse.connection, part, snapshot_id, content, lambda table: build(snapshot_id, table))
    return snapshot_id
