"""The verdict for a licence, computed from its terms; and the clauses that decide it.

- ``non-commercial``: commercial use is not granted.
- ``conditional``: commercial use is granted, but with conditions a lawyer should read: user or revenue
  thresholds, use policies passed on to users, naming or display duties, share-alike or licence
  pass-through, limits on training with outputs, registration, geographic, hosting or remote restrictions.
- ``permissive``: commercial use is granted and the only duties are notices and attribution: ordinary
  commercial use needs no legal review.
- ``unknown``: the licence is not known or says nothing about commercial use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from modelrace.licensing._registry import Clause, Licence

Verdict = Literal["permissive", "conditional", "non-commercial", "unknown"]
VERDICTS: Final[tuple[Verdict, ...]] = ("permissive", "conditional", "non-commercial", "unknown")
# How far a verdict restricts: a derivative may not be more open than its base.
RESTRICTIVENESS: Final[dict[str, int]] = {"permissive": 0, "conditional": 1, "non-commercial": 2}
CONDITIONS: Final[tuple[str, ...]] = (
    "user_threshold",
    "revenue_threshold",
    "acceptable_use_policy",
    "naming",
    "share_alike",
    "output_training_restriction",
    "registration_required",
    "geographic_restriction",
    "hosting_restriction",
    "remote_restriction",
)
NOT_LEGAL_ADVICE: Final = (
    "Not legal advice: verdicts summarise licence terms as modelrace's registry records them; read the licence."
)


@dataclass(frozen=True)
class Decision:
    """A verdict with the terms and clauses that decide it."""

    verdict: Verdict
    deciding_terms: tuple[str, ...]
    clauses: tuple[Clause, ...]


def decide(licence: Licence | None) -> Decision:
    """The verdict for a licence from its terms."""
    if licence is None or licence.terms.commercial_use is None:
        return Decision("unknown", (), ())
    terms = licence.terms
    if terms.commercial_use is False:
        deciding: tuple[str, ...] = ("commercial_use",) + (("field_of_use",) if terms.field_of_use else ())
        return Decision("non-commercial", deciding, _clauses(licence, deciding))
    conditions = tuple(name for name in CONDITIONS if getattr(terms, name) is not None)
    if terms.derivatives_same_licence and "share_alike" not in conditions and "acceptable_use_policy" not in conditions:
        conditions += ("derivatives_same_licence",)
    if conditions:
        return Decision("conditional", conditions, _clauses(licence, conditions))
    deciding = ("commercial_use",) + (("attribution",) if terms.attribution else ())
    return Decision("permissive", deciding, _clauses(licence, deciding))


def _clauses(licence: Licence, terms: tuple[str, ...]) -> tuple[Clause, ...]:
    return tuple(clause for clause in licence.clauses if clause.term in terms)


def conflict_rule(own: Licence | None, base: Licence | None, quantized: bool) -> str | None:
    """Why a model stating ``own`` on top of a base under ``base`` is in conflict, or None.

    The text has a ``{base}`` placeholder for the base model's id. Rules: a derivative may not be more open
    than its base; a base whose licence binds derivatives must keep it; a quantization is the same weights,
    so its licence must be its base's.
    """
    if own is None or base is None or own.id == base.id:
        return None
    own_decision, base_decision = decide(own), decide(base)
    if own_decision.verdict == "unknown" or base_decision.verdict == "unknown":
        return None
    if RESTRICTIVENESS[own_decision.verdict] < RESTRICTIVENESS[base_decision.verdict]:
        return f"states {own.id} ({own_decision.verdict}) on top of {{base}} under {base.id} ({base_decision.verdict})"
    if base.terms.derivatives_same_licence:
        return f"states {own.id} but {{base}} is under {base.id}, which derivatives must keep"
    if quantized:
        return f"a quantization under {own.id} of {{base}} under {base.id}"
    return None
