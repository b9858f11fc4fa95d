"""Adoption commands: download shares by one breakdown, and everything known about one model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
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
from modelrace.errors import ConfigError

if TYPE_CHECKING:
    from modelrace.adoption import ModelDescription, ShareTable
    from modelrace.usage import ModelUsage

group = CommandGroup()


BREAKDOWNS = ("country", "uploader-country", "developer", "uploader", "family", "namespace")


@group.commands.command()
def shares(
    by: Annotated[
        str,
        typer.Option(
            help="country, uploader-country, developer, uploader, family or namespace "
            "(country, developer and family by root family: derivatives count for the original developer)."
        ),
    ] = "country",
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous' (default: latest).")] = None,
    include_fixtures: Annotated[bool, typer.Option("--include-fixtures", help="Count test fixtures.")] = False,
    all_time: Annotated[bool, typer.Option("--all-time", help="All-time downloads instead of 30 days.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows to show (--json has them all).")] = 20,
    limit: Annotated[int | None, typer.Option("--limit", min=1, hidden=True, help="Old name of --top.")] = None,
    scope: Annotated[
        str, typer.Option(help="llm: language models only (the generative text tags, docs); all: every model.")
    ] = "llm",
    as_json: JsonOption = False,
) -> None:
    """Download shares by one breakdown (root-family view for country/developer/family).

    Language models by default (--scope all: every model); the title names the snapshot's selection and filters.
    """
    from modelrace.adoption import Measure, check_model_scope, share_table

    use_json(as_json)
    if limit is not None:
        deprecated("--limit", "--top")
        top = limit
    if "_" in by and by.replace("_", "-") in BREAKDOWNS:
        deprecated(f"--by {by}", f"--by {by.replace('_', '-')}")
    measure: Measure = "downloads_all_time" if all_time else "downloads_30d"
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        if by.replace("_", "-") not in BREAKDOWNS:
            raise ConfigError(f"--by {by!r}: choose one of {', '.join(BREAKDOWNS)}")
        models = check_model_scope(scope)
        table_data = share_table(warehouse, by.replace("-", "_"), snapshot, include_fixtures, measure, models)
    emit(table_data.to_json(), lambda: _render_shares(table_data, by, top, all_time, include_fixtures))


def _render_shares(table_data: ShareTable, by: str, top: int, all_time: bool, include_fixtures: bool) -> None:
    rows = table_data.rows
    counted = sum(row.downloads for row in rows)
    if not rows or not counted:
        if all_time:
            stdout.print(
                f"snapshot {table_data.snapshot.id} has no all-time download counts: its source "
                f"({table_data.snapshot.source}) did not give them (a sync with --expand and hub-stats imports "
                "do); leave out --all-time for 30-day shares",
                markup=False,
                highlight=False,
            )
        else:
            stdout.print(
                f"snapshot {table_data.snapshot.id} has no downloads to share out"
                + ("" if include_fixtures else " (test fixtures are left out: --include-fixtures counts them)"),
                markup=False,
                highlight=False,
            )
        return
    measure_words = "downloads (all time)" if all_time else "downloads (30 d)"
    table = data_table(
        [
            TerminalColumn(by.replace("_", "-"), "id"),
            TerminalColumn(measure_words, "number"),
            TerminalColumn("share", "number"),
            TerminalColumn("models", "number"),
        ],
        [(row.key, f"{row.downloads:,}", f"{row.share * 100:.1f} %", f"{row.models:,}") for row in rows[:top]],
        title=f"{table_data.selection} ({table_data.snapshot.data_date or table_data.snapshot.taken_at[:10]}): "
        f"shares of {counted:,} {measure_words}",
        width=stdout.width,
    )
    stdout.print(table)
    if table_data.known_share < 1.0:
        stdout.print(
            Text(f"{by.replace('_', '-')} known for {table_data.known_share * 100:.1f} % of these downloads"),
            highlight=False,
        )
    if table_data.caveat:
        stdout.print(Text(f"note: {table_data.caveat}", style="bold"), highlight=False)
    if table_data.snapshot.provenance:
        stdout.print(Text(f"data: {table_data.snapshot.provenance}", style="dim"), highlight=False)
    if len(rows) > top:
        stdout.print(f"... {len(rows) - top:,} more (--top N, or --json for all)", markup=False, highlight=False)


@group.commands.command()
def model(
    model_id: Annotated[str, typer.Argument(help="Hub model id, e.g. Qwen/Qwen2.5-7B-Instruct.")],
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous' (default: latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Everything known about one model: chain to its root, family, developer, country, licence, downloads."""
    from modelrace.adoption import describe_model
    from modelrace.usage import model_usage

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        info = describe_model(warehouse, model_id, snapshot)
        usage = model_usage(warehouse, model_id)  # OpenRouter usage, beside downloads (None without usage data)
    emit(info.to_json() | {"usage": usage.to_json() if usage else None}, lambda: _render_model(info, usage))


def _render_model(info: ModelDescription, usage: ModelUsage | None = None) -> None:
    # Every cell is a Text: names and card text from the Hub are never read as markup or emoji codes.
    chain = " -> ".join(link.model_id + (f" ({link.relation})" if link.relation else "") for link in info.chain)
    up, dev, params, lic = info.by_uploader, info.by_root_family, info.params, info.license
    rows: list[tuple[str, str]] = [
        ("model", info.model_id),
        ("snapshot", f"{info.snapshot.selection or info.snapshot.id} ({info.snapshot.taken_at[:10]})"),
        ("chain", chain),
    ]
    if len(info.roots) > 1:
        rows.append(("roots (merge credit)", ", ".join(f"{r.model_id} {r.credit:.0%}" for r in info.roots)))
    if any(r.issue == "cycle" for r in info.roots):
        rows.append(("tree", "in a cycle of base models: the cycle counts as its own root (docs/model-tree.md)"))
    rows += [
        ("root", info.root),
        ("family", f"{dev.family} ({dev.method})" if dev.family else "unattributed"),
        ("developer", f"{dev.developer} [{dev.country}]"),
        ("uploader", f"{up.organisation} [{up.country}] ({up.kind or 'unknown kind'})"),
        ("licence", " ".join(x for x in (lic.id, lic.name, lic.link) if x) or lic.missing or "none stated"),
    ]
    if params.total:
        active = f", {params.active / 1e9:.1f} B active" if params.active else ""
        rows.append(("parameters", f"{params.total / 1e9:.2f} B{active} (from {params.source})"))
    rows.append(("test fixture", "yes" if info.is_fixture else "no"))
    rows += [
        (f"downloads @ {h.data_date or h.taken_at[:10]}", f"{h.downloads_30d:,} (30 days; snapshot {h.snapshot_id})")
        for h in info.downloads
    ]
    if usage is not None:
        rows.append(("usage (OpenRouter)", usage.words))
    if info.ecosystem:
        e = info.ecosystem
        rows.append(
            (
                "ecosystem",
                f"{e.finetunes} finetunes, {e.quantizations} quantizations, {e.adapters} adapters, {e.merges} merges",
            )
        )
    table = Table(show_header=False, box=None)
    for label, value in rows:
        table.add_row(label, Text(value))
    stdout.print(table)
