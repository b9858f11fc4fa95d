"""OpenRouter model slugs -> the identities every other source resolves to, through the shared resolver.

A slug ``author/name[-YYYYMMDD][:variant]`` is read as: the variant (``:free``) is the same model served free,
the trailing date is OpenRouter's permaslug of a release, and ``name`` is what the resolver and its alias table
(ranking/data/aliases.yaml) tie to a model. The developer and country come from the author (usage's author
table), which OpenRouter states for every slug; the resolver's identity and openness are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modelrace.ranking import Resolver
from modelrace.usage._authors import UNATTRIBUTED, developer_of

_RELEASE_DATE = re.compile(r"-20\d{6}$")


@dataclass(frozen=True)
class UsageIdentity:
    """What one slug is: the model key (a Hub id where known), developer, country and openness."""

    slug: str
    key: str
    name: str
    hub_id: str | None
    developer: str
    country: str
    open_weights: bool | None
    method: str
    author_mapped: bool

    @property
    def matched(self) -> bool:
        """Whether the resolver tied the slug to a model line or Hub id."""
        return self.method != "unmatched"


def model_name(slug: str) -> str:
    """The name the resolver reads: no author, no variant, no release date."""
    name = slug.split(":", 1)[0]
    name = name.split("/", 1)[1] if "/" in name else name
    return _RELEASE_DATE.sub("", name)


class UsageResolver:
    """Resolve OpenRouter slugs (cached: a series repeats the same few dozen)."""

    def __init__(self, resolver: Resolver | None = None) -> None:
        self.resolver = resolver or Resolver()
        self._seen: dict[str, UsageIdentity] = {}

    def resolve(self, slug: str) -> UsageIdentity:
        """The identity of a model slug."""
        if slug in self._seen:
            return self._seen[slug]
        author = slug.split("/", 1)[0] if "/" in slug else slug
        developer = developer_of(author)
        entity = self.resolver.resolve(model_name(slug))
        if developer.organisation_id is not None or developer.mapped:
            name, country = developer.name, developer.country
        else:  # an author the table does not know: the resolver's developer, if it found one
            name, country = entity.developer, entity.country
        identity = UsageIdentity(
            slug,
            entity.key,
            entity.name,
            entity.hub_id,
            name or UNATTRIBUTED,
            country or UNATTRIBUTED,
            entity.open_weights,
            entity.method,
            developer.mapped,
        )
        self._seen[slug] = identity
        return identity
