"""The hardware registry: Epoch AI's ML Hardware file, curated additions with sources, and this machine's CPU.

Epoch's file is read from the reference data folder (``epoch_ml_hardware_2026-03.csv`` or a newer file of the same
columns given as ``path``). A figure comes from Epoch unless the file lacks it; then from ``data/hardware.yaml``,
whose entries name their source. Nothing is filled in silently: a chip without a figure keeps ``None`` and what
depends on it says "undetermined".

The local CPU is detected (model name, cores, memory) and its memory bandwidth measured once by a streaming copy
(numpy, 256 MiB, best of three) and cached in modelrace's cache folder.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from modelrace._serialise import JsonResult
from modelrace.config import reference_data_dir
from modelrace.errors import ConfigError, ImportFormatError, NotFoundError
from modelrace.serving._data import hardware_file

EPOCH_FILE = "epoch_ml_hardware_2026-03.csv"
EPOCH_SOURCE = "Epoch AI, ML Hardware (data to 2026-03-31, CC BY 4.0)"
EPOCH_CITATION = "Epoch AI, ML Hardware (to 2026-03)"
"""Epoch's file as a chart's or a figure's source line names it."""
CPU_ALIASES = ("cpu", "local", "this machine", "local cpu")


@dataclass(frozen=True)
class Chip(JsonResult):
    """One accelerator (or CPU) with the figures serving and export classification need; ``None`` = unknown."""

    name: str
    manufacturer: str
    kind: str  # accelerator | cpu
    release_date: date | None
    memory_bytes: float | None
    bandwidth_bytes_per_s: float | None
    fp16_flops: float | None
    fp8_flops: float | None
    int8_ops: float | None
    tpp: float | None
    die_size_mm2: float | None
    interconnect_gbps: float | None
    release_price_usd: float | None
    tdp_w: float | None
    domestic_china: bool
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    price_labels: tuple[str, ...] = ()  # regular expressions picking this chip's rental listings
    market: str = "data centre"  # data centre | consumer (the 2023 rule's density branches need data centre)
    doubts: tuple[str, ...] = ()  # why a figure is physically implausible or the chip never shipped
    fp4_flops: float | None = None  # dense FP4 (Blackwell, MI355X); FP4 weights run at FP8 peak without it

    @property
    def doubtful(self) -> bool:
        """Whether a figure is doubtful (see ``doubts``): such a chip stays out of charts' scales and the gap."""
        return bool(self.doubts)

    @property
    def density(self) -> float | None:
        """Performance density: TPP per mm^2 of die (the 2023 rule's second axis)."""
        if self.tpp is None or not self.die_size_mm2:
            return None
        return self.tpp / self.die_size_mm2

    def peak_flops(self, weights: str = "bf16") -> float | None:
        """Dense peak for the precision the weights are computed in (FP8 where the chip and weights have it)."""
        if weights in ("fp4", "mxfp4") and self.fp4_flops:
            return self.fp4_flops
        if weights in ("fp8", "fp4", "mxfp4") and self.fp8_flops:
            return self.fp8_flops
        return self.fp16_flops or (self.int8_ops / 2 if self.int8_ops else None)

    def __json__(self) -> Mapping[str, object]:
        """The figures ``hardware --json`` lists (with ``density`` and ``doubtful``; no lookup names or labels)."""
        return {
            "name": self.name,
            "manufacturer": self.manufacturer,
            "kind": self.kind,
            "release_date": self.release_date,
            "memory_bytes": self.memory_bytes,
            "bandwidth_bytes_per_s": self.bandwidth_bytes_per_s,
            "fp16_flops": self.fp16_flops,
            "fp8_flops": self.fp8_flops,
            "tpp": self.tpp,
            "die_size_mm2": self.die_size_mm2,
            "density": self.density,
            "interconnect_gbps": self.interconnect_gbps,
            "release_price_usd": self.release_price_usd,
            "domestic_china": self.domestic_china,
            "market": self.market,
            "doubtful": self.doubtful,
            "doubts": self.doubts,
            "sources": self.sources,
        }


def _key(text: str) -> str:
    """Lower case, single spaces, '40 GB' written '40gb', so names match however they are spaced."""
    lowered = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"(\d)\s*(gb|tb)\b", r"\1\2", lowered)


@dataclass(frozen=True)
class HardwareRegistry:
    """Every chip, with name lookup."""

    chips: tuple[Chip, ...]
    sources: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[Chip]:
        return iter(self.chips)

    def __len__(self) -> int:
        return len(self.chips)

    def matches(self, name: str) -> list[Chip]:
        """Chips whose name or an alias equals ``name``, else those containing it at word boundaries."""
        wanted = _key(name)
        if not wanted:
            return []
        exact = [c for c in self.chips if wanted in {_key(n) for n in (c.name, *c.aliases)}]
        if exact:
            return exact
        pattern = re.compile(r"(?<![a-z0-9])" + re.escape(wanted) + r"(?![a-z0-9])")
        return [c for c in self.chips if any(pattern.search(_key(n)) for n in (c.name, *c.aliases))]

    def find(self, name: str) -> Chip:
        """The one chip ``name`` means (case-insensitive, by substring); an unknown or ambiguous name is an error."""
        found = self.matches(name)
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFoundError(f"unknown chip {name!r}: `modelrace hardware` lists the {len(self)} known chips")
        listed = ", ".join(c.name for c in found[:12]) + (", ..." if len(found) > 12 else "")
        raise ConfigError(f"chip {name!r} is ambiguous: it matches {listed}")


def _number(row: dict[str, str], column: str) -> float | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value > 0 else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def read_epoch_hardware(path: Path) -> list[Chip]:
    """Chips from Epoch AI's ML Hardware CSV (one row per chip)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFormatError(f"cannot read {path}: {error}") from None
    if rows and "Hardware name" not in rows[0]:
        raise ImportFormatError(f"{path}: no 'Hardware name' column; is it Epoch AI's ML Hardware file?")
    domestic = set(hardware_file().domestic_china_manufacturers)
    chips = []
    for row in rows:
        name = (row.get("Hardware name") or "").strip()
        if not name:
            continue
        tpp = _number(row, "Total processing performance (bit-OP/s)")
        manufacturer = (row.get("Manufacturer") or "").strip() or "unknown"
        chips.append(
            Chip(
                name=name,
                manufacturer=manufacturer,
                kind="accelerator",
                release_date=_date(row.get("Release date")),
                memory_bytes=_number(row, "Memory (bytes)"),
                bandwidth_bytes_per_s=_number(row, "Memory bandwidth (byte/s)"),
                fp16_flops=_number(row, "Tensor-FP16/BF16 performance (FLOP/s)")
                or _number(row, "FP16 (half precision) performance (FLOP/s)"),
                fp8_flops=_number(row, "FP8 performance (FLOP/s)"),
                fp4_flops=_number(row, "FP4 performance (FLOP/s)"),
                int8_ops=_number(row, "INT8 performance (OP/s)"),
                tpp=tpp / 1e12 if tpp else None,
                die_size_mm2=_number(row, "Die Size (mm^2)"),
                # Epoch's intranode bandwidth is the aggregate chip-to-chip rate (NVLink 900 GB/s for H100 SXM):
                # the figure the 2022 rule reads; curated additions fill it where Epoch has none.
                interconnect_gbps=intranode / 1e9
                if (intranode := _number(row, "Intranode bandwidth (byte/s)"))
                else None,
                release_price_usd=_number(row, "Release price (USD)"),
                tdp_w=_number(row, "TDP (W)"),
                domestic_china=manufacturer in domestic,
                sources=(EPOCH_SOURCE,),
            )
        )
    return chips


def _apply_additions(chips: list[Chip]) -> list[Chip]:
    """Fill the figures Epoch lacks from the curated file; add the chips it does not list."""
    by_name = {c.name: i for i, c in enumerate(chips)}
    domestic = set(hardware_file().domestic_china_manufacturers)
    for addition in hardware_file().chips:
        figures = {
            key: getattr(addition, key)
            for key in ("fp16_flops", "fp8_flops", "memory_bytes", "die_size_mm2", "tpp", "interconnect_gbps")
            if getattr(addition, key) is not None
        }
        if addition.bandwidth_bytes_per_s is not None:
            figures["bandwidth_bytes_per_s"] = addition.bandwidth_bytes_per_s
        if addition.new:
            manufacturer = addition.manufacturer or "unknown"
            chips.append(
                Chip(
                    name=addition.name or "",
                    manufacturer=manufacturer,
                    kind="accelerator",
                    release_date=addition.release_date,
                    memory_bytes=addition.memory_bytes,
                    bandwidth_bytes_per_s=addition.bandwidth_bytes_per_s,
                    fp16_flops=addition.fp16_flops,
                    fp8_flops=addition.fp8_flops,
                    int8_ops=None,
                    tpp=addition.tpp,
                    die_size_mm2=addition.die_size_mm2,
                    interconnect_gbps=addition.interconnect_gbps,
                    release_price_usd=None,
                    tdp_w=None,
                    domestic_china=manufacturer in domestic,
                    aliases=tuple(addition.aliases),
                    sources=(f"modelrace curated: {addition.source}",),
                    price_labels=tuple(addition.price_labels),
                    market=addition.market or "data centre",
                )
            )
            continue
        index = by_name.get(addition.epoch_name or "")
        if index is None:
            continue  # a newer Epoch file renamed the chip: its curated figures stay unused, never misapplied
        chip = chips[index]
        missing = {key: value for key, value in figures.items() if getattr(chip, key) is None}
        sources = chip.sources + ((f"modelrace curated ({', '.join(missing)}): {addition.source}",) if missing else ())
        chips[index] = replace(
            chip,
            **missing,
            aliases=chip.aliases + tuple(addition.aliases),
            sources=sources,
            price_labels=chip.price_labels + tuple(addition.price_labels),
            market=addition.market or chip.market,
        )
    return chips


def _market(chip: Chip, patterns: list[re.Pattern[str]], curated: set[str]) -> str:
    if chip.name in curated:
        return chip.market
    return "consumer" if any(p.search(chip.name) for p in patterns) else chip.market


def chip_doubts(chip: Chip, confirmed: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Why the chip's figures are physically implausible, by the limits in ``data/hardware.yaml``; a figure a
    curated source confirms (``confirmed``) is not doubted."""
    limits = hardware_file().plausibility
    reasons: list[str] = []
    bandwidth, memory = chip.bandwidth_bytes_per_s, chip.memory_bytes
    if bandwidth is None or chip.kind != "accelerator" or "bandwidth" in confirmed:
        return ()
    if memory and bandwidth / memory > limits.max_bandwidth_per_memory_byte:
        reasons.append(
            f"memory bandwidth {bandwidth / 1e12:,.1f} TB/s over {memory / 1e9:,.2g} GB reads its memory "
            f"{bandwidth / memory:,.0f} times a second, beyond any shipping HBM or GDDR part "
            f"(at most {limits.max_bandwidth_per_memory_byte:,.0f}): on-chip SRAM or an error"
        )
    elif bandwidth > limits.max_bandwidth_bytes_per_s:
        reasons.append(
            f"memory bandwidth {bandwidth / 1e12:,.1f} TB/s is beyond any shipping part "
            f"({limits.max_bandwidth_bytes_per_s / 1e12:,.1f} TB/s: {limits.max_bandwidth_source})"
        )
    return tuple(reasons)


def _judge(chips: list[Chip]) -> list[Chip]:
    """Set each chip's market (consumer or data centre) and its doubts."""
    data = hardware_file()
    patterns = [re.compile(p, re.IGNORECASE) for p in data.consumer_name_patterns]
    curated_market = {a.epoch_name or a.name or "" for a in data.chips if a.market}
    confirmed = {a.epoch_name or a.name or "": frozenset(a.confirmed) for a in data.chips if a.confirmed}
    curated_doubts = {d.epoch_name: f"{d.reason} ({d.source})" for d in data.doubts}
    judged = []
    for chip in chips:
        doubts = chip_doubts(chip, confirmed.get(chip.name, frozenset()))
        if chip.name in curated_doubts:
            doubts += (curated_doubts[chip.name],)
        market = _market(chip, patterns, curated_market)
        if market == "consumer" and chip.interconnect_gbps is None:
            chip = replace(
                chip,
                interconnect_gbps=data.consumer_interconnect_gbps,
                sources=(*chip.sources, f"modelrace curated (interconnect_gbps): {data.consumer_interconnect_source}"),
            )
        judged.append(replace(chip, market=market, doubts=doubts))
    return judged


# --- this machine's CPU ---------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _cpu_mhz() -> float | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                return float(line.split(":", 1)[1])
    except (OSError, ValueError):
        pass
    return None


def measure_bandwidth(size_bytes: int = 256 << 20, repeats: int = 3) -> float:
    """Memory bandwidth (bytes/s) of a streaming copy: bytes read plus bytes written over the best time."""
    import numpy as np

    source = np.ones(size_bytes // 8, dtype=np.float64)
    target = np.empty_like(source)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - start)
    return 2 * source.nbytes / best


def _cache_path() -> Path:
    from modelrace.local import cache_dir

    return cache_dir() / "serving" / "cpu.json"


def local_cpu(measure: bool = True) -> Chip:
    """This machine's CPU: memory from the OS, bandwidth measured once and cached (``measure=False``: cache only)."""
    model, cores = _cpu_model(), os.cpu_count() or 1
    identity = f"{model}|{cores}"
    bandwidth: float | None = None
    path = _cache_path()
    try:
        cached = json.loads(path.read_text())
        if cached.get("identity") == identity:
            bandwidth = float(cached["bandwidth_bytes_per_s"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if bandwidth is None and measure:
        bandwidth = measure_bandwidth()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"identity": identity, "bandwidth_bytes_per_s": bandwidth}))
        except OSError:
            pass  # a read-only cache: measured again next time
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else None
    mhz = _cpu_mhz()
    # Peak: cores x clock x 32 FP32 FLOP per cycle (two 8-wide FMA units); llama.cpp's quantized dot products run
    # near that rate, and the calibration absorbs the difference.
    flops = cores * mhz * 1e6 * 32 if mhz else None
    return Chip(
        name=f"This machine: {model} ({cores} cores)",
        manufacturer="local",
        kind="cpu",
        release_date=None,
        memory_bytes=float(memory) if memory else None,
        bandwidth_bytes_per_s=bandwidth,
        fp16_flops=flops,
        fp8_flops=None,
        int8_ops=None,
        tpp=None,
        die_size_mm2=None,
        interconnect_gbps=None,
        release_price_usd=None,
        tdp_w=None,
        domestic_china=False,
        aliases=CPU_ALIASES,
        sources=("detected on this machine; memory bandwidth measured by a streaming copy (cached)",),
    )


_LOADED: dict[tuple[str, bool], HardwareRegistry] = {}


def load_hardware(path: Path | None = None, include_cpu: bool = True) -> HardwareRegistry:
    """The registry: Epoch's file (``path`` or the reference data folder), the curated additions and the CPU."""
    if path is None:
        folder = reference_data_dir()
        if folder is None or not (folder / EPOCH_FILE).exists():
            raise ConfigError(
                f"the hardware registry reads Epoch AI's ML Hardware file ({EPOCH_FILE}): set "
                "MODELRACE_REFERENCE_DATA to the folder that holds it"
            )
        path = folder / EPOCH_FILE
    cache_key = (str(path), include_cpu)
    if cache_key not in _LOADED:
        chips = _judge(_apply_additions(read_epoch_hardware(path)))
        if include_cpu:
            chips.append(local_cpu())
        _LOADED[cache_key] = HardwareRegistry(tuple(chips), (EPOCH_SOURCE, "modelrace curated (serving/data)"))
    return _LOADED[cache_key]
