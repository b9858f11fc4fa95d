"""Lazy command loading: every command is listed and reachable, with the help it had when all were imported at
start-up, and `modelrace X` imports only the module that defines X (start-up time, issue #15)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import textwrap
from typing import get_args

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

import modelrace.cli
from modelrace.cli import main
from modelrace.cli._app import CommandGroup, CommandPart, Group, LazyCommand, command_name, load_command

runner = CliRunner()
TABLES: dict[CommandPart, tuple[LazyCommand, ...]] = {"commands": main.COMMANDS, "imports": main.IMPORT_COMMANDS}
HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def _groups() -> dict[str, CommandGroup]:
    """Every cli module that defines commands (a ``group``), imported."""
    found = {}
    for info in pkgutil.iter_modules(modelrace.cli.__path__):
        module = importlib.import_module(f"modelrace.cli.{info.name}")
        if isinstance(getattr(module, "group", None), CommandGroup):
            found[info.name] = module.group
    return found


def _help_line(command: typer.core.TyperCommand) -> str:
    return (command.short_help or command.help or "").split("\n\n")[0]


def test_the_table_lists_every_command_of_every_module_with_its_help_line() -> None:
    expected: dict[CommandPart, set[tuple[str, str, str]]] = {"commands": set(), "imports": set()}
    for module, group in _groups().items():
        for part in ("commands", "imports"):
            for info in getattr(group, part).registered_commands:
                name = command_name(info)
                real = load_command(LazyCommand(name, module, ""), part)
                assert isinstance(real, typer.core.TyperCommand)
                expected[part].add((name, module, _help_line(real)))
    for part, table in TABLES.items():
        listed = {(row.name, row.module, row.help) for row in table}
        missing = "\n".join(f"    LazyCommand({n!r}, {m!r}, {h!r})," for n, m, h in sorted(expected[part] - listed))
        table_name = "COMMANDS" if part == "commands" else "IMPORT_COMMANDS"
        assert not missing, f"add to (or correct in) {table_name} in cli/main.py:\n{missing}"
        assert listed == expected[part], f"rows in cli/main.py without a real command: {listed - expected[part]}"
        assert len(table) == len(listed), "a command is listed twice"


def _eager_app() -> typer.Typer:
    """The CLI as it was built before lazy loading: every module imported and every command added at start-up."""
    eager = typer.Typer(
        name="modelrace",
        help=main.app.info.help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        cls=Group,
    )
    eager.callback()(main.main)
    import_app = typer.Typer(help=main.import_app.info.help, no_args_is_help=True, cls=Group)
    eager.add_typer(import_app, name="import")
    for part, target in (("commands", eager), ("imports", import_app)):
        for row in TABLES[part]:
            load_command(row, part)  # sets the Command class on the registered info, as mount did
            group: CommandGroup = importlib.import_module(f"modelrace.cli.{row.module}").group
            target.registered_commands += [
                i for i in getattr(group, part).registered_commands if command_name(i) == row.name
            ]
    return eager


def _help_tree(app: typer.Typer) -> dict[str, str]:
    """``--help`` of every command path."""
    tree = {}
    paths: list[list[str]] = [[]]
    root = typer.main.get_command(app)
    while paths:
        path = paths.pop(0)
        result = runner.invoke(app, [*path, "--help"], env=HELP_ENV)
        assert result.exit_code == 0, (path, result.output)
        tree[" ".join(path)] = result.output
        command = root
        for name in path:
            assert isinstance(command, TyperGroup)
            found = command.get_command(typer.Context(command), name)
            assert found is not None, path
            command = found
        if isinstance(command, TyperGroup):
            paths += [[*path, name] for name in command.list_commands(typer.Context(command))]
    return tree


def test_every_command_is_reachable_with_the_help_it_had_when_all_were_imported_at_start_up() -> None:
    lazy = _help_tree(main.app)
    eager = _help_tree(_eager_app())
    assert list(lazy) == list(eager)
    assert len(lazy) == 1 + len(main.COMMANDS) + 1 + len(main.IMPORT_COMMANDS)
    for path, text in eager.items():
        assert lazy[path] == text, f"`modelrace {path} --help` changed"
    for row in main.COMMANDS:
        assert row.name in lazy[""]
    for row in main.IMPORT_COMMANDS:
        assert row.name in lazy["import"]


def test_a_mistyped_command_suggests_the_lazy_ones() -> None:
    result = runner.invoke(main.app, ["hardwar"], env=HELP_ENV)
    assert result.exit_code == 2
    assert "Did you mean 'hardware'?" in result.output
    result = runner.invoke(main.app, ["import", "lmarna"], env=HELP_ENV)
    assert "Did you mean 'lmarena'?" in result.output


def test_option_vocabularies_spelled_in_cli_modules_match_the_libraries() -> None:
    from modelrace import answers, hub, serving
    from modelrace.cli import answers as answers_cli
    from modelrace.cli import hub as hub_cli
    from modelrace.cli import serving as serving_cli

    assert list(answers_cli.PICK_TASKS) == answers.task_names()
    assert get_args(answers_cli.PickLicence) == get_args(answers.LicenceChoice)
    assert serving_cli.DEFAULT_CHIP == serving.DEFAULT_CHIP
    assert hub_cli.DEFAULT_MAX_WAIT_S == hub.DEFAULT_MAX_WAIT_S


# Runs in a fresh interpreter: for each command line, a forked child runs it and reports what it imported.
_PROBE = textwrap.dedent(
    """
    import contextlib, io, json, os, sys
    from modelrace.cli.main import run
    out = {}
    for line in json.loads(sys.argv[1]):
        read, write = os.pipe()
        if os.fork() == 0:
            os.close(read)
            sys.argv = ["modelrace", *line]
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    run()
                except SystemExit:
                    pass
            os.write(write, json.dumps(sorted(sys.modules)).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            out[" ".join(line)] = json.loads(pipe.read())
        os.wait()
    print(json.dumps(out))
    """
)
HEAVY = ("duckdb", "pyarrow", "altair", "pandas", "numpy", "huggingface_hub", "httpx", "jinja2")


def _imported_by(*lines: list[str]) -> dict[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(lines)], capture_output=True, text=True, timeout=300, check=True
    )
    return {line: set(modules) for line, modules in json.loads(done.stdout).items()}


def _top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def _capabilities(modules: set[str]) -> set[str]:
    """The modelrace packages (adoption, answers, ...) and cli modules imported."""
    return {name for name in modules if name.startswith("modelrace.") and name.count(".") == 1} | {
        name for name in modules if name.startswith("modelrace.cli.")
    }


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_help_imports_no_library_and_a_command_only_its_own_module() -> None:
    lines = [[], ["--help"], ["--version"], ["import", "--help"]]
    lines += [[row.name, "--help"] for row in main.COMMANDS]
    lines += [["import", row.name, "--help"] for row in main.IMPORT_COMMANDS]
    imported = _imported_by(*lines)
    for line in ("", "--help", "--version", "import --help"):
        assert not _top(imported[line]) & set(HEAVY), line
        assert {m for m in _capabilities(imported[line]) if m.startswith("modelrace.cli.")} == {
            "modelrace.cli.main",
            "modelrace.cli._app",
        }, line
    for part, prefix in (("commands", ""), ("imports", "import ")):
        for row in TABLES[part]:
            line = f"{prefix}{row.name} --help"
            cli_modules = {m for m in imported[line] if m.startswith("modelrace.cli.")}
            assert cli_modules == {"modelrace.cli.main", "modelrace.cli._app", f"modelrace.cli.{row.module}"}, line
    # the answers' help reads no task file and loads no analysis; the hub's no HTTP client or DuckDB
    for line in ("pick --help", "versus --help", "claims --help", "sync --help", "snapshots --help"):
        assert not _top(imported[line]) & set(HEAVY), line
        assert "modelrace.answers" not in imported[line] and "modelrace.store" not in imported[line], line


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_cheap_commands_do_not_import_the_answers_package_or_charts() -> None:
    imported = _imported_by(["hardware", "--json"], ["licenses", "--json"])
    for line, modules in imported.items():
        assert "modelrace.answers" not in modules, line
        assert "modelrace.report" not in modules, line
        assert not _top(modules) & {"altair", "pandas", "jinja2", "huggingface_hub"}, line
        assert {m for m in modules if m.startswith("modelrace.cli.")} <= {
            "modelrace.cli.main",
            "modelrace.cli._app",
            "modelrace.cli.serving",
            "modelrace.cli.licences",
        }, line
