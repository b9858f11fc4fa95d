"""Explaining resolution to people: how one name is tied to a model, which names no rule resolves, and how our
countries compare with Epoch AI's."""

from __future__ import annotations

import json
from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.ranking._catalogue import known_hub_ids, load_catalogue
from modelrace.ranking._entities import Entity, Resolver
from modelrace.store import Warehouse


def explain_name(warehouse: Warehouse | None, name: str) -> Entity:
    """How ``name`` resolves, with every step; Hub ids from the warehouse (when there is one) take precedence."""
    return Resolver(hub_ids=known_hub_ids(warehouse) if warehouse is not None else []).resolve(name)


@dataclass(frozen=True)
class UnmatchedNames(JsonResult):
    """Per source, the imported names no rule resolves."""

    unmatched: dict[str, list[str]]


def unmatched_names(warehouse: Warehouse) -> UnmatchedNames:
    """The imported names no alias or rule ties to a model."""
    return UnmatchedNames(load_catalogue(warehouse).unmatched)


@dataclass(frozen=True)
class CountryDisagreement(JsonResult):
    """A model whose country we and Epoch AI give differently."""

    model: str
    ours: str
    epoch: list[str]
    developer: str


@dataclass(frozen=True)
class CountryCheck(JsonResult):
    """Our country for each Epoch model we resolve, against Epoch's Country column."""

    compared: int
    agree: int
    disagreements: list[CountryDisagreement]


def country_cross_check(warehouse: Warehouse) -> CountryCheck:
    """Our country for each Epoch model we resolve, against Epoch's Country column."""
    catalogue_rows = warehouse.query(
        "SELECT DISTINCT m.source_name, m.organisation, m.extra FROM source_models m "
        "JOIN result_imports i USING (import_id) WHERE i.source = 'epoch-models'"
    )
    resolver = Resolver(hub_ids=known_hub_ids(warehouse))
    agree, compared = 0, 0
    disagree: list[CountryDisagreement] = []
    for row in catalogue_rows:
        extra = json.loads(row["extra"]) if row["extra"] else {}
        theirs = extra.get("countries") or []
        entity = resolver.resolve(row["source_name"], {"organisation": row["organisation"]})
        if not entity.matched or entity.country == "unattributed" or not theirs:
            continue
        compared += 1
        if entity.country in theirs:
            agree += 1
        else:
            disagree.append(CountryDisagreement(row["source_name"], entity.country, theirs, entity.developer))
    return CountryCheck(compared, agree, disagree)
