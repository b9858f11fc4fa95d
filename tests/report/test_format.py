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
        (0.0003, "pct", "<0.1 %"),  # Canada's 159,013 of 511 M downloads is not nothing
        (0.0, "pct", "0.0 %"),
        (0.03, "float", "0.03"),  # a price of $0.03, not "0.0"
        (0.0639, "float", "0.0639"),  # a margin on a 0-1 score
        (1441.24, "float", "1,441.2"),
        (7.6e9, "params", "7.6 B"),
        (135e6, "params", "135 M"),
        ("Qwen/Qwen2.5-7B", "text", "Qwen/Qwen2.5-7B"),
    ],
)
def test_cells_read_as_people_read_them(value: object, fmt: str, shown: str) -> None:
    assert format_value(value, fmt) == shown  # type: ignore[arg-type]
