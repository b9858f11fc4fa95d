"""What the machine refuses (a full disk, a read-only folder, a failed commit) and Ctrl-C inside a DuckDB query reach
the user as one line and an exit code, with JSON on stdout under --json: never a traceback."""

from __future__ import annotations

import json

import duckdb
import pytest
import typer

from modelrace.cli._app import state, user_errors
from modelrace.errors import WarehouseError


@pytest.fixture
def as_json() -> object:
    state.as_json = True
    yield
    state.as_json = False


@pytest.mark.parametrize(
    "error",
    [
        duckdb.TransactionException("Failed to commit: could not write x.duckdb.wal: No space left on device"),
        duckdb.IOException('IO Error: Cannot open file "/ro/x.duckdb": Read-only file system'),
        OSError(28, "No space left on device", "/full/report.html"),
    ],
)
def test_a_refused_write_is_a_user_error(error: Exception, as_json: object, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as stopped, user_errors():
        raise error
    assert stopped.value.exit_code == WarehouseError.exit_code
    shown = json.loads(capsys.readouterr().out)
    assert shown["type"] == "WarehouseError" and ("No space left" in shown["error"] or "Read-only" in shown["error"])
    # only a failed commit, which DuckDB rolls back, is said to have kept nothing half-written
    assert ("nothing half-written was kept" in shown["error"]) == isinstance(error, duckdb.TransactionException)


def test_ctrl_c_inside_a_query_is_an_interruption() -> None:
    with pytest.raises(typer.Exit) as stopped, user_errors():
        raise RuntimeError("Query interrupted")  # what DuckDB raises when SIGINT arrives during a query
    assert stopped.value.exit_code == 130


def test_a_bug_keeps_its_traceback() -> None:
    with pytest.raises(ZeroDivisionError), user_errors():
        raise ZeroDivisionError("a bug")
    with pytest.raises(RuntimeError, match="something else"), user_errors():
        raise RuntimeError("something else")
    with pytest.raises(duckdb.TransactionException), user_errors():  # a transaction misused: a bug, not the disk
        raise duckdb.TransactionException("cannot start a transaction within a transaction")
