from __future__ import annotations

import pytest

from modelrace.report._model import format_value


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (True, "text", "yes"),
        (False, "text", "no"),
        (None, "int", "–"),
        (1234.4, "int", "1,234"),
        (0.1234, "pct", "12.3 %"),
        (7.6e9, "params", "7.6 B"),
        (135e6, "params", "135 M"),
        ("Qwen/Qwen2.5-7B", "text", "Qwen/Qwen2.5-7B"),
    ],
)
def test_cells_read_as_people_read_them(value: object, fmt: str, shown: str) -> None:
    assert format_value(value, fmt) == shown  # type: ignore[arg-type]
