"""US export-control classification of chips, by rule version, from the rules in ``data/export_rules.yaml``.

Rules (thresholds are data; the logic is here):
- 2022-10 (3A090): TPP >= 4800 AND interconnect >= 600 GB/s.
- 2023-10: 3A090.a if TPP >= 4800, or TPP >= 1600 with density (TPP / die mm^2) >= 5.92; 3A090.b if
  2400 <= TPP < 4800 with 1.6 <= density < 5.92, or TPP >= 1600 with 3.2 <= density < 5.92.
- current: 2023-10, plus the dated events marked ``computed`` (the 2025-04 licence requirement for chips that
  reach the H20's memory or interconnect bandwidth) for chips outside 3A090.
A figure a rule needs and the chip lacks makes the answer "undetermined", with the missing figure named. Chips
made by Chinese companies are "domestic (China)": not US exports; the class their figures would have is in the
reason, for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from modelrace.errors import ConfigError
from modelrace.serving._data import Criterion, Event, Rule, RuleClass, export_rules_file
from modelrace.serving._hardware import Chip

RuleVersion = Literal["2022-10", "2023-10", "current"]
RULE_VERSIONS: tuple[str, ...] = ("2022-10", "2023-10", "current")
NOT_CONTROLLED = "not controlled"
UNDETERMINED = "undetermined"
DOMESTIC = "domestic (China)"
LicenceStatus = Literal["required", "not required", "undetermined", "not a US export"]


@dataclass(frozen=True)
class ExportClass:
    """A chip's class under one rule version, whether exporting it to China needs a US licence, and why."""

    chip: str
    rule: str
    export_class: str
    licence_china: LicenceStatus
    reason: str
    licence_terms: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "chip": self.chip,
            "rule": self.rule,
            "export_class": self.export_class,
            "licence_china": self.licence_china,
            "reason": self.reason,
            "licence_terms": self.licence_terms,
        }


def _rule(version: str) -> Rule:
    for rule in export_rules_file().rules:
        if rule.id == version:
            return rule
    raise ConfigError(f"unknown export rule {version!r}: choose one of {', '.join(RULE_VERSIONS)}")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2f}"


def _meets(criterion: Criterion, chip: Chip) -> bool | str:
    """True/False, or the name of the missing figure the answer depends on."""
    tpp, density = chip.tpp, chip.density
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


def _classify_rule(chip: Chip, rule: Rule) -> tuple[str, str, str | None]:
    """(class, reason, licence terms) under one rule's classes, the first class met winning."""
    missing: list[str] = []
    for rule_class in rule.classes:
        outcomes = [_meets(c, chip) for c in _criteria(rule_class)]
        if any(o is True for o in outcomes):
            return rule_class.id, f"{_describe(chip)}: meets {rule_class.id} of the {rule.id} rule", rule_class.licence
        missing += [o for o in outcomes if isinstance(o, str)]
    if missing:
        need = sorted(set(missing))
        return UNDETERMINED, f"{_describe(chip)}: the {rule.id} rule needs the {' and '.join(need)}", None
    return NOT_CONTROLLED, f"{_describe(chip)}: below every {rule.id} threshold", None


def _event_applies(chip: Chip, event: Event) -> bool | str:
    checks: list[bool | str] = []
    if event.memory_bandwidth_gbps_min is not None:
        bandwidth = chip.bandwidth_bytes_per_s
        checks.append("memory bandwidth" if bandwidth is None else bandwidth / 1e9 >= event.memory_bandwidth_gbps_min)
    if event.interconnect_gbps_min is not None:
        link = chip.interconnect_gbps
        checks.append("interconnect bandwidth" if link is None else link >= event.interconnect_gbps_min)
    if any(c is True for c in checks):
        return True
    missing = [c for c in checks if isinstance(c, str)]
    return " and ".join(missing) if missing else False


def export_class(chip: Chip, rule: str = "current") -> ExportClass:
    """Classify ``chip`` under ``rule`` ("2022-10", "2023-10" or "current")."""
    if rule not in RULE_VERSIONS:
        raise ConfigError(f"unknown export rule {rule!r}: choose one of {', '.join(RULE_VERSIONS)}")
    base_rule = _rule("2023-10" if rule == "current" else rule)
    cls, reason, terms = _classify_rule(chip, base_rule)
    if chip.kind == "cpu":
        return ExportClass(chip.name, rule, "not assessed", "undetermined", "a general-purpose CPU: not assessed")
    if chip.domestic_china:
        would = f"by its figures it would be {cls}" if cls != UNDETERMINED else reason
        return ExportClass(
            chip.name,
            rule,
            DOMESTIC,
            "not a US export",
            f"made by {chip.manufacturer}, a Chinese company: not a US export ({would})",
        )
    if rule == "current" and cls in (NOT_CONTROLLED, UNDETERMINED):
        for event in export_rules_file().events:
            if not event.computed or event.memory_bandwidth_gbps_min is None:
                continue
            applies = _event_applies(chip, event)
            if applies is True:
                return ExportClass(
                    chip.name,
                    rule,
                    f"licence required since {event.date.isoformat()} ({event.id})",
                    "required",
                    f"{reason}; but it reaches the H20's memory or interconnect bandwidth: {event.what}",
                    event.licence,
                )
            if isinstance(applies, str) and cls == NOT_CONTROLLED:
                return ExportClass(
                    chip.name,
                    rule,
                    UNDETERMINED,
                    "undetermined",
                    f"{reason}; the {event.id} measure needs the {applies}",
                )
    status: LicenceStatus = (
        "undetermined" if cls == UNDETERMINED else "not required" if cls == NOT_CONTROLLED else "required"
    )
    return ExportClass(chip.name, rule, cls, status, reason, terms)


def rule_events() -> list[Event]:
    """The dated measures, oldest first."""
    return sorted(export_rules_file().events, key=lambda e: e.date)
