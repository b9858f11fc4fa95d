"""The race report command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

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


@group.commands.command()
def report(
    html: Annotated[Path, typer.Option(help="Write the self-contained HTML report here.")] = Path(
        "modelrace-report.html"
    ),
    md: Annotated[Path | None, typer.Option(help="Also write Markdown, with PNG/SVG charts beside it.")] = None,
    snapshot: Annotated[
        str | None,
        typer.Option(
            help="Snapshot id, 'latest' or 'previous' (default: the newest whose selection can decide who leads on "
            "downloads, else the latest); a named snapshot also answers the download claims alone."
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Compare with this snapshot (default: the one before).")] = None,
    include_fixtures: Annotated[
        bool, typer.Option("--include-fixtures", help="Count test fixtures (tiny-random models).")
    ] = False,
    top: Annotated[int, typer.Option(min=1, help="Rows in the top-model tables.")] = 25,
    scope: Annotated[
        str,
        typer.Option(
            help="llm: language models only (text-generation and the other generative text tags, docs); "
            "all: every model the snapshot holds."
        ),
    ] = "llm",
    as_json: JsonOption = False,
) -> None:
    """The race report: who leads on downloads and derivatives, licences, capability by size, cost to serve; with
    imported results but no Hub snapshot yet, capability and cost alone."""
    from modelrace.adoption import check_model_scope
    from modelrace.report import build_report, render_html, render_markdown, render_terminal

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        models = check_model_scope(scope)
        built = build_report(
            warehouse, snapshot, since=since, include_fixtures=include_fixtures, top=top, models=models
        )
        render_html(built, html)
        written = [html]
        if md is not None:
            written += render_markdown(built, md)
    figures = built.figures.to_json() | {"files": [str(p) for p in written]}

    def render() -> None:
        render_terminal(built, stdout)
        # Paths are the user's text: never markup.
        stdout.print(
            Text.assemble("report written to ", (str(html), "bold"), f" and {md}" if md else ""), highlight=False
        )

    emit(figures, render)
