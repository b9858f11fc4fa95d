"""The hardware gap: per quarter, the best chip a lab in the US can buy against the best a lab in China can buy
without a US licence, and the ratios of their figures.

Rules (stated, so a reader can recompute a row):
- A quarter is judged on its last day ``D``: the chips released by ``D`` (Epoch's release date), under the export
  rule version in force on ``D`` (:func:`rule_in_force`).
- Chips counted: data-centre accelerators with a TPP figure and no doubtful figure (``Chip.doubts``). Consumer
  cards are left out (24 GB or less: not what a lab trains or serves on) and so are chips without a release date.
- US side: every counted chip not made by a Chinese company (Huawei and the other listed Chinese makers are on the
  Entity List or not sold in the US). China side: the counted chips that need no US licence for China on ``D``
  (``licence_china`` "not required") and the Chinese-made ones.
- Each side's best chip is its highest TPP; the best memory bandwidth and the most memory are each side's maxima
  over its chips (maybe other chips than the best by TPP). Each ratio is US over China: 1.0 = no gap.
Figures are the chips' datasheet peaks (Epoch AI's ML Hardware data and the curated additions): what a lab can
buy, not what it has bought (volumes, HBM supply and foundry limits are not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.serving._export import export_class, rule_in_force, rule_versions
from modelrace.serving._hardware import EPOCH_SOURCE, Chip, HardwareRegistry

FIRST_QUARTER = (2022, 1)


@dataclass(frozen=True)
class SideBest(JsonResult):
    """One side's best chips in a quarter."""

    chip: str
    manufacturer: str
    release_date: date | None
    tpp: float
    bandwidth_bytes_per_s: float | None
    memory_bytes: float | None
    best_bandwidth_chip: str | None
    best_bandwidth_bytes_per_s: float | None
    best_memory_chip: str | None
    best_memory_bytes: float | None
    chips: int  # how many chips the side could buy


@dataclass(frozen=True)
class GapQuarter(JsonResult):
    """One quarter: the rule in force, both sides' best, and US-over-China ratios (None: a side lacks the figure)."""

    quarter: str  # "2024Q3"
    end: date
    rule: str
    us: SideBest | None
    china: SideBest | None
    tpp_ratio: float | None
    bandwidth_ratio: float | None
    memory_ratio: float | None


@dataclass(frozen=True)
class HardwareGap(JsonResult):
    """The gap series, with what it covers and its sources."""

    quarters: tuple[GapQuarter, ...]
    excluded_doubtful: tuple[str, ...]
    scope: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ChipsHeadline(JsonResult):
    """The "state of the race" chips tile: what a lab in China can buy now against a lab in the US."""

    date: date
    rule: str
    us_chip: str
    china_chip: str
    tpp_ratio: float
    text: str
    source: str


def _quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    next_first = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(next_first.toordinal() - 1)


def _counted(chip: Chip) -> bool:
    return (
        chip.kind == "accelerator"
        and chip.market == "data centre"
        and chip.tpp is not None
        and chip.release_date is not None
        and not chip.doubtful
    )


def _best(chips: list[Chip]) -> SideBest | None:
    if not chips:
        return None
    top = max(chips, key=lambda c: (c.tpp or 0.0, c.bandwidth_bytes_per_s or 0.0, c.name))
    with_bandwidth = [c for c in chips if c.bandwidth_bytes_per_s]
    with_memory = [c for c in chips if c.memory_bytes]
    fastest = max(with_bandwidth, key=lambda c: (c.bandwidth_bytes_per_s or 0.0, c.name)) if with_bandwidth else None
    largest = max(with_memory, key=lambda c: (c.memory_bytes or 0.0, c.name)) if with_memory else None
    return SideBest(
        top.name,
        top.manufacturer,
        top.release_date,
        top.tpp or 0.0,
        top.bandwidth_bytes_per_s,
        top.memory_bytes,
        fastest.name if fastest else None,
        fastest.bandwidth_bytes_per_s if fastest else None,
        largest.name if largest else None,
        largest.memory_bytes if largest else None,
        len(chips),
    )


def _ratio(us: float | None, china: float | None) -> float | None:
    return us / china if us and china else None


def gap_on(registry: HardwareRegistry, on: date, label: str | None = None) -> GapQuarter:
    """Both sides' best chips on one date (see the module docstring)."""
    rule = rule_in_force(on)
    counted = [c for c in registry if _counted(c) and c.release_date is not None and c.release_date <= on]
    us = [c for c in counted if not c.domestic_china]
    china = [c for c in counted if c.domestic_china or export_class(c, rule, on).licence_china == "not required"]
    us_best, china_best = _best(us), _best(china)
    return GapQuarter(
        label or on.isoformat(),
        on,
        rule,
        us_best,
        china_best,
        _ratio(us_best.tpp if us_best else None, china_best.tpp if china_best else None),
        _ratio(
            us_best.best_bandwidth_bytes_per_s if us_best else None,
            china_best.best_bandwidth_bytes_per_s if china_best else None,
        ),
        _ratio(us_best.best_memory_bytes if us_best else None, china_best.best_memory_bytes if china_best else None),
    )


def _last_quarter(registry: HardwareRegistry) -> tuple[int, int]:
    """The quarter of the newest rule version or chip release, whichever is later."""
    dates = [r.effective for r in rule_versions()] + [c.release_date for c in registry if c.release_date]
    newest = max(dates)
    return newest.year, (newest.month - 1) // 3 + 1


def hardware_gap(
    registry: HardwareRegistry, first: tuple[int, int] = FIRST_QUARTER, last: tuple[int, int] | None = None
) -> HardwareGap:
    """The gap per quarter from ``first`` to ``last`` ((year, quarter); default: the newest rule or chip's)."""
    year, quarter = first
    end_year, end_quarter = last or _last_quarter(registry)
    quarters: list[GapQuarter] = []
    while (year, quarter) <= (end_year, end_quarter):
        quarters.append(gap_on(registry, _quarter_end(year, quarter), f"{year}Q{quarter}"))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    doubtful = tuple(
        sorted(f"{c.name}: {'; '.join(c.doubts)}" for c in registry if c.kind == "accelerator" and c.doubtful)
    )
    scope = (
        "data-centre accelerators with a TPP and a release date, figures not doubtful; each quarter judged on its "
        "last day under the rule then in force; datasheet peaks, not volumes"
    )
    sources = (EPOCH_SOURCE, "modelrace curated chip additions (serving/data/hardware.yaml)",
               "US export rules (serving/data/export_rules.yaml)")  # fmt: skip
    return HardwareGap(quarters=tuple(quarters), excluded_doubtful=doubtful, scope=scope, sources=sources)


def chips_headline(registry: HardwareRegistry, on: date | None = None) -> ChipsHeadline:
    """The "state of the race" chips tile: the best chip a lab in China can buy without a licence on ``on``
    (default: the newest rule's or chip's date) against a US lab's, and the TPP ratio."""
    if on is None:
        year, quarter = _last_quarter(registry)
        on = _quarter_end(year, quarter)
    row = gap_on(registry, on)
    if row.us is None or row.china is None or row.tpp_ratio is None:
        missing = "US" if row.us is None else "China"
        raise NotFoundError(f"no counted chip on the {missing} side on {on.isoformat()}")
    text = (
        f"On {on.isoformat()} a lab in China can buy at best the {row.china.chip} without a US licence "
        f"(TPP {row.china.tpp:,.0f}); a US lab the {row.us.chip} (TPP {row.us.tpp:,.0f}): "
        f"x{row.tpp_ratio:.1f} (rule {row.rule})"
    )
    return ChipsHeadline(on, row.rule, row.us.chip, row.china.chip, row.tpp_ratio, text, EPOCH_SOURCE)
