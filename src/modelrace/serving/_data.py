"""The curated serving data shipped in the package (YAML + pydantic schemas): chips, export rules, architectures,
weight formats and the calibration of the throughput model."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from modelrace._yaml import parse_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- hardware -------------------------------------------------------------------------------------------------


class ChipAddition(_Strict):
    """Figures for one chip that Epoch's file lacks (or a chip it does not list), with the source."""

    epoch_name: str | None = None
    name: str | None = None
    new: bool = False
    aliases: list[str] = []
    manufacturer: str | None = None
    release_date: date | None = None
    fp16_flops: float | None = None
    fp8_flops: float | None = None
    memory_bytes: float | None = None
    bandwidth_bytes_per_s: float | None = None
    die_size_mm2: float | None = None
    tpp: float | None = None
    interconnect_gbps: float | None = None
    market: Literal["data centre", "consumer"] | None = None
    confirmed: list[str] = []  # figures a curated source confirms though the plausibility rules doubt them
    price_labels: list[str] = []
    source: str


class Plausibility(_Strict):
    """Limits no shipping part exceeds: a figure beyond them is doubtful."""

    max_bandwidth_bytes_per_s: float
    max_bandwidth_source: str
    max_bandwidth_per_memory_byte: float
    max_bandwidth_per_memory_byte_source: str


class Doubt(_Strict):
    """A curated doubt about a chip the plausibility rules cannot see."""

    epoch_name: str
    reason: str
    source: str


class HardwareFile(_Strict):
    """``data/hardware.yaml``."""

    version: int
    domestic_china_manufacturers: list[str]
    consumer_name_patterns: list[str]
    consumer_interconnect_gbps: float
    consumer_interconnect_source: str
    consumer_source: str
    plausibility: Plausibility
    doubts: list[Doubt] = []
    chips: list[ChipAddition]


# --- export rules ---------------------------------------------------------------------------------------------


class Criterion(_Strict):
    """One conjunction of thresholds (lower bounds inclusive, upper bounds exclusive); ``data_centre_only``: the
    branch applies only to chips designed or marketed for data centres (the 2023 rule's density branches)."""

    tpp_min: float | None = None
    tpp_max: float | None = None
    density_min: float | None = None
    density_max: float | None = None
    interconnect_gbps_min: float | None = None
    data_centre_only: bool = False


class RuleClass(_Strict):
    """An export classification of a rule: met by its own thresholds or by any of ``any_of``."""

    id: str
    tpp_min: float | None = None
    interconnect_gbps_min: float | None = None
    any_of: list[Criterion] = []
    licence: str


class Tier(_Strict):
    """A country tier of the 2025-01 AI diffusion rule."""

    tier: int
    who: str
    terms: str


class Grant(_Strict):
    """Licences granted under a measure, from a date."""

    date: date
    what: str
    source: str


class BandwidthMeasure(_Strict):
    """A licence requirement for chips outside 3A090 that reach a memory or interconnect bandwidth (2025-04)."""

    memory_bandwidth_gbps_min: float
    interconnect_gbps_min: float
    licence: str
    grants: list[Grant] = []


class CaseByCase(_Strict):
    """3A090 chips under both thresholds are reviewed case by case (with conditions) instead of denied."""

    tpp_max: float
    memory_bandwidth_gbps_max: float
    conditions: list[str]
    beyond: str


class Rule(_Strict):
    """A rule version: the state of the rules from ``effective`` (until ``rescinded``, if ever)."""

    id: str
    names: list[str] = []
    name: str
    published: date
    effective: date
    rescinded: date | None = None
    rescinded_source: str | None = None
    source: str
    source_url: str
    classes: list[RuleClass] = []
    review: str
    tiers: list[Tier] = []
    bandwidth_measure: BandwidthMeasure | None = None
    case_by_case: CaseByCase | None = None
    headquarters: str | None = None


class Event(_Strict):
    """A dated fact the classifier does not compute."""

    date: date
    id: str
    what: str
    source: str
    source_url: str | None = None


class ExportRulesFile(_Strict):
    """``data/export_rules.yaml``."""

    version: int
    versions: list[Rule]
    events: list[Event]


# --- architectures --------------------------------------------------------------------------------------------


class FamilyConfig(_Strict):
    """A family's architecture facts from its config.json."""

    id: str
    match: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    tied: bool
    context: int
    experts: int | None = None
    experts_active: int | None = None
    shared_experts: int = 0
    expert_ffn: int | None = None
    dense_layers: int = 0
    kv_lora_rank: int | None = None
    rope_head_dim: int | None = None
    window: int | None = None
    local_layers_per_global: int | Literal["all"] | None = None
    params_total: float
    params_active: float | None = None
    weights_format: str = "bf16"  # as released: DeepSeek-V3 fp8, gpt-oss mxfp4 (MXFP4 GGUF type)
    source: str


class ArchitecturesFile(_Strict):
    """``data/architectures.yaml``."""

    version: int
    families: list[FamilyConfig]


# --- weight formats -------------------------------------------------------------------------------------------


class GgmlType(_Strict):
    """A GGML tensor type: ``bytes`` per block of ``block`` weights."""

    block: int
    bytes: int

    @property
    def bits_per_weight(self) -> float:
        """Bits per weight, scales included."""
        return self.bytes * 8 / self.block


class FileType(_Strict):
    """How llama.cpp mixes tensor types in one GGUF file type."""

    base: str
    output: str
    embedding: str | None = None
    more_bits: str | None = None


class QuantizationsFile(_Strict):
    """``data/quantizations.yaml``."""

    version: int
    types: dict[str, GgmlType]
    type_ids: dict[int, str]
    fallback: dict[str, str]
    file_types: dict[str, FileType]
    dense_formats: dict[str, float]


# --- calibration ----------------------------------------------------------------------------------------------


class Efficiency(_Strict):
    """Achieved fractions of peak memory bandwidth and peak compute, with how they were measured."""

    bandwidth: float
    compute: float
    bandwidth_from: str
    compute_from: str
    # MoE models reach a lower share of peak compute (routing, uneven expert load, all-to-all between chips):
    # fitted on MLPerf v5.1/v6.0 Mixtral, DeepSeek-R1 and gpt-oss-120b rows; None: the dense figure serves
    compute_moe: float | None = None
    compute_moe_from: str | None = None


class Measurement(_Strict):
    """A published or local measurement the model is calibrated or checked against."""

    id: str
    kind: Literal["decode_step", "throughput"]
    hardware: str
    count: int = 1
    model: str
    weights: str
    batch: int
    input_tokens: int
    output_tokens: int
    measured_tokens_per_s: float
    source: str
    note: str | None = None


class OwnershipCost(_Strict):
    """How an hourly price is derived from a release price when no rental price is known."""

    years: float
    utilisation: float
    power_usd_per_kwh: float
    pue: float
    hosting_multiplier: float
    source: str


class CalibrationFile(_Strict):
    """``data/calibration.yaml``: the factors and what they were fitted on."""

    version: int
    fitted_on: date
    accelerator: Efficiency
    cpu: Efficiency
    runtime_overhead_bytes: dict[str, float]
    ownership: OwnershipCost
    measurements: list[Measurement]
    errors: dict[str, str]
    # the calibration's measured error per chip family and model kind ("Hopper dense", "Blackwell MoE", or a
    # family alone), as bench/bench_cost_calibration.py printed it: what `cost` shows beside each figure
    errors_by_family: dict[str, str] = {}


def _read(name: str) -> str:
    return resources.files("modelrace.serving").joinpath(f"data/{name}").read_text("utf-8")


@cache
def hardware_file() -> HardwareFile:
    """The curated chip additions."""
    return parse_yaml(_read("hardware.yaml"), "serving/data/hardware.yaml", HardwareFile)


@cache
def export_rules_file() -> ExportRulesFile:
    """The export-control rules and events."""
    return parse_yaml(_read("export_rules.yaml"), "serving/data/export_rules.yaml", ExportRulesFile)


@cache
def architectures_file() -> ArchitecturesFile:
    """The curated family architectures."""
    return parse_yaml(_read("architectures.yaml"), "serving/data/architectures.yaml", ArchitecturesFile)


@cache
def quantizations_file() -> QuantizationsFile:
    """GGML types and GGUF file-type recipes."""
    return parse_yaml(_read("quantizations.yaml"), "serving/data/quantizations.yaml", QuantizationsFile)


@cache
def calibration_file() -> CalibrationFile:
    """The throughput model's calibrated efficiency factors."""
    return parse_yaml(_read("calibration.yaml"), "serving/data/calibration.yaml", CalibrationFile)
