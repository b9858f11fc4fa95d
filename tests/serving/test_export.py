"""Export classification: the issue's examples on the real registry, and every threshold of every rule."""

from __future__ import annotations

import pytest

from modelrace.errors import ConfigError
from modelrace.serving import HardwareRegistry, export_class

from ._chips import make_chip


@pytest.mark.reference
@pytest.mark.parametrize(
    ("name", "rule", "expected", "licence"),
    [
        ("H100 SXM5", "2022-10", "3A090", "required"),
        ("H100 SXM5", "2023-10", "3A090.a", "required"),
        ("RTX 4090", "2022-10", "not controlled", "not required"),
        ("RTX 4090", "2023-10", "3A090.a", "required"),
        ("A800", "2022-10", "not controlled", "not required"),
        ("A800", "2023-10", "3A090.a", "required"),
        ("H800", "2022-10", "not controlled", "not required"),
        ("H800", "2023-10", "3A090.a", "required"),
        ("A100 SXM4 40 GB", "2022-10", "3A090", "required"),
        ("H20", "2022-10", "not controlled", "not required"),
        ("H20", "2023-10", "not controlled", "not required"),
        ("L20", "current", "not controlled", "not required"),
    ],
)
def test_issue_examples(registry: HardwareRegistry, name: str, rule: str, expected: str, licence: str) -> None:
    result = export_class(registry.find(name), rule)
    assert result.export_class == expected, result.reason
    assert result.licence_china == licence


@pytest.mark.reference
def test_h20_is_outside_3a090_but_needs_a_licence_since_2025_04(registry: HardwareRegistry) -> None:
    h20 = registry.find("H20")
    assert h20.tpp == pytest.approx(2368)
    assert h20.density == pytest.approx(2.91, abs=0.01)
    current = export_class(h20, "current")
    assert current.licence_china == "required"
    assert "2025-04-09" in current.export_class
    assert "below every 2023-10 threshold" in current.reason


@pytest.mark.reference
def test_h100_tpp_and_a800_interconnect_come_from_the_data(registry: HardwareRegistry) -> None:
    assert registry.find("H100 SXM5").tpp == pytest.approx(15832)
    assert registry.find("RTX 4090").tpp == pytest.approx(5284.8)
    assert registry.find("A800").interconnect_gbps == 400


@pytest.mark.reference
def test_domestic_chinese_chips_are_listed_as_such(registry: HardwareRegistry) -> None:
    for name in ("Ascend 910B", "Kunlun RG800", "Cambricon MLU370-X8"):
        result = export_class(registry.find(name), "current")
        assert result.export_class == "domestic (China)"
        assert result.licence_china == "not a US export"
    assert "would be 3A090.a" in export_class(registry.find("Ascend 910B"), "2023-10").reason


@pytest.mark.reference
def test_missing_tpp_is_undetermined_not_guessed(registry: HardwareRegistry) -> None:
    mi308 = registry.find("MI308X")
    assert mi308.tpp is None
    result = export_class(mi308, "2023-10")
    assert result.export_class == "undetermined"
    assert "TPP" in result.reason


# --- every boundary, on synthetic chips ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tpp", "interconnect", "expected"),
    [
        (4800, 600, "3A090"),
        (4799.9, 600, "not controlled"),
        (4800, 599.9, "not controlled"),
        (20000, 900, "3A090"),
        (1000, None, "not controlled"),  # below TPP: the interconnect does not matter
        (5000, None, "undetermined"),
        (None, 900, "undetermined"),
    ],
)
def test_2022_rule_boundaries(tpp: float | None, interconnect: float | None, expected: str) -> None:
    chip = make_chip(tpp=tpp, interconnect_gbps=interconnect, die_size_mm2=800)
    assert export_class(chip, "2022-10").export_class == expected


@pytest.mark.parametrize(
    ("tpp", "die", "expected"),
    [
        (4800, None, "3A090.a"),  # TPP alone decides: no density needed
        (4799, 10000, "not controlled"),  # density 0.48
        (1600, 1600 / 5.92, "3A090.a"),  # density exactly 5.92
        (1600, 1600 / 5.91, "3A090.b"),  # density 5.91: .b by the second clause (>= 3.2)
        (1599, 1599 / 6.0, "not controlled"),  # below 1600 nothing applies
        (2400, 2400 / 1.6, "3A090.b"),  # first .b clause, lower corner
        (2399, 2399 / 1.6, "not controlled"),  # TPP under 2400 and density under 3.2
        (2400, 2400 / 1.59, "not controlled"),  # density just under 1.6
        (4799, 4799 / 1.6, "3A090.b"),
        (1600, 1600 / 3.2, "3A090.b"),  # second .b clause, lower corner
        (1600, 1600 / 3.19, "not controlled"),
        (2368, 814, "not controlled"),  # the H20: density 2.91
        (3000, None, "undetermined"),  # density needed, die size missing
        (None, 800, "undetermined"),
    ],
)
def test_2023_rule_boundaries(tpp: float | None, die: float | None, expected: str) -> None:
    chip = make_chip(tpp=tpp, die_size_mm2=die)
    result = export_class(chip, "2023-10")
    assert result.export_class == expected, result.reason


@pytest.mark.parametrize(
    ("bandwidth", "interconnect", "expected"),
    [
        (4.0e12, 64, "required"),  # the H20's memory bandwidth
        (3.99e12, 899, "not required"),
        (1.0e12, 900, "required"),  # the H20's interconnect
        (1.0e12, None, "undetermined"),
    ],
)
def test_2025_h20_measure_boundaries(bandwidth: float, interconnect: float | None, expected: str) -> None:
    chip = make_chip(tpp=1000, die_size_mm2=800, bandwidth_bytes_per_s=bandwidth, interconnect_gbps=interconnect)
    assert export_class(chip, "current").licence_china == expected
    assert export_class(chip, "2023-10").licence_china == "not required"


def test_current_keeps_3a090_classes() -> None:
    chip = make_chip(tpp=15832, die_size_mm2=814, bandwidth_bytes_per_s=3.35e12, interconnect_gbps=900)
    assert export_class(chip, "current").export_class == "3A090.a"


def test_unknown_rule_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"2022-10, 2023-10, .*current"):
        export_class(make_chip(tpp=1), "2021-13")
