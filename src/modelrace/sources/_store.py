"""Storing an import: one transaction per file; the same file twice is recognised, not duplicated."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from modelrace.errors import ConfigError, ImportFormatError
from modelrace.sources._importers import IMPORTERS
from modelrace.sources._model import ImportBatch, data_date, sha256
from modelrace.store import Warehouse


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored."""

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


def store_batch(warehouse: Warehouse, batch: ImportBatch, location: str, digest: str) -> int:
    """Store a batch of models and results as one import, in one transaction; returns its import id."""
    with warehouse.transaction() as connection:
        rows = connection.execute("SELECT coalesce(max(import_id), 0) + 1 FROM result_imports").fetchall()
        import_id = int(rows[0][0])
        connection.execute(
            "INSERT INTO result_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ],
        )
        models = [{**asdict(m), "extra": _json(m.extra), "import_id": import_id} for m in batch.models.values()]
        if models:
            connection.register("import_models", pa.Table.from_pylist(models, schema=_MODEL_SCHEMA))
            connection.execute(
                """INSERT INTO source_models SELECT import_id, source_name, display_name, organisation, country,
                   params_total, params_active, release_date, license, open_weights, reasoning,
                   price_in_usd_per_mtok, price_out_usd_per_mtok, extra FROM import_models"""
            )
            connection.unregister("import_models")
        results = [{**asdict(r), "extra": _json(r.extra), "import_id": import_id} for r in batch.results]
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


def import_results(
    warehouse: Warehouse, source: str, path: Path, when: date | None = None, **options: Any
) -> ImportSummary:
    """Read ``path`` with the importer for ``source`` and store it (or find it already stored)."""
    if source not in IMPORTERS:
        raise ConfigError(f"unknown source {source!r}: choose one of {', '.join(IMPORTERS)}")
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    digest = sha256(path)
    existing = warehouse.query("SELECT * FROM result_imports WHERE source = ? AND file_sha256 = ?", [source, digest])
    if existing:
        row = existing[0]
        return ImportSummary(
            row["import_id"], source, row["path"], row["data_date"], row["models"], row["results"], row["rejected"],
            True, json.loads(row["notes"]) if row["notes"] else {}, [],
        )  # fmt: skip
    importer = IMPORTERS[source]
    batch: ImportBatch = importer(path, data_date(path, when), **options)
    import_id = store_batch(warehouse, batch, str(path), digest)
    return ImportSummary(
        import_id,
        source,
        str(path),
        batch.data_date,
        len(batch.models),
        len(batch.results),
        len(batch.rejected),
        False,
        batch.notes,
        [{"position": p, "name": n, "reason": r} for p, n, r in batch.rejected[:20]],
    )
