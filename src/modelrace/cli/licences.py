"""Licence commands: one model's or licence's verdict, and the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    emit,
    open_warehouse,
    stdout,
    use_json,
    user_errors,
)

if TYPE_CHECKING:
    from modelrace.licensing import LicenceExplanation, ModelLicence

group = CommandGroup()


def _render_verdict(info: LicenceExplanation | ModelLicence, notice: bool = True) -> None:
    from modelrace.licensing import Threshold

    colours = {"permissive": "green", "conditional": "yellow", "non-commercial": "red", "unknown": "dim"}
    stdout.print(f"verdict: [bold {colours[info.verdict]}]{info.verdict}[/]", highlight=False)
    if info.deciding_clauses:
        stdout.print("deciding clauses:")
        for clause in info.deciding_clauses:
            stdout.print(Text(f"  § {clause.section} ({clause.term}): {clause.text}"))
    for term, value in (info.terms.stated() if info.terms else {}).items():
        if term not in ("commercial_use",) and value is not False:
            if isinstance(value, bool):  # a term that holds: a word, never Python's True
                shown = "yes"
            elif isinstance(value, Threshold):
                shown = f"{value.limit:,} {value.metric}: {value.consequence}"
            else:
                shown = value
            stdout.print(Text(f"  {term.replace('_', ' ')}: {shown}"))
    if notice:
        stdout.print(Text(info.notice, style="dim"))


@group.commands.command("license")
def license_command(
    target: Annotated[str, typer.Argument(help="A model id (Qwen/Qwen2.5-7B-Instruct) or a licence (llama3.1).")],
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous' (default: latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain a model's licence (stated or inherited) or a licence: verdict and the clauses that decide it."""
    from modelrace.licensing import LicenceExplanation, explain_licence, explain_model, load_licences

    use_json(as_json)
    registry = load_licences()
    info: LicenceExplanation | ModelLicence
    with user_errors():
        named = registry.normalise_text(target)
        if "/" not in target and named.licence_id is not None:
            info = explain_licence(registry.get(named.licence_id))
        else:
            with open_warehouse(read_only=True) as warehouse:
                info = explain_model(warehouse, target, snapshot)

    def render() -> None:
        if isinstance(info, LicenceExplanation):
            stdout.print(Text(f"{info.name} ({info.id})", style="bold"))
            stdout.print(Text(f"text: {info.source} (read {info.read_on})"))
        else:
            where = (
                f"inherited from {info.inherited_from}"
                if info.source == "inherited"
                else "stated by the model"
                if info.source == "own"
                else info.missing or "no licence stated by the model or its bases"
            )
            stdout.print(Text(f"{info.model_id}: {info.licence_name or info.raw or 'none'} ({where})"))
            if info.licence_source:
                stdout.print(Text(f"text: {info.licence_source} (read {info.read_on})"))
            for conflict in info.conflicts:
                stdout.print(Text.assemble(("conflict: ", "bold red"), conflict.reason))
        _render_verdict(info)

    emit(info.to_json(), render)


@group.commands.command("licenses")
def licenses_command(as_json: JsonOption = False) -> None:
    """List the licence registry with each licence's verdict."""
    from modelrace.licensing import explain_licence, load_licences

    use_json(as_json)
    rows = [explain_licence(licence) for licence in load_licences().licences.values()]

    def render() -> None:
        table = data_table(
            [TerminalColumn("licence", "id"), "name", "verdict", "deciding terms", "source"],
            [(row.id, row.name, row.verdict, ", ".join(row.deciding_terms), row.source) for row in rows],
            width=stdout.width,
        )
        stdout.print(table)
        stdout.print(Text(rows[0].notice, style="dim"))

    emit([row.to_json() for row in rows], render)
