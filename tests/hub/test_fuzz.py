"""Property tests: no record, page or import file crashes a sync or import; bad records are rejected with a
reason, good ones kept. Bounded (a few hundred examples in all) so that CI runs them in well under a minute."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from huggingface_hub import HfApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelrace.errors import AlreadyImportedError, ImportFormatError, ModelraceError
from modelrace.hub import SyncOptions, import_hub_json, parse_model, sync_hub
from modelrace.store import Warehouse

from .conftest import Reply, scripted_hub

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- records ----------------------------------------------------------------------------------------------------
name_part = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=20).filter(
    lambda s: s[0].isalnum()
)
model_ids = st.builds(lambda a, b: f"{a}/{b}", name_part, name_part)
plain_text = st.text(string.ascii_letters + string.digits + " -_./:", max_size=40)
dates = st.datetimes(min_value=datetime(2016, 1, 2), max_value=datetime(2025, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
)
relations = st.sampled_from(["finetune", "quantized", "adapter", "merge"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=15,
)


@st.composite
def good_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record every rule accepts (its id is set by the caller, to keep ids unique)."""
    record: dict[str, Any] = {"downloads": draw(st.integers(0, 10**9))}
    if draw(st.booleans()):
        record["likes"] = draw(st.integers(0, 10**6))
    if draw(st.booleans()):
        # A plain tag is no base-model tag: "base_model:" followed by no model id (Hypothesis draws the literal from
        # hub/_records.py) is a bad record, rightly rejected by both routes.
        record["tags"] = draw(st.lists(plain_text.filter(lambda t: not t.startswith("base_model:")), max_size=6))
        if draw(st.booleans()):
            record["tags"].append(f"base_model:{draw(relations)}:{draw(model_ids)}")
    for field in ("createdAt", "lastModified"):
        if draw(st.booleans()):
            record[field] = draw(dates)
    if draw(st.booleans()):
        record["gated"] = draw(st.sampled_from([False, True, "auto", "manual", None]))
    if draw(st.booleans()):
        record["cardData"] = {"base_model": draw(st.lists(model_ids, max_size=3)), "license": draw(plain_text)}
    if draw(st.booleans()):
        record["baseModels"] = {"relation": draw(relations), "models": [{"id": draw(model_ids)}]}
    if draw(st.booleans()):
        record["safetensors"] = {"total": draw(st.integers(1, 10**12))}
    if draw(st.booleans()):
        record["pipeline_tag"] = draw(st.sampled_from(["text-generation", "feature-extraction", None]))
    return record


CORRUPTIONS: list[tuple[str, Any]] = [
    ("tags", [None]),
    ("tags", ["ok", 7]),
    ("tags", "not-a-list"),
    ("tags", ["base_model:zzz:org/x"]),
    ("tags", ["base_model:[/x]"]),
    ("tags", ["bad\x00tag"]),
    ("createdAt", "0001-01-01T00:00:00+01:00"),
    ("lastModified", "9999-12-31T23:59:59-05:00"),
    ("lastModified", "9999-12-31T00:00:00Z"),
    ("createdAt", "1999-01-01T00:00:00Z"),
    ("createdAt", "yesterday"),
    ("createdAt", 1700000000),
    ("downloads", "lots"),
    ("downloads", -1),
    ("downloads", 10**12),
    ("downloads", float("nan")),
    ("likes", 10**8),
    ("gated", "[/x]"),
    ("gated", 3),
    ("cardData", "a string"),
    ("cardData", {"base_model": "[/x]"}),
    ("cardData", {"base_model": 5}),
    ("cardData", {"license_link": "x" * 5000}),
    ("baseModels", {"models": "x"}),
    ("baseModels", {"relation": "distilled", "models": [{"id": "a/b"}]}),
    ("safetensors", {"total": -5}),
    ("safetensors", "big"),
    ("pipeline_tag", ["text-generation"]),
    ("library_name", "x" * 300),
    ("id", "bad id with spaces"),
    ("id", "[bold]x[/bold]"),
    ("id", None),
]


@st.composite
def bad_records(draw: st.DrawFn) -> Any:
    """A record that some rule must reject: a good one with one corruption, or not an object at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=3))
    record = draw(good_records())
    field, value = draw(st.sampled_from(CORRUPTIONS))
    record[field] = value
    return record


@st.composite
def listings(draw: st.DrawFn) -> list[tuple[bool, Any]]:
    """(is_good, record) pairs; good records get unique ids, bad ones keep theirs or get a unique one."""
    items = draw(
        st.lists(
            st.one_of(good_records().map(lambda r: (True, r)), bad_records().map(lambda r: (False, r))), max_size=25
        )
    )
    for number, (_, record) in enumerate(items):
        if isinstance(record, dict) and "id" not in record:
            record["id"] = f"org{number}/model-{number}"
    return items


def assert_counts(stats: Any, items: list[tuple[bool, Any]]) -> None:
    good = sum(is_good for is_good, _ in items)
    assert stats.accepted == good and stats.duplicates == 0
    assert stats.rejected == len(items) - good
    assert all(r.reason for r in stats.rejection_samples) and len(stats.rejection_samples) == stats.rejected


@FUZZ
@given(listings())
def test_each_record_is_kept_or_rejected_with_a_reason(items: list[tuple[bool, Any]]) -> None:
    for is_good, raw in items:
        try:
            record = parse_model(raw)
        except ValueError as error:
            assert not is_good, f"a good record was rejected: {error} ({raw!r})"
            assert str(error)
        else:
            assert is_good, f"a bad record was accepted: {raw!r}"
            assert record.model_id == raw["id"]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "tags",
                "createdAt",
                "lastModified",
                "downloads",
                "gated",
                "cardData",
                "baseModels",
                "safetensors",
                "likes",
            ]
        ),
        json_values,
    )
)
def test_arbitrary_json_records_never_crash_the_parser(raw: dict[str, Any]) -> None:
    try:
        parse_model(raw)
    except ValueError as error:
        assert str(error)


# -- warehouses -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """One warehouse for all examples: each writes its own snapshot, and its stats are what is checked."""
    with Warehouse.open(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb") as warehouse:
        yield warehouse


# -- pages (a sync against a server that serves the drawn pages) --------------------------------------------------
DEEP_PAGE = b"[" * 50_000 + b"]" * 50_000
BROKEN_PAGES = [
    b'[{"id": "a/b"',  # truncated
    b"not json at all",
    b'{"error": "a JSON object, not a list"}',
    DEEP_PAGE,  # one item nested deeper than the JSON parser allows: one rejected record, not a page (issue #29)
    b"\xff\xfe\x00garbage",
    b"null",
]


@st.composite
def page_listings(draw: st.DrawFn) -> list[bytes | list[tuple[bool, Any]]]:
    pages: list[bytes | list[tuple[bool, Any]]] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 3)) == 0:
            pages.append(draw(st.sampled_from(BROKEN_PAGES)))
        else:
            pages.append(draw(listings()))
    serial = 0
    for page in pages:  # ids unique across pages: duplicates are another test's business
        if isinstance(page, list):
            for _, record in page:
                if isinstance(record, dict) and isinstance(record.get("id"), str) and "/" in record["id"]:
                    record["id"] = f"{record['id']}-{serial}"
                    serial += 1
    return pages


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(page_listings())
def test_no_page_crashes_a_sync(fuzz_warehouse: Warehouse, pages: list[bytes | list[tuple[bool, Any]]]) -> None:
    bodies = [page if isinstance(page, bytes) else json.dumps([r for _, r in page]).encode() for page in pages]

    def script(number: int, path: str, origin: str) -> Reply:
        index = int(path.rsplit("cursor=", 1)[1]) if "cursor=" in path else 0
        link = {"Link": f'<{origin}/api/models?cursor={index + 1}>; rel="next"'} if index + 1 < len(bodies) else {}
        return Reply(body=bodies[index], headers=link)

    with scripted_hub(script) as hub:
        result = sync_hub(fuzz_warehouse, SyncOptions(allow_partial=True), api=HfApi(endpoint=hub.endpoint))
    items = [item for page in pages if isinstance(page, list) for item in page]
    items += [(False, None) for page in pages if page == DEEP_PAGE]  # its one item, rejected
    assert_counts(result.stats, items)
    assert result.stats.rejected_pages == sum(isinstance(page, bytes) and page != DEEP_PAGE for page in pages)
    assert result.snapshot.model_count == result.stats.accepted


# -- import files -----------------------------------------------------------------------------------------------
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(listings(), st.booleans(), st.booleans())
def test_no_record_crashes_an_import(
    fuzz_warehouse: Warehouse,
    tmp_path_factory: pytest.TempPathFactory,
    items: list[tuple[bool, Any]],
    wrapped: bool,
    deep: bool,
) -> None:
    records = [record for _, record in items]
    text = json.dumps({"models": records} if wrapped and not deep else records)
    if deep:  # one record nested deeper than the JSON parser allows, inserted as the first item
        text = "[" + "[" * 50_000 + "]" * 50_000 + ("," if records else "") + text[1:]
        items = [(False, None), *items]
    path = tmp_path_factory.mktemp("import") / "models.json"
    path.write_text(text)
    try:
        _, stats = import_hub_json(fuzz_warehouse, path, allow_partial=True)
    except AlreadyImportedError:  # a listing drawn twice into this module's warehouse: refused the second time
        return
    assert_counts(stats, items)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_files_are_imported_or_refused_clearly(
    fuzz_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("junk") / "models.json"
    path.write_bytes(data)
    try:
        import_hub_json(fuzz_warehouse, path)
    except ImportFormatError as error:
        assert str(error)
    except ModelraceError as error:  # pragma: no cover - any other clear error would do too
        assert str(error)
