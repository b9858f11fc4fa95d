"""The hardware gap per quarter on a small curated set with known answers, the headline tile, and the real data."""

from __future__ import annotations

from datetime import date

import pytest

from modelrace.errors import NotFoundError
from modelrace.serving import HardwareRegistry, chips_headline, gap_on, hardware_gap

from ._chips import make_chip

GB, TB = 1e9, 1e12


def _set() -> HardwareRegistry:
    """Four US chips, one China-compliant part, one Chinese chip, one doubtful and one consumer card."""
    chips = (
        make_chip(name="A100", release_date=date(2020, 5, 14), tpp=4992, die_size_mm2=826, interconnect_gbps=600,
                  bandwidth_bytes_per_s=2.0 * TB, memory_bytes=80 * GB),
        make_chip(name="A800", release_date=date(2022, 8, 11), tpp=4989, die_size_mm2=826, interconnect_gbps=400,
                  bandwidth_bytes_per_s=2.0 * TB, memory_bytes=80 * GB),
        make_chip(name="H100", release_date=date(2022, 9, 20), tpp=15832, die_size_mm2=814, interconnect_gbps=900,
                  bandwidth_bytes_per_s=3.35 * TB, memory_bytes=80 * GB),
        make_chip(name="H20", release_date=date(2023, 11, 9), tpp=2368, die_size_mm2=814, interconnect_gbps=900,
                  bandwidth_bytes_per_s=4.0 * TB, memory_bytes=96 * GB),
        make_chip(name="B200", release_date=date(2024, 11, 15), tpp=36000, interconnect_gbps=1800,
                  bandwidth_bytes_per_s=7.7 * TB, memory_bytes=180 * GB),
        make_chip(name="Ascend", manufacturer="Huawei", domestic_china=True, release_date=date(2024, 10, 15),
                  tpp=12800, bandwidth_bytes_per_s=3.2 * TB, memory_bytes=128 * GB),
        make_chip(name="SRAM part", manufacturer="Huawei", domestic_china=True, release_date=date(2022, 1, 1),
                  tpp=90000, bandwidth_bytes_per_s=80 * TB, memory_bytes=0.23 * GB, doubts=("on-chip SRAM",)),
        make_chip(name="Gamer card", market="consumer", release_date=date(2023, 12, 28), tpp=4707,
                  die_size_mm2=608.5, bandwidth_bytes_per_s=1.0 * TB, memory_bytes=24 * GB),
    )  # fmt: skip
    return HardwareRegistry(chips)


@pytest.mark.parametrize(
    ("on", "rule", "us", "china", "tpp_ratio"),
    [
        ("2022-06-30", "before 2022-08", "A100", "A100", 1.0),  # no rule: the same best chip
        ("2022-09-30", "2022-08", "H100", "A800", 15832 / 4989),  # A100 needs a licence; A800's 400 GB/s does not
        ("2023-06-30", "2022-10", "H100", "A800", 15832 / 4989),
        ("2023-12-31", "2023-10", "H100", "H20", 15832 / 2368),  # A800 caught by density; the card left out
        ("2024-12-31", "2023-10", "B200", "Ascend", 36000 / 12800),
        ("2025-06-30", "2025-04", "B200", "Ascend", 36000 / 12800),  # H20 now needs a licence
    ],
)
def test_gap_on_known_dates(on: str, rule: str, us: str, china: str, tpp_ratio: float) -> None:
    row = gap_on(_set(), date.fromisoformat(on))
    assert row.rule == rule
    assert row.us is not None and row.china is not None
    assert (row.us.chip, row.china.chip) == (us, china)
    assert row.tpp_ratio == pytest.approx(tpp_ratio)


def test_bandwidth_and_memory_ratios_take_each_sides_maximum() -> None:
    row = gap_on(_set(), date(2023, 12, 31))
    assert row.china is not None and row.us is not None
    # China's fastest and largest is the H20 (4.0 TB/s, 96 GB); the US side's the H20 too (it is for sale in the US)
    assert row.china.best_bandwidth_chip == "H20" and row.us.best_bandwidth_chip == "H20"
    assert row.bandwidth_ratio == pytest.approx(1.0)
    later = gap_on(_set(), date(2025, 6, 30))
    assert later.bandwidth_ratio == pytest.approx(7.7 / 3.2)
    assert later.memory_ratio == pytest.approx(180 / 128)


def test_doubtful_and_consumer_chips_are_left_out() -> None:
    series = hardware_gap(_set(), (2022, 1), (2025, 4))
    chosen = {q.china.chip for q in series.quarters if q.china} | {q.us.chip for q in series.quarters if q.us}
    assert "SRAM part" not in chosen and "Gamer card" not in chosen
    assert any(name.startswith("SRAM part") for name in series.excluded_doubtful)


def test_series_runs_quarter_by_quarter_and_widens() -> None:
    series = hardware_gap(_set(), (2022, 1), (2025, 2))
    labels = [q.quarter for q in series.quarters]
    assert labels[0] == "2022Q1" and labels[-1] == "2025Q2" and len(labels) == 14
    assert series.quarters[4].end == date(2023, 3, 31)
    body = series.to_json()
    assert body["quarters"][0]["us"]["chip"] == "A100"
    assert body["quarters"][-1]["tpp_ratio"] == pytest.approx(36000 / 12800)


def test_headline_tile() -> None:
    tile = chips_headline(_set(), date(2025, 6, 30))
    assert (tile.us_chip, tile.china_chip) == ("B200", "Ascend")
    assert tile.tpp_ratio == pytest.approx(2.8125)
    assert "2025-06-30" in tile.text and "x2.8" in tile.text


def test_headline_without_chips_is_a_clear_error() -> None:
    with pytest.raises(NotFoundError, match="no counted chip"):
        chips_headline(HardwareRegistry(()), date(2025, 1, 1))


@pytest.mark.reference
def test_real_gap_widens_after_blackwell(registry: HardwareRegistry) -> None:
    series = {q.quarter: q for q in hardware_gap(registry).quarters}
    assert series["2023Q2"].china is not None and series["2023Q2"].china.chip == "NVIDIA H800 SXM5"
    assert series["2025Q3"].us is not None and "GB300" in series["2025Q3"].us.chip
    assert series["2025Q2"].china is not None and series["2025Q2"].china.manufacturer == "Huawei"
    tpp_2024 = series["2024Q2"].tpp_ratio or 0
    assert (series["2025Q4"].tpp_ratio or 0) > tpp_2024 > 1
