"""What a claim's figure is: a measured value with its interval, source and date, its parts, the evidence it is
computed from, and the parameters each named figure takes.

Intervals here are of two kinds, each named in ``interval_kind``:
- **attribution bounds** for download figures: downloads the registry does not attribute could belong to anyone,
  so a share lies between its attributed value and that value plus the unattributed share, and a lead between
  ``margin - unattributed`` and ``margin + unattributed``;
- **95 % intervals** for benchmark figures, from the standard errors the leaderboard uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modelrace._serialise import JsonResult
from modelrace.adoption import AdoptionFigures, build_adoption, open_scope
from modelrace.knowledge import SizeBy, country_name
from modelrace.licensing import LicenceFigures, snapshot_licence_figures
from modelrace.ranking import Catalogue, load_catalogue
from modelrace.store import SnapshotInfo, Warehouse, resolve_snapshot

Z95 = 1.96
Format = Literal["pct", "pp", "int", "float", "points"]
Section = Literal["adoption", "licensing", "capability", "cost", "usage"]


@dataclass(frozen=True)
class Measured(JsonResult):
    """One value of a figure with its interval (None where it has none), how to show it and what it is."""

    value: float
    low: float | None = None
    high: float | None = None
    format: Format = "float"
    label: str = ""  # what the number is, e.g. "China's lead over the United States" (claims name what they test)

    def show(self, value: float | None = None) -> str:
        """The value (or another number in the same units) as people read it."""
        x = self.value if value is None else value
        if self.format == "pct":
            return f"{x * 100:.1f} %"
        if self.format == "pp":
            return f"{x * 100:+.1f} pp"
        if self.format == "int":
            return f"{x:,.0f}"
        if self.format == "points":
            return f"{x:+.3g}"
        return f"{x:.3g}"

    def described(self, interval_kind: str | None = None) -> str:
        """The label, the value and its interval in words: "China's lead over ...: +6.5 pp (+5.9 pp to ...)"."""
        text = f"{self.label or 'value'}: {self.show()}"
        if self.low is None or self.high is None:
            return text
        low, high = self.show(min(self.low, self.high)), self.show(max(self.low, self.high))
        if low != high:  # as shown: bounds that round to the value add nothing
            text += f" ({low} to {high}{f', {interval_kind}' if interval_kind else ''})"
        return text


@dataclass(frozen=True)
class Part(JsonResult):
    """One piece of a figure made of several (a size class, a benchmark, a closed model): passes or not."""

    name: str
    passes: bool
    detail: str


@dataclass(frozen=True)
class Figure(JsonResult):
    """A named figure as a claim reads it."""

    name: str
    values: dict[str, Measured]
    text: str
    interval_kind: str | None
    source: str
    date: str | None
    evidence: Section
    parts: list[Part] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    insufficient: str | None = None


class Evidence:
    """Everything figures read, computed once per evaluation (a warehouse, its latest snapshot and results)."""

    def __init__(
        self,
        warehouse: Warehouse,
        snapshot: str | int | None = None,
        adoption: AdoptionFigures | None = None,
        licensing: LicenceFigures | None = None,
    ) -> None:
        """``adoption`` and ``licensing`` may pass figures already computed for the same snapshot (the report)."""
        self.warehouse = warehouse
        self.snapshot_ref = adoption.snapshot.id if adoption is not None else snapshot
        if adoption is not None:
            self.__dict__["adoption"] = adoption
        if licensing is not None:
            self.__dict__["licensing"] = licensing

    @cached_property
    def snapshot(self) -> SnapshotInfo:
        """The snapshot download figures rest on (raises NotFoundError when there is none)."""
        return resolve_snapshot(self.warehouse, self.snapshot_ref)

    @cached_property
    def adoption(self) -> AdoptionFigures:
        """The adoption figures of the snapshot."""
        return build_adoption(self.warehouse, self.snapshot.snapshot_id, history=1)

    @cached_property
    def licensing(self) -> LicenceFigures:
        """The licence figures of the snapshot."""
        return snapshot_licence_figures(open_scope(self.warehouse, self.snapshot.snapshot_id))

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every imported result, resolved (raises NotFoundError when there is none)."""
        return load_catalogue(self.warehouse)


# ------------------------------------------------------------------------------------------------ parameters
class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LeadParams(_Params):
    """Which table and which row: does ``key`` lead ``breakdown``?"""

    breakdown: Literal["country", "developer", "family", "uploader_country", "uploader"]
    key: str


class DerivativeParams(_Params):
    """Which family's share of which kind of derivative."""

    family: str
    relation: Literal["finetune", "quantized", "adapter", "merge", "any"] = "finetune"


class HhiParams(_Params):
    """Concentration by developer or by family."""

    by: Literal["developer", "family"] = "developer"


class LicenceShareParams(_Params):
    """A family's downloads by licence verdict, and the family's own licence in the registry."""

    family: str
    licence: str | None = None


class TieSetParams(_Params):
    """Is the family among the best (the leader's tie set) in every size class of these benchmarks?"""

    family: str
    benchmarks: list[str] = Field(min_length=1)
    size_by: SizeBy = "total"
    open_only: bool = True
    min_models: int = Field(default=3, ge=2)


class VersusParams(_Params):
    """Is A tied with or ahead of B on the benchmarks that score both?"""

    a: str
    b: str
    min_benchmarks: int = Field(default=3, ge=1)


class UndercutParams(_Params):
    """Is an open model of similar score cheaper than each closed one?"""

    benchmark: str = "artificial-analysis:Artificial Analysis Intelligence Index"
    tolerance: float = Field(default=2.0, ge=0)
    min_comparable: int = Field(default=3, ge=1)


class GapParams(_Params):
    """How the gap between the best closed and the best open model changed over ``months``."""

    benchmark: str = "lmarena:full"
    months: int = Field(default=12, ge=1)


# ------------------------------------------------------------------------------------------------ helpers
def _snapshot_caveats(snapshot: SnapshotInfo) -> tuple[list[str], str | None]:
    """What the snapshot's selection lets a download figure say: (caveats, insufficient reason)."""
    words = f"snapshot {snapshot.snapshot_id} ({snapshot.provenance}) holds {snapshot.selection_words}"
    if snapshot.selection == "subset":
        return [words], f"{words}: its download shares describe that selection, not the Hub"
    if snapshot.selection == "top-downloads":
        return [f"{words}: shares are of those models' downloads"], None
    return [], None


def _snapshot_source(snapshot: SnapshotInfo) -> tuple[str, str]:
    return (
        f"snapshot {snapshot.snapshot_id}: {snapshot.provenance}",
        snapshot.data_date or snapshot.taken_at.date().isoformat(),
    )


def _insufficient(name: str, evidence: Section, why: str, source: str = "", when: str | None = None) -> Figure:
    return Figure(name, {}, why, None, source, when, evidence, insufficient=why)


def _word(key: str, breakdown: str) -> str:
    return country_name(key) if "country" in breakdown else key
