"""The one serialiser: declaration order, the ``__json__`` hook and ``fields_first``."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date
from typing import Any

from modelrace._serialise import JsonResult, fields_first, to_jsonable
from modelrace.ranking import CountryBest, ScoreRow


@dataclass(frozen=True)
class _Plain(JsonResult):
    b: int
    a: date
    c: tuple[float, ...]


@dataclass(frozen=True)
class _Renamed(JsonResult):
    column: str
    key: str
    share: float

    def __json__(self) -> dict[str, Any]:
        return {self.column: self.key, "share": self.share}


def test_fields_follow_declaration_order_and_values_become_json() -> None:
    assert list(_Plain(1, date(2026, 1, 2), (1.0, float("nan"))).to_json().items()) == [
        ("b", 1),
        ("a", "2026-01-02"),
        ("c", [1.0, None]),
    ]


def test_a_json_hook_names_the_keys_even_nested() -> None:
    assert to_jsonable([_Renamed("country", "CN", 0.5)]) == [{"country": "CN", "share": 0.5}]


def test_fields_first_moves_named_fields_ahead() -> None:
    assert list(fields_first(_Plain(1, date(2026, 1, 2), ()), ("a",))) == ["a", "b", "c"]


def test_a_country_best_is_a_score_row_with_its_country_first() -> None:
    row = ScoreRow("m", "M", 1.0, None, "dev", "CN", None, True, False, None, None, None, None, None, None)
    best = CountryBest(*astuple(row))
    assert isinstance(best, ScoreRow)
    keys = list(best.to_json())
    assert keys[0] == "country"
    assert sorted(keys) == sorted(row.to_json())
