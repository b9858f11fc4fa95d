"""What is in the warehouse and where it came from: `modelrace imports`, and `modelrace drop` to remove one."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import CommandGroup, JsonOption, emit, open_warehouse, stdout, use_json, user_errors

if TYPE_CHECKING:
    from rich.table import Table

    from modelrace.sources import ImportList
    from modelrace.usage import UsageSnapshotInfo

group = CommandGroup()


@group.commands.command()
def imports(as_json: JsonOption = False) -> None:
    """List snapshots and result imports: source, data date (and how it was found), selection, counts."""
    from modelrace.sources import list_imports
    from modelrace.usage import list_usage_snapshots

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        found = list_imports(warehouse)
        usage = list_usage_snapshots(warehouse)
    emit({**found.to_json(), "usage_snapshots": [u.to_json() for u in usage]}, lambda: _render(found, usage))


def _render(found: ImportList, usage: list[UsageSnapshotInfo]) -> None:
    if not found.snapshots and not found.result_imports and not usage:
        stdout.print("nothing imported yet: run `modelrace sync` or `modelrace import ...`")
        return
    # Ids and dates are whole at any width (kind "id"); what does not fit is left out and named (_terminal.py).
    tables = [
        *([_snapshots_table(found)] if found.snapshots else []),
        *([_imports_table(found)] if found.result_imports else []),
        *([_usage_table(usage)] if usage else []),
    ]
    for table in tables:
        stdout.print(table)


def _snapshots_table(found: ImportList) -> Table:
    return data_table(
        [
            TerminalColumn("snapshot", "number"),
            TerminalColumn("data of", "id"),
            TerminalColumn("selection", "id"),
            TerminalColumn("source", "id"),
            TerminalColumn("models", "number"),
            TerminalColumn("rejected", "number"),
            TerminalColumn("from"),
        ],
        [
            (
                str(s.snapshot_id),
                s.data_date,
                s.selection,
                s.source_kind,
                f"{s.model_count:,}",
                f"{s.rejected_count:,}",
                s.origin or "",
            )
            for s in found.snapshots
        ],
        title="snapshots",
        width=stdout.width,
    )


def _imports_table(found: ImportList) -> Table:
    return data_table(
        [
            TerminalColumn("import", "number"),
            TerminalColumn("source", "id"),
            TerminalColumn("data of", "id"),
            TerminalColumn("models", "number"),
            TerminalColumn("results", "number"),
            TerminalColumn("in use"),
            TerminalColumn("rejected", "number"),
            TerminalColumn("dated by"),
            TerminalColumn("file"),
        ],
        [
            (
                str(i.import_id),
                i.source,
                i.data_date.isoformat(),
                f"{i.models:,}",
                f"{i.results:,}",
                "yes" if i.in_use else "no",
                f"{i.rejected:,}",
                i.date_basis or "?",
                i.path,
            )
            for i in found.result_imports
        ],
        title="result imports",
        width=stdout.width,
    )


def _usage_table(usage: list[UsageSnapshotInfo]) -> Table:
    return data_table(
        [
            TerminalColumn("usage", "number"),
            TerminalColumn("data of", "id"),
            TerminalColumn("layout", "id"),
            TerminalColumn("rows", "number"),
            TerminalColumn("rejected", "number"),
            TerminalColumn("covers"),
            TerminalColumn("file"),
        ],
        [
            (
                str(u.usage_snapshot_id),
                u.data_date.isoformat(),
                u.layout,
                f"{u.rows:,}",
                f"{u.rejected:,}",
                "; ".join(u.coverage.values()),
                u.path,
            )
            for u in usage
        ],
        title="usage snapshots (drop one with `modelrace drop usage N`)",
        width=stdout.width,
    )


class DropKind(StrEnum):
    """What `modelrace drop` removes."""

    snapshot = "snapshot"
    import_ = "import"
    usage = "usage"


@group.commands.command()
def drop(
    kind: Annotated[DropKind, typer.Argument(help="snapshot, import or usage (a usage snapshot).")],
    number: Annotated[int, typer.Argument(help="The id `modelrace imports` shows.")],
    as_json: JsonOption = False,
) -> None:
    """Remove one snapshot, result import or usage snapshot and everything stored with it (the same file can then
    be imported again)."""
    from modelrace.sources import drop_import
    from modelrace.store import drop_snapshot
    from modelrace.usage import drop_usage_snapshot

    use_json(as_json)
    with user_errors(), open_warehouse() as warehouse:
        if kind is DropKind.snapshot:
            snapshot = drop_snapshot(warehouse, number)
            data = {"dropped": "snapshot", "snapshot": snapshot.to_json()}
            words = f"dropped snapshot {snapshot.snapshot_id}: {snapshot.provenance}, {snapshot.model_count:,} models"
        elif kind is DropKind.usage:
            gone = drop_usage_snapshot(warehouse, number)
            data = {"dropped": "usage", "usage_snapshot": gone.to_json()}
            words = (
                f"dropped usage snapshot {gone.usage_snapshot_id}: {gone.layout} {gone.path} (data of {gone.data_date})"
            )
        else:
            dropped = drop_import(warehouse, number)
            data = {"dropped": "import", "import": dropped.to_json()}
            words = f"dropped import {dropped.import_id}: {dropped.source} {dropped.path} (data of {dropped.data_date})"
    emit(data, lambda: stdout.print(Text(words)))
