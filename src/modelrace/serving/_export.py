"""US export-control classification of chips for China, by rule version, from the timeline in
``data/export_rules.yaml``.

A rule version is the state of the rules from its effective date; it keeps the classes and measures of the versions
before it (a rescinded version stops applying on the day it is rescinded). The logic (thresholds are data):
- 2022-08 / 2022-10 (3A090): TPP >= 4800 AND interconnect >= 600 GB/s.
- 2023-10: 3A090.a if TPP >= 4800, or TPP >= 1600 with density (TPP / die mm^2) >= 5.92; 3A090.b if
  2400 <= TPP < 4800 with 1.6 <= density < 5.92, or TPP >= 1600 with 3.2 <= density < 5.92. The density branches
  apply only to chips designed or marketed for data centres: a consumer chip (RTX 4090 D, RTX 4080) is controlled
  by its TPP alone.
- 2025-01 (AI diffusion): country tiers; nothing changes for China; rescinded 2025-05-13.
- 2025-04: a chip outside 3A090 that reaches the H20's memory (4.0 TB/s) or interconnect (900 GB/s) bandwidth needs
  a licence (licences for the H20 granted from July 2025).
- 2026-01: 3A090 chips under TPP 21,000 and 6,500 GB/s of memory bandwidth (H200, MI325X) are reviewed case by
  case, with conditions, instead of denied; Blackwell-class chips keep the presumption of denial.
- 2026-06: the licence requirement follows any China-headquartered company, wherever it is.
A figure a rule needs and the chip lacks makes the answer "undetermined", with the missing figure named. Chips
made by Chinese companies are "domestic (China)": not US exports; the class their figures would have is in the
reason, for comparison.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError
from modelrace.serving._data import (
    BandwidthMeasure,
    CaseByCase,
    Criterion,
    Event,
    Rule,
    RuleClass,
    Tier,
    export_rules_file,
)
from modelrace.serving._hardware import Chip

NOT_CONTROLLED = "not controlled"
UNDETERMINED = "undetermined"
DOMESTIC = "domestic (China)"
BEFORE_RULES = "before 2022-08"
EXPORT_RULES_CITATION = (
    "US export rules: 87 FR 62186 (2022-10), 88 FR 73458 (2023-10), 90 FR 4544 (2025-01, rescinded 2025-05-13), "
    "NVIDIA Form 8-K (2025-04-15), BIS rule of 2026-01-15, BIS guidance of 2026-05-31 "
    "(serving/data/export_rules.yaml)"
)
"""The rule versions' sources in one line (each version's own source is in ``data/export_rules.yaml``)."""
LicenceStatus = Literal["required", "not required", "undetermined", "not a US export"]


@dataclass(frozen=True)
class RuleState(JsonResult):
    """The rules in force under one version: its classes and every measure it keeps from earlier versions."""

    id: str
    name: str
    effective: date | None
    rescinded: date | None
    source: str
    source_url: str | None
    classes: tuple[RuleClass, ...]
    classes_from: str | None
    review: str
    bandwidth_measure: BandwidthMeasure | None = None
    bandwidth_measure_from: str | None = None
    bandwidth_measure_since: date | None = None
    case_by_case: CaseByCase | None = None
    headquarters: str | None = None
    tiers: tuple[Tier, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def __json__(self) -> Mapping[str, object]:
        """The state as ``hardware --date --json`` gives it under ``rule_details`` (its classes left out)."""
        return {
            "id": self.id,
            "name": self.name,
            "effective": self.effective,
            "rescinded": self.rescinded,
            "source": self.source,
            "source_url": self.source_url,
            "classes_from": self.classes_from,
            "review": self.review,
            "bandwidth_measure": self.bandwidth_measure,
            "case_by_case": self.case_by_case,
            "headquarters": self.headquarters,
            "tiers": self.tiers,
            "sources": self.sources,
        }


@dataclass(frozen=True)
class ExportClass(JsonResult):
    """A chip's class under one rule version, whether exporting it to China needs a US licence, and why."""

    chip: str
    rule: str
    export_class: str
    licence_china: LicenceStatus
    reason: str
    licence_terms: str | None = None
    review: str | None = None  # how a licence application is reviewed: presumption of denial, case by case ...


def _versions() -> list[Rule]:
    return sorted(export_rules_file().versions, key=lambda r: r.effective)


RULE_VERSIONS: tuple[str, ...] = (*(r.id for r in sorted(export_rules_file().versions, key=lambda r: r.effective)),
                                  "current")  # fmt: skip


@cache
def rule_state(version: str) -> RuleState:
    """The rules in force under ``version`` (an id such as ``2023-10``, one of its names, or ``current``)."""
    versions = _versions()
    wanted = version.strip().lower()
    if wanted == "current":
        wanted = versions[-1].id
    index = next((i for i, r in enumerate(versions) if wanted == r.id or wanted in r.names), None)
    if index is None:
        raise ConfigError(
            f"unknown export rule {version!r}: choose one of {', '.join(RULE_VERSIONS)}, a name "
            f"({', '.join(n for r in versions for n in r.names)}) or a date (YYYY-MM-DD)"
        )
    chosen = versions[index]
    classes: tuple[RuleClass, ...] = ()
    classes_from: str | None = None
    measure: BandwidthMeasure | None = None
    measure_from: str | None = None
    measure_since: date | None = None
    review_policy: CaseByCase | None = None
    headquarters: str | None = None
    sources: list[str] = []
    for rule in versions[: index + 1]:
        if rule.rescinded is not None and rule.rescinded <= chosen.effective and rule is not chosen:
            continue  # rescinded before the chosen version took effect
        sources.append(f"{rule.id}: {rule.source}")
        if rule.classes:
            classes, classes_from = tuple(rule.classes), rule.id
        if rule.bandwidth_measure is not None:
            measure, measure_from, measure_since = rule.bandwidth_measure, rule.id, rule.effective
        review_policy = rule.case_by_case or review_policy
        headquarters = rule.headquarters or headquarters
    return RuleState(
        id=chosen.id,
        name=chosen.name,
        effective=chosen.effective,
        rescinded=chosen.rescinded,
        source=chosen.source,
        source_url=chosen.source_url,
        classes=classes,
        classes_from=classes_from,
        review=chosen.review,
        bandwidth_measure=measure,
        bandwidth_measure_from=measure_from,
        bandwidth_measure_since=measure_since,
        case_by_case=review_policy,
        headquarters=headquarters,
        tiers=tuple(chosen.tiers),
        sources=tuple(sources),
    )


def rule_sources(version: str = "current") -> str:
    """The sources of every rule version behind ``version``'s state, in one line, from ``data/export_rules.yaml``
    (a rescinded version left out where the chosen one no longer rests on it)."""
    return "US export rules: " + "; ".join(rule_state(version).sources)


def rule_in_force(on: date) -> str:
    """The id of the rule version in force on ``on`` (a rescinded version no longer from its rescission);
    ``BEFORE_RULES`` before the first."""
    in_force = [r for r in _versions() if r.effective <= on and (r.rescinded is None or on < r.rescinded)]
    return in_force[-1].id if in_force else BEFORE_RULES


def resolve_rule(text: str) -> str:
    """A rule version id from ``--rule``: an id, a name, ``current``, an ISO date (the version in force then) or a
    month ``YYYY-MM`` that is no version's id (the version in force at its end)."""
    text = text.strip()
    if text.lower() == "current":
        return "current"
    try:
        return rule_in_force(date.fromisoformat(text))
    except ValueError:
        pass
    if any(text.lower() == r.id or text.lower() in r.names for r in _versions()):
        return rule_state(text).id
    month = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if month and 1 <= int(month.group(2)) <= 12:
        year, number = int(month.group(1)), int(month.group(2))
        first_of_next = date(year + number // 12, number % 12 + 1, 1)
        return rule_in_force(date.fromordinal(first_of_next.toordinal() - 1))
    return rule_state(text).id


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2f}"


def _meets(criterion: Criterion, chip: Chip) -> bool | str:
    """True/False, or the name of the missing figure the answer depends on."""
    tpp, density = chip.tpp, chip.density
    if criterion.data_centre_only and chip.market != "data centre":
        return False
    if tpp is None:
        return "TPP"
    if criterion.tpp_min is not None and tpp < criterion.tpp_min:
        return False
    if criterion.tpp_max is not None and tpp >= criterion.tpp_max:
        return False
    if criterion.density_min is not None or criterion.density_max is not None:
        if density is None:
            return "die size (performance density)"
        if criterion.density_min is not None and density < criterion.density_min:
            return False
        if criterion.density_max is not None and density >= criterion.density_max:
            return False
    if criterion.interconnect_gbps_min is not None:
        if chip.interconnect_gbps is None:
            return "interconnect bandwidth"
        if chip.interconnect_gbps < criterion.interconnect_gbps_min:
            return False
    return True


def _criteria(rule_class: RuleClass) -> list[Criterion]:
    if rule_class.any_of:
        return rule_class.any_of
    return [Criterion(tpp_min=rule_class.tpp_min, interconnect_gbps_min=rule_class.interconnect_gbps_min)]


def _describe(chip: Chip) -> str:
    parts = [f"TPP {_fmt(chip.tpp)}" if chip.tpp is not None else "no TPP figure"]
    if chip.density is not None:
        parts.append(f"density {chip.density:.2f}")
    if chip.interconnect_gbps is not None:
        parts.append(f"interconnect {_fmt(chip.interconnect_gbps)} GB/s")
    return ", ".join(parts)


def _classify(chip: Chip, state: RuleState) -> tuple[str, str, str | None]:
    """(class, reason, licence terms) under the state's classes, the first class met winning."""
    missing: list[str] = []
    label = state.classes_from or state.id
    consumer_note = ""
    if chip.market != "data centre" and any(c.data_centre_only for rc in state.classes for c in _criteria(rc)):
        consumer_note = (
            f"a {chip.market} chip (not designed or marketed for data centres): the {label} rule's "
            "performance-density branches do not apply; "
        )
    for rule_class in state.classes:
        outcomes = [_meets(c, chip) for c in _criteria(rule_class)]
        if any(o is True for o in outcomes):
            return (
                rule_class.id,
                f"{consumer_note}{_describe(chip)}: meets {rule_class.id} of the {label} rule",
                rule_class.licence,
            )
        missing += [o for o in outcomes if isinstance(o, str)]
    if missing:
        need = sorted(set(missing))
        return UNDETERMINED, f"{consumer_note}{_describe(chip)}: the {label} rule needs the {' and '.join(need)}", None
    if not state.classes:
        return NOT_CONTROLLED, "no US export rule on AI chips yet", None
    return NOT_CONTROLLED, f"{consumer_note}{_describe(chip)}: below every {label} threshold", None


def _bandwidth_applies(chip: Chip, measure: BandwidthMeasure) -> bool | str:
    checks: list[bool | str] = []
    bandwidth = chip.bandwidth_bytes_per_s
    checks.append("memory bandwidth" if bandwidth is None else bandwidth / 1e9 >= measure.memory_bandwidth_gbps_min)
    link = chip.interconnect_gbps
    checks.append("interconnect bandwidth" if link is None else link >= measure.interconnect_gbps_min)
    if any(c is True for c in checks):
        return True
    missing = [c for c in checks if isinstance(c, str)]
    return " and ".join(missing) if missing else False


def _review(chip: Chip, state: RuleState) -> str:
    """How a licence for a 3A090 chip is reviewed under the state."""
    policy = state.case_by_case
    if policy is None:
        return state.review
    bandwidth = chip.bandwidth_bytes_per_s
    if chip.tpp is None or bandwidth is None:
        return f"{state.review} (case by case only below TPP {policy.tpp_max:,.0f}: a figure is missing)"
    if chip.tpp < policy.tpp_max and bandwidth / 1e9 < policy.memory_bandwidth_gbps_max:
        return "case by case, on conditions: " + "; ".join(policy.conditions)
    return f"{state.review}: {policy.beyond}"


def _grants(measure: BandwidthMeasure, on: date | None) -> str:
    granted = [g for g in measure.grants if on is None or g.date <= on]
    return "".join(f"; {g.date.isoformat()}: {g.what}" for g in granted)


def export_class(chip: Chip, rule: str = "current", on: date | None = None) -> ExportClass:
    """Classify ``chip`` under ``rule`` (a version id or name, ``current``, or ``BEFORE_RULES``); ``on``: the date
    the answer is for (licences granted by then are named)."""
    if rule == BEFORE_RULES:
        state = RuleState(BEFORE_RULES, "no rule", None, None, "", None, (), None, "none")
    else:
        state = rule_state(rule)
    rule_id = rule if rule == "current" else state.id
    if chip.kind == "cpu":
        return ExportClass(chip.name, rule_id, "not assessed", "undetermined", "a general-purpose CPU: not assessed")
    cls, reason, terms = _classify(chip, state)
    if chip.domestic_china:
        would = f"by its figures it would be {cls}" if cls != UNDETERMINED else reason
        return ExportClass(
            chip.name,
            rule_id,
            DOMESTIC,
            "not a US export",
            f"made by {chip.manufacturer}, a Chinese company: not a US export ({would})",
        )
    hq = f"; {state.headquarters}" if state.headquarters else ""
    measure = state.bandwidth_measure
    if measure is not None and cls in (NOT_CONTROLLED, UNDETERMINED):
        applies = _bandwidth_applies(chip, measure)
        if applies is True:
            return ExportClass(
                chip.name,
                rule_id,
                f"licence required since {state.bandwidth_measure_since} (H20 class)",
                "required",
                f"{reason}; but it reaches the H20's memory ({measure.memory_bandwidth_gbps_min:,.0f} GB/s) or "
                f"interconnect ({measure.interconnect_gbps_min:,.0f} GB/s) bandwidth: the "
                f"{state.bandwidth_measure_from} measure",
                measure.licence + _grants(measure, on) + hq,
                "licences granted case by case" if _grants(measure, on) else state.review,
            )
        if isinstance(applies, str) and cls == NOT_CONTROLLED:
            return ExportClass(
                chip.name,
                rule_id,
                UNDETERMINED,
                "undetermined",
                f"{reason}; the {state.bandwidth_measure_from} measure needs the {applies}",
            )
    if cls == UNDETERMINED:
        return ExportClass(chip.name, rule_id, cls, "undetermined", reason)
    if cls == NOT_CONTROLLED:
        return ExportClass(chip.name, rule_id, cls, "not required", reason)
    return ExportClass(chip.name, rule_id, cls, "required", reason, (terms or "") + hq, _review(chip, state))


def rule_events() -> list[Event]:
    """The dated facts of the timeline that change no computation, oldest first."""
    return sorted(export_rules_file().events, key=lambda e: e.date)


def rule_versions() -> list[Rule]:
    """Every rule version, oldest first."""
    return _versions()
