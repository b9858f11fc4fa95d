"""The licence registry: schema, loader, and the normaliser from Hub strings to licence ids."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from modelrace._yaml import parse_yaml
from modelrace.errors import RegistryError

Term = Literal[
    "commercial_use",
    "field_of_use",
    "user_threshold",
    "revenue_threshold",
    "acceptable_use_policy",
    "attribution",
    "naming",
    "share_alike",
    "derivatives_same_licence",
    "output_training_restriction",
    "registration_required",
    "geographic_restriction",
    "hosting_restriction",
    "remote_restriction",
    "governing_law",
    "termination",
]


class Threshold(BaseModel):
    """A size above which the licence stops applying as is (e.g. 700 M monthly active users)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    metric: str
    limit: int
    consequence: str


class Terms(BaseModel):
    """What a company may do, term by term. None means the licence says nothing on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    commercial_use: bool | None = None
    field_of_use: str | None = None
    user_threshold: Threshold | None = None
    revenue_threshold: Threshold | None = None
    acceptable_use_policy: str | None = None
    attribution: str | None = None
    naming: str | None = None
    share_alike: str | None = None
    derivatives_same_licence: bool = False
    output_training_restriction: str | None = None
    registration_required: str | None = None
    geographic_restriction: str | None = None
    hosting_restriction: str | None = None
    remote_restriction: str | None = None
    governing_law: str | None = None
    termination: str | None = None

    def stated(self) -> dict[str, bool | str | Threshold]:
        """The terms the licence says something on (None left out), in the order of the fields."""
        return {name: value for name, value in self if value is not None}


class Clause(BaseModel):
    """A clause of the licence (summarised, with its section) and the term it bears on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    term: Term
    section: str
    text: str


class Licence(BaseModel):
    """One licence: how it is named in the wild, where its text is, and its terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    version: str | None = None
    hub_ids: list[str] = Field(default_factory=list)
    spdx: str | None = None
    aliases: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    source: str
    read_on: str
    terms: Terms
    clauses: list[Clause] = Field(default_factory=list)


class LicenceFile(BaseModel):
    """The YAML file."""

    model_config = ConfigDict(extra="forbid")
    version: int
    reviewed: str
    licences: list[Licence]


Method = Literal["exact", "canonical", "url", "fuzzy", "license_name", "license_link", "unknown", "none"]


@dataclass(frozen=True)
class Normalised:
    """A licence string resolved to a registry id (or not), with how and from what."""

    licence_id: str | None
    raw: str | None
    method: Method


_NOISE = re.compile(r"\b(the|license|licence|agreement|version|ver)\b|[\"'()\[\]]")
_SEPARATORS = re.compile(r"[\s_,/:]+|-+")


def _canonical(text: str) -> str:
    """Lower case without noise words and separators: 'Apache License, Version 2.0' -> 'apache2.0'."""
    text = _NOISE.sub(" ", text.lower())
    return _SEPARATORS.sub("", text).replace("v2", "2")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class LicenceRegistry:
    """Look-ups over the registry, and the normaliser."""

    def __init__(self, data: LicenceFile) -> None:
        self.data = data
        self.licences = {licence.id: licence for licence in data.licences}
        if len(self.licences) != len(data.licences):
            raise RegistryError("licence ids in the registry are not unique")
        self._exact: dict[str, str] = {}
        self._canonical: dict[str, str] = {}
        self._links: list[tuple[str, str]] = []
        for licence in data.licences:
            names = [licence.id, *licence.hub_ids, *licence.aliases, licence.name]
            if licence.spdx:
                names.append(licence.spdx)
            for name in names:
                key = name.strip().lower()
                if self._exact.get(key, licence.id) != licence.id:
                    raise RegistryError(f"{name!r} names both {self._exact[key]!r} and {licence.id!r}")
                self._exact[key] = licence.id
                canonical = _canonical(name)
                if canonical and self._canonical.get(canonical, licence.id) != licence.id:
                    raise RegistryError(
                        f"{name!r} is ambiguous between {self._canonical[canonical]!r} and {licence.id!r}"
                    )
                if canonical:
                    self._canonical[canonical] = licence.id
            self._links += [(link.lower(), licence.id) for link in licence.links]

    def get(self, licence_id: str) -> Licence:
        """A licence by id (KeyError if absent)."""
        return self.licences[licence_id]

    def normalise_text(self, raw: str | None) -> Normalised:
        """Resolve one licence string where unambiguous: exact, canonical, URL, or a close typo."""
        if raw is None or not raw.strip():
            return Normalised(None, raw, "none")
        text = " ".join(raw.strip().split())
        key = text.lower()
        if key in self._exact:
            return Normalised(self._exact[key], raw, "exact")
        if re.match(r"^(https?://|www\.)", key) or ("/" in key and "." in key.split("/")[0]):
            for link, licence_id in self._links:
                if link in key:
                    return Normalised(licence_id, raw, "url")
            return Normalised(None, raw, "unknown")
        canonical = _canonical(text)
        if canonical in self._canonical:
            return Normalised(self._canonical[canonical], raw, "canonical")
        if len(canonical) >= 6:
            # A typo is corrected only when one licence is clearly closest, nothing else comes near (whatever
            # its version), and every digit (the version) is kept: "gemmma" yes, "cc-by-sa-3.0" never to 4.0,
            # "llama.2" neither to llama2 nor to llama3.2.
            scored = sorted(
                (
                    (difflib.SequenceMatcher(None, canonical, candidate).ratio(), licence_id, candidate)
                    for candidate, licence_id in self._canonical.items()
                ),
                reverse=True,
            )
            matching = [entry for entry in scored if _digits(entry[2]) == _digits(canonical)]
            if matching and matching[0][0] >= 0.88:
                best_score, best_id, _ = matching[0]
                rivals = [lid for score, lid, _ in scored if score >= best_score - 0.1 and lid != best_id]
                if not rivals:
                    return Normalised(best_id, raw, "fuzzy")
        return Normalised(None, raw, "unknown")

    def normalise(
        self, license: str | None, license_name: str | None = None, license_link: str | None = None
    ) -> Normalised:
        """A model's licence from the Hub: the tag/card value; for ``other`` (or nothing usable), the card's
        ``license_name``, then its ``license_link``."""
        first = self.normalise_text(license)
        if first.licence_id not in (None, "other"):
            return first
        for value, method in ((license_name, "license_name"), (license_link, "license_link")):
            found = self.normalise_text(value)
            if found.licence_id not in (None, "other", "unknown"):
                return Normalised(found.licence_id, value, method)  # type: ignore[arg-type]
        return first


def load_licence_file(text: str, source: str = "licences.yaml") -> LicenceRegistry:
    """Parse and validate licence YAML; problems are reported with where they are."""
    return LicenceRegistry(parse_yaml(text, source, LicenceFile))


@cache
def load_licences() -> LicenceRegistry:
    """The registry shipped in the package (cached)."""
    text = resources.files("modelrace.licensing").joinpath("data/licences.yaml").read_text("utf-8")
    return load_licence_file(text)
