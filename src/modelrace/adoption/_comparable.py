"""Comparable scopes: on which models two snapshots' shares may be compared, or why they may not.

Rules (docs/provenance.md, "Comparing snapshots"):

1. Never across a ``subset``: a selection nobody can state cannot be compared with anything, not even another
   subset (two evaluation registries' lists differ for reasons that are not adoption).
2. Filters: the pipeline tags both snapshots hold (a file holds every tag; a sync the tags it listed) and the
   author both hold (a listing of every author holds any one author's models). No tag in common, or two
   different authors: not comparable.
3. Depth: a ``complete`` snapshot holds every model of its filters; a ``top-downloads`` one holds the models
   above its completeness threshold (its smallest count where a listing was cut: ``--limit`` reached, or
   ``--min-downloads``; a declared file's smallest count), and so, within the common filters, its top K_s
   models by 30-day downloads. Both are compared on the top K = min K_s of each (all models when both are
   complete). K = 0: not comparable.
4. The same models (:func:`same_models`): any snapshots, subsets included, compared on the models all of them
   hold; shares are among those models, and each snapshot says the share of its downloads they cover.

The scope is computed from ``snapshot_models`` and ``model_versions`` only (no attribution), so every snapshot of
a history can be checked cheaply; :func:`restrict` then cuts an attributed table to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from modelrace.adoption._analyses import Scope
from modelrace.adoption._figures import CommonScope, Comparability
from modelrace.store import SnapshotInfo


@dataclass(frozen=True)
class Filters:
    """What a snapshot lists: pipeline tags (None: every tag) and an author (None: every author)."""

    pipeline_tags: frozenset[str] | None
    author: str | None

    @classmethod
    def of(cls, snapshot: SnapshotInfo) -> Filters:
        """A sync's filters; a file holds every tag and author."""
        values = snapshot.filter_values
        tags = values.get("pipeline_tags")
        author = values.get("author")
        return cls(frozenset(tags) if tags else None, str(author) if author else None)


def _scope_words(tags: frozenset[str] | None, author: str | None, top_k: int | None) -> str:
    what = "models" if tags is None else f"{', '.join(sorted(tags))} models"
    if author:
        what = f"{what} of {author}"
    if top_k is None:
        return f"all {what} of each snapshot"
    return f"the top {top_k:,} {what} by 30-day downloads of each snapshot"


def _filter_sql(tags: frozenset[str] | None, author: str | None) -> tuple[str, list[Any]]:
    conditions, params = ["TRUE"], []
    if tags is not None:
        conditions.append(f"v.pipeline_tag IN ({', '.join('?' for _ in tags)})")
        params += sorted(tags)
    if author is not None:
        conditions.append("lower(m.namespace) = lower(?)")
        params.append(author)
    return " AND ".join(conditions), params


def _threshold(connection: duckdb.DuckDBPyConnection, snapshot: SnapshotInfo, tags: frozenset[str] | None) -> int:
    """The download count down to which a top-downloads snapshot is complete (0 when it is complete)."""
    if snapshot.selection != "top-downloads":
        return 0
    values = snapshot.filter_values
    limit, floor = values.get("limit"), values.get("min_downloads")
    if limit is None and floor is None:  # a declared file: complete down to its smallest count
        rows = connection.execute(
            "SELECT coalesce(min(downloads_30d), 0) FROM snapshot_models WHERE snapshot_id = ?",
            [snapshot.snapshot_id],
        ).fetchall()
        return int(rows[0][0])
    threshold = int(floor or 0)
    if limit is not None:
        listed = sorted(tags if tags is not None else values.get("pipeline_tags") or [])
        for tag in listed:  # `--limit` is per pipeline tag: a listing that reached it is cut at its smallest count
            count, smallest = connection.execute(
                """SELECT count(*), coalesce(min(sm.downloads_30d), 0) FROM snapshot_models sm
                   JOIN model_versions v ON v.version_id = sm.version_id
                   WHERE sm.snapshot_id = ? AND v.pipeline_tag = ?""",
                [snapshot.snapshot_id, tag],
            ).fetchall()[0]
            if count >= int(limit):
                threshold = max(threshold, int(smallest))
    return threshold


def _complete_count(
    connection: duckdb.DuckDBPyConnection, snapshot: SnapshotInfo, tags: frozenset[str] | None, author: str | None
) -> int:
    """How many models of the common filters the snapshot holds above its completeness threshold."""
    condition, params = _filter_sql(tags, author)
    rows = connection.execute(
        f"""SELECT count(*) FROM snapshot_models sm
            JOIN model_versions v ON v.version_id = sm.version_id
            JOIN models m ON m.model_key = sm.model_key
            WHERE sm.snapshot_id = ? AND sm.downloads_30d >= ? AND {condition}""",
        [snapshot.snapshot_id, _threshold(connection, snapshot, tags), *params],
    ).fetchall()
    return int(rows[0][0])


def _refuse(reason: str) -> Comparability:
    return Comparability(False, None, reason)


def _name(snapshot: SnapshotInfo) -> str:
    return f"snapshot {snapshot.snapshot_id} ({snapshot.provenance})"


def comparability(connection: duckdb.DuckDBPyConnection, now: SnapshotInfo, then: SnapshotInfo) -> Comparability:
    """Whether ``now`` and ``then`` can be compared, and on which scope (rules in the module docstring)."""
    for snapshot in (now, then):
        if snapshot.selection == "subset":
            return _refuse(
                f"{_name(snapshot)} is a subset of unknown selection: its shares cannot be compared with another "
                "snapshot's (declare a file's selection with --selection when it is known)"
            )
    first, second = Filters.of(now), Filters.of(then)
    if first.pipeline_tags is None:
        tags = second.pipeline_tags
    elif second.pipeline_tags is None:
        tags = first.pipeline_tags
    else:
        tags = first.pipeline_tags & second.pipeline_tags
        if not tags:
            return _refuse(
                f"no pipeline tag in common: {_name(now)} lists {', '.join(sorted(first.pipeline_tags))}; "
                f"{_name(then)} lists {', '.join(sorted(second.pipeline_tags))}"
            )
    if first.author and second.author and first.author.lower() != second.author.lower():
        return _refuse(f"different authors: {_name(now)} lists {first.author}, {_name(then)} {second.author}")
    author = first.author or second.author
    counts = [
        _complete_count(connection, snapshot, tags, author)
        for snapshot in (now, then)
        if snapshot.selection == "top-downloads"
    ]
    top_k = min(counts) if counts else None
    if top_k == 0:
        return _refuse(f"no model of {_scope_words(tags, author, None)} lies above both listings' cut")
    scope = CommonScope(sorted(tags) if tags is not None else None, author, top_k, _scope_words(tags, author, top_k))
    return Comparability(True, scope, None)


def own_scope(connection: duckdb.DuckDBPyConnection, snapshot: SnapshotInfo) -> CommonScope:
    """A snapshot's own scope (its filters, and its complete depth when it is a top-downloads listing)."""
    filters = Filters.of(snapshot)
    top_k = (
        _complete_count(connection, snapshot, filters.pipeline_tags, filters.author)
        if snapshot.selection == "top-downloads"
        else None
    )
    tags = filters.pipeline_tags
    return CommonScope(
        sorted(tags) if tags is not None else None,
        filters.author,
        top_k,
        _scope_words(tags, filters.author, top_k),
    )


def narrower(scope: CommonScope, other: CommonScope) -> CommonScope:
    """The scope both hold (the smaller depth; filters are taken from ``scope``, which ``other`` must hold)."""
    depths = [k for k in (scope.top_k, other.top_k) if k is not None]
    top_k = min(depths) if depths else None
    tags = frozenset(scope.pipeline_tags) if scope.pipeline_tags is not None else None
    return CommonScope(scope.pipeline_tags, scope.author, top_k, _scope_words(tags, scope.author, top_k))


def restrict(scope: Scope, common: CommonScope) -> Scope:
    """The attributed scope cut to the common scope's models (a temporary table, built once per connection)."""
    if common.pipeline_tags is None and common.author is None and common.top_k is None:
        return scope
    table = f"{scope.table}_c{common.key()}"
    condition, params = _filter_sql(
        frozenset(common.pipeline_tags) if common.pipeline_tags is not None else None, common.author
    )
    condition = condition.replace("v.pipeline_tag", "pipeline_tag").replace("m.namespace", "namespace")
    limit = "" if common.top_k is None else f"LIMIT {int(common.top_k)}"
    scope.connection.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT * FROM {scope.table} WHERE model_key IN (
                SELECT model_key FROM {scope.table} WHERE is_primary AND {condition}
                ORDER BY downloads_30d DESC, model_key {limit})""",
        params,
    )
    return Scope(scope.connection, table, scope.snapshot, scope.include_fixtures)


@dataclass(frozen=True)
class SameModelsCoverage:
    """One snapshot under a same-models scope: its downloads, and the share of them the scope's models hold."""

    snapshot_id: int
    data_date: str
    models: int
    downloads_30d: int
    scope_downloads_30d: int

    @property
    def coverage(self) -> float | None:
        """The share of the snapshot's downloads the common models hold (None for a snapshot of 0 downloads)."""
        return self.scope_downloads_30d / self.downloads_30d if self.downloads_30d else None


@dataclass(frozen=True)
class SameModelsScope:
    """The "same models" scope: the models every one of some snapshots holds, on which their shares compare
    whatever each selection is (a subset's shares among the models it shares with another are each model's own
    downloads over the same set), with what each snapshot's downloads the scope covers."""

    model_keys: frozenset[int]
    snapshots: tuple[SameModelsCoverage, ...]
    words: str


def same_models(connection: duckdb.DuckDBPyConnection, snapshot_ids: list[int]) -> SameModelsScope:
    """The same-models scope of the snapshots: the models all of them hold (rule 4 of docs/provenance.md,
    "Comparing snapshots": comparable across any selections, a subset's included, because a share is then taken
    over one fixed set of models; what it says of the whole Hub is bounded by each snapshot's coverage)."""
    if not snapshot_ids:
        return SameModelsScope(frozenset(), (), "no snapshot")
    marks = ", ".join("?" for _ in snapshot_ids)
    keys = {
        int(row[0])
        for row in connection.execute(
            f"""SELECT model_key FROM snapshot_models WHERE snapshot_id IN ({marks})
                GROUP BY model_key HAVING count(DISTINCT snapshot_id) = ?""",
            [*snapshot_ids, len(set(snapshot_ids))],
        ).fetchall()
    }
    connection.execute("CREATE OR REPLACE TEMP TABLE same_model_keys (model_key INTEGER)")
    if keys:
        connection.execute("INSERT INTO same_model_keys SELECT unnest(?::INTEGER[])", [sorted(keys)])
    rows = connection.execute(
        f"""SELECT s.snapshot_id, s.data_date, count(*), coalesce(sum(sm.downloads_30d), 0),
                   coalesce(sum(sm.downloads_30d) FILTER (
                       WHERE sm.model_key IN (SELECT model_key FROM same_model_keys)), 0)
            FROM snapshot_models sm JOIN snapshots s ON s.snapshot_id = sm.snapshot_id
            WHERE sm.snapshot_id IN ({marks}) GROUP BY s.snapshot_id, s.data_date
            ORDER BY s.data_date, s.snapshot_id""",
        snapshot_ids,
    ).fetchall()
    covered = tuple(SameModelsCoverage(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows)
    words = (
        f"the same {len(keys):,} models, held by each of the {len(covered)} snapshots "
        f"({covered[0].data_date} to {covered[-1].data_date})"
        if covered
        else "no snapshot"
    )
    return SameModelsScope(frozenset(keys), covered, words)
