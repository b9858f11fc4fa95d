"""What a claim's figure is: a measured value with its interval, source and date, its parts, the evidence it is
computed from, and the parameters each named figure takes.

Intervals here are of two kinds, each named in ``interval_kind``:
- **attribution bounds** for download figures: downloads the registry does not attribute could belong to anyone,
  so a share lies between its attributed value and that value plus the unattributed share, and a lead between
  ``margin - unattributed`` and ``margin + unattributed``;
- **95 % intervals** for benchmark figures, from the standard errors the leaderboard uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modelrace._serialise import JsonResult
from modelrace.adoption import (
    AdoptionFigures,
    ModelScope,
    answers_share_claims,
    build_adoption,
    in_model_scope,
    open_scope,
    selection_words,
    snapshot_scope_words,
)
from modelrace.errors import NotFoundError
from modelrace.knowledge import SizeBy, country_name
from modelrace.licensing import LicenceFigures, snapshot_licence_figures
from modelrace.ranking import Catalogue, load_catalogue
from modelrace.store import SnapshotInfo, Warehouse, list_snapshots, resolve_snapshot

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
    """Everything figures read, computed once per evaluation: a warehouse, its snapshots and results.

    Download figures are answered on the **best data held** (:meth:`best`): the newest snapshot whose selection
    and filters can decide them (never a subset, never a one-author listing), unless a snapshot was named
    (``snapshot``), which then alone answers. ``adoption``/``licensing``/``snapshot`` stay the figures of the
    named (default latest) snapshot, for figures that read one snapshot as it is.
    """

    def __init__(
        self,
        warehouse: Warehouse,
        snapshot: str | int | None = None,
        adoption: AdoptionFigures | None = None,
        licensing: LicenceFigures | None = None,
        models: ModelScope = "llm",
    ) -> None:
        """``adoption`` and ``licensing`` may pass figures already computed for one snapshot (the report): they are
        reused wherever that snapshot answers. ``models``: the scope download figures count (``llm`` or ``all``)."""
        self.warehouse = warehouse
        self.models: ModelScope = models
        self.pinned = snapshot is not None
        self.snapshot_ref = snapshot if snapshot is not None else None
        self._adoption: dict[int, AdoptionFigures] = {}
        self._licensing: dict[int, LicenceFigures] = {}
        if adoption is not None and adoption.scope.models == models:
            self._adoption[adoption.snapshot.id] = adoption
            if licensing is not None:
                self._licensing[adoption.snapshot.id] = licensing

    @cached_property
    def snapshot(self) -> SnapshotInfo:
        """The named snapshot (default latest; raises NotFoundError when there is none)."""
        return resolve_snapshot(self.warehouse, self.snapshot_ref)

    @cached_property
    def snapshots(self) -> list[SnapshotInfo]:
        """Every snapshot held, newest data first."""
        return list(reversed(list_snapshots(self.warehouse)))

    def adoption_of(self, snapshot: SnapshotInfo) -> AdoptionFigures:
        """The adoption figures of one snapshot in this evidence's model scope (computed once)."""
        if snapshot.snapshot_id not in self._adoption:
            self._adoption[snapshot.snapshot_id] = build_adoption(
                self.warehouse, snapshot.snapshot_id, history=1, models=self.models
            )
        return self._adoption[snapshot.snapshot_id]

    def licensing_of(self, snapshot: SnapshotInfo) -> LicenceFigures:
        """The licence figures of one snapshot (computed once)."""
        if snapshot.snapshot_id not in self._licensing:
            scope = in_model_scope(open_scope(self.warehouse, snapshot.snapshot_id), self.models)
            self._licensing[snapshot.snapshot_id] = snapshot_licence_figures(scope)
        return self._licensing[snapshot.snapshot_id]

    @property
    def adoption(self) -> AdoptionFigures:
        """The adoption figures of the named (default latest) snapshot."""
        return self.adoption_of(self.snapshot)

    @property
    def licensing(self) -> LicenceFigures:
        """The licence figures of the named (default latest) snapshot."""
        return self.licensing_of(self.snapshot)

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every imported result, resolved (raises NotFoundError when there is none)."""
        return load_catalogue(self.warehouse)

    def on(self, snapshot: SnapshotInfo) -> Evidence:
        """This evidence pinned to one snapshot, sharing what was computed."""
        child = Evidence(self.warehouse, snapshot.snapshot_id, models=self.models)
        child._adoption, child._licensing = self._adoption, self._licensing
        child.__dict__["snapshot"] = snapshot
        if "catalogue" in self.__dict__:
            child.__dict__["catalogue"] = self.__dict__["catalogue"]
        return child

    def best(self, name: str, section: Section, compute: Callable[[Evidence], Figure]) -> Figure:
        """A download figure on the newest snapshot that can decide it (or on the named one): the first, newest
        data first, whose selection and filters answer share claims and whose figure is not insufficient. It
        names the snapshots passed over; with none that can, says so and what would decide it."""
        if self.pinned:
            return compute(self)
        try:
            candidates = self.snapshots
        except NotFoundError as error:
            return _insufficient(name, section, str(error))
        if not candidates:
            return _insufficient(name, section, f"no snapshot held; {DECIDES}")
        passed: list[tuple[str, str]] = []
        for snapshot in candidates:
            label = f"snapshot {snapshot.snapshot_id} ({snapshot.provenance})"
            reason = answers_share_claims(snapshot)
            if reason is None:
                figure = compute(self.on(snapshot))
                if figure.insufficient is None:
                    if passed:
                        note = (
                            f"answered on {label}, the newest data that can decide it; passed over: "
                            + _passed_words(passed)
                        )
                        figure = replace(figure, caveats=[*figure.caveats, note])
                    return figure
                reason = figure.insufficient
            passed.append((label, reason))
        why = "no snapshot held can decide it (" + _passed_words(passed) + f"); {DECIDES}"
        return _insufficient(name, section, why)


def _passed_words(passed: list[tuple[str, str]], named: int = 3) -> str:
    """The snapshots passed over, newest first: the first ``named`` with their reasons, the rest counted by reason
    (fourteen dated subsets of one list read as one line, not fourteen)."""
    words = [f"{label}: {reason}" for label, reason in passed[:named]]
    rest = Counter(reason for _, reason in passed[named:])
    words += [f"{count} more ({reason})" if count > 1 else f"1 more ({reason})" for reason, count in rest.items()]
    return "; ".join(words)


# What decides a download claim when no snapshot held can.
DECIDES = (
    "a complete or top-downloads listing would decide it (`modelrace sync`, or `modelrace import hub-json FILE "
    "--selection top-downloads` for a file of the most downloaded models)"
)


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
    blocked = answers_share_claims(snapshot)
    if blocked is not None:
        return [words], f"{words}: {blocked}"
    if snapshot.selection == "top-downloads":
        return [f"{words}: shares are of those models' downloads, among the top {snapshot.model_count:,}"], None
    if snapshot.filter_values:
        return [snapshot_scope_words(snapshot)], None
    return [], None


def _snapshot_source(snapshot: SnapshotInfo) -> tuple[str, str]:
    return (
        f"snapshot {snapshot.snapshot_id}: {snapshot.provenance}; {selection_words(snapshot)}",
        snapshot.data_date or snapshot.taken_at.date().isoformat(),
    )


def _insufficient(name: str, evidence: Section, why: str, source: str = "", when: str | None = None) -> Figure:
    return Figure(name, {}, why, None, source, when, evidence, insufficient=why)


def _word(key: str, breakdown: str) -> str:
    return country_name(key) if "country" in breakdown else key
