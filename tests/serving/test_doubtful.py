"""Physically implausible chip figures are flagged with the reason; a curated confirmation lifts the doubt."""

from __future__ import annotations

import pytest

from modelrace.serving import HardwareRegistry
from modelrace.serving._hardware import chip_doubts

from ._chips import make_chip

GB, TB = 1e9, 1e12


@pytest.mark.parametrize(
    ("bandwidth", "memory", "doubted", "why"),
    [
        (18 * TB, 64 * GB, True, "281 times a second"),  # MetaX MXC500 in Epoch's file
        (80 * TB, 0.23 * GB, True, "on-chip SRAM"),  # GroqChip
        (10.3 * TB, 192 * GB, True, "beyond any shipping part"),  # MI308X
        (8.0 * TB, 288 * GB, False, ""),  # MI355X: the most of any shipping part
        (7.7 * TB, 180 * GB, False, ""),  # B200
        (1.0 * TB, 24 * GB, False, ""),  # RTX 4090: 42 reads a second
        (8.1 * TB, None, True, "beyond any shipping part"),
    ],
)
def test_plausibility_rules(bandwidth: float, memory: float | None, doubted: bool, why: str) -> None:
    doubts = chip_doubts(make_chip(bandwidth_bytes_per_s=bandwidth, memory_bytes=memory))
    assert bool(doubts) is doubted
    if doubted:
        assert why in doubts[0]


def test_a_curated_confirmation_lifts_the_doubt() -> None:
    chip = make_chip(bandwidth_bytes_per_s=18 * TB, memory_bytes=64 * GB)
    assert chip_doubts(chip, frozenset({"bandwidth"})) == ()


@pytest.mark.reference
def test_the_issue_examples_are_doubtful_on_the_real_registry(registry: HardwareRegistry) -> None:
    for name in ("MetaX MXC500 (PCIe)", "MetaX MXC500 (OAM)", "AMD Radeon Instinct MI308X", "GroqChip LPU v1"):
        chip = registry.find(name)
        assert chip.doubtful, name
        assert chip.to_json()["doubts"]
    for name in ("H100 SXM5", "H200", "B200", "MI300X", "RTX 4090", "Ascend 910B"):
        assert not registry.find(name).doubtful, name
