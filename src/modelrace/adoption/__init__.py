"""Adoption: who leads on downloads and derivatives, how concentrated the field is, and what changed.

Owns the attribution of a snapshot (each model with its uploader and its root's developer, family, country and
credit), the analyses over it and their typed results. Reads the warehouse only (``store``, ``registry``,
``knowledge``, ``tree``); never imports ``report``, ``cli`` or the network.
"""

from modelrace.adoption._analyses import (
    SHARE_BREAKDOWNS,
    Measure,
    Scope,
    concentration,
    coverage,
    download_shares,
    download_shares_many,
    ecosystem,
    hhi_label,
    movers,
    size_classes,
    top_models,
    totals,
    unattributed,
)
from modelrace.adoption._attributed import attribute_snapshot, store_attribution
from modelrace.adoption._build import build_adoption, open_scope, scope_of
from modelrace.adoption._cache import cached_table, open_part, store_part, store_table
from modelrace.adoption._comparable import comparability, own_scope, restrict
from modelrace.adoption._describe import ModelDescription, describe_model
from modelrace.adoption._figures import (
    COVERAGE_THRESHOLD,
    Adoption,
    AdoptionFigures,
    AdoptionScope,
    AllTime,
    AllTimeCoverage,
    CommonScope,
    Comparability,
    Concentration,
    Coverage,
    Ecosystem,
    Headline,
    HistoryPoint,
    Movers,
    Row,
    ShareChange,
    SnapshotRef,
    Totals,
    Unattributed,
)
from modelrace.adoption._headlines import headlines
from modelrace.adoption._shares import ShareTable, share_table

__all__ = [
    "COVERAGE_THRESHOLD",
    "SHARE_BREAKDOWNS",
    "Adoption",
    "AdoptionFigures",
    "AdoptionScope",
    "AllTime",
    "AllTimeCoverage",
    "CommonScope",
    "Comparability",
    "Concentration",
    "Coverage",
    "Ecosystem",
    "Headline",
    "HistoryPoint",
    "Measure",
    "ModelDescription",
    "Movers",
    "Row",
    "Scope",
    "ShareChange",
    "ShareTable",
    "SnapshotRef",
    "Totals",
    "Unattributed",
    "attribute_snapshot",
    "build_adoption",
    "cached_table",
    "comparability",
    "concentration",
    "coverage",
    "describe_model",
    "download_shares",
    "download_shares_many",
    "ecosystem",
    "headlines",
    "hhi_label",
    "movers",
    "open_part",
    "open_scope",
    "own_scope",
    "restrict",
    "scope_of",
    "share_table",
    "size_classes",
    "store_attribution",
    "store_part",
    "store_table",
    "top_models",
    "totals",
    "unattributed",
]
