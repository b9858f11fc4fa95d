"""Which models the race's shares count: language models by default, the whole Hub on request.

The race is about language models, so headline shares, families and claims count the **LLM scope** unless asked
for ``all``:

* a model whose pipeline tag is one of :data:`LLM_PIPELINE_TAGS`: text-generation and the other tags of models
  that generate text (text2text-generation, image-text-to-text, any-to-any, audio-, video-text-to-text,
  visual-question-answering and the retired ``conversational``);
* a model without a pipeline tag whose library is one that serves language models only (:data:`LLM_LIBRARIES`:
  GGUF, MLX, ExLlamaV2, ...). An untagged ``transformers`` model could be anything and is left out; the
  snapshots hold no architecture field to tell (the attribution reads pipeline tag and library only).

Everything else (embeddings, speech, vision, CLIP, BGE, Whisper, ...) is the "rest of the Hub", counted apart
(:func:`rest_of_hub`). The scope and the snapshot's own selection and filters are said in words wherever a share
is printed (:func:`snapshot_scope_words`).
"""

from __future__ import annotations

from typing import Final, Literal, cast, get_args

from modelrace.adoption._analyses import Scope
from modelrace.adoption._rows import RestOfHubRow
from modelrace.errors import ConfigError
from modelrace.store import SnapshotInfo

ModelScope = Literal["llm", "all"]
MODEL_SCOPES: Final[tuple[str, ...]] = get_args(ModelScope)

LLM_PIPELINE_TAGS: Final[tuple[str, ...]] = (
    "text-generation",
    "text2text-generation",
    "image-text-to-text",
    "any-to-any",
    "audio-text-to-text",
    "video-text-to-text",
    "visual-question-answering",
    "conversational",
)
LLM_LIBRARIES: Final[tuple[str, ...]] = ("gguf", "mlx", "exllamav2", "llama.cpp", "ctransformers", "vllm")

MODEL_SCOPE_WORDS: Final[dict[str, str]] = {
    "llm": "language models",
    "all": "all models",
}


def check_model_scope(value: str) -> ModelScope:
    """A scope name, or a one-line error naming the choices."""
    if value not in MODEL_SCOPES:
        raise ConfigError(f"--scope {value!r}: choose one of {', '.join(MODEL_SCOPES)}")
    return cast(ModelScope, value)


def llm_condition() -> str:
    """The SQL condition (on an attribution table's columns) that puts a model in the LLM scope."""
    tags = ", ".join(f"'{tag}'" for tag in LLM_PIPELINE_TAGS)
    libraries = ", ".join(f"'{library}'" for library in LLM_LIBRARIES)
    return f"(pipeline_tag IN ({tags}) OR (pipeline_tag IS NULL AND lower(library_name) IN ({libraries})))"


def in_model_scope(scope: Scope, models: ModelScope) -> Scope:
    """The attributed scope cut to ``models``: a temporary view over the attribution table (no copy of a
    whole-Hub table; each analysis filters as it scans)."""
    if models == "all":
        return scope
    table = f"{scope.table}_llm"
    scope.connection.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {scope.table} WHERE {llm_condition()}"
    )
    return Scope(scope.connection, table, scope.snapshot, scope.include_fixtures)


def rest_of_hub(scope: Scope, limit: int = 8) -> list[RestOfHubRow]:
    """What the LLM scope leaves out, by pipeline tag: downloads, share of the snapshot's downloads and models
    (largest first, ``limit`` rows)."""
    rows = scope.rows(
        f"""
        WITH outside AS (
            SELECT coalesce(pipeline_tag, 'no tag') AS pipeline_tag, downloads_30d
            FROM {{t}} WHERE {{f}} AND is_primary AND downloads_30d IS NOT NULL AND NOT {llm_condition()}
        ),
        total AS (SELECT sum(downloads_30d) AS all_downloads FROM {{t}} WHERE {{f}} AND is_primary)
        SELECT o.pipeline_tag, sum(o.downloads_30d) AS downloads, count(*) AS models,
               sum(o.downloads_30d) / nullif(any_value(t.all_downloads), 0) AS share
        FROM outside o, total t GROUP BY o.pipeline_tag ORDER BY downloads DESC, o.pipeline_tag LIMIT {int(limit)}
        """
    )
    return [
        RestOfHubRow(r["pipeline_tag"], int(r["downloads"] or 0), int(r["models"]), float(r["share"] or 0.0))
        for r in rows
    ]


def snapshot_scope_words(snapshot: SnapshotInfo, models: ModelScope | None = None) -> str:
    """The snapshot's selection and filters, as every share must say them: "snapshot 4: the top 100 models by
    30-day downloads, pipeline tag text-generation only, language models only", "snapshot 5: ..., author Qwen
    only"."""
    return f"snapshot {snapshot.snapshot_id}: {selection_words(snapshot, models)}"


def selection_words(snapshot: SnapshotInfo, models: ModelScope | None = None) -> str:
    """:func:`snapshot_scope_words` without the snapshot's id."""
    filters = snapshot.filter_values
    parts: list[str] = []
    if snapshot.selection == "top-downloads":
        parts.append(f"the top {snapshot.model_count:,} models by 30-day downloads")
    elif snapshot.selection == "subset":
        parts.append(f"a subset of unknown selection ({snapshot.model_count:,} models), not the Hub")
    else:
        parts.append("every model listed")
    tags = filters.get("pipeline_tags")
    if tags:
        parts.append(f"pipeline tag {', '.join(str(t) for t in tags)} only")
    if filters.get("author"):
        parts.append(f"author {filters['author']} only")
    if filters.get("min_downloads"):
        parts.append(f"{int(filters['min_downloads']):,}+ downloads only")
    if models == "llm":
        parts.append("language models only")
    return ", ".join(parts)


def answers_share_claims(snapshot: SnapshotInfo) -> str | None:
    """None when the snapshot's selection and filters can decide who leads on downloads, else why not."""
    filters = snapshot.filter_values
    if snapshot.selection == "subset":
        return "a subset of unknown selection: its shares describe that selection, not the Hub"
    if filters.get("author"):
        return f"it lists one author only ({filters['author']})"
    return None
