"""Published-results commands: the importers, entity resolution and the size-class leaderboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    emit,
    open_warehouse,
    state,
    stdout,
    use_json,
    user_errors,
)
from modelrace.errors import ConfigError
from modelrace.sources import IMPORTER_INFO, ImporterInfo

group = CommandGroup()


def _import_results(source: str, path: Path, date_: str | None, **options: object) -> None:
    from datetime import date as date_type

    from modelrace.sources import import_results

    with user_errors():
        when = None
        if date_:
            try:
                when = date_type.fromisoformat(date_)
            except ValueError:
                raise ConfigError(f"--date {date_!r} is not an ISO date (YYYY-MM-DD)") from None
        with open_warehouse() as warehouse:
            summary = import_results(warehouse, source, path, when, **options)
    data = summary.to_json()

    def render() -> None:
        if summary.already_imported:
            stdout.print(f"{path} was already imported as import {summary.import_id} ({source}); nothing to do")
            return
        stdout.print(
            f"import {summary.import_id} ({source}, data of {summary.data_date}): {summary.models:,} models, "
            f"{summary.results:,} results, {summary.rejected:,} rejected",
            highlight=False,
        )
        for rejection in summary.rejection_samples[:5]:
            stdout.print(f"  rejected {rejection['name']!r}: {rejection['reason']}", highlight=False)
        recomputed = summary.notes.get("recomputed")
        if recomputed:
            rows = recomputed["rows_all_agree"]
            stdout.print(
                f"  recomputed normalised scores and averages agree on {rows['agree']:,} of {rows['compared']:,} rows"
                f" ({rows['share']:.1%}); not recomputable from the file: {', '.join(recomputed['not_recomputable'])}",
                highlight=False,
            )

    emit(data, render)


DATE_HELP = "Date of the data (default: from the file name, else its mtime)."


def _add_import_command(source: str, info: ImporterInfo) -> None:
    """One `modelrace import SOURCE` command, generated from the importer table."""
    if info.companion is None:

        def command(
            path: Path = typer.Argument(..., help=info.path_help),
            date: str | None = typer.Option(None, "--date", help=DATE_HELP),
            as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
        ) -> None:
            use_json(as_json)
            _import_results(source, path, date)

    else:
        companion = info.companion

        def command(
            path: Path = typer.Argument(..., help=info.path_help),
            companion_path: Path | None = typer.Option(None, f"--{companion}", help=info.companion_help),
            date: str | None = typer.Option(None, "--date", help=DATE_HELP),
            as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
        ) -> None:
            use_json(as_json)
            _import_results(source, path, date, **{companion: companion_path})

    command.__doc__ = info.summary
    group.imports.command(source)(command)


for _source, _info in IMPORTER_INFO.items():
    _add_import_command(_source, _info)


@group.commands.command()
def resolve(
    name: Annotated[str | None, typer.Argument(help="A model name as a source writes it.")] = None,
    unmatched: Annotated[bool, typer.Option(help="List the imported names no rule resolves.")] = False,
    check_countries: Annotated[bool, typer.Option(help="Compare our countries with Epoch's.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Explain how a source's model name is tied to a model, developer, country and size."""
    from modelrace.ranking import Resolver, country_cross_check, load_catalogue

    use_json(as_json)
    data: dict[str, object]
    with user_errors():
        if name is None and not unmatched and not check_countries:
            raise ConfigError("give a NAME, --unmatched or --check-countries")
        if name is not None:
            hub_ids: list[str] = []
            if state.db_path.exists():
                with open_warehouse(read_only=True) as warehouse:
                    hub_ids = [r["model_id"] for r in warehouse.query("SELECT model_id FROM models")]
            data = Resolver(hub_ids=hub_ids).resolve(name).to_json()
        else:
            with open_warehouse(read_only=True) as warehouse:
                data = (
                    {"unmatched": load_catalogue(warehouse).unmatched} if unmatched else country_cross_check(warehouse)
                )

    def render() -> None:
        if name is not None:
            for step in data["steps"]:  # type: ignore[attr-defined]
                stdout.print(f"- {step}", highlight=False)
            openness = {True: "open weights", False: "closed"}.get(data["open_weights"], "openness unknown")  # type: ignore[call-overload]
            stdout.print(
                f"=> {data['name']}: {data['developer']} [{data['country']}], family {data['family']}, {openness}"
                f"{', reasoning' if data['reasoning'] else ''} ({data['method']})",
                highlight=False,
            )
        elif unmatched:
            for source, names in data["unmatched"].items():  # type: ignore[attr-defined]
                stdout.print(f"[bold]{source}[/]: {len(names)} unmatched: {', '.join(names[:30])}", highlight=False)
        else:
            stdout.print(f"countries agree with Epoch on {data['agree']} of {data['compared']} models")
            for item in data["disagreements"][:40]:  # type: ignore[index]
                stdout.print(f"  {item['model']}: ours {item['ours']} ({item['developer']}), Epoch {item['epoch']}")

    emit(data, render)


def _score(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


@group.commands.command("leaderboard")
def leaderboard_command(
    benchmark: Annotated[
        str | None, typer.Option(help="A benchmark id or name (substring), e.g. lmarena:full.")
    ] = None,
    size_class: Annotated[str | None, typer.Option(help="e.g. 3-10B, or <=24GiB with --size-by bf16.")] = None,
    size_by: Annotated[str, typer.Option(help="total, active, bf16, fp8 or int4.")] = "total",
    open_only: Annotated[bool, typer.Option("--open-only", help="Only open-weight models.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Who leads each size class on each benchmark, by how much, and whether the lead is real."""
    from modelrace.ranking import leaderboard

    use_json(as_json)
    with user_errors():
        if size_by not in ("total", "active", "bf16", "fp8", "int4"):
            raise ConfigError(f"--size-by {size_by!r}: choose total, active, bf16, fp8 or int4")
        with open_warehouse(read_only=True) as warehouse:
            data = leaderboard(warehouse, benchmark, size_class, size_by, open_only)  # type: ignore[arg-type]

    def render() -> None:
        table = Table("benchmark", "class", "leader", "score", "margin", "tied", "best by country", title="leaders")
        for bench in data["benchmarks"]:
            for entry in bench["classes"]:
                leader = entry["leader"]
                countries = ", ".join(f"{c['country']} {c['model']}" for c in entry["best_by_country"][:3])
                margin = entry["margin"]
                table.add_row(
                    bench["id"],
                    entry["size_class"],
                    f"{leader['model']} [{leader['country']}]" + (" (R)" if leader["reasoning"] else ""),
                    _score(leader["value"]),
                    "–" if margin is None else _score(margin) + ("" if entry["lead_significant"] else " (n.s.)"),
                    str(len(entry["tie_set"])),
                    countries,
                )
        stdout.print(table)
        stdout.print(
            "(R) reasoning model; n.s.: the lead over the runner-up is not significant at 95 %; tied: models "
            "statistically tied with the leader. Sources: " + ", ".join(f"{s} ({d})" for s, d in data["sources"]),
            highlight=False,
        )

    emit(data, render)
