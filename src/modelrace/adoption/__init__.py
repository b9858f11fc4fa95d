"""Adoption: who leads on downloads and derivatives, how concentrated the field is, and what changed."""

from modelrace.adoption._analyses import (
    SHARE_BREAKDOWNS,
    Measure,
    Scope,
    concentration,
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
from modelrace.adoption._attributed import attribute_snapshot
from modelrace.adoption._build import build_adoption, snapshot_json
from modelrace.adoption._headlines import country_name, headlines

__all__ = [
    "SHARE_BREAKDOWNS",
    "Measure",
    "Scope",
    "attribute_snapshot",
    "build_adoption",
    "concentration",
    "country_name",
    "download_shares",
    "download_shares_many",
    "ecosystem",
    "headlines",
    "hhi_label",
    "movers",
    "size_classes",
    "snapshot_json",
    "top_models",
    "totals",
    "unattributed",
]
