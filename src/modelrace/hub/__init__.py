"""The Hugging Face Hub: listing, record parsing, importers and atomic snapshot writes."""

from modelrace.hub._client import SYNC_EXPAND, ListingQuery, Page, iter_pages
from modelrace.hub._describe import describe_model
from modelrace.hub._importers import import_hub_json, import_hub_stats
from modelrace.hub._ingest import IngestStats, Rejection, SnapshotWriter
from modelrace.hub._params import NameParams, params_from_name
from modelrace.hub._records import ModelRecord, RecordError, parse_model
from modelrace.hub._sync import SyncOptions, SyncResult, sync_hub

__all__ = [
    "SYNC_EXPAND",
    "IngestStats",
    "ListingQuery",
    "ModelRecord",
    "NameParams",
    "Page",
    "RecordError",
    "Rejection",
    "SnapshotWriter",
    "SyncOptions",
    "SyncResult",
    "describe_model",
    "import_hub_json",
    "import_hub_stats",
    "iter_pages",
    "params_from_name",
    "parse_model",
    "sync_hub",
]
