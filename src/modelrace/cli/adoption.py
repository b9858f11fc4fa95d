"""Adoption commands: download shares by one breakdown."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    emit,
    open_warehouse,
    stdout,
    use_json,
    user_errors,
)
from modelrace.errors import ConfigError

group = CommandGroup()


@group.commands.command()
def shares(
    by: Annotated[
        str,
        typer.Option(help="country, uploader_country, developer, uploader, family or namespace."),
    ] = "country",
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    include_fixtures: Annotated[bool, typer.Option(help="Count test fixtures.")] = False,
    all_time: Annotated[bool, typer.Option("--all-time", help="All-time downloads instead of 30 days.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Download shares by one breakdown (root-family view for country/developer/family)."""
    from modelrace.adoption import (
        SHARE_BREAKDOWNS,
        Measure,
        Scope,
        attribute_snapshot,
        download_shares,
        snapshot_json,
    )
    from modelrace.store import resolve_snapshot

    use_json(as_json)
    views = {column: view for column, view in SHARE_BREAKDOWNS.values()}
    measure: Measure = "downloads_all_time" if all_time else "downloads_30d"
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        if by not in views:
            raise ConfigError(f"--by {by!r}: choose one of {', '.join(views)}")
        found = resolve_snapshot(warehouse, snapshot)
        table_name = attribute_snapshot(warehouse.connection, found.snapshot_id)
        scope = Scope(warehouse.connection, table_name, found, include_fixtures)
        rows = download_shares(scope, by, views[by], measure=measure)
    data = {"snapshot": snapshot_json(found), "by": by, "view": views[by], "measure": measure, "rows": rows}

    def render() -> None:
        table = Table(by, measure.replace("_", " "), "share", "models", title=f"snapshot {found.snapshot_id}")
        for row in rows[:limit]:
            table.add_row(str(row[by]), f"{row[measure]:,}", f"{row['share'] * 100:.1f} %", f"{row['models']:,}")
        stdout.print(table)
        if len(rows) > limit:
            stdout.print(f"... {len(rows) - limit:,} more (--limit, or --json for all)")

    emit(data, render)
