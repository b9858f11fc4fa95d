"""The cache command: what modelrace keeps in its cache folder, how big it is, and clearing it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import CommandGroup, JsonOption, emit, stdout, use_json, user_errors
from modelrace.errors import ConfigError

group = CommandGroup()


def _size(size_bytes: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size_bytes >= factor:
            return f"{size_bytes / factor:,.1f} {unit}"
    return f"{size_bytes:,} B"


@group.commands.command("cache")
def cache_command(
    clear: Annotated[
        bool, typer.Option("--clear", help="Delete the cache (or the --part given); it is re-fetched when needed.")
    ] = False,
    part: Annotated[
        list[str] | None,
        typer.Option("--part", help="With --clear: only this part (repeatable; names as listed).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the size of each part of modelrace's cache (downloaded packages, models, BIG-bench, chart script)
    in MODELRACE_CACHE or the platform's cache folder; --clear deletes it."""
    from modelrace.evals import cache_usage, clear_cache

    use_json(as_json)
    with user_errors():
        if part and not clear:
            raise ConfigError("--part goes with --clear (without it, every part is listed)")
        usage = clear_cache(part) if clear else cache_usage()

    def render() -> None:
        if not usage.parts:
            stdout.print(Text(f"the cache {usage.root} is empty" if not clear else "nothing to delete"))
            return
        stdout.print(
            data_table(
                [
                    TerminalColumn("part", "id"),
                    TerminalColumn("size", "number"),
                    TerminalColumn("files", "number"),
                    "what",
                ],
                [(p.name, _size(p.size_bytes), f"{p.files:,}", p.what) for p in usage.parts],
                title=("deleted from " if clear else "") + usage.root,
                width=stdout.width,
            )
        )
        verb = "freed" if clear else "in all"
        hint = "" if clear else "; `modelrace cache --clear [--part NAME]` deletes it"
        stdout.print(Text(f"{_size(usage.total_bytes)} {verb}{hint}"))

    emit(usage.to_json(), render)
