"""Answer commands: two models head to head (versus), the best model under constraints (pick), claims checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    deprecated,
    emit,
    open_warehouse,
    stdout,
    use_json,
    user_errors,
)

if TYPE_CHECKING:
    from modelrace.answers import ClaimsChecked, Pick, Versus

# The answers package (and through it adoption, ranking, licensing, serving) loads when a command runs, not for
# `--help`: the option vocabularies are spelled here, and tests/cli/test_lazy_commands.py checks them against
# answers.task_names() and answers.LicenceChoice.
PICK_TASKS = ("general", "coding", "math", "reasoning", "chat")
"""The tasks `pick --task` knows (answers/data/tasks.yaml)."""
PickLicence = Literal["permissive", "conditional"]
"""`pick --licence` (answers.LicenceChoice)."""

group = CommandGroup()

_VERDICT_STYLE = {
    "a ahead": "green",
    "b ahead": "red",
    "tied": "yellow",
    "supported": "green",
    "not supported": "red",
    "mixed": "yellow",
    "insufficient data": "dim",
}


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}g}"


def _size(params: float | None) -> str:
    return "size unknown" if not params else f"{params / 1e9:,.1f} B parameters"


def _render_versus(result: Versus) -> None:
    for side in (result.a, result.b):
        licence = side.licence
        facts = [
            side.developer,
            side.country_name,
            _size(side.params_total),
            f"released {side.release_date}" if side.release_date else "release date unknown",
            f"licence: {licence.verdict}" + (f" ({licence.licence_id})" if licence.licence_id else ""),
            f"${side.price_usd_per_mtok:,.3g}/Mtok" if side.price_usd_per_mtok is not None else "price unknown",
        ]
        stdout.print(Text.assemble((side.model, "bold"), f"  ({side.query})  " + " · ".join(facts)), highlight=False)
    rows = []
    for row in result.benchmarks:
        interval = f"[{row.interval[0]:.3g}, {row.interval[1]:.3g}]" if row.interval else "–"
        win = f"{row.win_probability.value * 100:.1f} %" if row.win_probability else ""
        names = f"  ({row.a_name} / {row.b_name})" if "variant" in (row.a_match, row.b_match) else ""
        rows.append(
            (
                Text(f"{row.name}{names}"),
                row.data_date,
                _number(row.a, 4),
                _number(row.b, 4),
                f"{row.difference:+.3g}",
                Text(row.verdict, style=_VERDICT_STYLE[row.verdict]),
                interval,
                win,
            )
        )
    # each row's data date whole (the sources are of different dates); what does not fit is named
    table = data_table(
        [
            TerminalColumn("benchmark"),
            TerminalColumn("data of", "id"),
            TerminalColumn("A", "number"),
            TerminalColumn("B", "number"),
            TerminalColumn("A - B", "number"),
            TerminalColumn("verdict"),
            TerminalColumn("95 % interval", "number"),
            TerminalColumn("P(A preferred)", "number"),
        ],
        rows,
        title="Benchmarks that score both",
        width=stdout.width,
    )
    if result.benchmarks:
        stdout.print(table)
    stdout.print(Text(result.summary.text, style="bold"), highlight=False)
    for missing in result.missing:
        stdout.print(
            Text(f"{missing.source}: no result for {missing.lacks} ({missing.benchmarks} benchmarks for the other)"),
            highlight=False,
        )
    if result.usage is not None:  # OpenRouter usage: tokens and rank on the same day
        stdout.print(Text(f"usage: {result.usage.text}"), highlight=False)


@group.commands.command("versus")
def versus_command(
    a: Annotated[str, typer.Argument(help="A model name `resolve` understands (e.g. deepseek-r1).")],
    b: Annotated[str, typer.Argument(help="The other model (e.g. o1).")],
    every: Annotated[
        bool, typer.Option("--all", help="Every benchmark (each LMArena category and LiveBench task).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Two models on every benchmark that scores both: difference, 95 % interval and a verdict per benchmark."""
    from modelrace.answers import versus

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        result = versus(warehouse, a, b, every=every)
    emit(result.to_json(), lambda: _render_versus(result))


def _render_pick(result: Pick) -> None:
    stdout.print(Text(result.message, style="bold"), highlight=False)
    for row in result.candidates:
        interval = f" [{row.interval[0]:.2f}, {row.interval[1]:.2f}]" if row.interval else ""
        tied = " · tied with the first" if row.tied_with_first else ""
        stdout.print(
            Text.assemble(
                (f"{row.rank}. {row.model}", "bold"),
                f"  score {row.score:+.2f}{interval} · {row.confidence} confidence{tied}",
            ),
            highlight=False,
        )
        for reason in row.reasons:
            stdout.print(Text(f"     {reason}"), highlight=False)
        if row.served is not None:
            stdout.print(Text(f"     served: {row.served.words}", style="dim"), highlight=False)
    if result.excluded:
        stdout.print(Text("Strongest excluded:", style="bold"))
        for excluded in result.excluded:
            stdout.print(
                Text(f"  {excluded.model} (score {excluded.score:+.2f}): {excluded.constraint}, {excluded.detail}"),
                highlight=False,
            )
    unused = [b for b in result.benchmarks if not b.used]
    for benchmark in unused:
        stdout.print(Text(f"not used: {benchmark.benchmark} ({benchmark.note})", style="dim"), highlight=False)


@group.commands.command("pick")
def pick_command(
    task: Annotated[str, typer.Option(help=f"What the model is for: {', '.join(PICK_TASKS)}.")] = "general",
    hardware: Annotated[str | None, typer.Option(help="A chip `modelrace hardware` lists (e.g. 'RTX 4090').")] = None,
    count: Annotated[int, typer.Option(help="How many of those chips.")] = 1,
    quant: Annotated[
        str | None, typer.Option(help="Weights format (bf16, fp8, q8_0, q4_k_m); default: tried in turn.")
    ] = None,
    context: Annotated[
        int | None, typer.Option(help="Tokens of context the model must hold (default 8192 on hardware).")
    ] = None,
    licence: Annotated[
        PickLicence | None, typer.Option("--licence", help="permissive, or conditional (permissive or conditional).")
    ] = None,
    exclude_country: Annotated[
        list[str] | None, typer.Option("--exclude-country", help="A country to leave out (CN, China); repeatable.")
    ] = None,
    only_country: Annotated[
        list[str] | None, typer.Option("--only-country", help="Only models from this country; repeatable.")
    ] = None,
    max_usd_per_mtok: Annotated[float | None, typer.Option(help="Highest price per million output tokens.")] = None,
    open_only: Annotated[
        bool, typer.Option("--open-only/--include-closed", help="Only open-weight models (default).")
    ] = True,
    top: Annotated[int, typer.Option("--top", min=1, help="How many candidates to list.")] = 10,
    limit: Annotated[int | None, typer.Option("--limit", min=1, hidden=True, help="Old name of --top.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The best models for a task under your constraints, with reasons, ties and what each constraint excluded."""
    from modelrace.answers import PickConstraints, pick

    use_json(as_json)
    if limit is not None:
        deprecated("--limit", "--top")
        top = limit
    constraints = PickConstraints(
        task=task,
        hardware=hardware,
        count=count,
        quant=quant,
        context=context,
        licence=licence,
        exclude_countries=tuple(exclude_country or ()),
        only_countries=tuple(only_country or ()),
        max_usd_per_mtok=max_usd_per_mtok,
        open_only=open_only,
        limit=top,
    )
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        result = pick(warehouse, constraints)
    emit(result.to_json(), lambda: _render_pick(result))


def _render_claims(result: ClaimsChecked) -> None:
    for claim in result.claims:
        stdout.print(
            Text.assemble((f"[{claim.verdict}]", _VERDICT_STYLE[claim.verdict]), " ", (claim.statement, "bold")),
            highlight=False,
        )
        stdout.print(Text(f"    {claim.why}"), highlight=False)
        stdout.print(
            Text(f"    source: {claim.source or '–'} ({claim.date or 'no date'})", style="dim"), highlight=False
        )
        for caveat in claim.caveats:
            stdout.print(Text(f"    note: {caveat}", style="dim"), highlight=False)


@group.commands.command("claims")
def claims_command(
    path: Annotated[Path | None, typer.Argument(help="A claims YAML file (default: the built-in claims).")] = None,
    snapshot: Annotated[
        str | None,
        typer.Option(
            help="Snapshot id for download figures (default: the newest whose selection can decide each claim)."
        ),
    ] = None,
    scope: Annotated[
        str, typer.Option(help="llm: language models only (default); all: every model, for download figures.")
    ] = "llm",
    as_json: JsonOption = False,
) -> None:
    """Claims checked against the figures: supported, not supported, mixed or insufficient data, and why."""
    from modelrace.adoption import check_model_scope
    from modelrace.answers import check_claims

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        result = check_claims(warehouse, path, snapshot, models=check_model_scope(scope))
    emit(result.to_json(), lambda: _render_claims(result))
