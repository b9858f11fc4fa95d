"""OpenRouter author slugs -> the registry's organisations (and so their countries): curated data with a schema."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from modelrace._yaml import parse_yaml
from modelrace.errors import RegistryError
from modelrace.ranking import load_aliases
from modelrace.registry import load_registry

UNATTRIBUTED = "unattributed"


class _Author(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    organisation: str | None
    note: str | None = None


class AuthorsFile(BaseModel):
    """The curated file ``usage/data/openrouter_authors.yaml``."""

    model_config = ConfigDict(extra="forbid")
    version: int
    authors: dict[str, _Author]


@dataclass(frozen=True)
class Developer:
    """Who an author slug is: the organisation's id, name and country (``unattributed`` when unknown)."""

    author: str
    organisation_id: str | None
    name: str
    country: str
    mapped: bool


@cache
def load_authors() -> AuthorsFile:
    """The author table shipped in the package, every organisation checked against the registries."""
    text = resources.files("modelrace.usage").joinpath("data/openrouter_authors.yaml").read_text("utf-8")
    table = parse_yaml(text, "openrouter_authors.yaml", AuthorsFile)
    known = {o.id for o in load_registry().organisations} | {d.id for d in load_aliases().developers}
    for author, entry in table.authors.items():
        if entry.organisation is not None and entry.organisation not in known:
            raise RegistryError(
                f"openrouter_authors.yaml: authors.{author}.organisation: {entry.organisation!r} is neither in the "
                "organisation registry nor a developer of ranking/data/aliases.yaml"
            )
    return table


@cache
def developer_of(author: str) -> Developer:
    """The developer and country behind an OpenRouter author slug."""
    entry = load_authors().authors.get(author)
    if entry is None or entry.organisation is None:
        return Developer(author, None, UNATTRIBUTED, UNATTRIBUTED, entry is not None)
    organisations = {o.id: o for o in load_registry().organisations}
    if entry.organisation in organisations:
        organisation = organisations[entry.organisation]
        return Developer(author, organisation.id, organisation.name, organisation.country or UNATTRIBUTED, True)
    extra = next(d for d in load_aliases().developers if d.id == entry.organisation)
    return Developer(author, extra.id, extra.name, extra.country, True)
