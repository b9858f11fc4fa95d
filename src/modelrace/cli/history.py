"""The time axis on the command line: many board files at once (`import lmarena`), what the warehouse holds on
the time axis (`history`) and a metric followed over time (`trend`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from modelrace.cli._app import CommandGroup, JsonOption, emit, open_warehouse, stderr, stdout, use_json, user_errors
from modelrace.errors import ConfigError

if TYPE_CHECKING:
    from modelrace.sources._history import BoardImports
    from modelrace.store import Warehouse
    from modelrace.timeline import Growth, History, Trend

group = CommandGroup()
_SHORT = {"base_models": "bases", "license": "licences"}

DATE_HELP = "Date of the data (one file only; default: from the file's contents, else its name; never its mtime)."


def _iso(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not an ISO date (YYYY-MM-DD)") from None


@group.imports.command("lmarena")
def import_lmarena(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Leaderboard-text JSONs, history CSVs (lmarena_alltime_*.csv: one board per date), Arena top-50 "
            "JSONs (arena_text_top50_*.json), or folders of them.",
            show_default=False,
        ),
    ],
    meta: Annotated[
        Path | None, typer.Option("--meta", help="price/organisation/licence JSON (default: found beside)")
    ] = None,
    date_: Annotated[str | None, typer.Option("--date", help=DATE_HELP)] = None,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="Store it even if it yields no result or rejects most rows.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Import it even if it is much smaller than the newest board.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """LMArena text leaderboard (ratings with 95 % bounds per category) and its organisation/price file."""
    use_json(as_json)
    single = len(paths) == 1 and paths[0].suffix.lower() == ".json" and not paths[0].is_dir()
    if single and not _is_top50(paths[0]):
        from modelrace.cli.results import _import_results

        _import_results("lmarena", paths[0], date_, allow_partial, force, meta=meta)
        return
    from modelrace.sources._history import import_boards

    with user_errors():
        when = _iso(date_, "--date")
        with open_warehouse() as warehouse:
            found = import_boards(warehouse, paths, when, meta=meta, allow_partial=allow_partial, force=force)
    emit(found.to_json(), lambda: _render_imports(found))
    if not found.imports:
        raise typer.Exit(1)


def _is_top50(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False
    return '"meta"' in head and '"models"' in head


def _render_imports(found: BoardImports) -> None:
    new = [s for s in found.imports if not s.already_imported]
    if new:
        sources = sorted({s.source for s in new})
        first, last = min(s.data_date for s in new), max(s.data_date for s in new)
        stdout.print(
            f"{len(new):,} boards stored ({', '.join(sources)}, data of {first} to {last}): "
            f"{sum(s.models for s in new):,} model rows, {sum(s.rejected for s in new):,} rejected",
            highlight=False,
        )
    if len(found.imports) > len(new):
        stdout.print(f"{len(found.imports) - len(new):,} boards were already imported", highlight=False)
    for problem in found.problems:
        line = problem.message if problem.path in problem.message else f"{problem.path}: {problem.message}"
        stderr.print(Text(line))


@group.commands.command()
def history(
    source: Annotated[
        str | None, typer.Option("--source", help="One source: lmarena, arena-top50, hub-json, hub-stats, ...")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The boards and snapshots on the time axis: each with its date and counts, oldest first."""
    from modelrace.timeline import history as time_axis

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        found = time_axis(warehouse, source)
    emit(found.to_json(), lambda: _render_history(found))


def _render_history(found: History) -> None:
    if not found.boards and not found.snapshots:
        stdout.print("nothing on the time axis yet: `modelrace import lmarena FOLDER`, `modelrace import hub-json ...`")
        return
    if found.boards:
        table = Table("source", "boards", "first", "last", "models (min-max)", title="boards")
        for source in dict.fromkeys(b.source for b in found.boards):
            boards = [b for b in found.boards if b.source == source]
            table.add_row(
                source,
                f"{len(boards):,}",
                boards[0].data_date.isoformat(),
                boards[-1].data_date.isoformat(),
                f"{min(b.models for b in boards):,}-{max(b.models for b in boards):,}",
            )
        stdout.print(table)
    if found.snapshots:
        table = Table("snapshot", "data of", "source", "selection", "models", "lacks", title="snapshots")
        for s in found.snapshots:
            lacks = ", ".join(_SHORT.get(fact, fact) for fact in s.lacks) or "-"
            table.add_row(str(s.snapshot_id), s.data_date, s.source, s.selection, f"{s.models:,}", lacks)
        stdout.print(table)
        stdout.print("(`modelrace imports` gives each snapshot's file)", style="dim", highlight=False)


@group.commands.command()
def trend(
    metric: Annotated[
        str, typer.Option("--metric", help="downloads, rating or usage (OpenRouter tokens).")
    ] = "downloads",
    by: Annotated[
        str | None,
        typer.Option("--by", help="country, developer, family or model (default: family; usage: country)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Keys kept: the largest at the last date.")] = 10,
    source: Annotated[
        str | None, typer.Option("--source", help="Only this source's snapshots or boards (hub-json, lmarena, ...).")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).")] = None,
    passes: Annotated[
        str | None,
        typer.Option("--pass", help="A,B: the first date A passes B (downloads: on every consecutive pair's scope)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A metric followed over time by country, developer, family or model, on a valid scope (downloads: the
    same models in every snapshot; ratings: within each board)."""
    from modelrace.timeline import BREAKDOWNS, growth, metric_named
    from modelrace.timeline import trend as follow

    use_json(as_json)
    with user_errors():
        by = by or ("country" if metric == "usage" else "family")  # usage has no families (OpenRouter gives none)
        if by not in BREAKDOWNS:
            raise ConfigError(f"--by {by!r}: choose one of {', '.join(BREAKDOWNS)}")
        pair = [part.strip() for part in passes.split(",")] if passes else None
        if pair is not None and (len(pair) != 2 or not all(pair)):
            raise ConfigError(f"--pass {passes!r}: give two keys, A,B")
        when = _iso(since, "--since")
        if metric == "usage":
            if pair is not None:
                raise ConfigError("--pass is for downloads and ratings; `modelrace usage` gives usage ranks")
            with open_warehouse(read_only=True) as warehouse:
                found, passed = _usage_trend(warehouse, by, top, when), None
        else:
            chosen = metric_named(metric, source=source, since=when)
            with open_warehouse(read_only=True) as warehouse:
                found = follow(warehouse, chosen, by, top)  # type: ignore[arg-type]
                passed = _passes(warehouse, found, metric, by, source, when, pair) if pair else None
    moved = growth(found)
    data = {**found.to_json(), "growth": [g.to_json() for g in moved], "pass": passed}
    emit(data, lambda: _render_trend(found, moved, passed))


def _usage_trend(warehouse: Warehouse, by: str, top: int, since: date | None) -> Trend:
    """Token shares over time from the usage package, in the trend's shape: one series and one base (each point's
    ``ref`` says which), its shares as the source gives them (of all OpenRouter tokens, or of the listed top
    models'), never recomputed over the rows listed."""
    from modelrace.timeline import Trend, TrendPoint
    from modelrace.usage import usage_trend

    if by not in ("country", "developer", "model"):
        raise ConfigError(f"--metric usage --by {by!r}: usage is by country, developer or model (no family)")
    found = usage_trend(warehouse, by, since=since)  # type: ignore[arg-type]
    points = [TrendPoint(p.date, p.key, p.value or 0.0, p.share, None, p.coverage) for p in found]
    if points:
        last = max(p.date for p in points)
        ranked = sorted((p for p in points if p.date == last), key=lambda p: (-(p.share or 0.0), p.key))
        kept = {p.key for p in ranked[:top]}
        points = [p for p in points if p.key in kept]
    sources = list(dict.fromkeys(p.ref for p in points))
    scope = "OpenRouter tokens (one router among many; docs/usage.md), shares of the base each point names"
    return Trend("usage", by, scope, sources, points)


def _passes(
    warehouse: Warehouse, found: Trend, metric: str, by: str, source: str | None, since: date | None, pair: list[str]
) -> dict[str, Any]:
    """Downloads: on every consecutive pair of snapshots' common models; ratings: board by board."""
    from modelrace.timeline import DownloadsMetric, first_pass, pairwise_pass

    leader, other = pair
    if metric != "downloads":
        return {"on": "each board", **first_pass(found, leader, other).to_json()}
    ids = DownloadsMetric(source=source, since=since).chosen(warehouse)
    steps = pairwise_pass(
        warehouse,
        lambda ends: DownloadsMetric(snapshot_ids=ends),
        ids,
        leader,
        other,
        by,  # type: ignore[arg-type]
    )
    return {"on": "each pair of consecutive snapshots, on the models both hold", **steps.to_json(),
            "ahead_throughout": steps.ahead_throughout}  # fmt: skip


def _render_trend(found: Trend, moved: list[Growth], passed: dict[str, Any] | None) -> None:
    stdout.print(Text(f"{found.metric} by {found.by}, on {found.scope}"))
    dates = found.dates()
    keys = list(dict.fromkeys(p.key for p in sorted(found.points, key=lambda p: (p.date != dates[-1], -p.value))))
    # as many dates as fit whole (a date column is 10 characters and its padding): never a cut date
    fits = max(2, min(8, (stdout.width - 26) // 13))
    shown_dates = dates if len(dates) <= fits else [*dates[: fits // 2], *dates[-(fits - fits // 2) :]]
    table = Table(found.by)
    for when in shown_dates:
        table.add_column(when.isoformat(), no_wrap=True, min_width=10, justify="right")
    cells = {(p.key, p.date): p for p in found.points}
    for key in keys:
        row = []
        for when in shown_dates:
            point = cells.get((key, when))
            if point is None:
                row.append("")
            elif point.share is not None:
                row.append(f"{point.share:.1%}")
            else:
                row.append(f"{point.value:,.0f}")
        table.add_row(Text(key), *row)
    coverage = []
    for when in shown_dates:
        value = next((p.coverage for p in found.points if p.date == when), None)
        coverage.append("" if value is None else f"{value:.0%}")
    if any(coverage):
        table.add_row(Text("coverage", style="dim"), *coverage)
    stdout.print(table)
    if len(dates) > len(shown_dates):
        stdout.print(f"({len(dates) - len(shown_dates)} dates between not shown; --json has them all)")
    shares = [g for g in moved if g.share_change is not None]
    movers = [g for g in shares if (g.share_change or 0) > 0][:3] + [
        g for g in shares[::-1] if (g.share_change or 0) < 0
    ][:1]
    if movers:
        words = "; ".join(f"{g.key} {(g.share_change or 0) * 100:+.1f} pp" for g in movers)
        stdout.print(Text(f"movers (share, {movers[0].first_date} to {movers[0].last_date}): {words}"))
    if passed is not None:
        stdout.print(Text(_pass_words(passed)))


def _pass_words(passed: dict[str, Any]) -> str:
    leader, other = passed["leader"], passed["other"]
    if "steps" in passed:
        first = passed["first"]
        if first is not None:
            return f"{leader} passed {other} between {first['before']} and {first['after']} ({passed['on']})"
        if passed["ahead_throughout"]:
            return f"{leader} is ahead of {other} in every comparable pair: the passing is before the history"
        return f"{leader} has not passed {other} in {len(passed['steps'])} comparable pairs ({passed['on']})"
    if passed["observed"]:
        return f"{leader} passed {other} between {passed['before']} and {passed['when']} ({passed['on']})"
    if passed["when"] is not None:
        return f"{leader} is ahead of {other} from the first date, {passed['when']}: the passing is before"
    return f"{leader} has not passed {other} ({passed['dates_compared']} dates compared)"
