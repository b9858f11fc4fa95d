"""Results files as an attacker writes them (issue #29): every importer rejects a bad row with its reason and keeps
the good ones; numbers are finite and bounded, nesting and sizes bounded, companion files regular files only, a
BOM accepted and a row given twice stored once. Each case bounded in time (no input here takes more than ~1 s)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelrace._safe_read import MAX_JSON_DEPTH, TooDeep, find_too_deep, loads_json, nesting_depth, read_text
from modelrace.errors import ImportFormatError
from modelrace.sources import IMPORTERS, import_results
from modelrace.sources._epoch import read_epoch_benchmarks
from modelrace.sources._leaderboards import read_livebench, read_lmarena
from modelrace.sources._lm_eval import read_lm_eval
from modelrace.store import Warehouse

WHEN = date(2025, 1, 1)
DEEP = "[" * 100_000 + "]" * 100_000


def _arena(**extra: Any) -> dict[str, Any]:
    full = {"good-a": {"rating": 1200.0, "rating_q025": 1190, "rating_q975": 1210}, "good-b": {"rating": 1100}}
    return {"full": full | extra}


def _lm_eval(**fields: Any) -> dict[str, Any]:
    data = {
        "results": {"arc": {"acc,none": 0.5, "acc_stderr,none": 0.01}, "hella": {"acc,none": 0.7}},
        "config": {"model_args": "pretrained=org/model"},
    }
    return data | fields


def _epoch(**fields: Any) -> dict[str, Any]:
    data = {
        "index": [{"model_version": "m1", "organization": "Org"}],
        "benchmarks": {"GPQA": [{"model_version": "m1", "score": 0.4}, {"model_version": "m2", "score": 0.5}]},
    }
    return data | fields


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


# ---------------------------------------------------------------------------------- numbers
def test_an_lmarena_rating_of_1e400_or_out_of_range_is_a_rejected_row(tmp_path: Path) -> None:
    text = json.dumps(_arena(big={"rating": 0.0}, huge={"rating": 1.0}))
    text = text.replace('{"rating": 0.0}', '{"rating": 1e400}').replace('{"rating": 1.0}', '{"rating": 1e29}')
    batch = read_lmarena(_write_json(tmp_path / "arena.json", text), WHEN)
    assert sorted(r.source_name for r in batch.results) == ["good-a", "good-b"]
    reasons = {name: reason for _, name, reason in batch.rejected}
    assert "not a finite number" in reasons["big"] and "outside 0-10,000" in reasons["huge"]


def test_lm_eval_nan_and_infinity_are_rejected_with_their_reason(tmp_path: Path) -> None:
    text = json.dumps(_lm_eval()).replace('"acc,none": 0.7', '"acc,none": NaN, "f1,none": Infinity')
    text = text.replace('"acc_stderr,none": 0.01', '"acc_stderr,none": NaN')
    batch = read_lm_eval(_write_json(tmp_path / "results.json", text), WHEN)
    assert [(r.benchmark, r.value, r.ci_low) for r in batch.results] == [("arc", 0.5, None)]
    assert sorted(reason for _, _, reason in batch.rejected) == [
        "hella acc nan is not a finite number",
        "hella f1 inf is not a finite number",
    ]


# ---------------------------------------------------------------------------------- deep and odd JSON
@pytest.mark.parametrize(
    "write",
    [
        lambda p: _write_json(p, json.dumps(_arena()).replace('"good-b"', f'"deep": {DEEP}, "good-b"')),
        lambda p: _write_json(p, json.dumps(_lm_eval()).replace('"hella"', f'"deep": {DEEP}, "hella"')),
        lambda p: _write_json(p, json.dumps(_epoch()).replace('"GPQA"', f'"deep": {DEEP}, "GPQA"')),
        lambda p: _write_json(p, json.dumps(_lm_eval()).replace('"config"', f'"configs": {DEEP}, "config"')),
    ],
    ids=["lmarena", "lm-eval", "epoch-benchmarks", "lm-eval-configs"],
)
def test_a_value_nested_100k_deep_costs_its_row_not_the_file(tmp_path: Path, write: Any) -> None:
    path = write(tmp_path / "deep.json")
    reader = {"lmarena": read_lmarena, "lm-eval": read_lm_eval, "epoch": read_epoch_benchmarks}
    for name, read in reader.items():
        try:
            batch = read(path, WHEN)
        except ImportFormatError:
            continue  # not this importer's format
        assert batch.results, name
        assert all(not isinstance(r.value, TooDeep) for r in batch.results)
        break
    else:
        pytest.fail("no importer read it")


def test_a_whole_file_nested_too_deep_is_one_clear_error(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "deep.json", DEEP)
    for read in (read_lmarena, read_lm_eval, read_epoch_benchmarks):
        with pytest.raises(ImportFormatError, match="not an"):
            read(path, WHEN)


ODD_SHAPES = [
    ("lm-eval", _lm_eval(config=[1, 2], model_name="org/m"), 2),
    ("lm-eval", _lm_eval(config=None, model_name="org/m"), 2),
    ("lm-eval", _lm_eval(model_name={"a": 1}), 2),
    ("lm-eval", _lm_eval(model_name=["x"]), 2),
    ("lm-eval", _lm_eval(**{"n-samples": [1]}), 2),
    ("lm-eval", _lm_eval(results={"arc": [0.5], "hella": {"acc,none": 0.7}}), 1),
    ("epoch-benchmarks", _epoch(index=5), 2),
    ("epoch-benchmarks", _epoch(index=[5, None, {"model_version": {"x": 1}}]), 2),
    ("epoch-benchmarks", _epoch(benchmarks={"GPQA": 7, "MMLU": [{"model_version": "m1", "score": 0.3}]}), 1),
    (
        "epoch-benchmarks",
        _epoch(
            benchmarks={"GPQA": [1, "x", {"model_version": ["m"], "score": 1}, {"model_version": "m1", "score": 0.2}]}
        ),
        1,
    ),
    ("lmarena", {"full": {"a": [1], "b": {"rating": "1100"}, "c": None}, "x": 5}, 1),
    ("lmarena", {"full": {"a": {"rating": {"v": 1}}, "b": {"rating": 1200}}}, 1),
]


@pytest.mark.parametrize(("source", "data", "results"), ODD_SHAPES)
def test_odd_shapes_are_read_as_absent_or_rejected_never_a_traceback(
    tmp_path: Path, source: str, data: Any, results: int
) -> None:
    batch = IMPORTERS[source](_write_json(tmp_path / "odd.json", data), WHEN)
    assert len(batch.results) == results


@pytest.mark.parametrize("categories", [["a", "b"], None, '"text"', 5])
def test_livebench_categories_that_are_not_an_object_are_a_clear_error(tmp_path: Path, categories: Any) -> None:
    table = tmp_path / "livebench.csv"
    table.write_text("model,t1,t2\nm1,50,60\n")
    with pytest.raises(ImportFormatError, match="not a LiveBench categories file"):
        read_livebench(table, WHEN, _write_json(tmp_path / "cats.json", categories))


def test_livebench_leaves_out_a_category_of_odd_members(tmp_path: Path) -> None:
    table = tmp_path / "livebench.csv"
    table.write_text("model,t1,t2\nm1,50,60\n")
    cats = _write_json(
        tmp_path / "cats.json", {"good": ["t1", "t2"], "odd": [1, {}], "deep": json.loads("[" * 60 + "]" * 60)}
    )
    batch = read_livebench(table, WHEN, cats)
    assert {r.benchmark for r in batch.results} == {"t1", "t2", "good", "Global Average"}
    assert batch.notes["categories_refused"] == ["odd", "deep"]


# ---------------------------------------------------------------------------------- companion files
def test_meta_from_dev_zero_is_refused_at_once() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(ImportFormatError, match="not a regular file"):
        read_text(Path("/dev/zero"))


def test_lmarena_meta_that_is_a_device_is_refused(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(ImportFormatError, match="device, not a regular file"):
        read_lmarena(_write_json(tmp_path / "arena.json", _arena()), WHEN, meta=Path("/dev/zero"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_the_companion_file_is_passed_over(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "lmarena_price_org_license_2025.json")
    batch = read_lmarena(_write_json(tmp_path / "arena.json", _arena()), WHEN)
    assert "meta_file" not in batch.notes and len(batch.results) == 2
    with pytest.raises(ImportFormatError, match="FIFO, not a regular file"):
        read_lmarena(tmp_path / "arena.json", WHEN, meta=tmp_path / "lmarena_price_org_license_2025.json")


def test_a_companion_file_over_its_size_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modelrace.sources._read.MAX_COMPANION_BYTES", 100)
    meta = _write_json(tmp_path / "meta.json", [{"model_api_name": "good-a", "name": "x" * 200}])
    with pytest.raises(ImportFormatError, match="over the 100-byte limit"):
        read_lmarena(_write_json(tmp_path / "arena.json", _arena()), WHEN, meta=meta)


def test_meta_fields_of_the_wrong_type_are_left_unknown(tmp_path: Path) -> None:
    meta = _write_json(
        tmp_path / "meta.json",
        [
            {"model_api_name": "good-a", "name": {"x": 1}, "license": [1], "input_token_price": {}},
            5,
            {"model_api_name": ["x"]},
        ],
    )
    batch = read_lmarena(_write_json(tmp_path / "arena.json", _arena()), WHEN, meta=meta)
    model = batch.models["good-a"]
    assert (model.display_name, model.license, model.price_in_usd_per_mtok) == (None, None, None)


# ---------------------------------------------------------------------------------- BOMs and repeated rows
def test_a_csv_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    table = tmp_path / "livebench_2025-01-01.csv"
    table.write_bytes(b"\xef\xbb\xbfmodel,t1\nm1,50\n")
    assert [r.value for r in read_livebench(table, WHEN).results] == [50.0]


def test_a_file_concatenated_with_itself_stores_each_result_once(warehouse: Warehouse, tmp_path: Path) -> None:
    once = "model,t1,t2\nm1,50,60\nm2,40,30\n"
    table = tmp_path / "livebench_2025-01-01.csv"
    table.write_text(once + once)
    summary = import_results(warehouse, "livebench", table)
    assert (summary.results, summary.rejected, summary.notes["repeated_rows"]) == (4, 0, 3)  # two rows and a header
    epoch = _write_json(
        tmp_path / "epoch_2025-01.json", _epoch(benchmarks={"GPQA": [{"model_version": "m1", "score": 0.4}] * 2})
    )
    summary = import_results(warehouse, "epoch-benchmarks", epoch)
    assert (summary.results, summary.notes["repeated_results"]) == (1, 1)


# ---------------------------------------------------------------------------------- the readers themselves
def test_loads_json_bounds_depth_without_recursion() -> None:
    value = loads_json('{"a": ' + DEEP + ', "b": [1, 2]}')
    assert isinstance(find_too_deep(value["a"]), TooDeep) and value["b"] == [1, 2]
    assert nesting_depth('"[[[[" ' * 100) == 0
    shallow = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert loads_json(shallow) is not None and not isinstance(loads_json(shallow), TooDeep)
    with pytest.raises(ImportFormatError, match="not valid JSON"):
        loads_json("[" * 100 + "]" * 99)


# ---------------------------------------------------------------------------------- fuzz, per importer
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fuzz_json(tmp_path: Path, data: Any) -> Path:
    return _write_json(tmp_path / "fuzz.json", json.dumps(data, allow_nan=True))


@FUZZ
@given(junk=st.dictionaries(st.text(max_size=5).map(lambda k: "z" + k), _VALUES, max_size=4), top=_VALUES)
def test_fuzzed_lmarena_keeps_its_good_rows(tmp_path: Path, junk: dict[str, Any], top: Any) -> None:
    data = _arena(**junk) | {"zcat": top}
    batch = read_lmarena(_fuzz_json(tmp_path, data), WHEN)
    assert {"good-a", "good-b"} <= {r.source_name for r in batch.results if r.benchmark == "full"}


@FUZZ
@given(
    metrics=st.dictionaries(st.text(max_size=8), _VALUES, max_size=4),
    fields=st.dictionaries(
        st.sampled_from(["config", "model_name", "n-samples", "date", "lm_eval_version"]), _VALUES, max_size=3
    ),
)
def test_fuzzed_lm_eval_keeps_its_good_rows(tmp_path: Path, metrics: dict[str, Any], fields: dict[str, Any]) -> None:
    data = _lm_eval(**fields)
    data["results"]["zfuzz"] = metrics
    data["model_name"] = (
        "org/model"
        if not isinstance(fields.get("model_name"), str) or not fields["model_name"].strip()
        else fields["model_name"]
    )
    batch = read_lm_eval(_fuzz_json(tmp_path, data), WHEN)
    assert {("arc", 0.5), ("hella", 0.7)} <= {(r.benchmark, r.value) for r in batch.results}


@FUZZ
@given(results=st.lists(_VALUES, max_size=4), index=_VALUES, bench=_VALUES)
def test_fuzzed_epoch_benchmarks_keeps_its_good_rows(
    tmp_path: Path, results: list[Any], index: Any, bench: Any
) -> None:
    data = _epoch(index=index)
    data["benchmarks"]["GPQA"] += results
    data["benchmarks"]["zfuzz"] = bench
    batch = read_epoch_benchmarks(_fuzz_json(tmp_path, data), WHEN)
    assert {("m1", 0.4), ("m2", 0.5)} <= {(r.source_name, r.value) for r in batch.results if r.benchmark == "GPQA"}


@FUZZ
@given(
    cats=_VALUES,
    cell=st.text(max_size=10).filter(lambda t: "\n" not in t and "\r" not in t and "," not in t and '"' not in t),
)
def test_fuzzed_livebench_keeps_its_good_rows(tmp_path: Path, cats: Any, cell: str) -> None:
    table = tmp_path / "livebench.csv"
    table.write_text(f"model,t1,t2\nm1,50,60\nz,{cell},{cell}\n", encoding="utf-8")
    path = _fuzz_json(tmp_path, {"c": ["t1"], "z": cats})
    batch = read_livebench(table, WHEN, path)
    assert {("m1", "t1", 50.0), ("m1", "c", 50.0)} <= {(r.source_name, r.benchmark, r.value) for r in batch.results}


@FUZZ
@given(cells=st.lists(st.text(max_size=12).filter(lambda t: not set(t) & set('\n\r,"')), min_size=3, max_size=3))
@pytest.mark.parametrize("source", ["open-llm-leaderboard", "artificial-analysis", "epoch-models"])
def test_fuzzed_csv_importers_never_crash(tmp_path: Path, cells: list[str], source: str) -> None:
    columns = {
        "open-llm-leaderboard": ["fullname", "#Params (B)", "IFEval", "IFEval Raw"],
        "artificial-analysis": ["API Provider", "Model", "License"],
        "epoch-models": ["Model", "Organization", "Country (of organization)", "Parameters"],
    }[source]
    row = ",".join((["m", *cells] + [""] * len(columns))[: len(columns)])
    (tmp_path / "f.csv").write_text(",".join(columns) + "\n" + row + "\n", encoding="utf-8")
    try:
        IMPORTERS[source](tmp_path / "f.csv", WHEN)
    except ImportFormatError as error:
        assert "lacks the columns" in str(error)  # OLL/AA need more columns than these: a clear refusal
