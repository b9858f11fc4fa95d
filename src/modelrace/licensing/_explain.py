"""Explanations for people: a licence's terms and verdict, or a model's licence through its tree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.licensing._registry import Clause, Licence, LicenceRegistry, Normalised, Terms, load_licences
from modelrace.licensing._verdict import NOT_LEGAL_ADVICE, Verdict, conflict_rule, decide
from modelrace.store import Warehouse, licence_missing_from, missing_licence_words, resolve_snapshot

MAX_WALK = 1000


def _with_terms(result: LicenceExplanation | ModelLicence) -> Mapping[str, Any]:
    """A result's fields, its terms as the licence states them (the terms it says nothing on left out)."""
    stated = result.terms.model_dump(exclude_none=True) if result.terms else {}
    return {field.name: getattr(result, field.name) for field in fields(result)} | {"terms": stated}


@dataclass(frozen=True)
class LicenceExplanation(JsonResult):
    """A licence's identifiers, terms, verdict and the clauses that decide it, with its source."""

    id: str
    name: str
    version: str | None
    spdx: str | None
    hub_ids: list[str]
    verdict: Verdict
    deciding_terms: list[str]
    deciding_clauses: list[Clause]
    terms: Terms | None  # None: no licence found
    source: str
    read_on: str
    notice: str

    def __json__(self) -> Mapping[str, Any]:
        """The fields, ``terms`` as the terms the licence states."""
        return _with_terms(self)


@dataclass(frozen=True)
class LicenceConflict(JsonResult):
    """A licence the model states that its base's licence does not allow."""

    base: str
    reason: str


@dataclass(frozen=True)
class LicenceSnapshot(JsonResult):
    """The snapshot a model's licence is read from."""

    id: int
    taken_at: str
    source: str


@dataclass(frozen=True)
class StatedTags(JsonResult):
    """The licence fields the model's own record states (None: not stated)."""

    license: str | None
    license_name: str | None
    license_link: str | None


@dataclass(frozen=True)
class ModelLicence(JsonResult):
    """A model's licence: stated or inherited through its tree, the verdict and its clauses, and conflicts."""

    model_id: str
    snapshot: LicenceSnapshot
    stated: StatedTags
    licence_id: str | None
    licence_name: str | None
    raw: str | None
    resolved_by: str
    source: Literal["own", "inherited", "none"]
    inherited_from: str | None
    walked: list[str]
    verdict: Verdict
    deciding_terms: list[str]
    deciding_clauses: list[Clause]
    terms: Terms | None  # None: no licence found
    licence_source: str | None
    read_on: str | None
    conflicts: list[LicenceConflict]
    notice: str
    missing_from: Literal["source", "hub"] | None = None  # where a missing licence comes from (none found)
    missing: str | None = None  # ... in words

    def __json__(self) -> Mapping[str, Any]:
        """The fields, ``terms`` as the terms the licence states (none without a licence)."""
        return _with_terms(self)


def explain_licence(licence: Licence) -> LicenceExplanation:
    """A licence's identifiers, terms, verdict and deciding clauses, with its source."""
    decision = decide(licence)
    return LicenceExplanation(
        id=licence.id,
        name=licence.name,
        version=licence.version,
        spdx=licence.spdx,
        hub_ids=list(licence.hub_ids),
        verdict=decision.verdict,
        deciding_terms=list(decision.deciding_terms),
        deciding_clauses=list(decision.clauses),
        terms=licence.terms,
        source=licence.source,
        read_on=licence.read_on,
        notice=NOT_LEGAL_ADVICE,
    )


def _stated(warehouse: Warehouse, snapshot_id: int, model_id: str) -> tuple[bool, dict[str, Any] | None]:
    rows = warehouse.query(
        """SELECT v.license, v.license_name, v.license_link, v.base_models
           FROM snapshot_models sm JOIN models m ON m.model_key = sm.model_key
           JOIN model_versions v ON v.version_id = sm.version_id
           WHERE sm.snapshot_id = ? AND m.model_id = ?""",
        [snapshot_id, model_id],
    )
    return (bool(rows), rows[0] if rows else None)


def _effective(
    warehouse: Warehouse, snapshot_id: int, model_id: str, registry: LicenceRegistry
) -> tuple[Normalised | None, str | None, list[str]]:
    """(stated licence found, the model that states it, the chain walked) following first bases."""
    walked: list[str] = []
    current: str | None = model_id
    while current is not None and current not in walked and len(walked) < MAX_WALK:
        walked.append(current)
        present, row = _stated(warehouse, snapshot_id, current)
        if not present or row is None:
            return None, None, walked
        if row["license"] is not None or row["license_name"] is not None or row["license_link"] is not None:
            found = registry.normalise(row["license"], row["license_name"], row["license_link"])
            return found, current, walked
        bases = row["base_models"] or []
        current = bases[0]["model_id"] if bases else None
    return None, None, walked


def explain_model(
    warehouse: Warehouse,
    model_id: str,
    snapshot_ref: str | int | None = None,
    registry: LicenceRegistry | None = None,
) -> ModelLicence:
    """A model's licence: stated or inherited, verdict with deciding clauses, and conflicts with its bases."""
    registry = registry or load_licences()
    snapshot = resolve_snapshot(warehouse, snapshot_ref)
    present, row = _stated(warehouse, snapshot.snapshot_id, model_id)
    if not present or row is None:
        raise NotFoundError(f"{model_id} is not in snapshot {snapshot.snapshot_id} (and is not a known licence)")
    found, stated_by, walked = _effective(warehouse, snapshot.snapshot_id, model_id, registry)
    # A stated licence that cannot be resolved is the registry's "unknown" (its raw text is kept).
    licence = registry.licences.get(found.licence_id or "unknown") if found else None
    conflicts = []
    bases = row["base_models"] or []
    if stated_by == model_id and licence is not None:
        for base in bases:
            base_found, _, _ = _effective(warehouse, snapshot.snapshot_id, base["model_id"], registry)
            base_licence = registry.licences.get(base_found.licence_id or "unknown") if base_found else None
            reason = conflict_rule(licence, base_licence, quantized=len(bases) == 1 and base["relation"] == "quantized")
            if reason:
                conflicts.append(LicenceConflict(base["model_id"], reason.format(base=base["model_id"])))
    decision = decide(licence)
    missing_from = licence_missing_from(warehouse, snapshot) if found is None else None
    return ModelLicence(
        model_id=model_id,
        snapshot=LicenceSnapshot(snapshot.snapshot_id, snapshot.taken_at.isoformat(), snapshot.source),
        stated=StatedTags(row["license"], row["license_name"], row["license_link"]),
        licence_id=licence.id if licence else None,
        licence_name=licence.name if licence else None,
        raw=found.raw if found else None,
        resolved_by=found.method if found else "none",
        source="own" if stated_by == model_id else "inherited" if stated_by else "none",
        inherited_from=stated_by if stated_by and stated_by != model_id else None,
        walked=walked,
        verdict=decision.verdict,
        deciding_terms=list(decision.deciding_terms),
        deciding_clauses=list(decision.clauses),
        terms=licence.terms if licence else None,
        licence_source=licence.source if licence else None,
        read_on=licence.read_on if licence else None,
        conflicts=conflicts,
        notice=NOT_LEGAL_ADVICE,
        missing_from=missing_from,
        missing=missing_licence_words(snapshot, missing_from) if missing_from else None,
    )
