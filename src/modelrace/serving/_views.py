"""The chip table `modelrace hardware` shows: every chip with its figures and its class under one rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, NotFoundError
from modelrace.serving._cost import CostEstimate, estimate_cost
from modelrace.serving._export import (
    BEFORE_RULES,
    ExportClass,
    RuleState,
    export_class,
    resolve_rule,
    rule_events,
    rule_in_force,
    rule_state,
    rule_versions,
)
from modelrace.serving._fit import FitResult, fit_model
from modelrace.serving._hardware import CPU_ALIASES, Chip, HardwareRegistry, load_hardware
from modelrace.serving._model import resolve_model
from modelrace.serving._roofline import Workload


@dataclass(frozen=True)
class HardwareRow(JsonResult):
    """One chip and its export class."""

    chip: Chip
    export: ExportClass

    def __json__(self) -> Mapping[str, object]:
        """The chip's figures with ``export_class``, ``licence_china``, ``reason`` and ``licence_terms``."""
        return {
            **self.chip.__json__(),
            "export_class": self.export.export_class,
            "licence_china": self.export.licence_china,
            "reason": self.export.reason,
            "licence_terms": self.export.licence_terms,
        }


@dataclass(frozen=True)
class RuleEvent:
    """One dated line of the export-rule timeline: a rule version taking effect, or a fact beside them."""

    date: date
    id: str
    what: str
    source: str


@dataclass(frozen=True)
class ChipTable(JsonResult):
    """Chips under one rule version (or on one date), with the rule's details, the timeline and the sources.

    ``on`` set: the table is for that date (the rule in force then, only chips released by then), and
    ``without_licence`` holds what a lab in China could buy without a US licence on it."""

    rule: str
    rows: tuple[HardwareRow, ...]
    sources: tuple[str, ...]
    state: RuleState | None = None
    on: date | None = None
    without_licence: tuple[HardwareRow, ...] = ()

    def __json__(self) -> object:
        """A list of chips (the documented `hardware --json` shape); with a date, an object with both lists."""
        if self.on is None:
            return self.rows
        return {
            "date": self.on,
            "rule": self.rule,
            "rule_details": self.state,
            "without_licence": self.without_licence,
            "licence_required": [row for row in self.rows if row.export.licence_china == "required"],
            "undetermined": [row for row in self.rows if row.export.licence_china == "undetermined"],
        }

    @property
    def events(self) -> tuple[RuleEvent, ...]:
        """The timeline: every rule version and the dated facts beside them, oldest first."""
        versions = [
            RuleEvent(
                r.effective, r.id, r.name + (f" (rescinded {r.rescinded.isoformat()})" if r.rescinded else ""), r.source
            )
            for r in rule_versions()
        ]
        facts = [RuleEvent(e.date, e.id, e.what, e.source) for e in rule_events()]
        return tuple(sorted(versions + facts, key=lambda e: e.date))


def parse_date(text: str) -> date:
    """A ``--date`` value (YYYY-MM-DD); anything else is a one-line error."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--date {text!r} is not a date: give YYYY-MM-DD, e.g. 2024-06-30") from None


def _released_by(chip: Chip, on: date) -> bool:
    return chip.release_date is not None and chip.release_date <= on


def hardware_table(
    registry: HardwareRegistry,
    rule: str = "current",
    vendor: str | None = None,
    licence_for_china: bool = False,
    on: date | None = None,
) -> ChipTable:
    """Every chip (or one vendor's: case-insensitive substring of the manufacturer) classified under ``rule`` (an
    id, a name, ``current`` or an ISO date); ``licence_for_china``: only those that need a US licence to go to
    China; ``on``: the rule in force on that date, the chips released by then, and what a lab in China could buy
    without a licence (Chinese-made chips included)."""
    chips = list(registry)
    if vendor:
        chips = [c for c in chips if vendor.lower() in c.manufacturer.lower()]
        if not chips:
            vendors = sorted({c.manufacturer for c in registry})
            raise NotFoundError(f"no chips by vendor {vendor!r}: known vendors are {', '.join(vendors)}")
    rule_id = rule_in_force(on) if on is not None else ("current" if rule == "current" else resolve_rule(rule))
    if on is not None:
        chips = [c for c in chips if c.kind == "accelerator" and _released_by(c, on)]
    rows = [HardwareRow(chip, export_class(chip, rule_id, on)) for chip in chips]
    rows.sort(key=lambda r: (-(r.chip.tpp or 0), r.chip.name))
    free = tuple(r for r in rows if r.export.licence_china in ("not required", "not a US export"))
    if licence_for_china:
        rows = [row for row in rows if row.export.licence_china == "required"]
    state = None if rule_id == BEFORE_RULES else rule_state(rule_id)
    return ChipTable(rule_id, tuple(rows), registry.sources, state, on, free if on is not None else ())


DEFAULT_CHIP = "H100 SXM5"


def fit_named(
    model: str,
    hardware: str = DEFAULT_CHIP,
    count: int = 1,
    quant: str | None = None,
    context: int | None = None,
    batch: int = 1,
    kv_dtype: str = "bf16",
) -> FitResult:
    """`modelrace fit`: resolve the model and the chip by name, then :func:`fit_model`."""
    chip = load_hardware(include_cpu=_wants_cpu(hardware)).find(hardware)
    return fit_model(resolve_model(model), chip, count, quant, context, batch, kv_dtype)


def cost_named(
    model: str,
    hardware: str = DEFAULT_CHIP,
    count: int = 1,
    workload: Workload | None = None,
    quant: str | None = None,
    kv_dtype: str = "bf16",
) -> CostEstimate:
    """`modelrace cost`: resolve the model and the chip by name, then :func:`estimate_cost`."""
    chip = load_hardware(include_cpu=_wants_cpu(hardware)).find(hardware)
    return estimate_cost(resolve_model(model), chip, count, workload, quant, kv_dtype)


def _wants_cpu(name: str) -> bool:
    """Only a request for the local CPU measures its bandwidth (once, then cached)."""
    return name.strip().lower() in CPU_ALIASES or name.strip().lower().startswith("this machine")
