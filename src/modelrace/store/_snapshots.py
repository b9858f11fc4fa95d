"""Snapshots: one dated state of the catalog per sync or import, with its provenance and selection.

Provenance (docs/provenance.md): every snapshot records the kind of source it came from (``source_kind``), the
date of its data (``data_date``, with ``date_basis`` saying how it was found), where it came from (``origin``:
the endpoint, the imported file, or the file a replay served) and which models it holds (``selection``):

* ``complete``: every model of its filters (the whole Hub, or a pipeline tag or author);
* ``top-downloads``: the most downloaded models of its filters, complete down to its smallest count;
* ``subset``: a selection nobody can state (an evaluation registry's list, a hand-made file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

from modelrace._serialise import to_jsonable
from modelrace.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from modelrace.store._warehouse import Warehouse

Selection = Literal["complete", "top-downloads", "subset"]
SELECTIONS: Final[tuple[str, ...]] = get_args(Selection)
SourceKind = Literal["live", "replay", "hub-stats-file", "hub-json-file"]
SOURCE_KINDS: Final[tuple[str, ...]] = get_args(SourceKind)

SELECTION_WORDS: Final[dict[str, str]] = {
    "complete": "complete listing",
    "top-downloads": "the most downloaded models (complete down to its smallest count)",
    "subset": "a subset of unknown selection",
}


def check_selection(value: str) -> Selection:
    """A selection name, or a one-line error naming the choices."""
    if value not in SELECTIONS:
        raise ConfigError(f"--selection {value!r}: choose one of {', '.join(SELECTIONS)}")
    return cast(Selection, value)


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot is: when its data dates from, where it came from, what it holds, and its counts."""

    snapshot_id: int
    taken_at: datetime
    source: str
    source_detail: str | None
    filters: str | None
    model_count: int
    rejected_count: int
    duplicate_count: int
    created_at: datetime
    source_kind: str = "live"
    data_date: str = ""
    date_basis: str | None = None
    origin: str | None = None
    selection: str = "complete"
    lacks: tuple[str, ...] = field(default=())

    @property
    def filter_values(self) -> dict[str, Any]:
        """The sync filters (pipeline_tags, limit, min_downloads, author), empty for a file."""
        if not self.filters:
            return {}
        value = json.loads(self.filters)
        return value if isinstance(value, dict) else {}

    @property
    def origin_name(self) -> str | None:
        """The file name of the origin (a path), or the origin itself (a URL)."""
        if self.origin is None:
            return None
        if "://" in self.origin:
            return self.origin
        return PurePath(self.origin).name

    @property
    def provenance(self) -> str:
        """How a figure cites the snapshot's data: 'replay of FILE (data of DATE)', 'hub-stats file F (...)'."""
        date = self.data_date or self.taken_at.date().isoformat()
        name = self.origin_name or self.source_detail or self.source
        if self.source_kind == "replay":
            return f"replay of {name} (data of {date})"
        if self.source_kind == "hub-stats-file":
            return f"hub-stats file {name} (data of {date})"
        if self.source_kind == "hub-json-file":
            return f"Hub API JSON file {name} (data of {date})"
        return f"Hugging Face Hub API at {name} (synced {date})"

    @property
    def selection_words(self) -> str:
        """The selection in words."""
        return SELECTION_WORDS.get(self.selection, self.selection)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601), with the provenance in words."""
        data: dict[str, Any] = to_jsonable(self)
        data["provenance"] = self.provenance
        return data


_COLUMNS = (
    "snapshot_id, taken_at, source, source_detail, filters, model_count, rejected_count, duplicate_count, created_at, "
    "coalesce(source_kind, 'live'), coalesce(data_date, strftime(taken_at, '%Y-%m-%d')), date_basis, "
    "coalesce(origin, source_detail), coalesce(selection, 'complete'), lacks"
)


def _info(row: tuple[Any, ...]) -> SnapshotInfo:
    values = list(row)
    values[-1] = tuple(json.loads(values[-1])) if values[-1] else ()
    return SnapshotInfo(*values)


def list_snapshots(warehouse: Warehouse) -> list[SnapshotInfo]:
    """Every snapshot, oldest data first."""
    rows = warehouse.connection.execute(f"SELECT {_COLUMNS} FROM snapshots ORDER BY taken_at, snapshot_id").fetchall()
    return [_info(row) for row in rows]


def latest_snapshot(warehouse: Warehouse) -> SnapshotInfo | None:
    """The most recent snapshot, or None when the warehouse holds none."""
    snapshots = list_snapshots(warehouse)
    return snapshots[-1] if snapshots else None


def resolve_snapshot(warehouse: Warehouse, ref: str | int | None) -> SnapshotInfo:
    """A snapshot by id, ``latest`` (the default) or ``previous``; a clear error when there is none."""
    snapshots = list_snapshots(warehouse)
    if not snapshots:
        raise NotFoundError(
            "the warehouse holds no snapshot yet: run `modelrace sync` (or `modelrace import hub-stats PATH`)"
        )
    if ref is None or ref == "latest":
        return snapshots[-1]
    if ref == "previous":
        if len(snapshots) < 2:
            raise NotFoundError("there is only one snapshot, so no previous one")
        return snapshots[-2]
    try:
        wanted = int(ref)
    except (TypeError, ValueError):
        raise NotFoundError(f"no snapshot {ref!r}: give an id, 'latest' or 'previous'") from None
    for snapshot in snapshots:
        if snapshot.snapshot_id == wanted:
            return snapshot
    known = ", ".join(str(s.snapshot_id) for s in snapshots)
    raise NotFoundError(f"no snapshot {wanted}; the warehouse holds {known}")


def licence_missing_from(warehouse: Warehouse, snapshot: SnapshotInfo) -> Literal["source", "hub"]:
    """Where a missing licence in this snapshot comes from: the ``source`` (a file or replay that carries no
    licence, by its own word or because none of its records states one) or the ``hub`` (the record states none)."""
    if "license" in snapshot.lacks:
        return "source"
    if snapshot.source_kind == "live":
        return "hub"
    rows = warehouse.connection.execute(
        """SELECT EXISTS (SELECT 1 FROM snapshot_models sm JOIN model_versions v ON v.version_id = sm.version_id
                          WHERE sm.snapshot_id = ? AND (v.license IS NOT NULL OR v.license_name IS NOT NULL))""",
        [snapshot.snapshot_id],
    ).fetchall()
    return "hub" if rows[0][0] else "source"


def missing_licence_words(snapshot: SnapshotInfo, origin: Literal["source", "hub"], through_bases: bool = True) -> str:
    """The sentence that says where a missing licence comes from (``through_bases``: its bases were read too)."""
    if origin == "source":
        return (
            f"no licence in the source: {snapshot.provenance} carries no licence for this model, so it is unknown "
            "here (the Hub may state one); not a finding about the model"
        )
    bases = ", nor does a base model" if through_bases else ""
    return f"none on the Hub: the Hub record states no licence (no license tag or card field){bases}"


def tables_with_column(warehouse: Warehouse, column: str) -> list[str]:
    """The warehouse's own tables (not temporary ones) holding ``column`` (what a drop must clean)."""
    rows = warehouse.connection.execute(
        """SELECT DISTINCT c.table_name FROM information_schema.columns c
           JOIN duckdb_tables() t ON t.table_name = c.table_name AND NOT t.temporary
           WHERE c.column_name = ? ORDER BY 1""",
        [column],
    ).fetchall()
    return [str(r[0]) for r in rows]


def drop_snapshot(warehouse: Warehouse, snapshot_id: int) -> SnapshotInfo:
    """Remove one snapshot and every row that belongs to it, in one transaction; return what was removed.

    Models and model versions stay (other snapshots may share them; an unused one costs a row and is reused if
    the same content is imported again).
    """
    snapshot = resolve_snapshot(warehouse, snapshot_id)
    with warehouse.transaction() as connection:
        for table in tables_with_column(warehouse, "snapshot_id"):
            if table != "snapshots":
                connection.execute(f'DELETE FROM "{table}" WHERE snapshot_id = ?', [snapshot.snapshot_id])
        connection.execute("DELETE FROM snapshots WHERE snapshot_id = ?", [snapshot.snapshot_id])
    return snapshot
