from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelrace._dates import FUTURE_TOLERANCE, latest_allowed_date
from modelrace.hub import RecordError, parse_model
from modelrace.hub._records import MAX_REASON_CHARS, MAX_TAGS


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


# -- hardening (issue 17): one record can never abort a sync, and what is stored is bounded ---------------------
NOW = datetime(2026, 1, 1)
NOT_AFTER = latest_allowed_date(NOW)  # now plus the tolerance


def reason_for(raw: object) -> str:
    with pytest.raises(RecordError) as caught:
        parse_model(raw, not_after=NOT_AFTER)
    reason = str(caught.value)
    assert reason and len(reason) <= MAX_REASON_CHARS and "\n" not in reason
    return reason


def test_a_null_tag_is_a_rejected_record_not_a_crash() -> None:
    assert "a tag is NoneType" in reason_for({"id": "a/b", "tags": [None, "base_model:x/y"]})
    assert "a tag is int" in reason_for({"id": "a/b", "tags": ["ok", 3]})


@pytest.mark.parametrize(
    "field_value",
    [
        ("createdAt", "0001-01-01T00:00:00+01:00"),  # OverflowError when moved to UTC
        ("lastModified", "9999-12-31T23:59:59-05:00"),  # OverflowError the other way
        ("lastModified", "9999-12-31T00:00:00Z"),  # a date that would pin "latest" forever
        ("createdAt", "2026-01-03T00:00:00"),  # after now plus the tolerance
        ("createdAt", "1999-12-31T00:00:00Z"),  # before the Hub existed
        ("lastModified", "2024-01-01" + "0" * 100),  # long text is not parsed at all
    ],
)
def test_dates_outside_the_hubs_lifetime_are_rejected(field_value: tuple[str, str]) -> None:
    name, value = field_value
    reason = reason_for({"id": "a/b", name: value})
    assert name in reason


def test_dates_within_the_tolerance_are_kept_and_naive_dates_are_utc() -> None:
    record = parse_model(
        {"id": "a/b", "createdAt": "2016-01-01T00:00:00Z", "lastModified": "2026-01-01T23:00:00+02:00"}, NOT_AFTER
    )
    assert record.created_at == datetime(2016, 1, 1)
    assert record.last_modified == datetime(2026, 1, 1, 21)  # after NOW, within the tolerance


def test_the_default_bound_is_now() -> None:
    tomorrow_plus = (datetime.now(UTC) + FUTURE_TOLERANCE + timedelta(hours=1)).isoformat()
    with pytest.raises(RecordError, match="in the future"):
        parse_model({"id": "a/b", "lastModified": tomorrow_plus})
    assert parse_model({"id": "a/b", "lastModified": datetime.now(UTC).isoformat()}).last_modified is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"id": "a/b", "cardData": {"base_model": "[/x]"}}, "not a Hub model id"),
        ({"id": "a/b", "baseModels": {"models": [{"id": "[bold]x"}]}}, "not a Hub model id"),
        ({"id": "a/b", "tags": ["base_model:finetune:a b/c"]}, "not a Hub model id"),
        ({"id": "a/b", "tags": ["base_model:zzz:org/x"]}, "unknown base-model relation 'zzz'"),
        ({"id": "a/b", "cardData": {"base_model": "x/" + "y" * 200}}, "not a Hub model id"),
        ({"id": "a/b", "cardData": {"base_model": [f"x/m{i}" for i in range(1001)]}}, "more than 1,000 base"),
        ({"id": "a/b", "gated": "[/x]"}, "gated is '[/x]'"),
    ],
)
def test_base_model_ids_are_validated_like_model_ids(raw: dict[str, Any], expected: str) -> None:
    assert expected in reason_for(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"id": "a/b", "pipeline_tag": "x" * 257}, "pipeline_tag has 257 characters"),
        ({"id": "a/b", "library_name": "trans\x1b[2Jformers"}, "control characters"),
        ({"id": "a/b", "tags": ["t" * 513]}, "a tag has 513 characters"),
        ({"id": "a/b", "tags": ["ok\x00"]}, "control characters"),
        ({"id": "a/b", "tags": ["x"] * (MAX_TAGS + 1)}, "more than 10,000"),
        ({"id": "a/b", "cardData": {"license_name": "n" * 300}}, "license_name"),
        ({"id": "a/b", "cardData": {"license_link": "https://" + "l" * 3000}}, "license_link"),
        ({"id": "a/b", "cardData": {"license": "l" * 300}}, "cardData.license"),
        ({"id": "a/b", "tags": ["license:" + "l" * 300]}, "license tag"),
    ],
)
def test_every_stored_text_is_bounded_and_plain(raw: dict[str, Any], expected: str) -> None:
    assert expected in reason_for(raw)


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "x" * 10_000},
        {"id": "a/b", "downloads": "9" * 100_000},
        {"id": "a/b", "downloads": 10**5000},  # repr() of this int raises ValueError in Python 3.11
        {"id": "a/b", "gated": "[" * 10_000},
        {"id": "a/b", "tags": ["base_model:" + "q" * 400 + ":x/y"]},
        {"id": "a/b", "createdAt": ["2024"] * 10_000},
    ],
)
def test_reasons_are_one_bounded_line(raw: dict[str, Any]) -> None:
    reason_for(raw)  # asserts the bound and the single line


def test_a_real_record_with_many_tags_is_kept() -> None:
    tags = [f"dataset:d{i}" for i in range(2200)] + ["base_model:finetune:Qwen/Qwen2.5-7B", "license:MIT"]
    record = parse_model({"id": "a/b", "tags": tags, "cardData": {"license_link": "https://x/" + "l" * 1000}})
    assert record.base_models == (("Qwen/Qwen2.5-7B", "finetune"),)
    assert record.license == "mit"
