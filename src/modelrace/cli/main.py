"""The `modelrace` command: a small main that mounts one command module per capability.

Each module under ``cli/`` parses options, makes one library call and renders the result (text or ``--json``);
it holds no SQL and no analysis. A new capability adds ``cli/<capability>.py`` with a ``group`` and one line in
``COMMAND_GROUPS`` below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelrace import __version__
from modelrace.cli import (
    adoption,
    answers,
    cache,
    evals,
    hub,
    imports,
    licences,
    ratings,
    report,
    results,
    serving,
    warehouse,
)
from modelrace.cli._app import CommandGroup, Group, state
from modelrace.config import DB_ENV

app = typer.Typer(
    name="modelrace",
    help="Measure the open-weight model race: adoption, capability, openness and cost.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=Group,
)
import_app = typer.Typer(help="Load data files into the warehouse.", no_args_is_help=True, cls=Group)
app.add_typer(import_app, name="import")

# One line per capability; the order is the order of `modelrace --help`.
COMMAND_GROUPS: tuple[CommandGroup, ...] = (
    hub.group,
    imports.group,
    warehouse.group,
    adoption.group,
    licences.group,
    results.group,
    evals.group,
    ratings.group,
    serving.group,
    answers.group,
    report.group,
    cache.group,
)
for command_group in COMMAND_GROUPS:
    command_group.mount(app, import_app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"modelrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[
        Path | None, typer.Option("--db", envvar=DB_ENV, help="Warehouse file (DuckDB).", show_default=False)
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", envvar="MODELRACE_JSON", help="Machine-readable output on stdout.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", envvar="MODELRACE_QUIET", help="No progress.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Global options apply to every command (``--json`` may also follow the command)."""
    state.db = db
    state.as_json = as_json
    state.quiet = quiet


def run() -> None:
    """Entry point of the console script."""
    app()
