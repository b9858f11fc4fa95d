"""The export rules as a dated timeline: every version at its boundaries and dates, consumer against data-centre
chips, the 2026 review policy, and what a lab in China could buy without a licence on a date."""

from __future__ import annotations

from datetime import date

import pytest

from modelrace.errors import ConfigError
from modelrace.serving import (
    RULE_VERSIONS,
    HardwareRegistry,
    export_class,
    hardware_table,
    resolve_rule,
    rule_in_force,
    rule_sources,
    rule_state,
)

from ._chips import make_chip


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2022-08-25", "before 2022-08"),
        ("2022-08-26", "2022-08"),
        ("2022-10-20", "2022-08"),
        ("2022-10-21", "2022-10"),  # effective, not published (2022-10-07)
        ("2023-11-16", "2022-10"),
        ("2023-11-17", "2023-10"),
        ("2025-01-14", "2023-10"),
        ("2025-01-15", "2025-01"),
        ("2025-04-08", "2025-01"),
        ("2025-04-09", "2025-04"),
        ("2026-01-14", "2025-04"),
        ("2026-01-15", "2026-01"),
        ("2026-05-30", "2026-01"),
        ("2026-05-31", "2026-06"),
        ("2030-01-01", "2026-06"),
    ],
)
def test_rule_in_force_at_each_boundary(on: str, expected: str) -> None:
    assert rule_in_force(date.fromisoformat(on)) == expected


def test_a_rescinded_version_stops_on_its_rescission_date() -> None:
    state = rule_state("2025-01")
    assert state.rescinded == date(2025, 5, 13)
    assert [t.tier for t in state.tiers] == [1, 2, 3]
    # on a day the diffusion rule alone was the newest, and after it was rescinded
    assert rule_in_force(date(2025, 3, 1)) == "2025-01"
    assert rule_state("2025-04").tiers == ()  # the tiers never carry into a later version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("current", "current"),
        ("2023-10", "2023-10"),
        ("diffusion", "2025-01"),
        ("h20", "2025-04"),
        ("case-by-case", "2026-01"),
        ("2024-06-30", "2023-10"),
        ("2024-06", "2023-10"),  # a month that is no version: the rule in force at its end
        ("2026-06", "2026-06"),
    ],
)
def test_rule_by_id_name_date_or_month(text: str, expected: str) -> None:
    assert resolve_rule(text) == expected


def test_current_is_the_newest_version() -> None:
    assert RULE_VERSIONS[-1] == "current"
    assert rule_state("current").id == RULE_VERSIONS[-2] == "2026-06"


def test_an_unknown_rule_names_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"2025-04.*diffusion"):
        resolve_rule("2019-bogus")


# --- consumer against data-centre chips (the 2023 rule's density branches) -----------------------------------


@pytest.mark.parametrize(
    ("market", "tpp", "die", "expected"),
    [
        ("data centre", 4707, 608.5, "3A090.a"),  # density 7.74 >= 5.92
        ("consumer", 4707, 608.5, "not controlled"),  # the RTX 4090 D: the density branch does not apply
        ("consumer", 3120, 379, "not controlled"),  # RTX 4080
        ("consumer", 4800, 608.5, "3A090.a"),  # TPP alone still controls a consumer chip
        ("consumer", 4799.9, 608.5, "not controlled"),
        ("data centre", 3000, 3000 / 2.0, "3A090.b"),
        ("consumer", 3000, 3000 / 2.0, "not controlled"),
    ],
)
def test_density_branches_apply_to_data_centre_chips_only(market: str, tpp: float, die: float, expected: str) -> None:
    chip = make_chip(tpp=tpp, die_size_mm2=die, market=market)
    result = export_class(chip, "2023-10")
    assert result.export_class == expected, result.reason
    if market == "consumer" and expected == "not controlled":
        assert "performance-density branches do not apply" in result.reason


@pytest.mark.reference
@pytest.mark.parametrize(
    ("name", "expected", "licence"),
    [
        ("RTX 4090 D", "not controlled", "not required"),
        ("NVIDIA GeForce RTX 4080", "not controlled", "not required"),
        ("NVIDIA GeForce RTX 4070", "not controlled", "not required"),
        ("NVIDIA GeForce RTX 3090", "not controlled", "not required"),
        ("AMD Radeon RX 7900 XTX", "not controlled", "not required"),
        ("RTX 4090", "3A090.a", "required"),
        ("L40S", "3A090.a", "required"),  # a data-centre AD102: the density branch applies
    ],
)
def test_consumer_cards_on_the_real_registry(
    registry: HardwareRegistry, name: str, expected: str, licence: str
) -> None:
    chip = registry.find(name)
    for rule in ("2023-10", "current"):
        result = export_class(chip, rule)
        assert result.export_class == expected, (rule, result.reason)
        assert result.licence_china == licence


@pytest.mark.reference
def test_the_4090_d_is_consumer_and_under_4800(registry: HardwareRegistry) -> None:
    chip = registry.find("RTX 4090 D")
    assert chip.market == "consumer"
    assert chip.tpp is not None and chip.tpp < 4800
    assert registry.find("RTX 4090").market == "consumer"
    assert registry.find("H100 SXM5").market == "data centre"


# --- the 2025-04 and 2026 measures -------------------------------------------------------------------------


def test_h20_class_measure_starts_in_2025_04_and_names_the_july_licences() -> None:
    h20 = make_chip(tpp=2368, die_size_mm2=814, bandwidth_bytes_per_s=4.0e12, interconnect_gbps=900)
    assert export_class(h20, "2025-01").licence_china == "not required"
    after = export_class(h20, "2025-04", on=date(2025, 8, 1))
    assert after.licence_china == "required"
    assert "2025-07-14" in (after.licence_terms or "")
    before_grants = export_class(h20, "2025-04", on=date(2025, 5, 1))
    assert "2025-07-14" not in (before_grants.licence_terms or "")


@pytest.mark.parametrize(
    ("tpp", "bandwidth", "review"),
    [
        (15832, 4.8e12, "case by case"),  # H200
        (20800, 6.0e12, "case by case"),  # MI325X
        (20999, 6.49e12, "case by case"),
        (21000, 6.0e12, "presumption of denial"),  # TPP at the threshold
        (20800, 6.5e12, "presumption of denial"),  # bandwidth at the threshold
        (36000, 7.7e12, "presumption of denial"),  # B200 (Blackwell)
    ],
)
def test_2026_01_case_by_case_review_boundaries(tpp: float, bandwidth: float, review: str) -> None:
    chip = make_chip(tpp=tpp, die_size_mm2=800, bandwidth_bytes_per_s=bandwidth, interconnect_gbps=900)
    assert export_class(chip, "2025-04").review == "presumption of denial"
    result = export_class(chip, "2026-01")
    assert result.licence_china == "required"
    assert (result.review or "").startswith(review)
    if review == "case by case":
        assert "third-party testing" in (result.review or "")


def test_2026_06_guidance_follows_china_headquartered_companies() -> None:
    chip = make_chip(tpp=15832, die_size_mm2=814, bandwidth_bytes_per_s=4.8e12)
    assert "headquartered" in (export_class(chip, "2026-06").licence_terms or "")
    assert "ultimate parent" not in (export_class(chip, "2026-01").licence_terms or "")


def test_before_any_rule_nothing_is_controlled() -> None:
    chip = make_chip(tpp=15832, die_size_mm2=814, interconnect_gbps=900)
    assert export_class(chip, "before 2022-08").licence_china == "not required"
    assert export_class(chip, "2022-08").licence_china == "required"


# --- what a lab in China could buy without a licence on a date -----------------------------------------------


@pytest.mark.reference
@pytest.mark.parametrize(
    ("on", "free", "not_free"),
    [
        ("2022-06-30", {"NVIDIA A100 SXM4 80 GB"}, {"NVIDIA H100 SXM5 80GB"}),  # H100 not released yet
        ("2023-06-30", {"NVIDIA H800 SXM5", "NVIDIA A800 SXM"}, {"NVIDIA A100 SXM4 80 GB"}),
        ("2024-06-30", {"NVIDIA HGX H20", "NVIDIA GeForce RTX 4090 D"}, {"NVIDIA H800 SXM5", "NVIDIA A800 SXM"}),
        ("2025-06-30", {"Huawei Ascend 910C"}, {"NVIDIA HGX H20", "NVIDIA H200 SXM"}),
        ("2026-03-31", {"Huawei Ascend 910C"}, {"NVIDIA H200 SXM", "NVIDIA B200"}),
    ],
)
def test_china_without_licence_on_a_date(
    registry: HardwareRegistry, on: str, free: set[str], not_free: set[str]
) -> None:
    table = hardware_table(registry, licence_for_china=True, on=date.fromisoformat(on))
    names = {row.chip.name for row in table.without_licence}
    assert free <= names
    assert not names & not_free
    assert all(r.export.licence_china == "required" for r in table.rows)
    body = table.to_json()
    assert body["date"] == on  # JSON-ready: the date as ISO text
    assert {r["name"] for r in body["without_licence"]} == names


def test_rule_sources_cite_the_versions_a_state_rests_on_from_the_rules_file() -> None:
    cited = rule_sources("2025-04")
    assert cited.startswith("US export rules: ")
    assert "2022-10: BIS interim final rule, 87 FR 62186" in cited
    assert "2025-01: BIS interim final rule, 90 FR 4544" in cited  # still in force when 2025-04 took effect
    assert "2026-01:" not in cited
    # the diffusion rule was rescinded (2025-05-13) before 2026-01 took effect: today's rules no longer rest on it
    current = rule_sources("current")
    assert "2026-06:" in current
    assert "2025-01:" not in current
