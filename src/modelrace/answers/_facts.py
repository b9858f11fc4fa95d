"""What a person wants to know about a model beside its scores: size, licence verdict, country, release date and
price, each with where it comes from.

The licence is, in order: the model's licence in the latest Hub snapshot (stated or inherited through the model
tree, ``licensing.explain_model``); else a licence a results source gives for it (LMArena's licence column, the
Open LLM Leaderboard's Hub licence), normalised by the licence registry; else unknown. A model without open
weights has no licence verdict: it is ``closed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.knowledge import country_name
from modelrace.licensing import decide, explain_model, load_licences
from modelrace.ranking import Catalogue, Entity
from modelrace.sources import stated_licences
from modelrace.store import Warehouse

CLOSED = "closed"


@dataclass(frozen=True)
class LicenceFacts(JsonResult):
    """A model's licence verdict, the terms that decide it and where the licence was found."""

    licence_id: str | None
    verdict: str  # permissive | conditional | non-commercial | unknown | closed
    deciding_terms: list[str]
    deciding_clauses: list[str]
    found_in: str


@dataclass(frozen=True)
class ModelFacts(JsonResult):
    """One model as the answers show it."""

    query: str
    model: str
    hub_id: str | None
    developer: str
    country: str
    country_name: str
    open_weights: bool | None
    params_total: float | None
    params_active: float | None
    release_date: str | None
    licence: LicenceFacts
    price_usd_per_mtok: float | None
    price_basis: str | None


class FactFinder:
    """Looks up licences (snapshot first, then the sources' licence columns) once per warehouse."""

    def __init__(self, warehouse: Warehouse, catalogue: Catalogue) -> None:
        self.warehouse = warehouse
        self.catalogue = catalogue

    @cached_property
    def _source_licences(self) -> dict[str, list[tuple[str, str]]]:
        """Entity key -> [(licence text, source)] from every import that states one."""
        found: dict[str, list[tuple[str, str]]] = {}
        for stated in stated_licences(self.warehouse):
            entity = self.catalogue.entities.get((stated.source, stated.source_name))
            if entity is not None and entity.matched:
                found.setdefault(entity.key.lower(), []).append((stated.licence, stated.source))
        return found

    def licence(self, entity: Entity) -> LicenceFacts:
        """The licence verdict of ``entity`` (see the module docstring for the order of look-ups)."""
        if entity.open_weights is False:
            return LicenceFacts(None, CLOSED, [], [], "closed weights (API only): no licence to the weights")
        if entity.hub_id:
            try:
                explained = explain_model(self.warehouse, entity.hub_id)
            except NotFoundError:
                explained = None
            if explained is not None and explained.licence_id not in (None, "unknown"):
                where = f"Hub snapshot {explained.snapshot.id} ({explained.source}"
                where += f" from {explained.inherited_from})" if explained.inherited_from else ")"
                return LicenceFacts(
                    explained.licence_id,
                    explained.verdict,
                    explained.deciding_terms,
                    [f"{c.section}: {c.text}" for c in explained.deciding_clauses],
                    where,
                )
        registry = load_licences()
        for text, source in self._source_licences.get(entity.key.lower(), []):
            normalised = registry.normalise_text(text)
            if normalised.licence_id in (None, "unknown", "other"):
                continue
            licence = registry.licences[normalised.licence_id]
            decision = decide(licence)
            return LicenceFacts(
                licence.id,
                decision.verdict,
                list(decision.deciding_terms),
                [f"{c.section}: {c.text}" for c in decision.clauses],
                f"{source}'s licence column ({text!r})",
            )
        return LicenceFacts(None, "unknown", [], [], "no snapshot or source states a licence we can resolve")

    def facts(self, query: str, entity: Entity) -> ModelFacts:
        """Size, licence, country, release date and price of ``entity``."""
        release = None
        price = None
        for benchmark in self.catalogue.benchmarks.values():
            for score in benchmark.scores:
                if score.entity.key == entity.key:
                    release = release or score.release_date
                    price = price if price is not None else score.price_usd_per_mtok
        return ModelFacts(
            query=query,
            model=entity.name,
            hub_id=entity.hub_id,
            developer=entity.developer,
            country=entity.country,
            country_name=country_name(entity.country),
            open_weights=entity.open_weights,
            params_total=entity.params_total,
            params_active=entity.params_active,
            release_date=release.isoformat() if release else None,
            licence=self.licence(entity),
            price_usd_per_mtok=price,
            price_basis="market price per million tokens, 3 input : 1 output blend (Artificial Analysis or LMArena)"
            if price is not None
            else None,
        )
