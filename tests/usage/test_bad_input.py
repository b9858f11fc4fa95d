"""Bad input: rejected rows with reasons, one clear line for a bad file, nothing half-written; and a fuzz test."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelrace.errors import ImportFormatError, ImportRefusedError, ModelraceError
from modelrace.store import Warehouse
from modelrace.usage import import_usage, parse_usage


def _page(models: list[Any], market: list[Any] | None = None) -> dict[str, Any]:
    return {"meta": {"fetched_at": "2026-04-15T07:25:10+00:00"}, "models": models, "market_share": market or []}


def _model(slug: str, tokens: Any, share: Any = 1.0) -> dict[str, Any]:
    return {"rank": 1, "model_id": slug, "author": slug.split("/")[0], "tokens": tokens, "share_pct": share}


def _dump(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    models = [
        _model("deepseek/deepseek-v3.2-20251201", 100),
        _model("deepseek/deepseek-v3.2-20251201", 100),  # twice on one day
        _model("not a slug", 5),
        _model("qwen/qwen3-coder", -1),
        _model("qwen/qwen3-max", "NaN"),
        _model("z-ai/glm-5", 10, 140.0),
        _model("openai/gpt-oss-120b", 10),
    ]
    parsed = parse_usage(_dump(tmp_path / "page.json", _page(models)))
    assert [r.slug for r in parsed.rows] == ["deepseek/deepseek-v3.2-20251201", "openai/gpt-oss-120b"]
    reasons = sorted(r.reason for r in parsed.rejected)
    assert reasons == [
        "'not a slug' is not an OpenRouter model slug (author/model)",
        "deepseek/deepseek-v3.2-20251201 appears twice on 2026-04-15",
        "share_pct 140 is above 100 %",
        "tokens 'NaN' is not finite",
        "tokens -1 is negative",
    ]


def test_a_section_whose_shares_add_up_above_100_percent_is_rejected_whole(tmp_path: Path) -> None:
    market = [{"author": a, "tokens": 10, "share_pct": 60.0} for a in ("google", "anthropic")]
    parsed = parse_usage(_dump(tmp_path / "page.json", _page([_model("openai/gpt-4o-mini", 1, 2.0)], market)))
    assert [r.section for r in parsed.rows] == ["models"]
    assert {r.reason for r in parsed.rejected} == {"the authors shares add up to 120.0 %, above 100 %"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"date": "2026-05-11", "models": []}', "the week of 2026-05-11 lists no models"),
        ('{"name": "something else"}', "is not an OpenRouter usage file"),
        ("model,tokens\nx,1\n", "is neither JSON nor JSON Lines"),
        ("[" * 100_000, "nests JSON deeper"),
        ("", "is not JSON"),
    ],
)
def test_a_bad_file_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "file_2026-05-11.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message) as error:
        parse_usage(path)
    assert "\n" not in str(error.value)


def test_a_bad_file_among_good_ones_writes_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    good = _dump(tmp_path / "a.json", _page([_model("openai/gpt-oss-120b", 10)]))
    bad = _dump(tmp_path / "b.json", {"unrelated": True})
    with pytest.raises(ImportFormatError, match=r"b\.json"):
        import_usage(warehouse, [good, bad])
    assert warehouse.query("SELECT count(*) AS n FROM usage_snapshots")[0]["n"] == 0


def test_a_file_that_rejects_most_rows_is_refused_unless_partial(warehouse: Warehouse, tmp_path: Path) -> None:
    path = _dump(tmp_path / "a.json", _page([_model("openai/gpt-oss-120b", 10), _model("x", 1), _model("y", 2)]))
    with pytest.raises(ImportRefusedError, match="rejects 2 of the 3 rows"):
        import_usage(warehouse, [path])
    assert warehouse.query("SELECT count(*) AS n FROM usage_rows")[0]["n"] == 0
    stored = import_usage(warehouse, [path], allow_partial=True)
    assert stored.snapshots[0].rows == 1 and stored.snapshots[0].rejected == 2
    assert warehouse.query("SELECT count(*) AS n FROM usage_rejections")[0]["n"] == 2


def test_a_failure_while_writing_leaves_nothing_of_that_file(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import modelrace.usage._store as store

    first = _dump(tmp_path / "a.json", _page([_model("openai/gpt-oss-120b", 10)]))
    second = _dump(tmp_path / "b.json", {**_page([_model("openai/gpt-oss-20b", 10)]), "x": 1})
    real = store.asdict
    calls = {"n": 0}

    def dies_on_the_second_file(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as a kill between the snapshot row and its rows
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "asdict", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        import_usage(warehouse, [first, second])
    assert warehouse.query("SELECT count(*) AS n FROM usage_snapshots")[0]["n"] == 1
    assert warehouse.query("SELECT count(*) AS n FROM usage_rows")[0]["n"] == 1


def test_the_dataset_rows_and_their_other_row(warehouse: Warehouse, tmp_path: Path) -> None:
    from modelrace.usage import usage_series

    rows = [
        {"date": "2026-05-11", "model_permaslug": "deepseek/deepseek-v3.2-20251201", "total_tokens": "600"},
        {"date": "2026-05-11", "model_permaslug": "openai/gpt-5.4-20260305", "total_tokens": "300"},
        {"date": "2026-05-11", "model_permaslug": "other", "total_tokens": "100"},
        {"date": "2026-05-12", "model_permaslug": "deepseek/deepseek-v3.2-20251201", "total_tokens": "1"},
    ]
    path = _dump(tmp_path / "rankings.json", {"data": rows, "meta": {"as_of": "2026-05-13T02:00:00Z"}})
    summary = import_usage(warehouse, [path]).snapshots[0]
    assert summary.layout == "rankings-dataset" and str(summary.data_date) == "2026-05-12"
    series = usage_series(warehouse, by="country")
    assert series.series == "dataset"
    first = {p.key: (p.share, p.base) for p in series.on(series.dates[0])}
    assert first == {
        "CN": (0.6, "all OpenRouter tokens"),
        "US": (0.3, "all OpenRouter tokens"),
        "(not listed)": (pytest.approx(0.1), "all OpenRouter tokens"),
    }
    assert {p.base for p in series.on(series.dates[1])} == {"the listed top models' tokens"}  # no `other` row


def test_not_a_regular_file(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ImportFormatError, match="not a regular file"):
        parse_usage(fifo)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**15), 10**15), st.floats(allow_nan=True), st.text(max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_rows = st.fixed_dictionaries(
    {"model_id": st.sampled_from(["deepseek/deepseek-v3.2", "bad slug", "qwen/qwen3-max:free", ""])},
    optional={"tokens": _values, "share_pct": _values, "rank": _values, "author": _values},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(models=st.lists(st.one_of(_rows, _values), max_size=8), market=_values, extra=_values)
def test_no_input_crashes_the_importer_and_good_rows_are_kept(
    tmp_path: Path, models: list[Any], market: Any, extra: Any
) -> None:
    good = _model("openai/gpt-oss-120b", 7, 0.5)
    data = {**_page([good, *models]), "market_share": market, "extra": extra}
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        parsed = parse_usage(path)
    except ModelraceError as error:
        assert "\n" not in str(error)
        return
    kept = [r for r in parsed.rows if r.slug == "openai/gpt-oss-120b" and r.section == "models"]
    assert kept or any(r.slug == "openai/gpt-oss-120b" for r in parsed.rejected)  # rejected only as a repeat/sum
    for row in parsed.rows:
        assert row.tokens is None or (math.isfinite(row.tokens) and row.tokens >= 0)
        assert row.share_pct is None or 0 <= row.share_pct <= 100


def test_dropping_a_hub_snapshot_leaves_usage_alone(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    from modelrace.hub import import_hub_json
    from modelrace.store import drop_snapshot

    import_usage(warehouse, [_dump(tmp_path / "a.json", _page([_model("openai/gpt-oss-120b", 10)]))])
    import_hub_json(warehouse, _dump(tmp_path / "top_2024-09-20.json", edge_cases["valid"]))
    snapshot_id = warehouse.query("SELECT max(snapshot_id) AS n FROM snapshots")[0]["n"]
    drop_snapshot(warehouse, snapshot_id)  # cleans every table with a snapshot_id column
    assert warehouse.query("SELECT count(*) AS n FROM usage_rows")[0]["n"] == 1


_weekly_rows = st.fixed_dictionaries(
    {"slug": st.sampled_from(["z-ai/glm-5", "x", "qwen/qwen3-max:free"])},
    optional={k: _values for k in ("total_tokens", "prompt_tokens", "prompt_price", "is_free", "request_count")},
)
_dataset_rows = st.fixed_dictionaries(
    {"model_permaslug": st.sampled_from(["z-ai/glm-5", "other", "bad slug", ""])},
    optional={"date": st.one_of(st.just("2026-05-11"), _values), "total_tokens": _values},
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weekly=st.lists(st.one_of(_weekly_rows, _values), max_size=6), dataset=st.lists(_dataset_rows, max_size=6))
def test_no_weekly_or_dataset_input_crashes_the_importer(tmp_path: Path, weekly: list[Any], dataset: list[Any]) -> None:
    good_week = {"slug": "openai/gpt-oss-120b", "total_tokens": 5, "prompt_price": 1e-7, "is_free": False}
    good_day = {"date": "2026-05-11", "model_permaslug": "openai/gpt-oss-120b", "total_tokens": "5"}
    for data, good in (
        ({"date": "2026-05-11", "models": [good_week, *weekly]}, "openai/gpt-oss-120b"),
        ({"data": [good_day, *dataset]}, "openai/gpt-oss-120b"),
    ):
        path = tmp_path / "fuzz.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            parsed = parse_usage(path)
        except ModelraceError as error:
            assert "\n" not in str(error)
            continue
        assert any(r.slug == good for r in parsed.rows)  # the good row is always kept
        assert all(r.tokens is None or (math.isfinite(r.tokens) and r.tokens >= 0) for r in parsed.rows)
