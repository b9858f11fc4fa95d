"""The embedded DuckDB warehouse: opening, schema migrations and transactions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from modelrace.errors import WarehouseBusyError, WarehouseError
from modelrace.store._parquet_folder import attach_views, is_parquet_export

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema step, applied once and recorded in ``schema_migrations``."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The package's migrations, in order (files ``store/migrations/NNNN_name.sql``)."""
    found = []
    for entry in resources.files("modelrace.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    return found


class Warehouse:
    """A DuckDB file holding every snapshot and result; the one place analyses read from."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None, read_only: bool) -> None:
        self.connection = connection
        self.path = path
        self.read_only = read_only
        self.created = False  # this open made the file (a failed first command removes it again, when empty)

    @classmethod
    def open(cls, path: Path | str | None, read_only: bool = False) -> Warehouse:
        """Open (creating and migrating when writable) the warehouse at ``path``; None means in memory."""
        db_path = Path(path) if path is not None else None
        if db_path is not None and db_path.is_dir():
            if not is_parquet_export(db_path):
                raise WarehouseError(f"{db_path} is a folder, not a warehouse file nor a `modelrace export` folder")
            if not read_only:
                raise WarehouseError(f"{db_path} is an exported Parquet folder: it can be read (reports), not written")
            return attach_parquet(db_path)
        if db_path is not None and read_only and not db_path.exists():
            raise WarehouseError(f"no warehouse at {db_path}: run `modelrace sync` or `modelrace import ...` first")
        existed = db_path is None or db_path.exists()
        if db_path is not None and not read_only:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(str(db_path) if db_path else ":memory:", read_only=read_only)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise WarehouseBusyError(
                    f"the warehouse {db_path} is in use by another modelrace process; wait for it to finish"
                ) from error
            raise WarehouseError(f"cannot open the warehouse {db_path}: {error}") from error
        except duckdb.Error as error:
            raise WarehouseError(f"cannot open the warehouse {db_path}: {error}") from error
        warehouse = cls(connection, db_path, read_only)
        warehouse.created = not existed and not read_only
        if not read_only:
            warehouse.migrate()
        elif warehouse._ahead():  # a newer modelrace wrote it: its tables may mean what this one cannot read
            message = warehouse._newer_message()
            warehouse.close()
            raise WarehouseError(message)
        elif warehouse._behind() and db_path is not None:
            # A reader of an older file upgrades it first (a short write), then reads as asked.
            warehouse.close()
            cls.open(db_path).close()
            return cls.open(db_path, read_only=True)
        return warehouse

    def close(self) -> None:
        """Close the connection (DuckDB checkpoints the file)."""
        self.connection.close()

    def holds_nothing(self) -> bool:
        """Whether no table but the schema's own record holds a row."""
        tables = self.connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            " AND table_name <> 'schema_migrations'"
        ).fetchall()
        return not any(self.connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchall() for (name,) in tables)

    def close_discarding_if_new(self) -> bool:
        """Close; and where this open created the file and nothing was stored in it (a failed first import),
        remove it, so that a failed command leaves no empty warehouse behind. Returns whether it was removed."""
        try:
            discard = self.created and self.path is not None and self.holds_nothing()
        except duckdb.Error:
            discard = False
        self.close()
        if discard and self.path is not None:
            for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                leftover.unlink(missing_ok=True)
        return discard

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The highest migration applied, 0 for an empty file."""
        exists = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchall()
        if not exists[0][0]:
            return 0
        rows = self.connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()
        return int(rows[0][0])

    def migrate(self) -> list[int]:
        """Apply the migrations this file lacks, each in its own transaction; return the versions applied."""
        known = migrations()
        if self._ahead():  # a version above ours among them: written by a newer modelrace
            raise WarehouseError(self._newer_message())
        done = self._applied_versions()
        applied = []
        for migration in known:
            # By set, not by "above the highest": a migration numbered below one already applied (parallel
            # branches land out of order) is still applied once.
            if migration.version in done:
                continue
            with self.transaction() as connection:
                if migration.version == 1:
                    connection.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version INTEGER, name VARCHAR, applied_at TIMESTAMP)"
                    )
                connection.execute(migration.sql)
                connection.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
                )
            applied.append(migration.version)
        return applied

    def _applied_versions(self) -> set[int]:
        if self.schema_version == 0:
            return set()
        return {int(row[0]) for row in self.connection.execute("SELECT version FROM schema_migrations").fetchall()}

    def _ahead(self) -> bool:
        """Whether the file holds migrations this modelrace does not know (written by a newer one)."""
        return bool(self._applied_versions() - {m.version for m in migrations()})

    def _newer_message(self) -> str:
        known = migrations()
        return (
            f"the warehouse {self.path} has schema version {self.schema_version}, newer than this modelrace "
            f"({known[-1].version if known else 0}); upgrade modelrace"
        )

    def _behind(self) -> bool:
        """Whether the file lacks migrations this modelrace has (a newer file is refused when migrating)."""
        return bool({m.version for m in migrations()} - self._applied_versions())

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block atomically: everything it writes lands together or not at all."""
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts (for small results)."""
        cursor = self.connection.execute(sql, params or [])
        columns = [d[0] for d in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def attach_parquet(folder: Path) -> Warehouse:
    """A read-only warehouse over an export folder (``modelrace export parquet``): one view per table."""
    return Warehouse(attach_views(folder), folder, read_only=True)
