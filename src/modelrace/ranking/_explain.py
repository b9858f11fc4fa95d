"""Explaining resolution to people: how one name is tied to a model, which names no rule resolves, and how our
countries compare with Epoch AI's."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from modelrace._serialise import JsonResult
from modelrace.ranking._catalogue import known_hub_ids, load_catalogue
from modelrace.ranking._entities import Entity, Resolver, SourceFacts
from modelrace.store import Warehouse


def explain_name(warehouse: Warehouse | None, name: str) -> Entity:
    """How ``name`` resolves, with every step; Hub ids from the warehouse (when there is one) take precedence.
    What the sources state of it (organisation, licence) is listed as evidence, and where it disagrees with the
    resolver's identity, that the identity wins."""
    resolver = Resolver(hub_ids=known_hub_ids(warehouse) if warehouse is not None else [])
    entity = resolver.resolve(name)
    if warehouse is None:
        return entity
    return replace(entity, steps=(*entity.steps, *_stated_evidence(warehouse, resolver, name, entity)))


def _stated_developer(resolver: Resolver, organisation: str | None) -> str | None:
    """The developer a stated organisation names, where the alias table knows it."""
    if not organisation:
        return None
    mapped = resolver.aliases.organisations.get(organisation.split(",")[0].strip().lower())
    return resolver.developer_name(mapped) if mapped else None


def _stated_evidence(warehouse: Warehouse, resolver: Resolver, name: str, entity: Entity) -> list[str]:
    """One step per distinct statement the imported sources make of ``name`` (organisation, licence, open)."""
    rows = warehouse.query(
        """SELECT i.source, m.organisation, m.license, m.open_weights, count(*) AS imports,
                  min(i.data_date) AS first, max(i.data_date) AS last
           FROM source_models m JOIN result_imports i USING (import_id)
           WHERE m.source_name = ? AND (m.organisation IS NOT NULL OR m.license IS NOT NULL)
           GROUP BY ALL ORDER BY i.source, first""",
        [name],
    )
    steps = []
    for row in rows:
        stated = ", ".join(
            part
            for part in (
                f"organisation {row['organisation']!r}" if row["organisation"] else "",
                f"licence {row['license']!r}" if row["license"] else "",
            )
            if part
        )
        when = f"{row['first']}" + (f" to {row['last']}" if row["last"] != row["first"] else "")
        step = f"{row['source']} states {stated} ({row['imports']} imports, {when})"
        if (
            row["open_weights"] is not None
            and entity.open_weights is not None
            and row["open_weights"] != entity.open_weights
        ):
            step += (
                f": it says {'open' if row['open_weights'] else 'closed'} weights, the resolver's identity "
                f"({entity.method}) says {'open' if entity.open_weights else 'closed'}: the identity wins"
            )
        elif row["open_weights"] is not None and entity.open_weights is None:
            step += f": evidence of {'open' if row['open_weights'] else 'closed'} weights (the resolver has none)"
        stated_developer = _stated_developer(resolver, row["organisation"])
        if stated_developer and entity.matched and stated_developer != entity.developer:
            step += (
                f"; it names {stated_developer}, the resolver's identity ({entity.method}) {entity.developer}: "
                "the identity wins"
            )
        steps.append(step)
    return steps


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
        entity = resolver.resolve(row["source_name"], SourceFacts.of(row))
        if not entity.matched or entity.country == "unattributed" or not theirs:
            continue
        compared += 1
        if entity.country in theirs:
            agree += 1
        else:
            disagree.append(CountryDisagreement(row["source_name"], entity.country, theirs, entity.developer))
    return CountryCheck(compared, agree, disagree)
