"""The curated organisation registry: schema, loader and look-ups (namespace, family, test fixtures)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from modelrace._yaml import parse_yaml
from modelrace.errors import RegistryError

OrganisationKind = Literal[
    "company",
    "lab",
    "academic",
    "non-profit",
    "community",
    "individual",
    "re-uploader",
    "test-fixture",
]
UNATTRIBUTED = "unattributed"
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class FamilySpec(BaseModel):
    """A model family and the pattern that recognises it in a repository name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    match: str

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"bad regular expression {value!r}: {error}") from None
        return value


class Organisation(BaseModel):
    """Who publishes under one or more Hub namespaces, what kind of body it is and where it is based."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    kind: OrganisationKind
    country: str | None = None
    namespaces: list[str] = Field(min_length=1)
    families: list[FamilySpec] = Field(default_factory=list)
    default_family: str | None = None

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is not None and value != "multinational" and not _COUNTRY.match(value):
            raise ValueError(f"country {value!r} is not an ISO 3166-1 alpha-2 code or 'multinational'")
        return value

    @property
    def is_reuploader(self) -> bool:
        """True for re-uploaders and quantizers, which are never credited with what they re-upload."""
        return self.kind == "re-uploader"

    def family_of(self, repo_name: str) -> str:
        """The family of one of this organisation's repositories, from its name."""
        lowered = repo_name.lower()
        for family in self.families:
            if re.search(family.match, lowered):
                return family.name
        return self.default_family or self.name


class RegistryFile(BaseModel):
    """The whole YAML file."""

    model_config = ConfigDict(extra="forbid")
    version: int
    reviewed: str
    fixture_name_patterns: list[str]
    organisations: list[Organisation]


@dataclass(frozen=True)
class Attribution:
    """Who a model (or root) is credited to, and how that was decided."""

    organisation: Organisation | None
    family: str | None
    method: Literal["namespace", "name-match", "unattributed"]

    @property
    def developer(self) -> str:
        """The organisation's name, or ``unattributed``."""
        return self.organisation.name if self.organisation else UNATTRIBUTED

    @property
    def country(self) -> str:
        """The organisation's country, or ``unattributed``."""
        if self.organisation and self.organisation.country:
            return self.organisation.country
        return UNATTRIBUTED


class Registry:
    """Look-ups over the curated organisations."""

    def __init__(self, data: RegistryFile) -> None:
        self.data = data
        self.organisations = data.organisations
        self._by_namespace: dict[str, Organisation] = {}
        for organisation in self.organisations:
            for namespace in organisation.namespaces:
                key = namespace.lower()
                if key in self._by_namespace:
                    raise RegistryError(
                        f"namespace {namespace!r} is listed under both {self._by_namespace[key].id!r} "
                        f"and {organisation.id!r}"
                    )
                self._by_namespace[key] = organisation
        ids = [o.id for o in self.organisations]
        if len(ids) != len(set(ids)):
            raise RegistryError("organisation ids in the registry are not unique")
        self.fixture_pattern = "|".join(f"(?:{p})" for p in data.fixture_name_patterns) or "$^"
        self._fixture = re.compile(self.fixture_pattern, re.IGNORECASE)
        # Matching a bare name against every family: a pattern must start a word ("ming" is not in
        # "flamingo", "glm" not in "xglm").
        self._families = [
            (re.compile(f"(?:^|[-_./ ])(?:{family.match})"), family.name, organisation)
            for organisation in self.organisations
            if organisation.kind not in ("re-uploader", "test-fixture")
            for family in organisation.families
        ]

    @property
    def namespace_count(self) -> int:
        """How many Hub namespaces the registry attributes."""
        return len(self._by_namespace)

    def organisation(self, namespace: str | None) -> Organisation | None:
        """The organisation behind a namespace (case-insensitive), or None."""
        if not namespace:
            return None
        return self._by_namespace.get(namespace.lower())

    def is_fixture(self, model_id: str) -> bool:
        """Whether a model is a test fixture: a fixture namespace, or a tiny-random/dummy name."""
        namespace, _, name = model_id.rpartition("/")
        organisation = self.organisation(namespace)
        if organisation is not None and organisation.kind == "test-fixture":
            return True
        return bool(self._fixture.search(name))

    def uploader(self, model_id: str) -> Attribution:
        """Attribution by uploader: the namespace's organisation, re-uploaders included."""
        namespace, _, name = model_id.rpartition("/")
        organisation = self.organisation(namespace)
        if organisation is None:
            return Attribution(None, None, "unattributed")
        family = organisation.family_of(name) if organisation.families or organisation.default_family else None
        return Attribution(organisation, family, "namespace")

    def developer(self, root_id: str) -> Attribution:
        """Attribution of a root model to its developer and family.

        A root in a developer's namespace is theirs. A root held by a re-uploader (a re-upload that declares
        no base model) is matched by name against the developers' families; the earliest match in the name
        wins ("Meta-Llama-3-8B-GGUF" -> Llama). Unknown namespaces stay unattributed.
        """
        namespace, _, name = root_id.rpartition("/")
        organisation = self.organisation(namespace)
        if organisation is None:
            return Attribution(None, None, "unattributed")
        if not organisation.is_reuploader:
            return Attribution(organisation, organisation.family_of(name), "namespace")
        lowered = name.lower()
        best: tuple[int, str, Organisation] | None = None
        for pattern, family, owner in self._families:
            found = pattern.search(lowered)
            if found and (best is None or found.start() < best[0]):
                best = (found.start(), family, owner)
        if best is None:
            return Attribution(None, None, "unattributed")
        return Attribution(best[2], best[1], "name-match")


def load_registry_file(text: str, source: str = "organisations.yaml") -> Registry:
    """Parse and validate registry YAML; every problem is reported with where it is."""
    return Registry(parse_yaml(text, source, RegistryFile))


@cache
def load_registry() -> Registry:
    """The registry shipped in the package (cached)."""
    text = resources.files("modelrace.registry").joinpath("data/organisations.yaml").read_text("utf-8")
    return load_registry_file(text)
