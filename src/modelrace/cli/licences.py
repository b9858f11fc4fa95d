"""Licence commands: one model's or licence's verdict, and the registry."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    emit,
    open_warehouse,
    stdout,
    use_json,
    user_errors,
)

group = CommandGroup()


def _render_licence_explanation(info: dict[str, object], notice: bool = True) -> None:
    colours = {"permissive": "green", "conditional": "yellow", "non-commercial": "red", "unknown": "dim"}
    verdict = str(info["verdict"])
    stdout.print(f"verdict: [bold {colours[verdict]}]{verdict}[/]", highlight=False)
    clauses = info["deciding_clauses"]
    assert isinstance(clauses, list)
    if clauses:
        stdout.print("deciding clauses:")
        for clause in clauses:
            stdout.print(f"  § {clause['section']} ({clause['term']}): {clause['text']}", highlight=False)
    terms = info["terms"]
    assert isinstance(terms, dict)
    for term, value in terms.items():
        if term not in ("commercial_use",) and value not in (None, False):
            shown = (
                value
                if not isinstance(value, dict)
                else f"{value['limit']:,} {value['metric']}: {value['consequence']}"
            )
            stdout.print(f"  {term.replace('_', ' ')}: {shown}", highlight=False)
    if notice:
        stdout.print(f"[dim]{info['notice']}[/]", highlight=False)


@group.commands.command("license")
def license_command(
    target: Annotated[str, typer.Argument(help="A model id (Qwen/Qwen2.5-7B-Instruct) or a licence (llama3.1).")],
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain a model's licence (stated or inherited) or a licence: verdict and the clauses that decide it."""
    from modelrace.licensing import explain_licence, explain_model, load_licences

    use_json(as_json)
    registry = load_licences()
    with user_errors():
        named = registry.normalise_text(target)
        if "/" not in target and named.licence_id is not None:
            info = explain_licence(registry.get(named.licence_id))
            kind = "licence"
        else:
            with open_warehouse(read_only=True) as warehouse:
                info = explain_model(warehouse, target, snapshot)
            kind = "model"

    def render() -> None:
        if kind == "licence":
            stdout.print(f"[bold]{info['name']}[/] ({info['id']})", highlight=False)
            stdout.print(f"text: {info['source']} (read {info['read_on']})", highlight=False)
        else:
            where = (
                f"inherited from {info['inherited_from']}"
                if info["source"] == "inherited"
                else "stated by the model"
                if info["source"] == "own"
                else "no licence stated by the model or its bases"
            )
            stdout.print(f"[bold]{info['model_id']}[/]: {info['licence_name'] or info['raw'] or 'none'} ({where})")
            if info["licence_source"]:
                stdout.print(f"text: {info['licence_source']} (read {info['read_on']})", highlight=False)
            for conflict in info["conflicts"]:
                stdout.print(f"[bold red]conflict:[/] {conflict['reason']}", highlight=False)
        _render_licence_explanation(info)

    emit(info, render)


@group.commands.command("licenses")
def licenses_command(as_json: JsonOption = False) -> None:
    """List the licence registry with each licence's verdict."""
    from modelrace.licensing import explain_licence, load_licences

    use_json(as_json)
    rows = [explain_licence(licence) for licence in load_licences().licences.values()]

    def render() -> None:
        table = Table("licence", "name", "verdict", "deciding terms", "source")
        for row in rows:
            table.add_row(row["id"], row["name"], row["verdict"], ", ".join(row["deciding_terms"]), row["source"])
        stdout.print(table)
        stdout.print(f"[dim]{rows[0]['notice']}[/]", highlight=False)

    emit(rows, render)
