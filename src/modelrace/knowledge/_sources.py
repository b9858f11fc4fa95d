"""Names of the data sources modelrace reads, as the warehouse stores them and as figures cite them."""

from __future__ import annotations

from typing import Final

# Hub snapshots: the `snapshots.source` values and how a figure names them.
SNAPSHOT_SOURCES: Final[dict[str, str]] = {
    "hub-api": "Hugging Face Hub API",
    "hub-stats": "hub-stats dataset (cfahlgren1/hub-stats)",
    "hub-json": "Hub API JSON file",
}
# Result imports made by modelrace itself from its own evaluation runs.
EVAL_SOURCE: Final = "modelrace-eval"
# Sources whose every import counts (one per run), the latest per model, benchmark and metric.
RUN_SOURCES: Final[tuple[str, ...]] = ("lm-eval", EVAL_SOURCE)
# Sources that name models by their Hub id.
HUB_ID_SOURCES: Final[tuple[str, ...]] = ("open-llm-leaderboard", *RUN_SOURCES)


def snapshot_source_name(source: str) -> str:
    """How a figure names a snapshot's source ("hub-api" -> "Hugging Face Hub API")."""
    return SNAPSHOT_SOURCES.get(source, source)
