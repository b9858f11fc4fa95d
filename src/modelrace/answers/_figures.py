"""Named figures that claims are checked against: each computed from an analysis's public results, with its
interval where it has one, its source, its date, the report section that holds its evidence, and a reason when
the data cannot give it (``insufficient``).

Intervals here are of two kinds, each named in ``interval_kind``:
- **attribution bounds** for download figures: downloads the registry does not attribute could belong to anyone,
  so a share lies between its attributed value and that value plus the unattributed share, and a lead between
  ``margin - unattributed`` and ``margin + unattributed``;
- **95 % intervals** for benchmark figures, from the standard errors the leaderboard uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelrace._serialise import JsonResult
from modelrace.adoption import AdoptionFigures, build_adoption, open_scope
from modelrace.answers._versus import versus_catalogue
from modelrace.errors import ModelraceError, NotFoundError
from modelrace.knowledge import UNKNOWN, SizeBy, class_names, country_name, size_class
from modelrace.licensing import LicenceFigures, explain_licence, load_licences, snapshot_licence_figures
from modelrace.ranking import Catalogue, Score, load_catalogue, significant
from modelrace.store import SnapshotInfo, Warehouse, resolve_snapshot

Z95 = 1.96
Format = Literal["pct", "pp", "int", "float", "points"]
Section = Literal["adoption", "licensing", "capability", "cost"]


@dataclass(frozen=True)
class Measured(JsonResult):
    """One value of a figure with its interval (None where it has none) and how to show it."""

    value: float
    low: float | None = None
    high: float | None = None
    format: Format = "float"

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


# ------------------------------------------------------------------------------------------------ adoption
def adoption_lead(evidence: Evidence, params: LeadParams) -> Figure:
    """Margin of ``key``'s download share over the largest other row of a breakdown (root view for country,
    developer, family; uploader view for uploader and uploader_country), with attribution bounds."""
    name = "adoption.lead"
    try:
        figures = evidence.adoption
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    rows = figures.adoption.shares(f"by_{params.breakdown}")
    column = params.breakdown
    unattributed = sum(r["share"] for r in rows if r[column] == "unattributed")
    attributed = [r for r in rows if r[column] != "unattributed"]
    if not attributed:
        return _insufficient(
            name, "adoption", f"no attributed downloads in snapshot {snapshot.snapshot_id}", source, when
        )
    wanted = params.key.lower()
    mine = next((r for r in attributed if str(r[column]).lower() == wanted), None)
    share = mine["share"] if mine else 0.0
    rivals = [r for r in attributed if str(r[column]).lower() != wanted]
    rival = rivals[0] if rivals else None
    rival_share = rival["share"] if rival else 0.0
    margin = share - rival_share
    rank = 1 + sum(r["share"] > share for r in attributed)
    key_words = _word(params.key, column)
    text = (
        f"{key_words}: {share * 100:.1f} % of {figures.scope_words} (rank {rank})"
        + (f"; {_word(str(rival[column]), column)} {rival_share * 100:.1f} %" if rival else "")
        + f"; {unattributed * 100:.1f} % unattributed"
    )
    return Figure(
        name,
        {
            "value": Measured(margin, margin - unattributed, margin + unattributed, "pp"),
            "share": Measured(share, share, share + unattributed, "pct"),
            "rank": Measured(rank, format="int"),
        },
        text,
        "attribution bounds",
        source,
        when,
        "adoption",
        caveats=caveats,
        insufficient=blocked,
    )


_RELATION_COLUMNS = {
    "finetune": "finetunes",
    "quantized": "quantizations",
    "adapter": "adapters",
    "merge": "merges",
    "any": "derivatives",
}


def adoption_derivative_share(evidence: Evidence, params: DerivativeParams) -> Figure:
    """A root family's share of the snapshot's derivatives of one relation (models, not downloads)."""
    name = "adoption.derivative_share"
    try:
        figures = evidence.adoption
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    caveats = [*caveats, "every derivative in the snapshot counts, whenever it was made (the listing has no dates)"]
    column = _RELATION_COLUMNS[params.relation]
    rows = figures.adoption.ecosystem.by_family
    total = sum(r[column] for r in rows)
    if not total:
        return _insufficient(name, "adoption", f"snapshot {snapshot.snapshot_id} records no {column}", source, when)
    unattributed = sum(r[column] for r in rows if r["family"] == "unattributed") / total
    attributed = sorted((r for r in rows if r["family"] != "unattributed"), key=lambda r: -r[column])
    wanted = params.family.lower()
    count = next((r[column] for r in attributed if str(r["family"]).lower() == wanted), 0)
    rival = next((r for r in attributed if str(r["family"]).lower() != wanted), None)
    share = count / total
    lead = share - (rival[column] / total if rival else 0.0)
    text = (
        f"{params.family}: {count:,} of {total:,} {column} ({share * 100:.1f} %)"
        + (f"; {rival['family']} {rival[column]:,}" if rival else "")
        + f"; {unattributed * 100:.1f} % from unattributed roots"
    )
    return Figure(
        name,
        {
            "value": Measured(share, share, share + unattributed, "pct"),
            "lead": Measured(lead, lead - unattributed, lead + unattributed, "pp"),
        },
        text,
        "attribution bounds",
        source,
        when,
        "adoption",
        caveats=caveats,
        insufficient=blocked,
    )


def adoption_hhi(evidence: Evidence, params: HhiParams) -> Figure:
    """The Herfindahl-Hirschman index (0-10,000) of downloads by developer or family, over attributed downloads."""
    name = "adoption.hhi"
    try:
        figures = evidence.adoption
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    concentration = figures.adoption.concentration
    hhi = concentration.hhi_developer if params.by == "developer" else concentration.hhi_family
    top = concentration.top1_developer if params.by == "developer" else concentration.top1_family
    top_share = concentration.top1_share_developer if params.by == "developer" else concentration.top1_share_family
    caveats = [
        *caveats,
        f"over the {concentration.attributed_share * 100:.0f} % of downloads attributed to a {params.by}; "
        "unattributed ones are many small uploaders, left out",
    ]
    text = f"HHI by {params.by} {hhi:,.0f} (0-10,000); largest {top} with {top_share * 100:.1f} %"
    return Figure(
        name, {"value": Measured(hhi, format="int")}, text, None, source, when, "adoption", caveats=caveats,
        insufficient=blocked,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ licences
def licensing_permissive_share(evidence: Evidence, params: LicenceShareParams) -> Figure:
    """Share of a family's downloads (root view) under a permissive licence; unknown verdicts bound it."""
    name = "licensing.permissive_share"
    try:
        figures = evidence.licensing
    except NotFoundError as error:
        return _insufficient(name, "licensing", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    row = next((r for r in figures.by_family if str(r["family"]).lower() == params.family.lower()), None)
    if row is None or not row["downloads_30d"]:
        return _insufficient(
            name, "licensing", f"no {params.family} downloads in snapshot {snapshot.snapshot_id}", source, when
        )
    permissive, unknown = row["permissive"], row["unknown"]
    text = (
        f"{permissive * 100:.1f} % of {params.family} downloads are under a permissive licence, "
        f"{row['conditional'] * 100:.1f} % conditional, {row['non-commercial'] * 100:.1f} % non-commercial, "
        f"{unknown * 100:.1f} % unknown"
    )
    if params.licence:
        registry = load_licences()
        if params.licence in registry.licences:
            explained = explain_licence(registry.get(params.licence))
            clauses = "; ".join(f"§{c['section']} {c['text']}" for c in explained.deciding_clauses[:2])
            text += f"; the {explained.name} itself is {explained.verdict}" + (f" ({clauses})" if clauses else "")
    caveats = [*caveats, figures.notice]
    return Figure(
        name,
        {"value": Measured(permissive, permissive, permissive + unknown, "pct")},
        text,
        "bounds: downloads whose licence is unknown could be either",
        source,
        when,
        "licensing",
        caveats=caveats,
        insufficient=blocked,
    )


# ------------------------------------------------------------------------------------------------ capability
def _benchmark(evidence: Evidence, benchmark_id: str) -> Any:
    return evidence.catalogue.benchmarks.get(benchmark_id)


def ranking_family_in_tie_sets(evidence: Evidence, params: TieSetParams) -> Figure:
    """Share of (benchmark, size class) boards where a model of ``family`` is in the leader's tie set (the
    leaderboard's rule), over classes with at least ``min_models`` models; unknown sizes left out."""
    name = "ranking.family_in_tie_sets"
    try:
        catalogue = evidence.catalogue
    except NotFoundError as error:
        return _insufficient(name, "capability", str(error))
    parts: list[Part] = []
    dates: list[str] = []
    sources: set[str] = set()
    missing = [b for b in params.benchmarks if b not in catalogue.benchmarks]
    wanted = params.family.lower()
    for benchmark_id in params.benchmarks:
        benchmark = catalogue.benchmarks.get(benchmark_id)
        if benchmark is None:
            continue
        scores = [s for s in benchmark.scores if s.entity.matched and (not params.open_only or s.entity.open_weights)]
        by_class: dict[str, list[Score]] = {}
        for score in scores:
            by_class.setdefault(
                size_class(score.entity.params_total, score.entity.params_active, params.size_by), []
            ).append(score)
        for class_name in class_names(params.size_by):
            members = by_class.get(class_name, [])
            if len(members) < params.min_models or class_name == UNKNOWN:
                continue
            leader = members[0]
            tied = [leader, *(s for s in members[1:] if significant(leader.value, leader.se, s.value, s.se) is False)]
            family = [s for s in tied if (s.entity.family or "").lower() == wanted]
            detail = (
                f"{family[0].entity.name} in the tie set of {len(tied)}"
                if family
                else f"led by {leader.entity.name} ({leader.entity.family or leader.entity.developer}); "
                f"tie set of {len(tied)}"
            )
            parts.append(Part(f"{benchmark.name}, {class_name}", bool(family), detail))
            dates.append(benchmark.data_date.isoformat())
            sources.add(benchmark.source)
    if not parts:
        why = f"no size class with {params.min_models}+ models on {', '.join(params.benchmarks)}"
        return _insufficient(name, "capability", why, ", ".join(sorted(sources)))
    passing = sum(p.passes for p in parts)
    share = passing / len(parts)
    text = f"a {params.family} model is among the best in {passing} of {len(parts)} size classes"
    caveats = [f"not imported: {', '.join(missing)}"] if missing else []
    if params.open_only:
        caveats.append("among open-weight models")
    return Figure(
        name, {"value": Measured(share, format="pct")}, text, None, ", ".join(sorted(sources)), max(dates),
        "capability", parts, caveats,
    )  # fmt: skip


def versus_not_behind(evidence: Evidence, params: VersusParams) -> Figure:
    """Share of the benchmarks scoring both where A is tied with or ahead of B (`versus`)."""
    name = "versus.not_behind_share"
    try:
        result = versus_catalogue(evidence.warehouse, evidence.catalogue, params.a, params.b)
    except ModelraceError as error:
        return _insufficient(name, "capability", str(error))
    rows = result.benchmarks
    sources = ", ".join(sorted({r.source for r in rows})) or "none"
    if len(rows) < params.min_benchmarks:
        why = (
            f"only {len(rows)} benchmarks score both {result.a.model} and {result.b.model} "
            f"(need {params.min_benchmarks})"
        )
        return _insufficient(name, "capability", why, sources)
    parts = [Part(r.name, r.verdict != "b ahead", f"{r.a:.4g} vs {r.b:.4g}: {r.verdict}") for r in rows]
    share = sum(p.passes for p in parts) / len(parts)
    return Figure(
        name,
        {"value": Measured(share, format="pct")},
        result.summary.text,
        None,
        sources,
        max(r.data_date for r in rows),
        "capability",
        parts,
        [f"{m.source} scores only {'A' if m.has == 'a' else 'B'}" for m in result.missing],
    )


def cost_open_undercuts_closed(evidence: Evidence, params: UndercutParams) -> Figure:
    """Share of closed models (with a market price and a score) for which an open model scoring at least
    ``score - tolerance`` has a lower market price; closed models no open one comes near are not comparable."""
    name = "cost.open_undercuts_closed"
    try:
        benchmark = _benchmark(evidence, params.benchmark)
    except NotFoundError as error:
        return _insufficient(name, "cost", str(error))
    if benchmark is None:
        return _insufficient(name, "cost", f"{params.benchmark} is not imported")
    priced = [s for s in benchmark.scores if s.price_usd_per_mtok and s.price_usd_per_mtok > 0]
    closed = [s for s in priced if s.entity.open_weights is False]
    opened = [s for s in priced if s.entity.open_weights is True]
    parts: list[Part] = []
    beyond = 0
    for model in closed:
        similar = [o for o in opened if o.value >= model.value - params.tolerance]
        if not similar:
            beyond += 1
            continue
        cheapest = min(similar, key=lambda o: o.price_usd_per_mtok or math.inf)
        price, own = cheapest.price_usd_per_mtok or math.inf, model.price_usd_per_mtok or math.inf
        parts.append(
            Part(
                model.entity.name,
                price < own,
                f"${own:.3g} vs {cheapest.entity.name} ${price:.3g} (scores {model.value:.3g} vs {cheapest.value:.3g})",
            )
        )
    source, when = f"{benchmark.name} and market prices", benchmark.data_date.isoformat()
    if len(parts) < params.min_comparable:
        why = f"only {len(parts)} closed models have an open model within {params.tolerance:g} points"
        return _insufficient(name, "cost", why, source, when)
    share = sum(p.passes for p in parts) / len(parts)
    text = (
        f"an open model of similar {benchmark.name} (within {params.tolerance:g}) is cheaper for "
        f"{sum(p.passes for p in parts)} of {len(parts)} closed models"
    )
    caveats = [
        "market prices (3 input : 1 output blend), what providers charge, not the cost of running the weights",
        f"{beyond} closed models score above every priced open model: not comparable",
    ]
    return Figure(name, {"value": Measured(share, format="pct")}, text, None, source, when, "cost", parts, caveats)


def _best_by(scores: list[Score], until: date) -> Score | None:
    dated = [s for s in scores if s.release_date is not None and s.release_date <= until]
    return max(dated, key=lambda s: s.value) if dated else None


def ranking_gap_change(evidence: Evidence, params: GapParams) -> Figure:
    """Change of (best closed - best open) between ``months`` before the latest release and the latest release,
    models as rated on the benchmark's date, each side the best released by then; negative is closing."""
    name = "ranking.gap_change"
    try:
        benchmark = _benchmark(evidence, params.benchmark)
    except NotFoundError as error:
        return _insufficient(name, "capability", str(error))
    if benchmark is None:
        return _insufficient(name, "capability", f"{params.benchmark} is not imported")
    scores = [s for s in benchmark.scores if s.entity.matched and s.release_date is not None]
    closed = [s for s in scores if s.entity.open_weights is False]
    opened = [s for s in scores if s.entity.open_weights is True]
    source, when = benchmark.name, benchmark.data_date.isoformat()
    if not closed or not opened:
        return _insufficient(name, "capability", f"{benchmark.name} has no dated open or closed models", source, when)
    latest = max(s.release_date or date.min for s in scores)
    then = latest - timedelta(days=round(params.months * 30.44))
    now_closed, now_open = _best_by(closed, latest), _best_by(opened, latest)
    then_closed, then_open = _best_by(closed, then), _best_by(opened, then)
    if not (now_closed and now_open and then_closed and then_open):
        why = f"no open and closed model released by {then.isoformat()} on {benchmark.name}"
        return _insufficient(name, "capability", why, source, when)
    gap_now = now_closed.value - now_open.value
    gap_then = then_closed.value - then_open.value
    change = gap_now - gap_then
    variance = 0.0
    known = True
    for now, before in ((now_closed, then_closed), (now_open, then_open)):
        if now is before:
            continue  # the same model on both dates: its error cancels
        if now.se is None or before.se is None:
            known = False
            break
        variance += now.se**2 + before.se**2
    spread = Z95 * math.sqrt(variance) if known else None
    value = Measured(
        change,
        change - spread if spread is not None else None,
        change + spread if spread is not None else None,
        "points",
    )
    text = (
        f"gap {gap_then:.3g} on {then.isoformat()} ({then_closed.entity.name} vs {then_open.entity.name}) -> "
        f"{gap_now:.3g} on {latest.isoformat()} ({now_closed.entity.name} vs {now_open.entity.name})"
    )
    caveats = ["models as rated on the benchmark's date, placed by release date (sources' release dates)"]
    return Figure(
        name, {"value": value, "gap_now": Measured(gap_now), "gap_then": Measured(gap_then)}, text,
        "95 %" if spread is not None else None, source, when, "capability", caveats=caveats,
    )  # fmt: skip


@dataclass(frozen=True)
class FigureSpec:
    """A named figure: its parameters' schema and how to compute it."""

    params: type[BaseModel]
    compute: Callable[[Evidence, Any], Figure]
    what: str


FIGURES: dict[str, FigureSpec] = {
    "adoption.lead": FigureSpec(LeadParams, adoption_lead, "margin of a row's download share over the next"),
    "adoption.derivative_share": FigureSpec(
        DerivativeParams, adoption_derivative_share, "a family's share of the snapshot's derivatives"
    ),
    "adoption.hhi": FigureSpec(HhiParams, adoption_hhi, "HHI of downloads by developer or family"),
    "licensing.permissive_share": FigureSpec(
        LicenceShareParams, licensing_permissive_share, "share of a family's downloads under permissive licences"
    ),
    "ranking.family_in_tie_sets": FigureSpec(
        TieSetParams, ranking_family_in_tie_sets, "share of size classes where the family is among the best"
    ),
    "ranking.gap_change": FigureSpec(GapParams, ranking_gap_change, "change of the closed-minus-open gap"),
    "versus.not_behind_share": FigureSpec(VersusParams, versus_not_behind, "share of benchmarks A is not behind B"),
    "cost.open_undercuts_closed": FigureSpec(
        UndercutParams, cost_open_undercuts_closed, "share of closed models an open one undercuts at similar score"
    ),
}


def compute_figure(evidence: Evidence, name: str, params: dict[str, Any]) -> Figure:
    """Compute a named figure (its parameters validated by its schema)."""
    spec = FIGURES[name]
    return spec.compute(evidence, spec.params.model_validate(params))
