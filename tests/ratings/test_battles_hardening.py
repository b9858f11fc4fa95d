"""Battle files as an attacker writes them (issue #29): one bad row is one rejection, never the file."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelrace.errors import ImportFormatError
from modelrace.ratings import read_battles

GOOD = [
    {"model_a": "gpt-4", "model_b": "vicuna-13b", "winner": "model_a", "tstamp": 1682351591.5, "question_id": "q1"},
    {"model_a": "vicuna-13b", "model_b": "gpt-4", "winner": "model_b", "tstamp": 1682351600, "question_id": "q2"},
    {"model_a": "gpt-4", "model_b": "alpaca-13b", "winner": "tie", "tstamp": "2023-05-01T10:00:00Z"},
]
FORMATS = (".json", ".jsonl", ".csv", ".parquet")


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows))
    elif path.suffix == ".csv":
        columns = sorted({k for r in rows for k in r})
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        columns = sorted({k for r in rows for k in r})
        pq.write_table(
            pa.table({c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in columns}), path
        )
    return path


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("stamp", [1e20, "inf", "1e20", 10**30, "-1e300", "nan"])
def test_a_timestamp_no_datetime_holds_is_one_rejected_row(tmp_path: Path, suffix: str, stamp: object) -> None:
    bad = {"model_a": "gpt-4", "model_b": "vicuna-13b", "winner": "tie", "tstamp": stamp}
    found = read_battles(_write(tmp_path / f"b{suffix}", [*GOOD, bad]))
    assert len(found.battles) == len(GOOD)
    assert len(found.rejected) == 1 and "is not a time" in found.rejected[0].reason


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_row_nested_100k_deep_is_one_rejected_row(tmp_path: Path, suffix: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    rows = [json.dumps(r) for r in GOOD]
    bad = '{"model_a": "a", "model_b": "b", "winner": "tie", "category": ' + deep + "}"
    path = tmp_path / f"b{suffix}"
    path.write_text("[" + ",".join([*rows, bad]) + "]" if suffix == ".json" else "\n".join([*rows, bad]) + "\n")
    found = read_battles(path)
    assert len(found.battles) == len(GOOD)
    assert len(found.rejected) == 1 and "nested deeper" in found.rejected[0].reason


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_file_concatenated_with_itself_keeps_each_battle_once(tmp_path: Path, suffix: str) -> None:
    once = read_battles(_write(tmp_path / f"once{suffix}", GOOD))
    twice = read_battles(_write(tmp_path / f"twice{suffix}", GOOD + GOOD))
    assert len(twice.battles) == len(once.battles) == len(GOOD)
    assert twice.repeated == len(GOOD) and not twice.rejected


def test_a_csv_with_a_bom_reads_its_first_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.csv", GOOD)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(read_battles(path).battles) == len(GOOD)


def test_names_that_are_not_text_are_rejected_with_a_reason(tmp_path: Path) -> None:
    rows = [
        *GOOD,
        {"model_a": ["x"], "model_b": "y", "winner": "tie"},
        {"model_a": "x", "model_b": {}, "winner": "tie"},
    ]
    found = read_battles(_write(tmp_path / "b.json", rows))
    assert len(found.battles) == len(GOOD)
    assert [r.reason for r in found.rejected] == [
        "model_a is a JSON list, not text",
        "model_b is a JSON object, not text",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "b.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(ImportFormatError, match=r"no file|not a regular file"):
        read_battles(fifo)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_ROWS = st.dictionaries(
    st.sampled_from(["model_a", "model_b", "winner", "tstamp", "timestamp", "category", "judge", "question_id", "x"]),
    _VALUES,
    max_size=7,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(_ROWS, max_size=6), suffix=st.sampled_from([".json", ".jsonl"]))
def test_fuzzed_rows_never_crash_the_reader_and_good_rows_are_kept(
    tmp_path: Path, junk: list[dict[str, object]], suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    rows = [*GOOD, *junk]
    text = json.dumps(rows) if suffix == ".json" else "".join(json.dumps(r) + "\n" for r in rows)
    path.write_text(text)
    found = read_battles(path)
    kept = [b for position, b in found.battles if position <= len(GOOD)]
    assert len(kept) == len(GOOD)
    assert len(found.battles) + len(found.rejected) + found.repeated == len(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.lists(
        st.dictionaries(st.sampled_from(["model_a", "model_b", "winner", "tstamp"]), st.text(max_size=10), max_size=4),
        max_size=5,
    )
)
def test_fuzzed_csv_rows_never_crash_the_reader(tmp_path: Path, junk: list[dict[str, str]]) -> None:
    path = _write(tmp_path / "fuzz.csv", [*GOOD, *junk])
    found = read_battles(path)
    assert len([p for p, _ in found.battles if p <= len(GOOD)]) == len(GOOD)
