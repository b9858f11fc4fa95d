"""The rows of adoption's tables: typed, read by attribute, serialised to the JSON they have always had.

A share row, a mover and an ecosystem row are named in JSON by their breakdown's column (``{"country": "CN",
"downloads_30d": ..., "share": ...}``, ``{"family": "Qwen", ...}``): their ``__json__`` puts that column first,
under its own name, then the other keys in the order the tables have always had (docs/json.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from modelrace._serialise import JsonResult

Measure = Literal["downloads_30d", "downloads_all_time"]
RelationColumn = Literal["finetunes", "quantizations", "adapters", "merges", "unspecified", "derivatives"]

# Columns a share row carries along after its measure, share and models: a family's developer and country, a
# developer's country (no other breakdown carries any).
SHARE_CONTEXT: Final[dict[str, tuple[str, ...]]] = {"family": ("developer", "country"), "developer": ("country",)}


@dataclass(frozen=True)
class ShareRow(JsonResult):
    """One value of a share breakdown (a country, family, developer, uploader, namespace, library): its downloads
    (of ``measure``), its share of the breakdown's total and its models; a family row also names its developer
    and country, a developer row its country."""

    column: str  # the breakdown's column: country, uploader_country, developer, uploader, family, ...
    key: str  # the value in that column ("CN", "Qwen", "unattributed")
    downloads: int  # of ``measure``, credit-weighted in the root view
    share: float
    models: int
    measure: Measure = "downloads_30d"
    developer: str | None = None  # a family row's developer
    country: str | None = None  # a family's or developer's country

    def __json__(self) -> Mapping[str, Any]:
        """``{column: key, measure: downloads, "share", "models", context...}``, as the tables have always read."""
        context = {name: getattr(self, name) for name in SHARE_CONTEXT.get(self.column, ())}
        return {self.column: self.key, self.measure: self.downloads, "share": self.share, "models": self.models} | (
            context
        )


@dataclass(frozen=True)
class FamilyCountryShare:
    """A (country, family) pair's share of all downloads (root view): what the headlines name a country's
    leading family from."""

    country: str
    family: str
    share: float


@dataclass(frozen=True)
class DerivativeCounts(JsonResult):
    """Derivative models by relation (a merge of several families counts once here, in the snapshot's totals)."""

    finetunes: int
    quantizations: int
    adapters: int
    merges: int
    unspecified: int
    derivatives: int  # all of them

    def counts(self) -> dict[str, int]:
        """Every relation's count by its column name, in the JSON's order (``derivatives``: all)."""
        return {
            "finetunes": self.finetunes,
            "quantizations": self.quantizations,
            "adapters": self.adapters,
            "merges": self.merges,
            "unspecified": self.unspecified,
            "derivatives": self.derivatives,
        }

    def count(self, relation: RelationColumn) -> int:
        """The count of one relation's column (``derivatives``: all)."""
        return self.counts()[relation]


@dataclass(frozen=True)
class EcosystemRow(DerivativeCounts):
    """Derivatives of one root family (with its developer and country) or one country, by relation, and the
    downloads they draw."""

    column: Literal["family", "country"] = "family"
    key: str = ""
    derivative_downloads_30d: int = 0
    developer: str | None = None  # a family row's developer
    country: str | None = None  # a family row's country

    def __json__(self) -> Mapping[str, Any]:
        """``{column: key, [developer, country,] finetunes, ..., derivatives, derivative_downloads_30d}``."""
        context = {"developer": self.developer, "country": self.country} if self.column == "family" else {}
        downloads = {"derivative_downloads_30d": self.derivative_downloads_30d}
        return {self.column: self.key, **context, **self.counts(), **downloads}


@dataclass(frozen=True)
class TopModel(JsonResult):
    """One of the most downloaded models, with its attribution and stated licence."""

    model_id: str
    downloads_30d: int | None
    downloads_all_time: int | None
    likes: int | None
    uploader: str
    uploader_country: str
    root_id: str
    developer: str
    family: str
    country: str
    relation: str | None
    license: str | None  # the stated Hub tag
    params: int | None
    library_name: str | None
    pipeline_tag: str | None


@dataclass(frozen=True)
class SizeClassRow(JsonResult):
    """Downloads by the model's own parameter class."""

    size_class: str
    downloads_30d: int
    share: float
    models: int
    params_from_name: int  # models whose size was read from their name


@dataclass(frozen=True)
class NamespaceRow(JsonResult):
    """A root namespace the registry does not know, by the downloads credited to it."""

    namespace: str
    downloads_30d: int
    models: int


@dataclass(frozen=True)
class Mover(JsonResult):
    """One value's change of share (percentage points) between two snapshots."""

    column: str  # the breakdown's column: country, developer, family
    key: str
    share_then: float
    share_now: float
    change_pp: float

    def __json__(self) -> Mapping[str, Any]:
        """``{column: key, "share_then", "share_now", "change_pp"}``."""
        return {
            self.column: self.key,
            "share_then": self.share_then,
            "share_now": self.share_now,
            "change_pp": self.change_pp,
        }


@dataclass(frozen=True)
class LeftOut(JsonResult):
    """A snapshot the history leaves out, and why."""

    snapshot: int
    provenance: str
    reason: str | None


@dataclass(frozen=True)
class RestOfHubRow(JsonResult):
    """A pipeline tag outside the language-model scope: its downloads, models and share of the snapshot's."""

    pipeline_tag: str
    downloads_30d: int
    models: int
    share: float
