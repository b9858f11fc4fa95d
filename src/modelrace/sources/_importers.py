"""The importer table: every published-results source, what it reads, and how the command line offers it."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace.sources._artificial_analysis import (
    read_artificial_analysis,
)
from modelrace.sources._epoch import (
    read_epoch_benchmarks,
    read_epoch_models,
)
from modelrace.sources._leaderboards import (
    read_livebench,
    read_lmarena,
    read_open_llm_leaderboard,
)
from modelrace.sources._lm_eval import (
    read_lm_eval,
)
from modelrace.sources._read import (
    Importer,
)

IMPORTERS: dict[str, Importer] = {
    "open-llm-leaderboard": read_open_llm_leaderboard,
    "lmarena": read_lmarena,
    "artificial-analysis": read_artificial_analysis,
    "livebench": read_livebench,
    "epoch-models": read_epoch_models,
    "epoch-benchmarks": read_epoch_benchmarks,
    "lm-eval": read_lm_eval,
}


@dataclass(frozen=True)
class ImporterInfo:
    """How one importer is offered on the command line: what it reads, and the companion file some take."""

    summary: str
    path_help: str = ""
    companion: str | None = None  # the reader's keyword for a second file (found beside PATH when not given)
    companion_help: str = ""


IMPORTER_INFO: dict[str, ImporterInfo] = {
    "open-llm-leaderboard": ImporterInfo(
        "Open LLM Leaderboard v2 contents CSV (recomputes normalised scores and reports agreement).", "contents CSV"
    ),
    "lmarena": ImporterInfo(
        "LMArena text leaderboard (ratings with 95 % bounds per category) and its organisation/price file.",
        "leaderboard-text JSON",
        "meta",
        "price/organisation/licence JSON (default: found beside)",
    ),
    "artificial-analysis": ImporterInfo(
        "Artificial Analysis provider x model table (scores, prices, speed, latency).", "providers CSV"
    ),
    "livebench": ImporterInfo(
        "LiveBench per-task table, with category and global averages by LiveBench's rule.",
        "per-task table CSV",
        "categories",
        "task-to-category JSON (default: found beside)",
    ),
    "epoch-models": ImporterInfo(
        "Epoch AI Notable / Large-Scale AI Models CSV (organisation, country, size, access, dates).", "models CSV"
    ),
    "epoch-benchmarks": ImporterInfo("Epoch AI Benchmarking Hub results JSON.", "results JSON"),
    "lm-eval": ImporterInfo("A results JSON written by EleutherAI lm-evaluation-harness.", "results JSON"),
}
