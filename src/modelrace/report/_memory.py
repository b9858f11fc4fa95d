"""The report's memory bound: DuckDB spills what exceeds it instead of growing (issue #15: <= 1 GiB peak)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

# DuckDB's buffers while a report builds its attribution and licence tables; with Python, Altair and the
# HTML the process stays under 1 GiB at 2.2 M models (measured ~730 MiB peak, docs/benchmarks.md).
REPORT_MEMORY_LIMIT = "512MB"


@contextmanager
def bounded_memory(connection: duckdb.DuckDBPyConnection, limit: str = REPORT_MEMORY_LIMIT) -> Iterator[None]:
    """Hold the connection's DuckDB memory limit at ``limit`` inside the block; the previous one after it."""
    previous = str(connection.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    connection.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:  # DuckDB shows the limit rounded ('18.8 GiB'): the default comes back exactly, a custom one to 0.1 GiB
        connection.execute("RESET memory_limit")
        if str(connection.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]) != previous:
            connection.execute(f"SET memory_limit = '{previous}'")
