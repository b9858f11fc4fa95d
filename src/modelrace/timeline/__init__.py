"""The time axis: boards and snapshots in date order, per-model series, trends by country, developer, family or
model on a valid scope, movers and growth, and the first date one side passes another.

Owns the analyses across dates (one snapshot's or one board's figures belong to ``adoption`` and ``ranking``).
Reads the warehouse (``store``), the registries and the resolver (``registry``, ``ranking``) and the
same-models scope (``adoption``); never imports ``answers``, ``report``, ``cli`` or the network. A metric is a
:class:`TrendMetric` (downloads and ratings here; another package's usage figures plug in the same way).
"""

from modelrace.timeline._axis import BoardPoint, History, SnapshotPoint, history
from modelrace.timeline._metrics import (
    BOARD_SOURCES,
    DownloadsMetric,
    MetricData,
    Observation,
    RatingMetric,
    TrendMetric,
    metric_named,
)
from modelrace.timeline._series import ModelDownloads, model_downloads
from modelrace.timeline._trend import (
    BREAKDOWNS,
    Breakdown,
    Growth,
    PairStep,
    PairwisePass,
    Pass,
    Trend,
    TrendPoint,
    first_pass,
    growth,
    pairwise_pass,
    trend,
    trend_of,
)

__all__ = [
    "BOARD_SOURCES",
    "BREAKDOWNS",
    "BoardPoint",
    "Breakdown",
    "DownloadsMetric",
    "Growth",
    "History",
    "MetricData",
    "ModelDownloads",
    "Observation",
    "PairStep",
    "PairwisePass",
    "Pass",
    "RatingMetric",
    "SnapshotPoint",
    "Trend",
    "TrendMetric",
    "TrendPoint",
    "first_pass",
    "growth",
    "history",
    "metric_named",
    "model_downloads",
    "pairwise_pass",
    "trend",
    "trend_of",
]
