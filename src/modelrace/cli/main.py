"""The `modelrace` command: thin over the library; every command takes --json."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from modelrace import __version__
from modelrace._progress import progress_bar
from modelrace.cli._app import emit, open_warehouse, state, stderr, stdout, user_errors
from modelrace.config import DB_ENV, reference_data_dir
from modelrace.errors import ConfigError
from modelrace.hub import (
    IngestStats,
    SyncOptions,
    describe_model,
    import_hub_json,
    import_hub_stats,
    sync_hub,
)
from modelrace.store import SnapshotInfo, list_snapshots

app = typer.Typer(
    name="modelrace",
    help="Measure the open-weight model race: adoption, capability, openness and cost.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
import_app = typer.Typer(help="Load data files into the warehouse.", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"modelrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[
        Path | None, typer.Option("--db", envvar=DB_ENV, help="Warehouse file (DuckDB).", show_default=False)
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", envvar="MODELRACE_JSON", help="Machine-readable output on stdout.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", envvar="MODELRACE_QUIET", help="No progress.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Global options apply to every command (``--json`` may also follow the command)."""
    state.db = db
    state.as_json = as_json
    state.quiet = quiet


JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]


def _json(flag: bool) -> None:
    if flag:
        state.as_json = True


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


@app.command()
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
    _json(as_json)
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


@import_app.command("hub-stats")
def import_hub_stats_command(
    path: Annotated[Path, typer.Argument(help="models.parquet of the hub-stats dataset.")],
    taken_at: Annotated[
        datetime | None, typer.Option(help="Snapshot date (default: newest lastModified in the file).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a hub-stats models.parquet (the whole Hub, daily) as a snapshot."""
    _json(as_json)
    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        snapshot, stats = import_hub_stats(warehouse, path, taken_at=taken_at, progress=progress)
    summary = _ingest_summary(snapshot, stats)
    emit(summary, lambda: _render_ingest(summary))


@import_app.command("hub-json")
def import_hub_json_command(
    path: Annotated[Path, typer.Argument(help="JSON list of /api/models objects.")],
    taken_at: Annotated[
        datetime | None, typer.Option(help="Snapshot date (default: newest lastModified in the file).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a JSON list of Hub API model objects as a snapshot."""
    _json(as_json)
    with user_errors(), open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
        snapshot, stats = import_hub_json(warehouse, path, taken_at=taken_at, progress=progress)
    summary = _ingest_summary(snapshot, stats)
    emit(summary, lambda: _render_ingest(summary))


@app.command()
def snapshots(as_json: JsonOption = False) -> None:
    """List the snapshots in the warehouse."""
    _json(as_json)
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


@app.command()
def model(
    model_id: Annotated[str, typer.Argument(help="Hub model id, e.g. Qwen/Qwen2.5-7B-Instruct.")],
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Everything known about one model: chain to its root, family, developer, country, licence, downloads."""
    _json(as_json)
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


@app.command()
def report(
    html: Annotated[Path, typer.Option(help="Write the self-contained HTML report here.")] = Path(
        "modelrace-report.html"
    ),
    md: Annotated[Path | None, typer.Option(help="Also write Markdown, with PNG/SVG charts beside it.")] = None,
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    since: Annotated[str | None, typer.Option(help="Compare with this snapshot (default: the one before).")] = None,
    include_fixtures: Annotated[bool, typer.Option(help="Count test fixtures (tiny-random models).")] = False,
    top: Annotated[int, typer.Option(min=1, help="Rows in the top-model tables.")] = 25,
    as_json: JsonOption = False,
) -> None:
    """The race report: who leads on downloads and derivatives, how concentrated, what changed."""
    from modelrace.report import build_report, render_html, render_markdown, render_terminal

    _json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        built = build_report(warehouse, snapshot, since=since, include_fixtures=include_fixtures, top=top)
        render_html(built, html)
        written = [html]
        if md is not None:
            written += render_markdown(built, md)
    figures = built.figures | {"files": [str(p) for p in written]}

    def render() -> None:
        render_terminal(built, stdout)
        stdout.print(f"report written to [bold]{html}[/]" + (f" and {md}" if md else ""), highlight=False)

    emit(figures, render)


@app.command()
def shares(
    by: Annotated[
        str,
        typer.Option(help="country, uploader_country, developer, uploader, family or namespace."),
    ] = "country",
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    include_fixtures: Annotated[bool, typer.Option(help="Count test fixtures.")] = False,
    all_time: Annotated[bool, typer.Option("--all-time", help="All-time downloads instead of 30 days.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Download shares by one breakdown (root-family view for country/developer/family)."""
    from modelrace.adoption import (
        SHARE_BREAKDOWNS,
        Measure,
        Scope,
        attribute_snapshot,
        download_shares,
        snapshot_json,
    )
    from modelrace.store import resolve_snapshot

    _json(as_json)
    views = {column: view for column, view in SHARE_BREAKDOWNS.values()}
    measure: Measure = "downloads_all_time" if all_time else "downloads_30d"
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        if by not in views:
            raise ConfigError(f"--by {by!r}: choose one of {', '.join(views)}")
        found = resolve_snapshot(warehouse, snapshot)
        table_name = attribute_snapshot(warehouse.connection, found.snapshot_id)
        scope = Scope(warehouse.connection, table_name, found, include_fixtures)
        rows = download_shares(scope, by, views[by], measure=measure)
    data = {"snapshot": snapshot_json(found), "by": by, "view": views[by], "measure": measure, "rows": rows}

    def render() -> None:
        table = Table(by, measure.replace("_", " "), "share", "models", title=f"snapshot {found.snapshot_id}")
        for row in rows[:limit]:
            table.add_row(str(row[by]), f"{row[measure]:,}", f"{row['share'] * 100:.1f} %", f"{row['models']:,}")
        stdout.print(table)
        if len(rows) > limit:
            stdout.print(f"... {len(rows) - limit:,} more (--limit, or --json for all)")

    emit(data, render)


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


@app.command("license")
def license_command(
    target: Annotated[str, typer.Argument(help="A model id (Qwen/Qwen2.5-7B-Instruct) or a licence (llama3.1).")],
    snapshot: Annotated[str | None, typer.Option(help="Snapshot id, 'latest' or 'previous'.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain a model's licence (stated or inherited) or a licence: verdict and the clauses that decide it."""
    from modelrace.licensing import explain_licence, explain_model, load_licences

    _json(as_json)
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


@app.command("licenses")
def licenses_command(as_json: JsonOption = False) -> None:
    """List the licence registry with each licence's verdict."""
    from modelrace.licensing import explain_licence, load_licences

    _json(as_json)
    rows = [explain_licence(licence) for licence in load_licences().licences.values()]

    def render() -> None:
        table = Table("licence", "name", "verdict", "deciding terms", "source")
        for row in rows:
            table.add_row(row["id"], row["name"], row["verdict"], ", ".join(row["deciding_terms"]), row["source"])
        stdout.print(table)
        stdout.print(f"[dim]{rows[0]['notice']}[/]", highlight=False)

    emit(rows, render)


@app.command("replay-hub")
def replay_hub_command(
    data: Annotated[
        Path | None,
        typer.Option(help="llmfit Hub JSON or a JSON list of model objects (default: the reference data)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
) -> None:
    """Serve a replay of the Hub's /api/models on loopback, for offline demos and tests."""
    from modelrace.hub.replay import ReplayHub, ReplayState, models_from_llmfit

    with user_errors():
        leaderboard = None
        if data is None:
            folder = reference_data_dir(required=True)
            assert folder is not None
            data = folder / "llmfit_hf_models_2026-05.json"
            leaderboard = folder / "open_llm_leaderboard_v2_contents_2025-02.csv"
        if not data.is_file():
            raise ConfigError(f"no file at {data}")
        import json

        raw = json.loads(data.read_text(encoding="utf-8"))
        is_llmfit = isinstance(raw, list) and raw and isinstance(raw[0], dict) and "hf_downloads" in raw[0]
        models = models_from_llmfit(data, leaderboard) if is_llmfit else raw
        try:
            hub = ReplayHub(ReplayState(models=models), port=port)
        except OSError as error:
            raise ConfigError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}; pick another --port") from None
        stderr.print(f"replaying {len(models):,} models at {hub.endpoint} (HF_ENDPOINT={hub.endpoint})")
        try:
            hub.serve_forever()
        except KeyboardInterrupt:
            hub.stop()


def run() -> None:
    """Entry point of the console script."""
    app()
