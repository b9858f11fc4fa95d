"""The report's DuckDB memory bound is held while it builds and given back after (issue #15)."""

from __future__ import annotations

import duckdb

from modelrace.report._memory import bounded_memory


def _limit(connection: duckdb.DuckDBPyConnection) -> str:
    return str(connection.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def test_the_limit_holds_inside_and_the_default_comes_back() -> None:
    connection = duckdb.connect()
    before = _limit(connection)
    with bounded_memory(connection, "256MB"):
        assert _limit(connection) == "244.1 MiB"
    assert _limit(connection) == before


def test_a_limit_set_before_comes_back() -> None:
    connection = duckdb.connect()
    connection.execute("SET memory_limit = '1GiB'")
    before = _limit(connection)
    with bounded_memory(connection, "256MB"):
        assert _limit(connection) == "244.1 MiB"
    assert _limit(connection) == before


def test_the_previous_limit_comes_back_after_an_error() -> None:
    connection = duckdb.connect()
    before = _limit(connection)
    try:
        with bounded_memory(connection, "256MB"):
            raise RuntimeError("a failing report")
    except RuntimeError:
        pass
    assert _limit(connection) == before
