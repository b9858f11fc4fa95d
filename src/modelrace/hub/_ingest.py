"""Writing one snapshot atomically: records are staged, then land together with their resolved tree.

A sync or import stages every valid record in a temporary table inside one transaction and commits only
after the whole source was read and the model tree resolved. A killed process (kill -9 included) leaves
no partial snapshot: DuckDB discards the uncommitted transaction when the file is next opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from modelrace._serialise import JsonResult
from modelrace.errors import ModelraceError, WarehouseError
from modelrace.hub._records import MAX_REASON_CHARS, ModelRecord, RecordError, latest_allowed_date, parse_model
from modelrace.store import SnapshotInfo, Warehouse, resolve_snapshot
from modelrace.tree import resolve_tree

BATCH_SIZE = 20_000
MAX_KEPT_REJECTIONS = 100_000  # every rejection is counted; the first this many are kept with their reason
MAX_REJECTION_SAMPLES = 1000  # rejections kept in memory for the caller (the warehouse keeps more)
MAX_DISTINCT_REASONS = 1000  # reasons counted one by one; the rest are counted together under OTHER_REASONS
OTHER_REASONS = "other reasons (too many distinct reasons to count one by one)"

_BASES = pa.list_(pa.struct([("model_id", pa.string()), ("relation", pa.string())]))
_STAGING_SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("model_id", pa.string()),
        ("namespace", pa.string()),
        ("version_id", pa.int64()),
        ("downloads_30d", pa.int64()),
        ("downloads_all_time", pa.int64()),
        ("likes", pa.int64()),
        ("pipeline_tag", pa.string()),
        ("library_name", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("gated", pa.string()),
        ("license", pa.string()),
        ("license_name", pa.string()),
        ("license_link", pa.string()),
        ("params", pa.int64()),
        ("params_active", pa.int64()),
        ("params_source", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("last_modified", pa.timestamp("us")),
        ("base_models", _BASES),
    ]
)


@dataclass
class Rejection:
    """A record refused by the parser: where it was, which model if known, and why."""

    position: int
    model_id: str | None
    reason: str


@dataclass
class PageRejection:
    """A listing page that could not be read: which listing, which page (0-based), and why."""

    listing: str | None
    page: int
    reason: str


@dataclass
class IngestStats:
    """Counts for one snapshot write, shown to the user and stored with the snapshot.

    ``rejected`` counts records; ``rejected_pages`` counts listing pages that could not be read at all (their
    records were never seen, so they are not in ``rejected``). ``reason_counts`` counts every rejection (records
    and pages) by reason, not only the kept samples.
    """

    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    rejected_pages: int = 0
    rejection_samples: list[Rejection] = field(default_factory=list)
    page_rejections: list[PageRejection] = field(default_factory=list)
    reason_counts: dict[str, int] = field(default_factory=dict)

    def count_reason(self, reason: str) -> None:
        """Count one rejection under its reason (bounded: past MAX_DISTINCT_REASONS, under OTHER_REASONS)."""
        if reason not in self.reason_counts and len(self.reason_counts) >= MAX_DISTINCT_REASONS:
            reason = OTHER_REASONS
        self.reason_counts[reason] = self.reason_counts.get(reason, 0) + 1

    def reasons(self) -> dict[str, int]:
        """How many rejections (all of them, records and pages) share each reason, most frequent first."""
        return dict(sorted(self.reason_counts.items(), key=lambda kv: -kv[1]))


def _claimed_id(raw: object) -> str | None:
    """The id a rejected record claims, when it has a readable one (kept with the rejection)."""
    try:
        model_id = raw.get("id") if isinstance(raw, Mapping) else None
    except Exception:
        return None
    return model_id if isinstance(model_id, str) else None


def _bounded(text: str) -> str:
    text = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 3] + "..."


@dataclass(frozen=True)
class IngestSummary(JsonResult):
    """What a sync or import reports: the snapshot, its counts, every rejection reason counted, and warnings."""

    snapshot: SnapshotInfo
    accepted: int
    rejected: int
    duplicates: int
    rejected_pages: int
    rejection_reasons: dict[str, int]
    pages: int | None = None  # listing pages read (a sync)
    warnings: tuple[str, ...] = ()  # problems worked around (a corrupt huggingface_hub cache file)

    @classmethod
    def of(
        cls, snapshot: SnapshotInfo, stats: IngestStats, pages: int | None = None, warnings: Iterable[str] = ()
    ) -> IngestSummary:
        """The summary of a finished write."""
        return cls(
            snapshot=snapshot,
            accepted=stats.accepted,
            rejected=stats.rejected,
            duplicates=stats.duplicates,
            rejected_pages=stats.rejected_pages,
            rejection_reasons=stats.reasons(),
            pages=pages,
            warnings=tuple(warnings),
        )


class SnapshotWriter:
    """Stage records, then commit them as one snapshot (or nothing). Use as a context manager."""

    def __init__(
        self,
        warehouse: Warehouse,
        source: str,
        source_detail: str | None = None,
        filters: dict[str, Any] | None = None,
        taken_at: datetime | None = None,
    ) -> None:
        if warehouse.read_only:
            raise WarehouseError("the warehouse is open read-only")
        self.warehouse = warehouse
        self.source = source
        self.source_detail = source_detail
        self.filters = filters
        self.taken_at = (taken_at or datetime.now(UTC)).replace(tzinfo=None)
        self.stats = IngestStats()
        self._position = 0
        self._seen: set[str] = set()
        self._columns: dict[str, list[Any]] = {name: [] for name in _STAGING_SCHEMA.names}
        self._rejections: list[Rejection] = []
        self._page_rejections: list[PageRejection] = []
        # Records dated after this (now plus a tolerance) are corrupt: they must never date a snapshot.
        self.not_after = latest_allowed_date()
        self._open = False
        self.snapshot: SnapshotInfo | None = None

    def __enter__(self) -> SnapshotWriter:
        connection = self.warehouse.connection
        connection.execute("BEGIN TRANSACTION")
        self._open = True
        connection.execute("DROP TABLE IF EXISTS staging_models")
        connection.register("staging_schema", _STAGING_SCHEMA.empty_table())
        connection.execute("CREATE TEMP TABLE staging_models AS SELECT * FROM staging_schema")
        connection.unregister("staging_schema")
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._open:
            self._open = False
            self.warehouse.connection.execute("ROLLBACK")

    # -- adding -----------------------------------------------------------------------------------------
    def add_raw(self, raw: object) -> ModelRecord | None:
        """Parse and stage one raw record; a bad one is counted and kept with its reason (never raised)."""
        position = self._position
        self._position += 1
        try:
            record = parse_model(raw, self.not_after)
        except RecordError as error:
            reason = str(error)
        except Exception as error:
            reason = f"unreadable record ({type(error).__name__})"
        else:
            self._stage(position, record)
            return record
        self.reject(position, _claimed_id(raw), reason)
        return None

    def reject_record(self, reason: str, model_id: str | None = None) -> None:
        """Count, at the next record position, a record that could not even be read (e.g. nested too deep)."""
        position = self._position
        self._position += 1
        self.reject(position, model_id, reason)

    def add_many(self, raws: Iterable[object]) -> None:
        """Parse and stage many raw records."""
        for raw in raws:
            self.add_raw(raw)

    def reject(self, position: int, model_id: str | None, reason: str) -> None:
        """Count a refused record with its reason."""
        self.stats.rejected += 1
        reason = _bounded(reason)
        self.stats.count_reason(reason)
        if model_id is not None:
            model_id = model_id.encode("utf-8", "replace").decode("utf-8")[:200]
        rejection = Rejection(position, model_id, reason)
        if len(self._rejections) < MAX_KEPT_REJECTIONS:
            self._rejections.append(rejection)
        if len(self.stats.rejection_samples) < MAX_REJECTION_SAMPLES:
            self.stats.rejection_samples.append(rejection)

    def reject_page(self, page: int, reason: str, listing: str | None = None) -> None:
        """Count a listing page that could not be read (kept apart from record positions)."""
        self.stats.rejected_pages += 1
        reason = _bounded(reason)
        self.stats.count_reason(reason)
        rejection = PageRejection(listing, page, reason)
        if len(self._page_rejections) < MAX_KEPT_REJECTIONS:
            self._page_rejections.append(rejection)
        if len(self.stats.page_rejections) < MAX_REJECTION_SAMPLES:
            self.stats.page_rejections.append(rejection)

    def _stage(self, position: int, record: ModelRecord) -> None:
        if record.model_id in self._seen:
            # A live listing sorted by downloads can return a model twice when counts move between pages.
            self.stats.duplicates += 1
            return
        self._seen.add(record.model_id)
        self.stats.accepted += 1
        columns = self._columns
        columns["position"].append(position)
        columns["model_id"].append(record.model_id)
        columns["namespace"].append(record.namespace)
        columns["version_id"].append(record.version_id())
        columns["downloads_30d"].append(record.downloads_30d)
        columns["downloads_all_time"].append(record.downloads_all_time)
        columns["likes"].append(record.likes)
        columns["pipeline_tag"].append(record.pipeline_tag)
        columns["library_name"].append(record.library_name)
        columns["tags"].append(list(record.tags))
        columns["gated"].append(record.gated)
        columns["license"].append(record.license)
        columns["license_name"].append(record.license_name)
        columns["license_link"].append(record.license_link)
        columns["params"].append(record.params)
        columns["params_active"].append(record.params_active)
        columns["params_source"].append(record.params_source)
        columns["created_at"].append(record.created_at)
        columns["last_modified"].append(record.last_modified)
        columns["base_models"].append(
            [{"model_id": model_id, "relation": relation} for model_id, relation in record.base_models]
        )
        if len(columns["model_id"]) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self._columns["model_id"]:
            return
        connection = self.warehouse.connection
        connection.register("staging_batch", pa.Table.from_pydict(self._columns, schema=_STAGING_SCHEMA))
        connection.execute("INSERT INTO staging_models SELECT * FROM staging_batch")
        connection.unregister("staging_batch")
        self._columns = {name: [] for name in _STAGING_SCHEMA.names}

    # -- committing ---------------------------------------------------------------------------------------
    def commit(self) -> SnapshotInfo:
        """Write the staged records as a new snapshot, resolve its tree, and commit everything at once."""
        if not self._open:
            raise ModelraceError("the snapshot was already committed or abandoned")
        self._flush()
        connection = self.warehouse.connection
        rows = connection.execute("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots").fetchall()
        snapshot_id = int(rows[0][0])
        # Every id seen, as a record or as a referenced base model, gets one integer key, once.
        connection.execute(
            """
            INSERT INTO models
            SELECT (SELECT coalesce(max(model_key), 0) FROM models) + row_number() OVER (ORDER BY model_id),
                   model_id, namespace
            FROM (
                SELECT model_id, any_value(namespace) AS namespace FROM (
                    SELECT model_id, namespace FROM staging_models
                    UNION ALL
                    SELECT b.model_id,
                           CASE WHEN contains(b.model_id, '/') THEN split_part(b.model_id, '/', 1) END
                    FROM (SELECT unnest(base_models) AS b FROM staging_models)
                ) GROUP BY model_id
            ) AS seen
            WHERE NOT EXISTS (SELECT 1 FROM models m WHERE m.model_id = seen.model_id)
            """
        )
        connection.execute(
            """
            INSERT INTO model_versions
            SELECT s.version_id, m.model_key, s.pipeline_tag, s.library_name, s.tags, s.gated, s.license,
                   s.license_name, s.license_link, s.params, s.params_active, s.params_source,
                   s.created_at, s.last_modified, s.base_models
            FROM staging_models s JOIN models m USING (model_id)
            WHERE NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.version_id = s.version_id)
            """
        )
        connection.execute(
            """
            INSERT INTO snapshot_models
            SELECT ?, m.model_key, s.version_id, s.downloads_30d, s.downloads_all_time, s.likes
            FROM staging_models s JOIN models m USING (model_id)
            """,
            [snapshot_id],
        )
        if self._rejections:
            rejected = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB
                [{"position": r.position, "model_id": r.model_id, "reason": r.reason} for r in self._rejections],
                schema=pa.schema([("position", pa.int64()), ("model_id", pa.string()), ("reason", pa.string())]),
            )
            connection.execute(
                "INSERT INTO rejections SELECT ?, position, model_id, reason FROM rejected", [snapshot_id]
            )
        if self._page_rejections:
            pages = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB
                [{"listing": r.listing, "page": r.page, "reason": r.reason} for r in self._page_rejections],
                schema=pa.schema([("listing", pa.string()), ("page", pa.int64()), ("reason", pa.string())]),
            )
            connection.execute("INSERT INTO page_rejections SELECT ?, listing, page, reason FROM pages", [snapshot_id])
        connection.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                snapshot_id,
                self.taken_at,
                self.source,
                self.source_detail,
                json.dumps(self.filters, sort_keys=True) if self.filters is not None else None,
                self.stats.accepted,
                self.stats.rejected,
                self.stats.duplicates,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        resolve_tree(connection, snapshot_id)
        connection.execute("DROP TABLE staging_models")
        connection.execute("COMMIT")
        self._open = False
        self.snapshot = resolve_snapshot(self.warehouse, snapshot_id)
        return self.snapshot
