"""Serving: what it takes to run a model and what that costs, and the chips it runs on.

Owns the hardware registry (Epoch AI's ML Hardware file + curated additions + this machine's CPU), US export
classification by rule version, memory fit (weights from real headers or parameters x bits, KV cache from the
architecture), roofline throughput calibrated on measurements, GPU hourly prices and market prices per model.
Curated knowledge lives in ``data/*.yaml`` with sources. Reads reference files and model headers; never the
warehouse's internals beyond parameter counts (``snapshot_table``), and never imports the CLI or the report.
"""

from modelrace.serving._arch import Architecture, curated_architecture, from_config, from_gguf
from modelrace.serving._cost import CostBasis, CostEstimate, MarketSummary, estimate_cost
from modelrace.serving._export import (
    EXPORT_RULES_CITATION,
    RULE_VERSIONS,
    ExportClass,
    RuleState,
    export_class,
    resolve_rule,
    rule_events,
    rule_in_force,
    rule_sources,
    rule_state,
    rule_versions,
)
from modelrace.serving._fit import FitResult, fit_model
from modelrace.serving._gap import (
    ChipsHeadline,
    GapQuarter,
    HardwareGap,
    SideBest,
    chips_headline,
    gap_on,
    hardware_gap,
)
from modelrace.serving._gguf import GgufHeader, read_gguf_header
from modelrace.serving._hardware import (
    EPOCH_CITATION,
    EPOCH_SOURCE,
    Chip,
    HardwareRegistry,
    load_hardware,
    local_cpu,
    measure_bandwidth,
)
from modelrace.serving._kv import kv_bytes_per_token, kv_cache_bytes, max_context
from modelrace.serving._model import KnownSize, ModelRef, resolve_model
from modelrace.serving._prices import (
    AA_FILE,
    PRICE_CITATIONS,
    PRICE_SOURCES,
    HourlyPrice,
    MarketPrice,
    all_market_prices,
    hourly_price,
    market_prices,
)
from modelrace.serving._report import (
    COST_CHIPS,
    FIT_CHIPS,
    ChipPoint,
    CostFigures,
    HardwareGapPoint,
    ModelCostRow,
    PricePoint,
    cost_figures,
)
from modelrace.serving._roofline import SERVING_POINT, ModelShape, Throughput, Workload, describe_workload, roofline
from modelrace.serving._table import (
    ChipFitCount,
    FitCostSummary,
    FitCostTable,
    fit_and_cost_table,
    snapshot_fit_table,
    snapshot_params,
)
from modelrace.serving._views import (
    DEFAULT_CHIP,
    ChipTable,
    HardwareRow,
    RuleEvent,
    cost_named,
    fit_named,
    hardware_table,
    parse_date,
)
from modelrace.serving._weights import WeightsEstimate, estimate_gguf_file_bytes, estimate_weights

__all__ = [
    "AA_FILE",
    "COST_CHIPS",
    "DEFAULT_CHIP",
    "EPOCH_CITATION",
    "EPOCH_SOURCE",
    "EXPORT_RULES_CITATION",
    "FIT_CHIPS",
    "PRICE_CITATIONS",
    "PRICE_SOURCES",
    "RULE_VERSIONS",
    "SERVING_POINT",
    "Architecture",
    "Chip",
    "ChipFitCount",
    "ChipPoint",
    "ChipTable",
    "ChipsHeadline",
    "CostBasis",
    "CostEstimate",
    "CostFigures",
    "ExportClass",
    "FitCostSummary",
    "FitCostTable",
    "FitResult",
    "GapQuarter",
    "GgufHeader",
    "HardwareGap",
    "HardwareGapPoint",
    "HardwareRegistry",
    "HardwareRow",
    "HourlyPrice",
    "KnownSize",
    "MarketPrice",
    "MarketSummary",
    "ModelCostRow",
    "ModelRef",
    "ModelShape",
    "PricePoint",
    "RuleEvent",
    "RuleState",
    "SideBest",
    "Throughput",
    "WeightsEstimate",
    "Workload",
    "all_market_prices",
    "chips_headline",
    "cost_figures",
    "cost_named",
    "curated_architecture",
    "describe_workload",
    "estimate_cost",
    "estimate_gguf_file_bytes",
    "estimate_weights",
    "export_class",
    "fit_and_cost_table",
    "fit_model",
    "fit_named",
    "from_config",
    "from_gguf",
    "gap_on",
    "hardware_gap",
    "hardware_table",
    "hourly_price",
    "kv_bytes_per_token",
    "kv_cache_bytes",
    "load_hardware",
    "local_cpu",
    "market_prices",
    "max_context",
    "measure_bandwidth",
    "parse_date",
    "read_gguf_header",
    "resolve_model",
    "resolve_rule",
    "roofline",
    "rule_events",
    "rule_in_force",
    "rule_sources",
    "rule_state",
    "rule_versions",
    "snapshot_fit_table",
    "snapshot_params",
]
