"""Usage: what people actually run, as a router measures it (tokens, requests, list-price dollars by model,
developer, country and openness), beside downloads, which count files fetched.

Owns reading OpenRouter's files and endpoints (the rankings page, the weekly top models, the rankings-daily
dataset, the models list), storing each as a dated usage snapshot, tying its slugs to the identities every
other source resolves to (``ranking``'s resolver and alias table; authors through ``data/openrouter_authors.yaml``
to the organisation registry) and the usage shares, each with the base it is of. Imports ``store``,
``registry``, ``ranking`` and ``knowledge``; never ``answers``, ``report`` or ``cli``.
"""

from modelrace.usage._authors import Developer, developer_of, load_authors
from modelrace.usage._compare import (
    ModelUsage,
    UsageAgainstDownloads,
    UsagePair,
    model_usage,
    usage_against_downloads,
    usage_lookup,
    usage_pair,
)
from modelrace.usage._identity import UsageIdentity, UsageResolver, model_name
from modelrace.usage._live import UsageSync, UsageSyncError, sync_usage
from modelrace.usage._parse import BASE_ALL, BASE_LISTED, LAYOUTS, UsageFile, UsageRejection, UsageRow, parse_usage
from modelrace.usage._shares import (
    BYS,
    CLOSED,
    METRICS,
    NOT_LISTED,
    OPEN,
    SERIES,
    UNKNOWN_OPENNESS,
    By,
    Metric,
    Series,
    UsagePoint,
    UsageSeries,
    default_series,
    held_series,
    usage_resolver,
    usage_series,
    usage_unmatched,
)
from modelrace.usage._store import (
    UsageImport,
    UsageSnapshotInfo,
    UsageSnapshotSummary,
    drop_usage_snapshot,
    import_usage,
    list_usage_snapshots,
    usage_files,
)
from modelrace.usage._trend import UsageHeadline, UsageTrendPoint, usage_headline, usage_trend

__all__ = [
    "BASE_ALL",
    "BASE_LISTED",
    "BYS",
    "CLOSED",
    "LAYOUTS",
    "METRICS",
    "NOT_LISTED",
    "OPEN",
    "SERIES",
    "UNKNOWN_OPENNESS",
    "By",
    "Developer",
    "Metric",
    "ModelUsage",
    "Series",
    "UsageAgainstDownloads",
    "UsageFile",
    "UsageHeadline",
    "UsageIdentity",
    "UsageImport",
    "UsagePair",
    "UsagePoint",
    "UsageRejection",
    "UsageResolver",
    "UsageRow",
    "UsageSeries",
    "UsageSnapshotInfo",
    "UsageSnapshotSummary",
    "UsageSync",
    "UsageSyncError",
    "UsageTrendPoint",
    "default_series",
    "developer_of",
    "drop_usage_snapshot",
    "held_series",
    "import_usage",
    "list_usage_snapshots",
    "load_authors",
    "model_name",
    "model_usage",
    "parse_usage",
    "sync_usage",
    "usage_against_downloads",
    "usage_files",
    "usage_headline",
    "usage_lookup",
    "usage_pair",
    "usage_resolver",
    "usage_series",
    "usage_trend",
    "usage_unmatched",
]
