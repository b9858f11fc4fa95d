"""One model's chain to its root, walked through the declared base models (for `modelrace model`)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

MAX_CHAIN = 1000


@dataclass(frozen=True)
class ChainLink:
    """A step of the chain: the model, how it relates to the next one up, and its other bases if a merge."""

    model_id: str
    relation: str | None  # relation of this model to its (first) base; None at the root
    in_snapshot: bool
    other_bases: tuple[str, ...] = ()


def chain_to_root(connection: duckdb.DuckDBPyConnection, snapshot_id: int, model_id: str) -> list[ChainLink]:
    """Follow first-listed base models from ``model_id`` up to the root, stopping at a repeat (a cycle)."""
    chain: list[ChainLink] = []
    seen: set[str] = set()
    current: str | None = model_id
    while current is not None and current not in seen and len(chain) < MAX_CHAIN:
        seen.add(current)
        rows = connection.execute(
            """
            SELECT v.base_models
            FROM snapshot_models sm
            JOIN models m ON m.model_key = sm.model_key
            JOIN model_versions v ON v.version_id = sm.version_id
            WHERE sm.snapshot_id = ? AND m.model_id = ?
            """,
            [snapshot_id, current],
        ).fetchall()
        bases = list(rows[0][0]) if rows and rows[0][0] else []
        if not bases:
            chain.append(ChainLink(current, None, bool(rows)))
            break
        relation = "merge" if len(bases) > 1 else bases[0]["relation"]
        others = tuple(base["model_id"] for base in bases[1:])
        chain.append(ChainLink(current, relation, True, others))
        current = bases[0]["model_id"]
    return chain


def cycles(connection: duckdb.DuckDBPyConnection, snapshot_id: int, shown: int = 3) -> tuple[int, list[str]]:
    """How many models of a snapshot sit in cycles of declared base models, and the first few of their ids."""
    rows = connection.execute(
        """SELECT count(*) OVER (), m.model_id
           FROM (SELECT DISTINCT model_key FROM model_tree WHERE snapshot_id = ? AND issue = 'cycle') t
           JOIN models m USING (model_key) ORDER BY m.model_id LIMIT ?""",
        [snapshot_id, shown],
    ).fetchall()
    return (int(rows[0][0]), [str(row[1]) for row in rows]) if rows else (0, [])


def cycle_warning(connection: duckdb.DuckDBPyConnection, snapshot_id: int) -> list[str]:
    """The import's warning about cycles in the model tree (none when there is none)."""
    count, named = cycles(connection, snapshot_id)
    if not count:
        return []
    more = ", ..." if count > len(named) else ""
    return [
        f"{count:,} models declare base models that lead back to themselves ({', '.join(named)}{more}): each cycle "
        "counts as one root (docs/model-tree.md); `modelrace model ID` shows a model's chain"
    ]
