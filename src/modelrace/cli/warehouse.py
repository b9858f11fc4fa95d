"""Warehouse commands: export the warehouse as Hive-partitioned Parquet (attach it with ``--db FOLDER``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from modelrace.cli._app import CommandGroup, JsonOption, emit, open_warehouse, state, stdout, use_json, user_errors
from modelrace.errors import ConfigError

if TYPE_CHECKING:
    from modelrace.store import ExportResult

group = CommandGroup()


def _render(result: ExportResult) -> None:
    stdout.print(
        f"exported snapshot(s) {', '.join(map(str, result.snapshots))} to {result.folder} "
        f"({result.bytes_written / 1e6:,.1f} MB of Parquet, {len(result.tables)} tables); read it back with "
        f"`modelrace --db {result.folder} report`",
        highlight=False,
        markup=False,
    )


@group.commands.command("export")
def export_command(
    format_name: Annotated[Literal["parquet"], typer.Argument(metavar="parquet", help="Output format: parquet.")],
    folder: Annotated[Path, typer.Argument(help="Folder to write (Hive-partitioned by snapshot_id).")],
    snapshot: Annotated[
        str | None, typer.Option(help="Snapshot id, 'latest' or 'previous' (default: latest).", show_default=False)
    ] = None,
    all_snapshots: Annotated[bool, typer.Option("--all", help="Every snapshot.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Export the warehouse as Parquet that DuckDB, Spark or Trino read (schema in docs/scale.md)."""
    from modelrace._progress import progress_bar
    from modelrace.store import export_parquet, resolve_snapshot

    use_json(as_json)
    with user_errors():
        if all_snapshots and snapshot is not None:
            raise ConfigError("give --snapshot N or --all, not both")
        with open_warehouse(read_only=True) as warehouse, progress_bar(state.show_progress) as progress:
            wanted = None if all_snapshots else [resolve_snapshot(warehouse, snapshot).snapshot_id]
            result = export_parquet(warehouse, folder, wanted, progress)
    emit(result.to_json(), lambda: _render(result))
