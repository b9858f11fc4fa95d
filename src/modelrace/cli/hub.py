"""Hub commands: sync, snapshot imports, snapshots, one model, and the replay server for demos."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    deprecated,
    emit,
    open_warehouse,
    state,
    stderr,
    stdout,
    use_json,
    user_errors,
)
from modelrace.errors import AlreadyImportedError, ConfigError

if TYPE_CHECKING:
    from modelrace._progress import ProgressSink
    from modelrace.hub import IngestStats, IngestSummary
    from modelrace.store import Selection, SnapshotInfo, Warehouse

# The hub and store packages (DuckDB, the HTTP client) load when a command runs, not for `--help`.
DEFAULT_MAX_WAIT_S = 300.0
"""hub.DEFAULT_MAX_WAIT_S, spelled here for `sync --help` (checked by tests/cli/test_lazy_commands.py)."""

group = CommandGroup()


def _render_ingest(summary: IngestSummary) -> None:
    # Reasons and warnings quote data (ids, tags, values, paths): plain text, never markup or emoji codes.
    snapshot = summary.snapshot
    lost_pages = f", {summary.rejected_pages:,} listing pages unreadable" if summary.rejected_pages else ""
    stdout.print(
        f"snapshot {snapshot.snapshot_id}: {snapshot.provenance}, {snapshot.selection}: "
        f"{summary.accepted:,} models stored, {summary.rejected:,} rejected, "
        f"{summary.duplicates:,} duplicates skipped{lost_pages}",
        markup=False,
        emoji=False,
        highlight=False,
    )
    for reason, count in list(summary.rejection_reasons.items())[:10]:
        stdout.print(f"  rejected {count:,}: {reason}", markup=False, emoji=False, highlight=False)
    for warning in summary.warnings:
        stderr.print(f"warning: {warning}", markup=False, emoji=False, highlight=False)


@group.commands.command()
def sync(
    pipeline_tag: Annotated[
        list[str] | None,
        typer.Option(
            "--pipeline-tag",
            help="Hub pipeline tag to list (repeatable; default: text-generation).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most N models per pipeline tag.")] = None,
    min_downloads: Annotated[
        int | None, typer.Option(min=0, help="Only models with at least N downloads (30 days).")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Only this namespace.")] = None,
    expand: Annotated[
        bool, typer.Option(help="Ask for card data, safetensors, base models and all-time downloads.")
    ] = True,
    retries: Annotated[int, typer.Option(min=0, help="Retries per request on 429/5xx/network errors.")] = 5,
    max_wait: Annotated[
        float,
        typer.Option(
            "--max-wait",
            min=0,
            envvar="MODELRACE_MAX_WAIT",
            help="Longest Retry-After to honour, in seconds; a longer one ends the sync with an error.",
        ),
    ] = DEFAULT_MAX_WAIT_S,
    allow_partial: AllowPartialOption = False,
    as_json: JsonOption = False,
) -> None:
    """Take a snapshot of the Hub's models (honours HF_ENDPOINT and HF_TOKEN); text-generation unless
    --pipeline-tag says otherwise."""
    from modelrace._progress import progress_bar
    from modelrace.hub import IngestSummary, SyncOptions, sync_hub
    from modelrace.report import store_report_tables
    from modelrace.tree import cycle_warning

    use_json(as_json)
    options = SyncOptions(
        pipeline_tags=tuple(pipeline_tag or ["text-generation"]),
        limit=limit,
        min_downloads=min_downloads,
        author=author,
        expand=expand,
        max_retries=retries,
        max_wait_s=max_wait,
        allow_partial=allow_partial,
    )
    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        result = sync_hub(warehouse, options, progress=progress)
        store_report_tables(warehouse, progress=progress)  # what a report would build, stored (issue #15)
        warnings = [*result.warnings, *cycle_warning(warehouse.connection, result.snapshot.snapshot_id)]
    summary = IngestSummary.of(result.snapshot, result.stats, pages=result.pages, warnings=warnings)
    emit(summary.to_json(), lambda: _render_ingest(summary))


AllowPartialOption = Annotated[
    bool,
    typer.Option(
        "--allow-partial", help="Store it even if it yields no model or rejects more than half of what it read."
    ),
]


def _selection_option() -> Any:
    return typer.Option(
        "--selection",
        help="Which models the file holds: complete (all of the Hub or of a pipeline tag/author), top-downloads "
        "(the most downloaded, complete down to its smallest count) or subset (unknown selection).",
        show_default=True,
    )


OldTakenAtOption = Annotated[datetime | None, typer.Option("--taken-at", hidden=True, help="Old name of --date.")]


def _date_option(date: datetime | None, old: datetime | None) -> datetime | None:
    """--date, or the old --taken-at with a note on stderr."""
    if old is not None:
        deprecated("--taken-at", "--date")
    return date if date is not None else old


class SnapshotImporter(Protocol):
    """What import_hub_stats and import_hub_json have in common."""

    def __call__(
        self,
        warehouse: Warehouse,
        path: Path,
        taken_at: datetime | None = None,
        progress: ProgressSink | None = None,
        *,
        selection: Selection = ...,
        allow_partial: bool = False,
    ) -> tuple[SnapshotInfo, IngestStats]:
        """Load ``path`` as one snapshot."""
        ...


def _import_snapshot(
    importer: SnapshotImporter, path: Path, taken_at: datetime | None, selection: str, allow_partial: bool
) -> None:
    """Run one snapshot importer (hub-stats or hub-json) and print what it stored and rejected."""
    from modelrace._progress import progress_bar
    from modelrace.hub import IngestSummary
    from modelrace.report import store_report_tables
    from modelrace.store import check_selection, resolve_snapshot
    from modelrace.tree import cycle_warning

    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        try:
            snapshot, stats = importer(
                warehouse,
                path,
                taken_at=taken_at,
                progress=progress,
                selection=check_selection(selection),
                allow_partial=allow_partial,
            )
        except AlreadyImportedError as stored:  # nothing to do, as a results import of a stored file
            info, message = resolve_snapshot(warehouse, stored.snapshot_id).to_json(), str(stored)
            emit(
                {"already_imported": True, "snapshot": info, "message": message},
                lambda: stdout.print(message, markup=False, highlight=False, emoji=False),
            )
            return
        store_report_tables(warehouse, progress=progress)  # what a report would build, stored (issue #15)
        warnings = cycle_warning(warehouse.connection, snapshot.snapshot_id)
    summary = IngestSummary.of(snapshot, stats, warnings=warnings)
    emit(summary.to_json(), lambda: _render_ingest(summary))


@group.imports.command("hub-stats")
def import_hub_stats_command(
    path: Annotated[Path, typer.Argument(help="models.parquet of the hub-stats dataset.")],
    taken_at: Annotated[
        datetime | None, typer.Option("--date", help="Date of the data (default: newest lastModified in the file).")
    ] = None,
    old_taken_at: OldTakenAtOption = None,
    selection: Annotated[str, _selection_option()] = "complete",
    allow_partial: AllowPartialOption = False,
    as_json: JsonOption = False,
) -> None:
    """Load a hub-stats models.parquet (the whole Hub, daily) as a snapshot."""
    from modelrace.hub import import_hub_stats

    use_json(as_json)
    _import_snapshot(import_hub_stats, path, _date_option(taken_at, old_taken_at), selection, allow_partial)


def _import_snapshots(
    importer: SnapshotImporter, paths: list[Path], taken_at: datetime | None, selection: str, allow_partial: bool
) -> None:
    """Several files (or folders of *.json) as one snapshot each, in name order: a file that cannot be stored
    costs one line, the others are kept; the report's tables are rebuilt once at the end."""
    from modelrace.errors import ModelraceError
    from modelrace.hub import IngestSummary
    from modelrace.report import store_report_tables
    from modelrace.store import check_selection

    files = [f for p in paths for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
    stored: list[IngestSummary] = []
    problems: list[dict[str, str]] = []
    with user_errors(), open_warehouse() as warehouse:
        if taken_at is not None and len(files) > 1:
            raise ConfigError("--date dates one snapshot: give one file with it, not several")
        for path in files:
            try:
                snapshot, stats = importer(
                    warehouse, path, taken_at=taken_at, selection=check_selection(selection),
                    allow_partial=allow_partial,
                )  # fmt: skip
            except ModelraceError as error:
                problems.append({"path": str(path), "message": str(error)})
                continue
            stored.append(IngestSummary.of(snapshot, stats))
        if stored:
            store_report_tables(warehouse)
    data = {"snapshots": [s.to_json() for s in stored], "problems": problems}

    def render() -> None:
        for summary in stored:
            _render_ingest(summary)
        for problem in problems:
            stderr.print(f"{problem['path']}: {problem['message']}", markup=False, emoji=False, highlight=False)

    emit(data, render)
    if not stored and problems and not all("already stored" in p["message"] for p in problems):
        raise typer.Exit(1)


@group.imports.command("hub-json")
def import_hub_json_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="JSON lists of /api/models objects, or llmfit versions (hub_history_llmfit/*.json), or folders.",
            show_default=False,
        ),
    ],
    taken_at: Annotated[
        datetime | None, typer.Option("--date", help="Date of the data (default: newest lastModified in the file).")
    ] = None,
    old_taken_at: OldTakenAtOption = None,
    selection: Annotated[str, _selection_option()] = "subset",
    allow_partial: AllowPartialOption = False,
    as_json: JsonOption = False,
) -> None:
    """Load a JSON list of Hub API model objects as a snapshot."""
    from modelrace.hub import import_hub_json

    use_json(as_json)
    if len(paths) == 1 and not paths[0].is_dir():
        _import_snapshot(import_hub_json, paths[0], _date_option(taken_at, old_taken_at), selection, allow_partial)
    else:
        _import_snapshots(import_hub_json, paths, _date_option(taken_at, old_taken_at), selection, allow_partial)


@group.commands.command()
def snapshots(as_json: JsonOption = False) -> None:
    """List the snapshots in the warehouse."""
    from modelrace.store import list_snapshots

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        found = list_snapshots(warehouse)

    def render() -> None:
        if not found:
            stdout.print("no snapshots yet: run `modelrace sync` or `modelrace import hub-stats PATH`")
            return
        table = data_table(
            [
                TerminalColumn("id", "number"),
                TerminalColumn("data of", "id"),  # a date is read whole or not at all
                TerminalColumn("source", "id"),
                TerminalColumn("selection", "id"),
                TerminalColumn("models", "number"),
                TerminalColumn("rejected", "number"),
                TerminalColumn("duplicates", "number"),
                "from",
            ],
            [
                (
                    str(s.snapshot_id),
                    s.data_date,
                    s.source_kind,
                    s.selection,
                    f"{s.model_count:,}",
                    f"{s.rejected_count:,}",
                    f"{s.duplicate_count:,}",
                    s.origin or s.source_detail or "",
                )
                for s in found
            ],
            width=stdout.width,
        )
        stdout.print(table)

    emit([s.to_json() for s in found], render)


@group.commands.command("replay-hub")
def replay_hub_command(
    data: Annotated[
        Path | None,
        typer.Option(help="llmfit Hub JSON or a JSON list of model objects (default: the reference data)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    selection: Annotated[str, _selection_option()] = "subset",
    as_json: JsonOption = False,
) -> None:
    """Serve a replay of the Hub's /api/models on loopback, for offline demos and tests; every listing page
    says which file it replays, the date of its data and its selection (X-Modelrace-Replay-* headers).
    With --json, one JSON line on stdout once it serves (endpoint, models, file, data date, selection)."""
    from modelrace.replay import ReplayHub, ReplayState, load_replay_models, replay_provenance
    from modelrace.store import check_selection

    use_json(as_json)
    with user_errors():
        models, data = load_replay_models(data)
        provenance = replay_provenance(data, models, check_selection(selection))
        try:
            hub = ReplayHub(ReplayState(models=models, provenance=provenance), port=port)
        except OSError as error:
            raise ConfigError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}; pick another --port") from None
        stderr.print(
            Text(
                f"replaying {len(models):,} models of {provenance.file} (data of {provenance.data_date or 'unknown'}, "
                f"{provenance.selection}) at {hub.endpoint} (HF_ENDPOINT={hub.endpoint})"
            )
        )
        if state.as_json:  # one line, flushed: a script reads the endpoint, then syncs from it
            sys.stdout.write(
                json.dumps(
                    {
                        "endpoint": hub.endpoint,
                        "models": len(models),
                        "file": str(provenance.file),
                        "data_date": provenance.data_date,
                        "selection": provenance.selection,
                    }
                )
                + "\n"
            )
            sys.stdout.flush()
        try:
            hub.serve_forever()
        except KeyboardInterrupt:
            hub.stop()
