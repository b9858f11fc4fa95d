"""What `modelrace pick` takes and gives: constraints, candidates with reasons, what was excluded, the method."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from modelrace._serialise import JsonResult
from modelrace.usage import ModelUsage

MIN_FIELD = 5
QUANT_LADDER = ("q8_0", "q4_k_m")
LicenceChoice = Literal["permissive", "conditional"]
_ALLOWED: dict[str, tuple[str, ...]] = {"permissive": ("permissive",), "conditional": ("permissive", "conditional")}
Constraint = Literal["open-only", "country", "licence", "hardware", "context", "price"]


@dataclass(frozen=True)
class PickConstraints(JsonResult):
    """What `pick` was asked for."""

    task: str = "general"
    hardware: str | None = None
    count: int = 1
    quant: str | None = None
    context: int | None = None
    licence: LicenceChoice | None = None
    exclude_countries: tuple[str, ...] = ()
    only_countries: tuple[str, ...] = ()
    max_usd_per_mtok: float | None = None
    open_only: bool = True
    limit: int = 10


@dataclass(frozen=True)
class TaskScore(JsonResult):
    """A candidate's figure on one of the task's benchmarks."""

    benchmark: str
    name: str
    source_name: str
    data_date: str
    value: float
    se: float | None
    standard_score: float
    weight: float


@dataclass(frozen=True)
class Candidate(JsonResult):
    """A model that meets every constraint, with its task score and the reasons it is listed."""

    rank: int
    model: str
    score: float
    interval: list[float] | None
    interval_basis: list[str]
    tied_with_first: bool
    confidence: Literal["high", "medium", "low"]
    coverage: float
    country: str
    developer: str
    params_total: float | None
    licence_verdict: str
    licence_id: str | None
    fits: bool | None
    headroom_gb: float | None
    quant: str | None
    usd_per_mtok: float | None
    price_basis: str | None
    benchmarks: list[TaskScore]
    reasons: list[str]
    served: ModelUsage | None = None  # how widely it is served: OpenRouter usage on the newest day (no constraint)


@dataclass(frozen=True)
class Excluded(JsonResult):
    """A strong model a constraint excluded: which constraint, and why."""

    model: str
    constraint: Constraint
    detail: str
    score: float


@dataclass(frozen=True)
class TaskWeights(JsonResult):
    """The task's benchmarks as used: weight, and whether it could be used."""

    benchmark: str
    weight: float
    used: bool
    note: str


@dataclass(frozen=True)
class Pick(JsonResult):
    """`pick --json` (docs/json.md)."""

    constraints: PickConstraints
    task: str
    benchmarks: list[TaskWeights]
    candidates: list[Candidate]
    excluded: list[Excluded]
    message: str
    method: dict[str, str] = field(default_factory=dict)


METHOD = {
    "standardise": "per benchmark z = (score - mean) / sd over every model it scores",
    "combine": "weighted mean of z over the benchmarks a model has; missing ones lower coverage, never count as 0",
    "interval": "95 %: measurement (benchmarks with an uncertainty) and missing benchmarks (tau x their weight)",
    "order": "by the lower end of the 95 % interval",
    "tie": "tied with the first unless the difference exceeds 1.96 sqrt(se_first^2 + se^2) (leaderboard rule)",
    "fit": "memory fit (weights + KV cache + overhead) at the context asked: released format, else Q8_0, else Q4_K_M",
    "price": "with hardware: roofline estimate on it (modelrace cost); else the market price (3:1 blend)",
}
