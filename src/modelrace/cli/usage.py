"""Usage commands: `import openrouter` (usage snapshots) and `usage` (token, request and dollar shares)."""

from __future__ import annotations

from datetime import date as date_type
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from modelrace.cli._app import CommandGroup, JsonOption, emit, open_warehouse, stdout, use_json, user_errors
from modelrace.errors import ConfigError

if TYPE_CHECKING:
    from modelrace.usage import UsageImport, UsageSeries

group = CommandGroup()


class ByChoice(StrEnum):
    """What `usage --by` breaks tokens down by."""

    model = "model"
    developer = "developer"
    country = "country"
    open = "open"


class MetricChoice(StrEnum):
    """What `usage --metric` measures."""

    tokens = "tokens"
    requests = "requests"
    usd = "usd"


class SeriesChoice(StrEnum):
    """Which of OpenRouter's series `usage --series` reads."""

    dataset = "dataset"
    authors = "authors"
    models = "models"
    weekly = "weekly"


@group.imports.command("openrouter")
def import_openrouter(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="OpenRouter files or folders: rankings pages, weekly top models, rankings-daily dataset rows, the "
            "models list."
        ),
    ],
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="Store a file even if it rejects more than half of its rows.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """OpenRouter usage (rankings page, weekly top models, rankings-daily rows, models list): one dated usage
    snapshot per file."""
    from modelrace.usage import import_usage

    use_json(as_json)
    with user_errors(), open_warehouse() as warehouse:
        found = import_usage(warehouse, paths, allow_partial=allow_partial)
    emit(found.to_json(), lambda: _render_import(found))


def _render_import(found: UsageImport) -> None:
    # One row per layout: a folder holds dozens of daily files.
    table = Table("layout", "files", "days", "rows", "rejected", "stored now", "covers (latest)")
    for layout in dict.fromkeys(s.layout for s in found.snapshots):
        mine = [s for s in found.snapshots if s.layout == layout]
        days = sorted(s.data_date for s in mine)
        table.add_row(
            layout,
            str(len(mine)),
            f"{days[0]} to {days[-1]}" if len(days) > 1 else days[0].isoformat(),
            f"{sum(s.rows for s in mine):,}",
            f"{sum(s.rejected for s in mine):,}",
            str(sum(not s.already_imported for s in mine)),
            Text("; ".join(mine[-1].coverage.values())),
        )
    stdout.print(table)
    stdout.print(f"{found.stored} stored, {len(found.snapshots) - found.stored} already imported", highlight=False)
    for s in found.snapshots:
        for sample in s.rejection_samples[:3]:
            stdout.print(Text(f"  {Path(s.path).name}: rejected {sample['slug'] or '?'}: {sample['reason']}"))


def _since(value: str | None) -> date_type | None:
    if value is None:
        return None
    try:
        return date_type.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--since {value!r} is not an ISO date (YYYY-MM-DD)") from None


@group.commands.command()
def usage(
    by: Annotated[ByChoice, typer.Option(help="Break usage down by model, developer, country or openness.")] = (
        ByChoice.developer
    ),
    metric: Annotated[
        MetricChoice, typer.Option(help="tokens, requests or usd (tokens x listed price; free variants at $0).")
    ] = MetricChoice.tokens,
    series: Annotated[
        SeriesChoice | None,
        typer.Option(
            help="Which series: dataset (rankings-daily), authors or models (the rankings page), weekly (weekly "
            "top models). Default: the most complete base held for the breakdown.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only days from this date (YYYY-MM-DD).")] = None,
    top: Annotated[int, typer.Option(min=1, help="Rows shown per day (text output).")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Usage shares per snapshot and their change: tokens, requests or list-price dollars by model, developer,
    country or openness, each share with the base it is of (never two bases in one series)."""
    from modelrace.usage import usage_series

    use_json(as_json)
    with user_errors():
        start = _since(since)
        with open_warehouse(read_only=True) as warehouse:
            found = usage_series(
                warehouse,
                by.value,
                metric.value,
                series.value if series else None,
                start,
            )
    emit(found.to_json(), lambda: _render_usage(found, top))


def _render_usage(found: UsageSeries, top: int) -> None:
    if not found.points:
        stdout.print("no usage in that window")
        return
    latest = found.latest()
    stdout.print(
        Text(f"{found.source}: {found.metric} by {found.by}, {len(found.dates)} days, share of {latest[0].base}"),
        highlight=False,
    )
    for day in found.dates[-3:]:
        points = found.on(day)
        table = Table(found.by, found.metric, "share", "change", title=f"{day} ({points[0].coverage})")
        for point in points[:top]:
            value = "" if point.value is None else f"{point.value:,.0f}"
            share = "" if point.share is None else f"{point.share * 100:.1f} %"
            change = "" if point.change is None else f"{point.change * 100:+.1f} pp"
            table.add_row(Text(point.key), value, share, change)
        stdout.print(table)
    for note in found.notes[-5:]:
        stdout.print(Text(f"note: {note}"))
    if found.unmatched:
        stdout.print(Text(f"unresolved slugs (see `modelrace resolve --unmatched`): {', '.join(found.unmatched)}"))


def _day(value: str | None, option: str) -> date_type | None:
    if value is None:
        return None
    try:
        return date_type.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not an ISO date (YYYY-MM-DD)") from None


@group.commands.command("sync-usage")
def sync_usage_command(
    endpoint: Annotated[
        str, typer.Option(envvar="OPENROUTER_ENDPOINT", help="OpenRouter's origin (a replay for tests).")
    ] = "https://openrouter.ai",
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar="OPENROUTER_API_KEY",
            help="Reads the rankings-daily dataset too (the models list needs none).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day of the rankings (default: --end - 29 d).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day of the rankings (default: yesterday).")] = None,
    max_wait: Annotated[float, typer.Option(help="Longest Retry-After wait (seconds) before giving up.")] = 300.0,
    as_json: JsonOption = False,
) -> None:
    """Take a usage snapshot from OpenRouter: the models list (list prices) and, with OPENROUTER_API_KEY, the
    rankings-daily dataset (top 50 models a day and the rest); every page checked before anything is stored."""
    from modelrace.usage import sync_usage

    use_json(as_json)
    with user_errors():
        first, last = _day(start, "--start"), _day(end, "--end")
        with open_warehouse() as warehouse:
            found = sync_usage(
                warehouse, endpoint=endpoint, api_key=api_key or None, start=first, end=last, max_wait_s=max_wait
            )

    def render() -> None:
        for s in found.snapshots:
            state = "already stored as" if s.already_imported else "stored as"
            covers = "; ".join(s.coverage.values())
            line = f"{s.layout} ({s.data_date}): {s.rows:,} rows, {state} usage snapshot {s.snapshot_id}: {covers}"
            stdout.print(Text(line))
        stdout.print(
            f"{found.requests} requests to {found.endpoint}, {found.retries} retried, {found.waited_s:,.0f} s waited",
            highlight=False,
        )
        for note in found.notes:
            stdout.print(Text(f"note: {note}"))

    emit(found.to_json(), render)
