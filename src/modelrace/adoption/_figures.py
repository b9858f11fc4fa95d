"""Typed adoption results: what ``build_adoption`` returns and the report, claims and CLI read.

Share tables are lists of :class:`ShareRow` (adoption/_rows.py): in JSON a row's first key is its breakdown's
column (``country``, ``family``, ...), then the measure, ``share``, ``models`` and context columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from modelrace._serialise import JsonResult
from modelrace.adoption._rows import (
    DerivativeCounts,
    EcosystemRow,
    LeftOut,
    Mover,
    NamespaceRow,
    RestOfHubRow,
    ShareRow,
    SizeClassRow,
    TopModel,
)
from modelrace.store import SnapshotInfo

FigureValue: TypeAlias = (
    "str | int | float | bool | JsonResult | Sequence[FigureValue] | Mapping[str, FigureValue] | None"
)
"""A figure a headline rests on: a number, a name, a flag, a typed result (serialised at the edge), or a list or
mapping of them."""

COVERAGE_THRESHOLD: Final = 0.8
"""Below this share of downloads with a fact known, a headline on that fact says so (docs/provenance.md)."""


@dataclass(frozen=True)
class SnapshotRef(JsonResult):
    """How a figure names the snapshot it rests on: id, data date, provenance and selection."""

    id: int
    taken_at: str
    source: str
    source_detail: str | None
    models: int
    source_kind: str = "live"
    data_date: str = ""
    origin: str | None = None
    selection: str = "complete"
    provenance: str = ""
    lacks: tuple[str, ...] = ()

    @classmethod
    def of(cls, snapshot: SnapshotInfo) -> SnapshotRef:
        """The reference for a stored snapshot."""
        return cls(
            snapshot.snapshot_id,
            snapshot.taken_at.isoformat(),
            snapshot.source,
            snapshot.source_detail,
            snapshot.model_count,
            snapshot.source_kind,
            snapshot.data_date,
            snapshot.origin,
            snapshot.selection,
            snapshot.provenance,
            snapshot.lacks,
        )


@dataclass(frozen=True)
class CommonScope(JsonResult):
    """The models two snapshots are compared on: filters, and the top K by 30-day downloads (None: all)."""

    pipeline_tags: list[str] | None
    author: str | None
    top_k: int | None
    words: str

    def key(self) -> str:
        """A short stable name (for temporary tables)."""
        text = f"{sorted(self.pipeline_tags or [])}|{self.author}|{self.top_k}"
        return hashlib.sha1(text.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Comparability(JsonResult):
    """Whether two snapshots can be compared, on which scope, or why not."""

    comparable: bool
    scope: CommonScope | None
    reason: str | None


@dataclass(frozen=True)
class Coverage(JsonResult):
    """The share of downloads (30 days) for which each fact behind a share is known. The licence's coverage is
    in the licence figures (``licensing.coverage``)."""

    country: float
    developer: float
    uploader: float
    parameters: float
    pipeline_tag: float
    threshold: float = COVERAGE_THRESHOLD


@dataclass(frozen=True)
class Headline(JsonResult):
    """A plain-language finding with the figures it rests on and, for Hub figures, their snapshot."""

    text: str
    figures: Mapping[str, FigureValue]  # the numbers and names the text states, by name
    snapshot: int | None = None
    taken_at: str | None = None


@dataclass(frozen=True)
class Totals(JsonResult):
    """Models and downloads in scope, and how much is attributed to a known developer."""

    models: int
    downloads_30d: int
    attributed_share: float
    reuploader_share: float
    models_in_cycles: int
    fixtures_excluded: int
    fixture_downloads_excluded: int


@dataclass(frozen=True)
class Concentration(JsonResult):
    """HHI and top-k shares by developer and family, over attributed downloads."""

    hhi_developer: float
    top1_share_developer: float
    top5_share_developer: float
    top1_developer: str | None
    hhi_family: float
    top1_share_family: float
    top5_share_family: float
    top1_family: str | None
    top1_share: float
    top5_share: float
    attributed_share: float
    hhi_scale: str


@dataclass(frozen=True)
class AllTimeCoverage(JsonResult):
    """How many models (and what share of 30-day downloads) have an all-time count."""

    models: int
    models_with_all_time: int
    share_of_30d_downloads_covered: float


@dataclass(frozen=True)
class AllTime(JsonResult):
    """All-time download shares, with their coverage."""

    coverage: AllTimeCoverage
    by_country: list[ShareRow]
    by_family: list[ShareRow]


@dataclass(frozen=True)
class Ecosystem(JsonResult):
    """Derivative models by relation per root family and per country (a model counts once in each family it
    descends from: a merge of two families counts for both), and of the whole snapshot (each model once)."""

    by_family: list[EcosystemRow]
    by_country: list[EcosystemRow]
    totals: DerivativeCounts


@dataclass(frozen=True)
class Unattributed(JsonResult):
    """Root namespaces the registry does not know: counted and listed."""

    namespaces: int
    models: int
    downloads_30d: int
    top: list[NamespaceRow]


@dataclass(frozen=True)
class Movers(JsonResult):
    """Biggest gains and losses of share (percentage points) between two snapshots."""

    gains: list[Mover]
    losses: list[Mover]


@dataclass(frozen=True)
class ShareChange(JsonResult):
    """Share changes since an earlier snapshot, on the scope both hold; when they hold none, ``comparable`` is
    False, ``reason`` says why and the movers are empty."""

    since: SnapshotRef
    by_country: Movers
    by_developer: Movers
    by_family: Movers
    comparable: bool = True
    scope: CommonScope | None = None
    reason: str | None = None


@dataclass(frozen=True)
class HistoryPoint(JsonResult):
    """Country and family shares at one snapshot of the history."""

    snapshot: SnapshotRef
    by_country: list[ShareRow]
    by_family: list[ShareRow]


@dataclass(frozen=True)
class Adoption(JsonResult):
    """Every adoption analysis of one snapshot."""

    totals: Totals
    by_country: list[ShareRow]
    by_uploader_country: list[ShareRow]
    by_developer: list[ShareRow]
    by_uploader: list[ShareRow]
    by_family: list[ShareRow]
    by_namespace: list[ShareRow]
    all_time: AllTime
    ecosystem: Ecosystem
    concentration: Concentration
    size_classes: list[SizeClassRow]
    by_library: list[ShareRow]
    top_models: list[TopModel]
    unattributed: Unattributed
    change: ShareChange | None = None
    history: list[HistoryPoint] = field(default_factory=list)
    coverage: Coverage | None = None
    history_scope: CommonScope | None = None  # the scope every history point is computed on
    history_left_out: list[LeftOut] = field(default_factory=list)  # snapshots not comparable, and why

    def shares(self, key: str) -> list[ShareRow]:
        """A share table by its JSON key (``by_country``, ``by_uploader``, ...)."""
        tables: dict[str, list[ShareRow]] = {
            "by_country": self.by_country,
            "by_uploader_country": self.by_uploader_country,
            "by_developer": self.by_developer,
            "by_uploader": self.by_uploader,
            "by_family": self.by_family,
            "by_namespace": self.by_namespace,
        }
        return tables[key]


@dataclass(frozen=True)
class AdoptionScope(JsonResult):
    """What a snapshot's figures cover."""

    pipeline_tags: list[str]
    include_fixtures: bool
    models: str = "all"  # "llm": language models only (adoption/_models_scope.py); "all": every model held
    selection: str = ""  # the snapshot's selection and filters in words ("snapshot 4: author Qwen only")


@dataclass(frozen=True)
class AdoptionFigures(JsonResult):
    """The adoption figures of a snapshot: the analyses, their scope and the headlines drawn from them."""

    snapshot: SnapshotRef
    scope: AdoptionScope
    scope_words: str
    adoption: Adoption
    headlines: list[Headline]
    rest_of_hub: list[RestOfHubRow] = field(default_factory=list)  # the LLM scope's complement by tag (llm only)
