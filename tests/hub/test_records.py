from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelrace.hub import RecordError, parse_model


def test_full_record(edge_cases: dict[str, list[Any]]) -> None:
    raw = next(m for m in edge_cases["valid"] if m["id"] == "Qwen/Qwen2.5-7B-Instruct")
    record = parse_model(raw)
    assert record.namespace == "Qwen"
    assert record.downloads_30d == 14410456
    assert record.license == "apache-2.0"
    assert record.params == 7615616512
    assert record.params_source == "safetensors"
    assert record.base_models == (("Qwen/Qwen2.5-7B", "finetune"),)
    assert record.created_at is not None and record.created_at.tzinfo is None


def test_base_models_from_tags_only() -> None:
    record = parse_model(
        {
            "id": "a/b",
            "downloads": 1,
            "tags": ["base_model:x/y", "base_model:quantized:x/y", "base_model:z/w"],
        }
    )
    assert record.base_models == (("x/y", "quantized"), ("z/w", "unspecified"))


def test_base_model_from_card_with_relation() -> None:
    record = parse_model({"id": "a/b", "cardData": {"base_model": ["x/y", "z/w"], "base_model_relation": "merge"}})
    assert record.base_models == (("x/y", "merge"), ("z/w", "merge"))


def test_other_licence_keeps_name_and_link(edge_cases: dict[str, list[Any]]) -> None:
    raw = next(m for m in edge_cases["valid"] if m["id"] == "tiiuae/falcon-7b")
    record = parse_model(raw)
    assert record.license == "other"
    assert record.license_name == "tii-falcon-llm-license"
    assert record.license_link is not None and record.license_link.startswith("https://falconllm")


def test_params_fall_back_to_name_and_are_marked() -> None:
    record = parse_model({"id": "Qwen/Qwen3-235B-A22B", "downloads": 3})
    assert (record.params, record.params_active, record.params_source) == (235 * 10**9, 22 * 10**9, "name")


def test_version_id_is_stable_and_content_based() -> None:
    a = parse_model({"id": "a/b", "downloads": 1, "tags": ["x"]})
    b = parse_model({"id": "a/b", "downloads": 999, "tags": ["x"]})  # downloads are not an attribute
    c = parse_model({"id": "a/b", "downloads": 1, "tags": ["y"]})
    assert a.version_id() == b.version_id() != c.version_id()


@pytest.mark.parametrize(
    ("model_id", "reason"),
    [
        (None, "missing id"),
        ("bad/downloads-text", "downloads is 'lots'"),
        ("bad/downloads-negative", "outside"),
        ("bad/downloads-absurd", "outside"),
        ("bad/unknown-relation", "unknown base-model relation 'distilled'"),
        ("bad/tags-not-list", "tags is str"),
        ("bad/created-not-date", "not an ISO 8601 date"),
        ("bad id with spaces", "not a Hub model id"),
        ("bad/likes-absurd", "likes"),
        ("bad/safetensors-negative", "safetensors.total"),
        ("bad/card-not-object", "cardData is not an object"),
    ],
)
def test_malformed_records_are_rejected_with_reason(
    edge_cases: dict[str, list[Any]], model_id: str | None, reason: str
) -> None:
    raw = next(m for m in edge_cases["malformed"] if isinstance(m, dict) and m.get("id") == model_id)
    with pytest.raises(RecordError, match=reason):
        parse_model(raw)


def test_non_object_record() -> None:
    with pytest.raises(RecordError, match="not an object"):
        parse_model("just a string")


def test_non_utf8_text_is_rejected() -> None:
    with pytest.raises(RecordError, match="not valid UTF-8"):
        parse_model({"id": "a/b", "tags": ["ok", "bad\udc80"]})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
record_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=40), st.from_regex(r"[a-z]{1,8}/[a-z0-9.-]{1,12}", fullmatch=True)),
        "downloads": json_values,
        "downloadsAllTime": json_values,
        "likes": json_values,
        "tags": st.one_of(json_values, st.lists(st.text(max_size=30), max_size=5)),
        "createdAt": json_values,
        "gated": json_values,
        "cardData": json_values,
        "safetensors": json_values,
        "baseModels": json_values,
        "pipeline_tag": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(record_like)
def test_fuzzed_records_are_parsed_or_rejected_never_crash(raw: dict[str, Any]) -> None:
    try:
        record = parse_model(raw)
    except RecordError as error:
        assert str(error)
        return
    assert record.model_id == raw["id"]
    assert record.downloads_30d >= 0
    record.version_id()
