"""Published-results commands: the importers, entity resolution and the size-class leaderboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
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
from modelrace.knowledge import SizeByChoice
from modelrace.sources import IMPORTER_INFO, ImporterInfo

if TYPE_CHECKING:
    from modelrace.ranking import BenchmarkBoard, CountryCheck, DateCheck, Entity, UnmatchedNames
    from modelrace.store import Warehouse

group = CommandGroup()


def _import_results(
    source: str, path: Path, date_: str | None, allow_partial: bool, force: bool, **options: object
) -> None:
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
            summary = import_results(warehouse, source, path, when, allow_partial=allow_partial, force=force, **options)
    data = summary.to_json()

    def render() -> None:
        if summary.already_imported:
            stdout.print(Text(f"{path} was already imported as import {summary.import_id} ({source}); nothing to do"))
            if summary.superseded_by is not None:
                stdout.print(
                    f"  but the leaderboard reads the newer import {summary.superseded_by} of {source}: "
                    f"`modelrace drop import {summary.superseded_by}` to read this one again",
                    highlight=False,
                )
            return
        stdout.print(
            f"import {summary.import_id} ({source}, data of {summary.data_date}, from its {summary.date_basis}): "
            f"{summary.models:,} models, "
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


DATE_HELP = "Date of the data (default: from the file's contents, else its name; never its modification time)."
ALLOW_PARTIAL_HELP = "Store it even if it yields no result or rejects more than half of its rows."
FORCE_HELP = "Import it even if it is much smaller than the previous import of the same source."


def _add_import_command(source: str, info: ImporterInfo) -> None:
    """One `modelrace import SOURCE` command, generated from the importer table."""
    command: Callable[..., None]
    if info.companion is None:

        def single_file(
            path: Path = typer.Argument(..., help=info.path_help),
            date: str | None = typer.Option(None, "--date", help=DATE_HELP),
            allow_partial: bool = typer.Option(False, "--allow-partial", help=ALLOW_PARTIAL_HELP),
            force: bool = typer.Option(False, "--force", help=FORCE_HELP),
            as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
        ) -> None:
            use_json(as_json)
            _import_results(source, path, date, allow_partial, force)

        command = single_file
    else:
        companion = info.companion

        def with_companion(
            path: Path = typer.Argument(..., help=info.path_help),
            companion_path: Path | None = typer.Option(None, f"--{companion}", help=info.companion_help),
            date: str | None = typer.Option(None, "--date", help=DATE_HELP),
            allow_partial: bool = typer.Option(False, "--allow-partial", help=ALLOW_PARTIAL_HELP),
            force: bool = typer.Option(False, "--force", help=FORCE_HELP),
            as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
        ) -> None:
            use_json(as_json)
            _import_results(source, path, date, allow_partial, force, **{companion: companion_path})

        command = with_companion

    command.__doc__ = info.summary
    group.imports.command(source)(command)


for _source, _info in IMPORTER_INFO.items():
    if _source != "lmarena":  # `import lmarena` takes many files and histories: cli/history.py
        _add_import_command(_source, _info)


@group.commands.command()
def resolve(
    name: Annotated[str | None, typer.Argument(help="A model name as a source writes it.")] = None,
    unmatched: Annotated[bool, typer.Option(help="List the imported names no rule resolves.")] = False,
    check_countries: Annotated[bool, typer.Option(help="Compare our countries with Epoch's.")] = False,
    check_dates: Annotated[
        bool, typer.Option(help="List release dates after the data's date or before the model was on the Hub.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Explain how a source's model name is tied to a model, developer, country and size."""
    from modelrace.ranking import check_dates as check_release_dates
    from modelrace.ranking import country_cross_check, explain_name, unmatched_names

    use_json(as_json)
    with user_errors():
        if name is None and not unmatched and not check_countries and not check_dates:
            raise ConfigError("give a NAME, --unmatched, --check-countries or --check-dates")
        if name is not None:
            if state.db_path.exists():
                with open_warehouse(read_only=True) as warehouse:
                    entity = explain_name(warehouse, name)
            else:
                entity = explain_name(None, name)
            emit(entity.to_json(), lambda: _render_entity(entity))
            return
        with open_warehouse(read_only=True) as warehouse:
            if check_dates:
                dates = check_release_dates(warehouse)
                emit(dates.to_json(), lambda: _render_dates(dates))
            elif unmatched:
                names = _with_usage(warehouse, unmatched_names)
                emit(names.to_json(), lambda: _render_unmatched(names))
            else:
                check = country_cross_check(warehouse)
                emit(check.to_json(), lambda: _render_country_check(check))


def _with_usage(warehouse: Warehouse, results: Callable[[Warehouse], UnmatchedNames]) -> UnmatchedNames:
    """The results' unmatched names and OpenRouter's slugs and authors no rule resolves (usage data alone is
    enough: a warehouse with usage and no results still lists its names)."""
    from modelrace.errors import NotFoundError
    from modelrace.ranking import UnmatchedNames
    from modelrace.usage import held_series, usage_unmatched

    try:
        names = results(warehouse).unmatched
    except NotFoundError:
        if not held_series(warehouse):
            raise
        names = {}
    return UnmatchedNames({**names, **usage_unmatched(warehouse)})


def _render_entity(entity: Entity) -> None:
    for step in entity.steps:
        stdout.print(Text(f"- {step}"))
    openness = (
        "openness unknown" if entity.open_weights is None else "open weights" if entity.open_weights else "closed"
    )
    stdout.print(
        Text(
            f"=> {entity.name}: {entity.developer} [{entity.country}], family {entity.family}, {openness}"
            f"{', reasoning' if entity.reasoning else ''} ({entity.method})"
        )
    )


def _render_unmatched(names: UnmatchedNames) -> None:
    # One name per line: the names are what a user copies into aliases.yaml.
    for source, found in names.unmatched.items():
        stdout.print(Text(f"{source}: {len(found)} unmatched", style="bold"))
        for unmatched_name in found:
            stdout.print(Text(f"  {unmatched_name}"))


def _render_dates(dates: DateCheck) -> None:
    stdout.print(
        f"{len(dates.flagged)} of {dates.checked} release dates flagged (not used for time series)", highlight=False
    )
    for item in dates.flagged:
        stdout.print(Text(f"  {item.source}: {item.name} ({item.model}) dated {item.release_date}: {item.reason}"))
    for source, items in dates.newer_by_source().items():
        stdout.print(
            Text(
                f"{source} (data of {items[0].data_date}) scores {len(items)} models that first appeared on the Hub "
                "later: the file is newer than its date says, or a name is tied to the wrong model"
            ),
            highlight=False,
        )
        for late in items:
            stdout.print(Text(f"  {late.name} ({late.model}) on the Hub from {late.first_on_hub}"))


def _render_country_check(check: CountryCheck) -> None:
    stdout.print(f"countries agree with Epoch on {check.agree} of {check.compared} models")
    for item in check.disagreements[:40]:
        stdout.print(Text(f"  {item.model}: ours {item.ours} ({item.developer}), Epoch {', '.join(item.epoch)}"))


def _score(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


def _params(value: float | None) -> str:
    if not value:
        return "size unknown"
    return f"{value / 1e9:,.1f} B" if value >= 1e9 else f"{value / 1e6:,.0f} M"


SizeByOption = Annotated[SizeByChoice, typer.Option(help="Size classes by total or active parameters, or memory.")]


def _render_benchmark(bench: BenchmarkBoard) -> None:
    """One benchmark: a line per size class (leader, score, margin, tie set) and one per other country's best,
    then its frontier and the open-versus-closed gap. Model names are whole (they are what users copy)."""
    rows: list[tuple[str, Text, str, str, str]] = []
    for entry in bench.classes:
        leader = entry.leader
        margin = entry.margin
        if margin is None:
            verdict = "alone in its class"
        else:
            verdict = f"leads by {_score(margin)}" + ("" if entry.lead_significant else " (n.s.)")
        verdict += f", tie set {len(entry.tie_set)}" if len(entry.tie_set) > 1 else ""
        verdict += ", reasoning" if leader.reasoning else ""
        rows.append((entry.size_class, Text(leader.model), str(leader.country), _score(leader.value), verdict))
        for best in entry.best_by_country:
            if best.country == leader.country:
                continue
            note = "country best" + (", reasoning" if best.reasoning else "")
            rows.append(("", Text(best.model), str(best.country), _score(best.value), note))
    stdout.print(
        Text.assemble((bench.name, "bold"), f"  {bench.id}, data of {bench.data_date}, {bench.models:,} models"),
        highlight=False,
    )
    stdout.print(
        data_table(
            [
                TerminalColumn("size", "id"),
                TerminalColumn("model", "id"),
                TerminalColumn("country"),
                TerminalColumn("score", "number"),
                TerminalColumn("against the class"),
            ],
            rows,
            width=stdout.width,
        )
    )
    if bench.frontier_params:
        steps = " -> ".join(f"{f.model} ({_params(f.params_total)}, {_score(f.value)})" for f in bench.frontier_params)
        stdout.print(Text(f"  frontier (best score for its size): {steps}"), highlight=False)
    gap = bench.open_vs_closed
    best_open, best_closed = gap.best_open, gap.best_closed
    if best_open and best_closed and gap.gap is not None:
        stdout.print(
            Text(
                f"  open vs closed: best closed {best_closed.model} {_score(best_closed.value)}, best open "
                f"{best_open.model} [{best_open.country}] {_score(best_open.value)}: gap "
                f"{_score(gap.gap)}" + (" (significant at 95 %)" if gap.gap_significant else " (not significant)")
            ),
            highlight=False,
        )
    stdout.print()


@group.commands.command("leaderboard")
def leaderboard_command(
    benchmark: Annotated[
        str | None, typer.Option(help="A benchmark id or name (substring), e.g. lmarena:full (default: all).")
    ] = None,
    size_class: Annotated[
        str | None, typer.Option(help="e.g. 3-10B, or <=24GiB with --size-by bf16 (default: every class).")
    ] = None,
    size_by: SizeByOption = SizeByChoice.total,
    open_only: Annotated[bool, typer.Option("--open-only", help="Only open-weight models.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every benchmark (default: each source's headline benchmark).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Who leads each size class on each benchmark, by how much, whether the lead is real, the best model of each
    country, the frontier and the open-versus-closed gap. Without --benchmark or --all: each source's headline
    benchmark (lmarena:full, the Open LLM Leaderboard average, ...)."""
    from modelrace.knowledge import headline_benchmarks
    from modelrace.ranking import leaderboard

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        board = leaderboard(warehouse, benchmark, size_class, size_by.scheme, open_only)

    def render() -> None:
        headline = set(headline_benchmarks())
        shown = board.benchmarks if show_all or benchmark else [b for b in board.benchmarks if b.id in headline]
        if not board.benchmarks:
            stdout.print(
                "no results match"
                + (f" --benchmark {benchmark!r}" if benchmark else "")
                + (f" --size-class {size_class!r}" if size_class else "")
                + ": `modelrace import lmarena PATH` (or another source) loads some",
                markup=False,
                highlight=False,
            )
            return
        for bench in shown or board.benchmarks:
            _render_benchmark(bench)
        hidden = len(board.benchmarks) - len(shown or board.benchmarks)
        stdout.print(
            "n.s.: the lead is not significant at 95 %; tie set: the models statistically tied with the leader; "
            "country best: the best model of each other country in the class."
            + (f" {hidden} more benchmarks: --all, --benchmark NAME or --json." if hidden else "")
            + " Sources: "
            + ", ".join(f"{s} ({d})" for s, d in board.sources),
            markup=False,
            highlight=False,
        )

    emit(board.to_json(), render)
