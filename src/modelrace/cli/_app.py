"""Shared CLI plumbing: global options, output (--json or Rich), and turning errors into one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from modelrace.config import default_db_path
from modelrace.errors import ModelraceError
from modelrace.store import Warehouse

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)


@dataclass
class State:
    """Global options, filled by the main callback."""

    db: Path | None = None
    as_json: bool = False
    quiet: bool = False

    @property
    def db_path(self) -> Path:
        """The warehouse path (``--db``, ``MODELRACE_DB`` or the user data dir)."""
        return self.db or default_db_path()

    @property
    def show_progress(self) -> bool:
        """Progress bars go to stderr unless --quiet."""
        return not self.quiet


state = State()

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
"""The per-command ``--json`` flag (the global one goes before the command)."""


def use_json(flag: bool) -> None:
    """Honour a command's own ``--json`` flag."""
    if flag:
        state.as_json = True


def _default(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def emit(data: Any, render: Callable[[], None]) -> None:
    """Print ``data`` as JSON on stdout with --json, else call ``render`` for people."""
    if state.as_json:
        sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n")
    else:
        render()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn ModelraceError (and Ctrl-C) into a one-line message and an exit code, never a traceback."""
    try:
        yield
    except ModelraceError as error:
        if state.as_json:
            sys.stdout.write(json.dumps({"error": str(error), "type": type(error).__name__}) + "\n")
        # The message may quote data (an id, a path): never read it as markup or emoji codes.
        stderr.print(Text.assemble(("error:", "bold red"), " ", str(error)), highlight=False)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        stderr.print("[bold red]interrupted:[/] nothing half-written was kept")
        raise typer.Exit(130) from None


@contextmanager
def open_warehouse(read_only: bool = False) -> Iterator[Warehouse]:
    """Open the warehouse for one command."""
    warehouse = Warehouse.open(state.db_path, read_only=read_only)
    try:
        yield warehouse
    finally:
        warehouse.close()


def deprecated(old: str, new: str) -> None:
    """Say on stderr that an old spelling still works but has a new name (stdout stays clean for --json)."""
    stderr.print(f"note: {old} is deprecated, use {new}", markup=False, highlight=False, emoji=False)


def _flags_as_flags(params: list[Any]) -> list[Any]:
    # Typer's help shows every option's type, a flag's included ("--json <bool>"); a flag takes no value, so its
    # type column stays empty (an empty metavar is what typer prints there).
    for param in params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
    return params


def _paragraphs(text: str | None) -> str | None:
    """Help text with each paragraph on one line (the terminal wraps it); blank lines still part paragraphs."""
    if text is None:
        return None
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


class Command(TyperCommand):
    """Every modelrace command: help shows flags as flags, and docstrings wrap to the terminal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["help"] = _paragraphs(kwargs.get("help"))
        super().__init__(*args, **kwargs)

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's parameters, flags without a type."""
        return _flags_as_flags(super().get_params(ctx))


class Group(TyperGroup):
    """The main app and ``import``: help shows their flags (``--json``, ``-q``) as flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's parameters, flags without a type."""
        return _flags_as_flags(super().get_params(ctx))


@dataclass
class CommandGroup:
    """The commands of one capability's CLI module, mounted at the top level (and under ``import``) by main."""

    commands: typer.Typer = field(default_factory=typer.Typer)
    imports: typer.Typer = field(default_factory=typer.Typer)

    def mount(self, app: typer.Typer, import_app: typer.Typer) -> None:
        """Add this group's commands to the main app and its ``import`` sub-app."""
        for info in [*self.commands.registered_commands, *self.imports.registered_commands]:
            if info.cls in (None, TyperCommand):  # typer's default: keep any class a module chose itself
                info.cls = Command
        app.registered_commands.extend(self.commands.registered_commands)
        import_app.registered_commands.extend(self.imports.registered_commands)
