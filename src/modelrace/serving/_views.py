"""The chip table `modelrace hardware` shows: every chip with its figures and its class under one rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modelrace.errors import NotFoundError
from modelrace.serving._cost import CostEstimate, estimate_cost
from modelrace.serving._export import ExportClass, export_class, rule_events
from modelrace.serving._fit import FitResult, fit_model
from modelrace.serving._hardware import CPU_ALIASES, Chip, HardwareRegistry, load_hardware
from modelrace.serving._model import resolve_model
from modelrace.serving._roofline import Workload


@dataclass(frozen=True)
class HardwareRow:
    """One chip and its export class."""

    chip: Chip
    export: ExportClass

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: the chip's figures with ``export_class``, ``licence_china`` and ``reason``."""
        return {
            **self.chip.to_json(),
            "export_class": self.export.export_class,
            "licence_china": self.export.licence_china,
            "reason": self.export.reason,
            "licence_terms": self.export.licence_terms,
        }


@dataclass(frozen=True)
class ChipTable:
    """Chips under one rule version, with the dated events and the registry's sources."""

    rule: str
    rows: tuple[HardwareRow, ...]
    sources: tuple[str, ...]

    def to_json(self) -> list[dict[str, Any]]:
        """A list of chips (the documented `hardware --json` shape)."""
        return [row.to_json() for row in self.rows]

    @property
    def events(self) -> list[dict[str, Any]]:
        """The dated export-control measures."""
        return [{"date": e.date, "id": e.id, "what": e.what, "source": e.source} for e in rule_events()]


def hardware_table(
    registry: HardwareRegistry,
    rule: str = "current",
    vendor: str | None = None,
    licence_for_china: bool = False,
) -> ChipTable:
    """Every chip (or one vendor's: case-insensitive substring of the manufacturer) classified under ``rule``;
    ``licence_for_china``: only those that need a US licence to go to China."""
    chips = list(registry)
    if vendor:
        chips = [c for c in chips if vendor.lower() in c.manufacturer.lower()]
        if not chips:
            vendors = sorted({c.manufacturer for c in registry})
            raise NotFoundError(f"no chips by vendor {vendor!r}: known vendors are {', '.join(vendors)}")
    rows = [HardwareRow(chip, export_class(chip, rule)) for chip in chips]
    if licence_for_china:
        rows = [row for row in rows if row.export.licence_china == "required"]
    rows.sort(key=lambda r: (-(r.chip.tpp or 0), r.chip.name))
    return ChipTable(rule, tuple(rows), registry.sources)


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
