"""Shared CLI plumbing: global options, output (--json or Rich), turning errors into one line, lazy command loading.

Start-up cost matters (every command pays it): this module imports no library package beyond typer and rich; a
command module imports what its commands need inside the commands, and type-only names under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, NoReturn

import typer
from rich.text import Text
from typer import _click  # the click that typer vendors: its Command and UsageError
from typer.core import TyperCommand, TyperGroup

from modelrace._terminal import SafeConsole
from modelrace._urls import scrubbed
from modelrace.config import default_db_path
from modelrace.errors import ModelraceError, WarehouseError

if TYPE_CHECKING:
    from modelrace.store import Warehouse

# Every line printed passes the terminal guard: text from data never drives the terminal (issue #29).
stdout = SafeConsole(soft_wrap=True)
stderr = SafeConsole(stderr=True, soft_wrap=True)


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


def _report(error: ModelraceError) -> NoReturn:
    message = scrubbed(str(error))  # a URL's credentials (HF_ENDPOINT=http://user:SECRET@host) never printed
    if state.as_json:
        sys.stdout.write(json.dumps({"error": message, "type": type(error).__name__}) + "\n")
    # The message may quote data (an id, a path): never read it as markup or emoji codes.
    stderr.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    raise typer.Exit(error.exit_code) from None


def _storage_error(error: Exception) -> WarehouseError | None:
    """What the machine refused (a full disk, a read-only folder, a failed commit), as a user error; None for
    anything else (a bug keeps its traceback, a transaction misused among them)."""
    duckdb = sys.modules.get("duckdb")  # loaded only by commands that open a warehouse
    first = (str(error).splitlines() or [type(error).__name__])[0]
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return WarehouseError(f"a file could not be read or written: {error.strerror}{where}")
    if duckdb and isinstance(error, duckdb.TransactionException) and "commit" in first.lower():
        # DuckDB rolls a failed commit back: the warehouse holds what it held before
        return WarehouseError(f"the warehouse could not be written: {first}; nothing half-written was kept")
    if duckdb and isinstance(error, (duckdb.IOException, duckdb.PermissionException)):
        return WarehouseError(f"a file could not be read or written: {first}")
    return None


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn ModelraceError, what the machine refuses (disk full, read-only) and Ctrl-C into a one-line message and
    an exit code, never a traceback."""
    try:
        yield
    except ModelraceError as error:
        _report(error)
    except KeyboardInterrupt:
        _interrupted()
    except Exception as error:
        if isinstance(error, RuntimeError) and str(error) == "Query interrupted":  # DuckDB's form of Ctrl-C
            _interrupted()
        storage = _storage_error(error)
        if storage is None:
            raise
        _report(storage)


def _interrupted() -> NoReturn:
    stderr.print("[bold red]interrupted:[/] nothing half-written was kept")
    raise typer.Exit(130) from None


@contextmanager
def open_warehouse(read_only: bool = False) -> Iterator[Warehouse]:
    """Open the warehouse for one command."""
    from modelrace.store import Warehouse  # DuckDB: loaded by the commands that use it, not at start-up

    warehouse = Warehouse.open(state.db_path, read_only=read_only)
    try:
        yield warehouse
    except BaseException:
        warehouse.close_discarding_if_new()  # a failed first import leaves no empty warehouse file
        raise
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


CommandPart = Literal["commands", "imports"]
"""Where a command sits: at the top level (``modelrace X``) or under ``modelrace import X``."""


@dataclass(frozen=True)
class LazyCommand:
    """One command as its group lists it: the name, the ``cli`` module that defines it and its one-line help.

    The module is imported only when the command runs or shows its own ``--help``; the help line is what
    ``modelrace --help`` lists (the first paragraph of the command's docstring, checked by tests/cli).
    """

    name: str
    module: str
    help: str


class _Listed(TyperCommand):
    """A command's line in its group's help, without importing the module that defines it."""


class LazyGroup(Group):
    """A group whose commands are imported from their module only when one of them is asked for.

    ``--help`` of the group lists every command from ``lazy_commands`` (name and help line) and imports none;
    running a command, or its own ``--help``, imports only its module. Commands added the usual way (the
    ``import`` sub-group) follow the lazy ones.
    """

    lazy_commands: ClassVar[tuple[LazyCommand, ...]] = ()
    part: ClassVar[CommandPart] = "commands"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = {command.name: command for command in self.lazy_commands}
        self._loaded: dict[str, _click.Command] = {}
        self._listing = False
        self._suggest, self.suggest_commands = self.suggest_commands, False  # typer's looks at self.commands only

    def list_commands(self, ctx: Any) -> list[str]:
        """The lazy commands in table order, then the eagerly added ones."""
        return [*self._lazy, *(name for name in super().list_commands(ctx) if name not in self._lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> _click.Command | None:
        """The real command (its module imported), or only its help line while the group's help is printed."""
        entry = self._lazy.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return _Listed(name=entry.name, help=entry.help, callback=None)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = load_command(entry, self.part, self.rich_markup_mode)
        return self._loaded[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The group's help, listing its commands from the table."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, _click.Command | None, list[str]]:
        """Typer's resolution, with 'Did you mean' looking at the lazy commands too."""
        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.UsageError as error:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args and self._suggest else []
            if matches:
                suggestions = ", ".join(repr(match) for match in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


def load_command(entry: LazyCommand, part: CommandPart, rich_markup_mode: Any = "rich") -> _click.Command:
    """Import ``entry``'s module and build its command (a ``Command`` unless the module chose another class)."""
    module = importlib.import_module(f"modelrace.cli.{entry.module}")
    group: CommandGroup = module.group
    for info in getattr(group, part).registered_commands:
        if command_name(info) == entry.name:
            if info.cls in (None, TyperCommand):
                info.cls = Command
            return typer.main.get_command_from_info(
                info, pretty_exceptions_short=True, rich_markup_mode=rich_markup_mode
            )
    raise LookupError(f"modelrace.cli.{entry.module} defines no command {entry.name!r} ({part})")


def command_name(info: typer.models.CommandInfo) -> str:
    """A registered command's name as typer derives it (``sync_command`` without a name would be ``sync-command``)."""
    if info.name:
        return info.name
    assert info.callback is not None, "a command has a callback"
    return typer.main.get_command_name(info.callback.__name__)


def lazy_group(commands: Sequence[LazyCommand], part: CommandPart = "commands") -> type[LazyGroup]:
    """A ``LazyGroup`` class over ``commands`` (typer instantiates the class itself)."""

    class _Group(LazyGroup):
        lazy_commands = tuple(commands)

    _Group.part = part
    return _Group
