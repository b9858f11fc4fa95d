"""Storing an import: one transaction per file; the same file twice is recognised, not duplicated.

An import that cannot be trusted is refused before anything is written (docs/provenance.md): one that stores no
result or rejects more than half of the rows it read (``allow_partial`` overrides), and one much smaller than
the previous import of the same source (``force`` overrides): a truncated file must not replace a good board.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from modelrace._files import file_sha256
from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, ImportFormatError, ImportRefusedError, NotFoundError, refused_import
from modelrace.knowledge import RUN_SOURCES
from modelrace.sources._importers import IMPORTERS
from modelrace.sources._model import ImportBatch, Result, SourceModel, dating
from modelrace.store import SnapshotInfo, Warehouse, list_snapshots, tables_with_column

# A board import "much smaller" than the previous one of its source: fewer than this share of its models, or of
# its benchmarks (a truncated table, a missing categories file).
MIN_MODEL_SHARE = 0.5
MIN_BENCHMARK_SHARE = 0.8


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored (or, ``already_imported``, found stored; ``superseded_by``: a newer import of the
    same source that the leaderboard reads instead)."""

    import_id: int
    source: str
    path: str
    data_date: date
    models: int
    results: int
    rejected: int
    already_imported: bool
    notes: dict[str, Any]
    rejection_samples: list[dict[str, Any]]
    date_basis: str | None = None
    benchmarks: int = 0
    superseded_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        data = asdict(self)
        data["data_date"] = self.data_date.isoformat()
        return data


_MODEL_SCHEMA = pa.schema(
    [
        ("import_id", pa.int32()),
        ("source_name", pa.string()),
        ("display_name", pa.string()),
        ("organisation", pa.string()),
        ("country", pa.string()),
        ("params_total", pa.float64()),
        ("params_active", pa.float64()),
        ("release_date", pa.date32()),
        ("license", pa.string()),
        ("open_weights", pa.bool_()),
        ("reasoning", pa.bool_()),
        ("price_in_usd_per_mtok", pa.float64()),
        ("price_out_usd_per_mtok", pa.float64()),
        ("extra", pa.string()),
    ]
)
_RESULT_SCHEMA = pa.schema(
    [
        ("import_id", pa.int32()),
        ("source_name", pa.string()),
        ("benchmark", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("scale", pa.string()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("n_items", pa.int32()),
        ("extra", pa.string()),
    ]
)


def _json(value: dict[str, Any]) -> str | None:
    return json.dumps(value, default=str, sort_keys=True) if value else None


_FIELD_NAMES = {kind: tuple(f.name for f in fields(kind)) for kind in (SourceModel, Result)}


def _flat(item: SourceModel | Result) -> dict[str, Any]:
    """A model's or result's fields as a row (``asdict`` deep-copies every value: 10x the cost at 100k rows)."""
    return {name: getattr(item, name) for name in _FIELD_NAMES[type(item)]}


def store_batch(warehouse: Warehouse, batch: ImportBatch, location: str, digest: str) -> int:
    """Store a batch of models and results as one import, in one transaction; returns its import id."""
    with warehouse.transaction() as connection:
        return insert_batch(connection, batch, location, digest)


def insert_batch(connection: duckdb.DuckDBPyConnection, batch: ImportBatch, location: str, digest: str) -> int:
    """Insert one import inside the caller's transaction (several boards of one history file commit together)."""
    rows = connection.execute("SELECT coalesce(max(import_id), 0) + 1 FROM result_imports").fetchall()
    import_id = int(rows[0][0])
    connection.execute(
        """INSERT INTO result_imports (import_id, source, path, file_sha256, data_date, imported_at, models,
               results, rejected, notes, date_basis)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            import_id,
            batch.source,
            location,
            digest,
            batch.data_date,
            datetime.now(UTC).replace(tzinfo=None),
            len(batch.models),
            len(batch.results),
            len(batch.rejected),
            _json(batch.notes),
            batch.date_basis,
        ],
    )
    models = [{**_flat(m), "extra": _json(m.extra), "import_id": import_id} for m in batch.models.values()]
    if models:
        connection.register("import_models", pa.Table.from_pylist(models, schema=_MODEL_SCHEMA))
        connection.execute(
            """INSERT INTO source_models SELECT import_id, source_name, display_name, organisation, country,
               params_total, params_active, release_date, license, open_weights, reasoning,
               price_in_usd_per_mtok, price_out_usd_per_mtok, extra FROM import_models"""
        )
        connection.unregister("import_models")
    results = [{**_flat(r), "extra": _json(r.extra), "import_id": import_id} for r in batch.results]
    if results:
        connection.register("import_results", pa.Table.from_pylist(results, schema=_RESULT_SCHEMA))
        connection.execute(
            """INSERT INTO results SELECT import_id, source_name, benchmark, metric, value, scale, ci_low,
               ci_high, n_items, extra FROM import_results"""
        )
        connection.unregister("import_results")
    if batch.rejected:
        rejected = [{"import_id": import_id, "position": p, "name": n, "reason": r} for p, n, r in batch.rejected]
        connection.register("import_rejected", pa.Table.from_pylist(rejected))
        connection.execute("INSERT INTO import_rejections SELECT * FROM import_rejected")
        connection.unregister("import_rejected")
    return import_id


def _latest_board_import(warehouse: Warehouse, source: str) -> dict[str, Any] | None:
    """The import of a board source the leaderboard reads (its newest data with results, the latest import of
    that date: an old board imported later does not replace it), with its benchmark count."""
    rows = warehouse.query(
        """SELECT i.import_id, i.models, i.results, i.data_date, i.path,
                  (SELECT count(DISTINCT benchmark) FROM results r WHERE r.import_id = i.import_id) AS benchmarks
           FROM result_imports i WHERE i.source = ? AND i.results > 0
           ORDER BY i.data_date DESC, i.import_id DESC LIMIT 1""",
        [source],
    )
    return rows[0] if rows else None


def _refuse_if_damaging(
    batch: ImportBatch, path: Path, previous: dict[str, Any] | None, allow_partial: bool, force: bool
) -> None:
    """Refuse (before anything is written) an import that would store nothing, reject most of what it read, or
    replace a board with a much smaller one."""
    read = len(batch.models) + len(batch.rejected)
    stores_nothing = not batch.results and not batch.models  # a catalogue (epoch-models) stores models only
    if not allow_partial and (stores_nothing or len(batch.rejected) * 2 > read):
        what = "stores nothing" if stores_nothing else f"rejects {len(batch.rejected):,} of the {read:,} rows"
        reasons = Counter(reason for _, _, reason in batch.rejected)
        raise refused_import(f"{batch.source} {path}", f"the file {what}", reasons)
    if force or previous is None or batch.source in RUN_SOURCES or batch.data_date < previous["data_date"]:
        return  # a board older than the one the leaderboard reads replaces nothing (a history import)
    benchmarks = len({r.benchmark for r in batch.results})
    smaller = []
    if len(batch.models) < MIN_MODEL_SHARE * previous["models"]:
        smaller.append(f"{len(batch.models):,} models against {previous['models']:,}")
    if benchmarks < MIN_BENCHMARK_SHARE * previous["benchmarks"]:
        smaller.append(f"{benchmarks:,} benchmarks against {previous['benchmarks']:,}")
    if smaller:
        raise ImportRefusedError(
            f"{batch.source} {path}: refused, much smaller than import {previous['import_id']} of the same source "
            f"({'; '.join(smaller)}; data of {previous['data_date']}), which the leaderboard would stop reading: "
            "a truncated or partial file? Nothing was stored. Pass --force to import it anyway"
        )


def _skip_repeated_results(batch: ImportBatch) -> None:
    """Drop results the file gives twice, identically (an entry repeated, a file concatenated with itself), and
    count them in the notes: stored twice they would count twice in every mean."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for result in batch.results:
        key = (result.source_name, result.benchmark, result.metric, result.value, result.ci_low, result.ci_high)
        if key not in seen:
            seen.add(key)
            kept.append(result)
    if len(kept) < len(batch.results):
        batch.notes["repeated_results"] = len(batch.results) - len(kept)
        batch.results = kept


def import_results(
    warehouse: Warehouse,
    source: str,
    path: Path,
    when: date | None = None,
    *,
    allow_partial: bool = False,
    force: bool = False,
    **options: Any,
) -> ImportSummary:
    """Read ``path`` with the importer for ``source`` and store it (or find it already stored).

    Dated by ``when`` (``--date``), else by the file's contents, else by its name; never its modification time.
    """
    if source not in IMPORTERS:
        raise ConfigError(f"unknown source {source!r}: choose one of {', '.join(IMPORTERS)}")
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    digest = file_sha256(path)
    existing = warehouse.query("SELECT * FROM result_imports WHERE source = ? AND file_sha256 = ?", [source, digest])
    previous = _latest_board_import(warehouse, source)
    if existing:
        row = existing[0]
        newer = (
            previous["import_id"]
            if previous is not None and previous["import_id"] != row["import_id"] and source not in RUN_SOURCES
            else None
        )
        return ImportSummary(
            row["import_id"], source, row["path"], row["data_date"], row["models"], row["results"], row["rejected"],
            True, json.loads(row["notes"]) if row["notes"] else {}, [], row.get("date_basis"), 0, newer,
        )  # fmt: skip
    importer = IMPORTERS[source]
    batch: ImportBatch = importer(path, when or date.min, **options)
    _skip_repeated_results(batch)
    dated = dating(path, when, batch.contents_date)
    batch.data_date, batch.date_basis = dated.value, dated.basis
    _refuse_if_damaging(batch, path, previous, allow_partial, force)
    import_id = store_batch(warehouse, batch, str(path.resolve()), digest)
    return stored_summary(import_id, batch, str(path.resolve()))


def stored_summary(import_id: int, batch: ImportBatch, location: str) -> ImportSummary:
    """What an import just stored: its counts, notes, the first rejections and how it was dated."""
    return ImportSummary(
        import_id,
        batch.source,
        location,
        batch.data_date,
        len(batch.models),
        len(batch.results),
        len(batch.rejected),
        False,
        batch.notes,
        [{"position": p, "name": n, "reason": r} for p, n, r in batch.rejected[:20]],
        batch.date_basis,
        len({r.benchmark for r in batch.results}),
    )


@dataclass(frozen=True)
class ResultImportInfo(JsonResult):
    """One stored result import: its source, file, data date (and how it was found), counts, and whether the
    leaderboard reads it (a board source's latest import; every run counts)."""

    import_id: int
    source: str
    path: str
    data_date: date
    date_basis: str | None
    imported_at: datetime
    models: int
    results: int
    rejected: int
    benchmarks: int
    in_use: bool


@dataclass(frozen=True)
class ImportList(JsonResult):
    """Everything imported or synced: snapshots (with provenance and selection) and result imports."""

    snapshots: list[SnapshotInfo]
    result_imports: list[ResultImportInfo]

    def to_json(self) -> dict[str, Any]:
        """Snapshots as ``SnapshotInfo.to_json`` gives them (with their provenance in words)."""
        return {
            "snapshots": [s.to_json() for s in self.snapshots],
            "result_imports": [r.to_json() for r in self.result_imports],
        }


def list_imports(warehouse: Warehouse) -> ImportList:
    """Every snapshot and result import, oldest first."""
    rows = warehouse.query(
        f"""WITH latest AS (SELECT source, arg_max(import_id, (data_date, import_id)) AS import_id
                            FROM result_imports WHERE results > 0 GROUP BY source)
            SELECT i.import_id, i.source, i.path, i.data_date, i.date_basis, i.imported_at, i.models, i.results,
                   i.rejected,
                   (SELECT count(DISTINCT benchmark) FROM results r WHERE r.import_id = i.import_id) AS benchmarks,
                   (i.results > 0 AND (i.source IN {RUN_SOURCES} OR i.import_id IN (SELECT import_id FROM latest)))
                       AS in_use
            FROM result_imports i ORDER BY i.import_id"""
    )
    return ImportList(list_snapshots(warehouse), [ResultImportInfo(**row) for row in rows])


def drop_import(warehouse: Warehouse, import_id: int) -> ResultImportInfo:
    """Remove one result import and every row that belongs to it, in one transaction (the same file can then be
    imported again); return what was removed."""
    found = [i for i in list_imports(warehouse).result_imports if i.import_id == import_id]
    if not found:
        raise NotFoundError(f"no result import {import_id}: `modelrace imports` lists them")
    with warehouse.transaction() as connection:
        for table in tables_with_column(warehouse, "import_id"):
            if table != "result_imports":
                connection.execute(f'DELETE FROM "{table}" WHERE import_id = ?', [import_id])
        connection.execute("DELETE FROM result_imports WHERE import_id = ?", [import_id])
    return found[0]
