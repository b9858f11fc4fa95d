"""The claims decided on the history of dated boards: on real LMArena boards, and on too little data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import reference_dir

from modelrace.answers import builtin_claims, check_claims
from modelrace.sources import import_results
from modelrace.store import Warehouse

HISTORY_CLAIMS = ("open-closed-gap-closing", "cn-closing-gap-us", "cn-months-behind")
BOARDS = ("2025-03-07", "2025-05-07", "2025-11-05", "2025-12-11")


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    data = reference_dir()
    if data is None:
        pytest.skip("reference data absent: set MODELRACE_REFERENCE_DATA to ../shared/data")
    warehouse = Warehouse.open(tmp_path_factory.mktemp("history") / "warehouse.duckdb")
    for day in BOARDS:
        import_results(warehouse, "lmarena", data / "lmarena_history" / f"lmarena_leaderboard_text_{day}.json")
    yield warehouse
    warehouse.close()


def _file(tmp_path: Path, *claims: dict[str, Any]) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text("version: 1\nclaims:\n" + "\n".join("  - " + json.dumps(c) for c in claims))
    return path


def _claim(claim_id: str, figure: str, params: dict[str, Any], test: dict[str, Any]) -> dict[str, Any]:
    return {"id": claim_id, "statement": claim_id, "figure": figure, "params": params, "test": test, "scope": "x"}


@pytest.mark.reference
def test_the_built_in_history_claims_on_real_boards(boards: Warehouse) -> None:
    checks = {c.id: c for c in check_claims(boards).claims if c.id in HISTORY_CLAIMS}
    # The boards start 2025-03-07: none lies 12 months before 2025-12-11, and the claims say so.
    for claim_id in ("open-closed-gap-closing", "cn-closing-gap-us"):
        assert checks[claim_id].verdict == "insufficient data"
        assert "2024-12-11" in checks[claim_id].why and "2025-03-07" in checks[claim_id].why
        assert "lmarena_leaderboard_text_2025-12-11.json" in checks[claim_id].source
    months = checks["cn-months-behind"]
    assert "7.2 months" in months.figure and "gemini-2.5-pro-preview-05-06" in months.figure
    assert months.source == "lmarena:full boards of 2025-03-07 to 2025-12-11 (4 boards)" and months.date == "2025-12-11"
    assert any("lmarena_leaderboard_text_2025-05-07.json" in p.detail for p in months.parts)
    assert any("errs short" in caveat for caveat in months.caveats)


@pytest.mark.reference
def test_claim_files_state_months_and_get_a_verdict(boards: Warehouse, tmp_path: Path) -> None:
    figure = "history.months_behind"
    claims = _file(
        tmp_path,
        _claim("about-7", figure, {"stated_months": 7, "tolerance_months": 6}, {"value": "off_by", "op": "<=",
               "threshold": 6, "means": "within 6 months of 7"}),
        _claim("two-years", figure, {"stated_months": 24}, {"value": "off_by", "op": "<=", "threshold": 3,
               "means": "within 3 months of 24"}),
        _claim("closing-7", "history.gap_change", {"between": "CN,US", "months": 7}, {"op": "<", "threshold": 0,
               "means": "smaller than 7 months earlier"}),
        _claim("open-9", "history.gap_change", {"between": "open,closed", "months": 9}, {"op": "<", "threshold": 0,
               "means": "smaller than 9 months earlier"}),
    )  # fmt: skip
    checks = {c.id: c for c in check_claims(boards, claims).claims}
    assert checks["about-7"].verdict == "supported"
    assert checks["two-years"].verdict == "not supported"
    # CN-US: 75.5 points on 2025-05-07, 40.8 on 2025-12-11, each within its own board
    closing = checks["closing-7"]
    assert closing.verdict == "supported" and closing.value == pytest.approx(-34.7, abs=0.1)
    assert closing.interval is not None and closing.interval[1] < 0
    assert "2025-05-07" in closing.source and "2025-12-11" in closing.source
    # open vs closed over 9 months: 48.6 -> 45.4 points, well within the intervals: the data cannot tell
    assert checks["open-9"].verdict == "insufficient data" and checks["open-9"].value == pytest.approx(-3.2, abs=0.1)


def test_one_board_is_too_little_history(warehouse: Warehouse, tmp_path: Path) -> None:
    board = {"full": {n: {"rating": r, "rating_q025": r - 5, "rating_q975": r + 5} for n, r in
             {"gpt-4o-2024-08-06": 1300, "deepseek-v3": 1250}.items()}}  # fmt: skip
    path = tmp_path / "lmarena_leaderboard_text_2025-06-01.json"
    path.write_text(json.dumps(board))
    import_results(warehouse, "lmarena", path)
    checks = {c.id: c for c in check_claims(warehouse).claims if c.id in HISTORY_CLAIMS}
    assert {c.verdict for c in checks.values()} == {"insufficient data"}
    assert "months behind needs a history" in checks["cn-months-behind"].why
    assert "no lmarena:full board within 45 days of 2024-06-01" in checks["open-closed-gap-closing"].why


def test_no_board_at_all_is_insufficient(warehouse: Warehouse) -> None:
    checks = {c.id: c for c in check_claims(warehouse).claims if c.id in HISTORY_CLAIMS}
    assert all(c.verdict == "insufficient data" and "no board of lmarena:full" in c.why for c in checks.values())
    assert {c.id for c in builtin_claims().claims} >= set(HISTORY_CLAIMS)


def test_a_board_without_intervals_is_not_taken_as_certain(warehouse: Warehouse, tmp_path: Path) -> None:
    boards = {
        "2025-01-01": {"gpt-4o-2024-08-06": (1300, None), "deepseek-v3": (1250, None)},  # no published interval
        "2025-07-01": {"gpt-5": (1380, 4), "deepseek-r1": (1325, 4)},
    }
    for day, ratings in boards.items():
        full = {
            n: {"rating": r} | ({"rating_q025": r - h, "rating_q975": r + h} if h else {})
            for n, (r, h) in ratings.items()
        }
        path = tmp_path / f"lmarena_leaderboard_text_{day}.json"
        path.write_text(json.dumps({"full": full}))
        import_results(warehouse, "lmarena", path)
    claim = _claim("closing-6", "history.gap_change", {"between": "open,closed", "months": 6},
                   {"op": "<", "threshold": 0, "means": "smaller"})  # fmt: skip
    check = check_claims(warehouse, _file(tmp_path, claim)).claims[0]
    # 50 -> 55 points: +5; the later gap's standard error (2.9) borrowed for the earlier one: +-1.96 x 4.1 = +-8.0
    assert check.value == pytest.approx(5) and check.interval is not None
    assert check.interval == pytest.approx([-3, 13], abs=0.01)
    assert check.verdict == "insufficient data"
    assert any("publishes no intervals" in caveat for caveat in check.caveats)
