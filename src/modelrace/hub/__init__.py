"""The Hugging Face Hub as a source: listing through huggingface_hub, record validation, snapshot importers and
atomic snapshot writes.

Owns getting Hub metadata into the warehouse. Imports ``store``, ``tree``, ``registry`` and ``knowledge``; never
the analyses (``adoption``, ``ranking``, ...), ``report`` or ``cli``.
"""

from modelrace.hub._client import (
    DEFAULT_MAX_WAIT_S,
    SYNC_EXPAND,
    ListingQuery,
    Page,
    iter_pages,
    retry_after_seconds,
)
from modelrace.hub._importers import import_hub_json, import_hub_stats
from modelrace.hub._ingest import SnapshotWriter
from modelrace.hub._ingest_stats import IngestStats, IngestSummary, PageRejection, Rejection
from modelrace.hub._provenance import Provenance
from modelrace.hub._records import ModelRecord, RecordError, parse_model
from modelrace.hub._sync import SyncOptions, SyncResult, sync_hub

__all__ = [
    "DEFAULT_MAX_WAIT_S",
    "SYNC_EXPAND",
    "IngestStats",
    "IngestSummary",
    "ListingQuery",
    "ModelRecord",
    "Page",
    "PageRejection",
    "Provenance",
    "RecordError",
    "Rejection",
    "SnapshotWriter",
    "SyncOptions",
    "SyncResult",
    "import_hub_json",
    "import_hub_stats",
    "iter_pages",
    "parse_model",
    "retry_after_seconds",
    "sync_hub",
]
