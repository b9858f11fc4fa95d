"""What is in the warehouse and where it came from: `modelrace imports`, and `modelrace drop` to remove one."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from modelrace.cli._app import CommandGroup, JsonOption, emit, open_warehouse, stdout, use_json, user_errors

if TYPE_CHECKING:
    from modelrace.sources import ImportList

group = CommandGroup()


@group.commands.command()
def imports(as_json: JsonOption = False) -> None:
    """List snapshots and result imports: source, data date (and how it was found), selection, counts."""
    from modelrace.sources import list_imports

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        found = list_imports(warehouse)
    emit(found.to_json(), lambda: _render(found))


def _render(found: ImportList) -> None:
    if not found.snapshots and not found.result_imports:
        stdout.print("nothing imported yet: run `modelrace sync` or `modelrace import ...`")
        return
    if found.snapshots:
        table = Table("snapshot", "data of", "source", "selection", "models", "rejected", "from", title="snapshots")
        for s in found.snapshots:
            table.add_row(
                str(s.snapshot_id),
                s.data_date,
                s.source_kind,
                s.selection,
                f"{s.model_count:,}",
                f"{s.rejected_count:,}",
                Text(s.origin or ""),
            )
        stdout.print(table)
    if found.result_imports:
        table = Table("import", "source", "data of", "dated by", "models", "results", "rejected", "in use", "file")
        for i in found.result_imports:
            table.add_row(
                str(i.import_id),
                i.source,
                i.data_date.isoformat(),
                Text(i.date_basis or "?"),
                f"{i.models:,}",
                f"{i.results:,}",
                f"{i.rejected:,}",
                "yes" if i.in_use else "no",
                Text(i.path),
            )
        stdout.print(table)


class DropKind(StrEnum):
    """What `modelrace drop` removes."""

    snapshot = "snapshot"
    import_ = "import"


@group.commands.command()
def drop(
    kind: Annotated[DropKind, typer.Argument(help="snapshot or import.")],
    number: Annotated[int, typer.Argument(help="The id `modelrace imports` shows.")],
    as_json: JsonOption = False,
) -> None:
    """Remove one snapshot or result import and everything stored with it (the same file can then be imported
    again)."""
    from modelrace.sources import drop_import
    from modelrace.store import drop_snapshot

    use_json(as_json)
    with user_errors(), open_warehouse() as warehouse:
        if kind is DropKind.snapshot:
            snapshot = drop_snapshot(warehouse, number)
            data = {"dropped": "snapshot", "snapshot": snapshot.to_json()}
            words = f"dropped snapshot {snapshot.snapshot_id}: {snapshot.provenance}, {snapshot.model_count:,} models"
        else:
            dropped = drop_import(warehouse, number)
            data = {"dropped": "import", "import": dropped.to_json()}
            words = f"dropped import {dropped.import_id}: {dropped.source} {dropped.path} (data of {dropped.data_date})"
    emit(data, lambda: stdout.print(Text(words)))
