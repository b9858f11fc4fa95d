"""Hub commands: sync, snapshot imports, snapshots, one model, and the replay server for demos."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from modelrace._progress import progress_bar
from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    emit,
    open_warehouse,
    state,
    stderr,
    stdout,
    use_json,
    user_errors,
)
from modelrace.errors import ConfigError
from modelrace.hub import IngestStats, SyncOptions, describe_model, import_hub_json, import_hub_stats, sync_hub
from modelrace.store import SnapshotInfo, list_snapshots

group = CommandGroup()


def _ingest_summary(snapshot: SnapshotInfo, stats: IngestStats) -> dict[str, object]:
    return {
        "snapshot": snapshot.to_json(),
        "accepted": stats.accepted,
        "rejected": stats.rejected,
        "duplicates": stats.duplicates,
        "rejection_reasons": stats.reasons(),
    }


def _render_ingest(summary: dict[str, object]) -> None:
    snapshot = summary["snapshot"]
    assert isinstance(snapshot, dict)
    stdout.print(
        f"snapshot [bold]{snapshot['snapshot_id']}[/] taken {snapshot['taken_at']} from {snapshot['source']}: "
        f"{summary['accepted']:,} models stored, {summary['rejected']:,} rejected, "
        f"{summary['duplicates']:,} duplicates skipped"
    )
    reasons = summary["rejection_reasons"]
    assert isinstance(reasons, dict)
    for reason, count in list(reasons.items())[:10]:
        stdout.print(f"  rejected {count:,}: {reason}", highlight=False)


@group.commands.command()
def sync(
    pipeline_tag: Annotated[
        list[str] | None,
        typer.Option("--pipeline-tag", help="Hub pipeline tag to list (repeatable).", show_default=False),
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
    as_json: JsonOption = False,
) -> None:
    """Take a snapshot of the Hub's models (honours HF_ENDPOINT and HF_TOKEN)."""
    use_json(as_json)
    options = SyncOptions(
        pipeline_tags=tuple(pipeline_tag or ["text-generation"]),
        limit=limit,
        min_downloads=min_downloads,
        author=author,
        expand=expand,
        max_retries=retries,
    )
    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        result = sync_hub(warehouse, options, progress=progress)
    summary = _ingest_summary(result.snapshot, result.stats) | {"pages": result.pages}
    emit(summary, lambda: _render_ingest(summary))


@group.imports.command("hub-stats")
def import_hub_stats_command(
    path: Annotated[Path, typer.Argument(help="models.parquet of the hub-stats dataset.")],
    taken_at: Annotated[
        datetime | None, typer.Option(help="Snapshot date (default: newest lastModified in the file).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a hub-stats models.parquet (the whole Hub, daily) as a snapshot."""
    use_json(as_json)
    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        snapshot, stats = import_hub_stats(warehouse, path, taken_at=taken_at, progress=progress)
    summary = _ingest_summary(snapshot, stats)
    emit(summary, lambda: _render_ingest(summary))


@group.imports.command("hub-json")
def import_hub_json_command(
    path: Annotated[Path, typer.Argument(help="JSON list of /api/models objects.")],
    taken_at: Annotated[
        datetime | None, typer.Option(help="Snapshot date (default: newest lastModified in the file).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a JSON list of Hub API model objects as a snapshot."""
    use_json(as_json)
    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        snapshot, stats = import_hub_json(warehouse, path, taken_at=taken_at, progress=progress)
    summary = _ingest_summary(snapshot, stats)
    emit(summary, lambda: _render_ingest(summary))


@group.commands.command()
def snapshots(as_json: JsonOption = False) -> None:
    """List the snapshots in the warehouse."""
    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        found = list_snapshots(warehouse)

    def render() -> None:
        if not found:
            stdout.print("no snapshots yet: run `modelrace sync` or `modelrace import hub-stats PATH`")
            return
        table = Table("id", "taken at (UTC)", "source", "models", "rejected", "duplicates", "from")
        for s in found:
            table.add_row(
                str(s.snapshot_id),
                s.taken_at.isoformat(sep=" ", timespec="seconds"),
                s.source,
                f"{s.model_count:,}",
                f"{s.rejected_count:,}",
                f"{s.duplicate_count:,}",
                s.source_detail or "",
            )
        stdout.print(table)

    emit([s.to_json() for s in found], render)


@group.commands.command()
def model(
    model_id: Annotated[str, typer.Argument(help="Hub model id, e.g. Qwen/Qwen2.5-7B-Instruct.")],
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Everything known about one model: chain to its root, family, developer, country, licence, downloads."""
    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        info = describe_model(warehouse, model_id, snapshot)

    def render() -> None:
        chain = " -> ".join(
            f"{link['model_id']}" + (f" ({link['relation']})" if link["relation"] else "") for link in info["chain"]
        )
        up, dev = info["by_uploader"], info["by_root_family"]
        params = info["params"]
        table = Table(show_header=False, box=None)
        table.add_row("model", info["model_id"])
        table.add_row("snapshot", f"{info['snapshot']['id']} ({info['snapshot']['taken_at']})")
        table.add_row("chain", chain)
        if len(info["roots"]) > 1:
            shares = ", ".join(f"{r['model_id']} {r['credit']:.0%}" for r in info["roots"])
            table.add_row("roots (merge credit)", shares)
        table.add_row("root", info["root"])
        table.add_row("family", f"{dev['family']} ({dev['method']})" if dev["family"] else "unattributed")
        table.add_row("developer", f"{dev['developer']} [{dev['country']}]")
        table.add_row("uploader", f"{up['organisation']} [{up['country']}] ({up['kind'] or 'unknown kind'})")
        lic = info["license"]
        table.add_row("licence", " ".join(str(x) for x in (lic["id"], lic["name"], lic["link"]) if x) or "none")
        if params["total"]:
            active = f", {params['active'] / 1e9:.1f} B active" if params["active"] else ""
            table.add_row("parameters", f"{params['total'] / 1e9:.2f} B{active} (from {params['source']})")
        table.add_row("test fixture", "yes" if info["is_fixture"] else "no")
        for h in info["downloads"]:
            table.add_row(f"downloads @ {h['taken_at'][:10]}", f"{h['downloads_30d']:,} (30 days)")
        if info["ecosystem"]:
            e = info["ecosystem"]
            table.add_row(
                "ecosystem",
                f"{e['finetunes']} finetunes, {e['quantizations']} quantizations, {e['adapters']} adapters, "
                f"{e['merges']} merges",
            )
        stdout.print(table)

    emit(info, render)


@group.commands.command("replay-hub")
def replay_hub_command(
    data: Annotated[
        Path | None,
        typer.Option(help="llmfit Hub JSON or a JSON list of model objects (default: the reference data)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
) -> None:
    """Serve a replay of the Hub's /api/models on loopback, for offline demos and tests."""
    from modelrace.replay import ReplayHub, ReplayState, load_replay_models

    with user_errors():
        models, data = load_replay_models(data)
        try:
            hub = ReplayHub(ReplayState(models=models), port=port)
        except OSError as error:
            raise ConfigError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}; pick another --port") from None
        stderr.print(f"replaying {len(models):,} models at {hub.endpoint} (HF_ENDPOINT={hub.endpoint})")
        try:
            hub.serve_forever()
        except KeyboardInterrupt:
            hub.stop()
