from __future__ import annotations

import json
import operator
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from typer.testing import CliRunner

from modelrace.answers import (
    ClaimCheck,
    ClaimsChecked,
    Figure,
    Measured,
    builtin_claims,
    check_claims,
    decide,
    parse_claims,
)
from modelrace.answers._figures import FIGURES, Evidence
from modelrace.cli.main import app
from modelrace.errors import RegistryError
from modelrace.hub import import_hub_json
from modelrace.ranking import Score
from modelrace.ranking._catalogue import Benchmark
from modelrace.ranking._entities import Resolver
from modelrace.report._claims_section import claims_section
from modelrace.store import Warehouse

runner = CliRunner()
BUILT_IN = {
    "cn-most-downloaded",
    "qwen-top-family",
    "qwen-derivatives-dominate",
    "qwen-best-every-size",
    "qwen-licence-no-review",
    "deepseek-r1-rivals-o1",
    "open-cheaper-to-serve",
    "downloads-concentrated",
    "open-closed-gap-closing",
    "hardware-gap-widening",
    "cn-most-used",
    "open-share-of-usage",
    "qwen-overtook-llama",
    "cn-closing-gap-us",
    "cn-months-behind",
}
VERDICTS = {"supported", "not supported", "mixed", "insufficient data"}


def _claim(**override: Any) -> str:
    claim = {
        "id": "mine",
        "statement": "DeepSeek-R1 rivals o1 on fifty benchmarks.",
        "figure": "versus.not_behind_share",
        "params": {"a": "deepseek-r1", "b": "o1", "min_benchmarks": 50},
        "test": {"op": ">=", "threshold": 0.67, "means": "tied or ahead on two thirds"},
        "scope": "every benchmark",
    } | override
    return json.dumps({"version": 1, "claims": [claim]})


def test_the_built_in_claims_are_data() -> None:
    assert {claim.id for claim in builtin_claims().claims} == BUILT_IN


def test_a_claims_file_is_validated_with_file_and_field() -> None:
    with pytest.raises(RegistryError, match=r"mine\.yaml: claims\.0\.figure: .*unknown figure 'adoption\.nope'"):
        parse_claims(_claim(figure="adoption.nope"), "mine.yaml")
    with pytest.raises(RegistryError, match=r"mine\.yaml: claims\.0: .*params\.breakdown"):
        parse_claims(_claim(figure="adoption.lead", params={"breakdown": "galaxy", "key": "CN"}), "mine.yaml")
    with pytest.raises(RegistryError, match=r"claims\.0\.test\.op"):
        parse_claims(_claim(test={"op": "~", "threshold": 1, "means": "x"}), "mine.yaml")


def _figure(low: float | None, high: float | None, value: float = 0.5, **extra: Measured) -> Figure:
    values = {"value": Measured(value, low, high), **extra}
    return Figure("test.figure", values, "the figure", None, "src", "2025-01-01", "adoption")


def test_verdict_rules() -> None:
    claim = parse_claims(_claim(weaker={"op": ">=", "threshold": 0.3, "means": "a third"}), "x").claims[0]
    assert decide(claim, _figure(0.7, 0.9, 0.8))[0] == "supported"
    assert decide(claim, _figure(0.6, 0.7, 0.65))[0] == "insufficient data"  # straddles 0.67: cannot tell
    assert decide(claim, _figure(0.4, 0.5, 0.45))[0] == "mixed"
    assert decide(claim, _figure(0.1, 0.2, 0.15))[0] == "not supported"
    assert decide(claim, _figure(0.2, 0.4, 0.3))[0] == "not supported"  # the weaker test is not sure either
    assert decide(claim, _figure(None, None, 0.9))[0] == "supported"  # no interval: the value decides
    blocked = Figure("test.figure", {}, "no figure", None, "", None, "adoption", insufficient="no snapshot")
    assert decide(claim, blocked) == ("insufficient data", "no snapshot")


def test_the_tested_value_is_named_with_its_interval() -> None:
    lead = Measured(0.065, 0.058, 0.072, "pp", "China's lead over the United States")
    assert lead.described("attribution bounds") == (
        "China's lead over the United States: +6.5 pp (+5.8 pp to +7.2 pp, attribution bounds)"
    )
    assert Measured(0.915, 0.915, 0.9151, "pct", "share").described("bounds") == "share: 91.5 %"  # rounds away
    assert Measured(1814, format="int", label="HHI by developer").described() == "HHI by developer: 1,814"


def _gap_change(ratings: list[tuple[str, float, date | None]]) -> Figure:
    resolver = Resolver()
    scores = [Score(resolver.resolve(name), value, None, name, released) for name, value, released in ratings]
    board = Benchmark("arena", "lmarena", "full", "rating", "arena", date(2025, 12, 1), "elo", "none", scores)
    evidence = cast(Evidence, SimpleNamespace(catalogue=SimpleNamespace(benchmarks={"arena": board})))
    return FIGURES["ranking.gap_change"].compute(evidence, FIGURES["ranking.gap_change"].params(benchmark="arena"))


def test_a_gap_change_counts_undated_models_either_way() -> None:
    dated = [
        ("gpt-4o-2024-05-13", 1300.0, date(2024, 5, 13)),
        ("Qwen/Qwen2.5-7B-Instruct", 1200.0, date(2024, 9, 19)),
        ("gpt-5", 1400.0, date(2025, 8, 7)),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", 1350.0, date(2025, 7, 21)),
    ]
    figure = _gap_change(dated)
    assert figure.values["value"].value == pytest.approx(-50) and figure.values["value"].low is None
    # A closed model with no release date rates above every other: it was out on the board's date (the gap now is
    # its own), and may have been out a year before: the change lies between -150 and 0, and cannot tell.
    figure = _gap_change([*dated, ("gemini-3-pro", 1450.0, None)])
    measured = figure.values["value"]
    assert (measured.value, measured.low, measured.high) == (pytest.approx(0), pytest.approx(-150), pytest.approx(0))
    assert "gemini-3-pro" in figure.text and any("no release date" in caveat for caveat in figure.caveats)
    claim = next(c for c in builtin_claims().claims if c.id == "open-closed-gap-closing")
    assert decide(claim, figure)[0] == "insufficient data"


@pytest.fixture(scope="module")
def checked(reference_warehouse: Path) -> ClaimsChecked:
    with Warehouse.open(reference_warehouse, read_only=True) as warehouse:
        return check_claims(warehouse)


def _consistent(check: ClaimCheck) -> None:
    claim = next(c for c in builtin_claims().claims if c.id == check.id)
    if check.verdict == "insufficient data" or check.value is None or claim.test.value != "value":
        return
    low, high = check.interval or [check.value, check.value]
    compare = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq}
    passes = [compare[claim.test.op](x, claim.test.threshold) for x in (low, high)]
    assert (check.verdict == "supported") == all(passes), check


@pytest.mark.reference
def test_every_built_in_claim_on_the_reference_data(checked: ClaimsChecked) -> None:
    by_id = {check.id: check for check in checked.claims}
    assert set(by_id) == BUILT_IN
    for check in checked.claims:
        assert check.verdict in VERDICTS and check.why and check.statement
        _consistent(check)
        if check.verdict != "insufficient data":
            assert check.source and check.date, check
    # 2024-09-20 text-generation downloads: the US (Meta) leads; China has 12.4 %, under the US even if every
    # unattributed download were Chinese
    cn = by_id["cn-most-downloaded"]
    assert cn.verdict == "not supported" and cn.interval is not None and cn.interval[1] < 0
    assert "the United States" in cn.figure and cn.source.startswith("snapshot 1") and cn.date == "2024-09-20"
    # the tested value is named beside the figure (which opens with China's share, not its lead)
    assert cn.tested is not None and cn.tested.startswith("China's lead over the United States: -")
    assert cn.tested.endswith(" pp, attribution bounds)") and "China's lead over the United States between" in cn.why
    assert any("most downloaded" in caveat for caveat in cn.caveats)  # the snapshot's selection is said
    assert by_id["qwen-derivatives-dominate"].verdict == "not supported"
    assert by_id["downloads-concentrated"].verdict == "mixed"  # HHI 1,452: moderately, not highly
    assert by_id["qwen-best-every-size"].verdict == "mixed" and by_id["qwen-best-every-size"].parts
    # boards without standard errors where a Qwen model trails the leader: tied or not, undetermined (an interval)
    every_size = by_id["qwen-best-every-size"]
    undetermined = [p for p in every_size.parts if "undetermined" in p.detail]
    assert undetermined and not any(p.passes for p in undetermined)
    assert every_size.interval is not None and every_size.interval[1] > every_size.interval[0]
    assert by_id["deepseek-r1-rivals-o1"].verdict == "supported"
    # half of Qwen's downloads state 'other' without a name: the share could be 50 % or 100 %, so it cannot tell
    licence = by_id["qwen-licence-no-review"]
    assert licence.verdict == "insufficient data" and "conditional" in licence.figure
    assert by_id["open-cheaper-to-serve"].evidence == "cost" and by_id["open-cheaper-to-serve"].parts
    gap = by_id["hardware-gap-widening"]
    assert gap.verdict == "supported" and gap.parts and "Ascend 910C" in gap.figure


@pytest.mark.reference
def test_too_little_data_is_insufficient_not_guessed(reference_warehouse: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "version: 1\nclaims:\n"
        + "\n".join(
            "  - " + json.dumps(c)
            for c in [
                json.loads(_claim())["claims"][0],
                json.loads(
                    _claim(
                        id="unimported",
                        figure="ranking.gap_change",
                        params={"benchmark": "lmarena:klingon"},
                        test={"op": "<", "threshold": 0, "means": "closing"},
                    )
                )["claims"][0],
                json.loads(_claim(id="unknown-model", params={"a": "no-such-model-xyz", "b": "o1"}))["claims"][0],
            ]
        )
    )
    with Warehouse.open(reference_warehouse, read_only=True) as warehouse:
        checks = {c.id: c for c in check_claims(warehouse, mine).claims}
    assert checks["mine"].verdict == "insufficient data" and "need 50" in checks["mine"].why
    assert checks["unimported"].verdict == "insufficient data" and "not imported" in checks["unimported"].why
    assert checks["unknown-model"].verdict == "insufficient data" and "no-such-model-xyz" in checks["unknown-model"].why
    result = runner.invoke(app, ["--db", str(reference_warehouse), "claims", str(mine), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert isinstance(listed, list) and len(listed) == 3
    assert {"id", "statement", "verdict", "figure", "interval", "source", "date", "why"} <= set(listed[0])


def test_an_empty_warehouse_gives_insufficient_data_for_every_claim(warehouse: Warehouse) -> None:
    checks = check_claims(warehouse).claims
    assert len(checks) == len(BUILT_IN)
    # the chips claim reads the hardware reference data, not the warehouse
    assert {c.verdict for c in checks if c.id != "hardware-gap-widening"} == {"insufficient data"}


def test_a_download_claim_on_a_subset_says_so(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, list[Any]]
) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    import_hub_json(warehouse, path, taken_at=datetime(2025, 10, 1))  # a file: a subset of unknown selection
    checks = {c.id: c for c in check_claims(warehouse).claims}
    for claim_id in ("cn-most-downloaded", "qwen-top-family", "downloads-concentrated"):
        assert checks[claim_id].verdict == "insufficient data"
        assert "subset of unknown selection" in checks[claim_id].why


def test_the_report_section_points_to_the_evidence(warehouse: Warehouse) -> None:
    checked = check_claims(warehouse)
    section = claims_section(checked, {"adoption", "licensing"})
    assert section.id == "claims" and len(section.headlines) == len(BUILT_IN)
    (table,) = section.tables
    by_claim = {row["claim"]: row for row in table.rows}
    adoption = by_claim["Chinese models are the most downloaded open models."]
    assert adoption["evidence_href"] == "#adoption" and adoption["verdict"] == "insufficient data"
    assert adoption["tested"] is None  # insufficient data: nothing was tested
    capability = by_claim["DeepSeek-R1 rivals o1."]
    assert capability["evidence_href"] is None and "not in this report" in capability["evidence"]
    assert all(
        h.text.split(":")[0] in ("Supported", "Not supported", "Mixed", "Insufficient data") for h in section.headlines
    )


def test_the_report_opens_with_the_claims_and_its_json_carries_them(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, list[Any]]
) -> None:
    from modelrace.report import build_report

    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"]))
    import_hub_json(warehouse, path, taken_at=datetime(2025, 10, 1), selection="complete")
    report = build_report(warehouse)
    assert report.sections[0].id == "claims" and report.sections[0].title == "Claims checked"
    figures = report.figures.to_json()
    assert figures["sections"][0] == "claims"
    assert {c["id"] for c in figures["claims"]} == BUILT_IN
    assert all(c["verdict"] in VERDICTS for c in figures["claims"])
    from modelrace.report import render_html

    html_path = tmp_path / "report.html"
    render_html(report, html_path)
    page = html_path.read_text(encoding="utf-8")
    assert '<a href="#adoption">' in page and '<section id="adoption">' in page  # a claim links to its evidence


def test_snapshots_passed_over_are_named_then_counted() -> None:
    from modelrace.answers._figure_model import _passed_words

    subset = "a subset of unknown selection"
    passed = [(f"snapshot {n}", subset) for n in range(10, 4, -1)] + [("snapshot 2", "author Qwen only")]
    words = _passed_words(passed)
    assert words.startswith(f"snapshot 10: {subset}; snapshot 9: {subset}; snapshot 8: {subset}; ")
    assert words.endswith(f"3 more ({subset}); 1 more (author Qwen only)")
