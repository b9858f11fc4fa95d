"""A sync through DuckDB (hub/_bulk_json.py) stores and rejects exactly what the per-record route does.

Fuzzed ``/api/models`` pages (valid, unusual and malformed records; pages that are not JSON, not a list, nested
too deep, with spellings only one JSON reader takes) are served by a loopback Hub and synced twice: with
``vectorised=True`` and with ``vectorised=False`` (``json.loads`` per page, ``parse_model`` per record). Both
warehouses must hold the same models, versions, counts, tree, rejections (position, id, reason) and page
rejections, under the same ``--limit`` / ``--min-downloads`` cuts.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from huggingface_hub import HfApi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelrace.errors import HubError
from modelrace.hub import SyncOptions, sync_hub
from modelrace.hub import _bulk_json as bulk_json
from modelrace.hub._bulk_json import PageStager, nesting_depth
from modelrace.store import Warehouse

from .conftest import Reply, scripted_hub
from .test_bulk import BASE_IDS, IDS, RELATIONS, TEXTS, _contents, card_dict

DATES = [
    None,
    "",
    "2024-09-16T11:55:40.000Z",
    "2024-09-16T11:55:40Z",
    "2024-09-16T11:55:40.123456+00:00",
    "2024-09-16T11:55:40",
    "2024-09-16",
    "2024-09-16T13:55:40+02:00",
    "2015-12-31T23:59:59.000Z",
    "2016-01-01T00:00:00.000Z",
    "2099-01-01T00:00:00.000Z",
    "2023-02-29T00:00:00.000Z",
    "2024-01-01T24:00:00.000Z",
    "0000-01-01T00:00:00Z",
    "yesterday",
    "2024-09-16T11:55:40.5Z",
    5,
    ["2024-01-01"],
]
COUNTS: list[Any] = [None, 0, 1, 12345, -1, 10**11, 10**11 + 1, 10**7 + 1, 10**14 + 1, 2**63, 2**64, 10**30]
COUNTS += [3.0, 2.5, -0.0, True, False, "12", [], {}]
GATED: list[Any] = [None, False, True, "auto", "manual", "yes", "true", 1, 0, []]

tags = st.one_of(
    st.none(),
    st.just("not a list"),
    st.lists(
        st.one_of(
            st.sampled_from(["transformers", "text-generation", "region:us", "license:apache-2.0", "license:MIT"]),
            st.sampled_from(["license: mit ", "license:", "tab\ttag", "x" * 513, "ctl\x9f", "ünï", "a\u2028b"]),
            st.builds(lambda i: f"base_model:{i}", st.sampled_from(BASE_IDS)),
            st.builds(
                lambda r, i: f"base_model:{r}:{i}",
                st.sampled_from(["finetune", "quantized", "merge", "remix", "a/b"]),
                st.sampled_from(BASE_IDS),
            ),
            st.none(),
            st.just(3),
        ),
        max_size=5,
    ),
)
cards = st.one_of(
    st.none(),
    card_dict(),
    st.sampled_from([{}, [], "", "card", 0, ["x"], {"license": "mit", "nested": {"a": [[1, {"b": None}]]}}]),
)
base_models = st.one_of(
    st.none(),
    st.sampled_from(["finetune", [], 0, {"relation": 5, "models": []}, {"relation": "merge", "models": "a/b"}]),
    st.fixed_dictionaries(
        {
            "relation": st.sampled_from(RELATIONS),
            "models": st.one_of(
                st.none(),
                st.just(0),
                st.lists(
                    st.one_of(
                        st.none(),
                        st.just("a/b"),
                        st.builds(lambda i: {"_id": "0", "id": i}, st.sampled_from([*BASE_IDS, None, 7])),
                        st.just({"name": "a/b"}),
                    ),
                    max_size=3,
                ),
            ),
        },
        optional={"extra": st.just(1)},
    ),
)
safetensors = st.one_of(
    st.none(),
    st.sampled_from([5, "x", [], {}, {"total": None}, {"total": 2.0}, {"total": "7"}]),
    st.builds(lambda n: {"parameters": {"BF16": n}, "total": n}, st.sampled_from(COUNTS)),
)
records = st.fixed_dictionaries(
    {},
    optional={
        "_id": st.just("0123"),
        "id": st.one_of(st.sampled_from(IDS), st.none(), st.just(5)),
        "modelId": st.sampled_from([*IDS[:4], None, 3]),
        "author": st.just("x"),
        "downloads": st.sampled_from(COUNTS),
        "downloadsAllTime": st.sampled_from(COUNTS),
        "likes": st.sampled_from(COUNTS),
        "tags": tags,
        "pipeline_tag": st.sampled_from([*TEXTS, 5]),
        "library_name": st.sampled_from(TEXTS),
        "createdAt": st.sampled_from(DATES),
        "lastModified": st.sampled_from(DATES),
        "cardData": cards,
        "gated": st.sampled_from(GATED),
        "safetensors": safetensors,
        "baseModels": base_models,
        "private": st.booleans(),
    },
)
# Records as JSON text, some with a key given twice (Python keeps the last value, DuckDB's reader the first).
_UNUSUAL_TEXTS = [
    "5",
    '"a/b"',
    "null",
    "[]",
    "{}",
    '{"id": "a/b", "safetensors": {"total": 5, "total": 9}}',
    '{"id": "a/b", "baseModels": {"models": [{"id": "c/d", "id": "e/f"}]}}',
    '{"id": "a/b", "downloads": 1E2}',
    '{"id": "a/b", "likes": -0, "downloads": 1e400}',
    '{"id": "a/b", "downloads": 100000000000000000000000}',
    # Python reads these two, DuckDB does not: the page goes to Python whole
    '{"id": "a/b", "cardData": {"license": "mit", "x": NaN}}',
    '{"id": "a/\\ud800b"}',
]
record_texts = st.one_of(
    st.builds(lambda r, a: json.dumps(r, ensure_ascii=a), records, st.booleans()),
    st.builds(lambda r: json.dumps(r, separators=(",", ":")), records),
    st.builds(
        lambda r, key, value: json.dumps(r)[:-1] + (", " if r else "") + f'"{key}": {json.dumps(value)}}}',
        records,
        st.sampled_from(["id", "downloads", "dow\\u006eloads", "tags", "cardData", "gated"]),
        st.sampled_from([0, 7, "a/b", None, ["x"], {"license": "mit"}]),
    ),
    st.sampled_from(_UNUSUAL_TEXTS),
)
bad_pages = st.sampled_from(
    [
        b"not json",
        b'{"models": []}',
        b"",
        b'[{"id": "a/b"},]',
        b'[{"id": "a/b", "downloads": nan}]',
        b'[{"id": "a/b", "cardData": {"x": Infinity}}]',
        b'[{"id": "a/b", "note": ", ]"}]',
        b"[" * 3000 + b"]" * 3000,
        b'[{"id": "a/b", "cardData": ' + b'{"a": ' * 1200 + b"1" + b"}" * 1200 + b"}]",
        b'[{"id": "a/\xff"}, {"id": "c/d"}]',
        b'[{"id": "a/b"}] x',
        b"  []  ",
    ]
)


def _page_body(texts: list[str], spaced: bool) -> bytes:
    return ("[\n  " + ",\n  ".join(texts) + "\n]" if spaced else "[" + ",".join(texts) + "]").encode()


pages = st.lists(
    st.one_of(
        st.builds(_page_body, st.lists(record_texts, max_size=6), st.booleans()),
        st.builds(_page_body, st.lists(record_texts, max_size=6), st.booleans()),
        st.builds(_page_body, st.lists(record_texts, max_size=6), st.booleans()),
        bad_pages,
    ),
    min_size=1,
    max_size=4,
)
options = st.sampled_from(
    [
        SyncOptions(),
        SyncOptions(limit=3),
        SyncOptions(min_downloads=2),
        SyncOptions(min_downloads=1, limit=5),
        SyncOptions(pipeline_tags=("text-generation", "feature-extraction")),
    ]
)


def _serve(bodies: list[bytes]) -> Any:
    def script(n: int, path: str, origin: str) -> Reply:
        cursor = parse_qs(urlsplit(path).query).get("cursor", ["0"])[0]
        index = int(cursor)
        link = {"Link": f'<{origin}/api/models?cursor={index + 1}>; rel="next"'} if index + 1 < len(bodies) else {}
        return Reply(body=bodies[index], headers=link)

    return scripted_hub(script)


def _sync_both(tmp_path: Path, bodies: list[bytes], sync_options: SyncOptions) -> tuple[dict[str, Any], dict[str, Any]]:
    results = []
    for vectorised in (True, False):
        with _serve(bodies) as hub, Warehouse.open(tmp_path / f"sync-{vectorised}.duckdb") as warehouse:
            options = replace(sync_options, allow_partial=True, max_retries=0)
            result = sync_hub(warehouse, options, api=HfApi(endpoint=hub.endpoint), vectorised=vectorised)
            contents = _contents(warehouse)
            contents["pages"] = warehouse.connection.execute(
                "SELECT listing, page, reason FROM page_rejections ORDER BY ALL"
            ).fetchall()
            contents["requests"] = len(hub.seen)
            contents["stats"] = (
                result.pages,
                result.stats.accepted,
                result.stats.rejected,
                result.stats.duplicates,
                result.stats.rejected_pages,
                [_normalised(r.reason) for r in result.stats.rejection_samples],
                {_normalised(reason): n for reason, n in result.stats.reasons().items()},
            )
            results.append(contents)
    return results[0], results[1]


def _normalised(reason: str) -> str:
    return re.sub(r"to [0-9T:-]+ UTC", "to (now) UTC", reason)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=pages, sync_options=options, batch_pages=st.sampled_from([1, 2, 100]))
def test_a_vectorised_sync_equals_the_per_record_route(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[bytes], sync_options: SyncOptions, batch_pages: int
) -> None:
    # batches of one or two pages too: a listing is then validated in several batches
    with mock.patch.object(bulk_json, "FLUSH_RECORDS", batch_pages * 1000):
        vectorised, per_record = _sync_both(tmp_path_factory.mktemp("sync"), bodies, sync_options)
    assert vectorised == per_record


def _ordinary(i: int) -> dict[str, Any]:
    return {
        "_id": f"{i:024x}",
        "id": f"user{i}/model-{i}-7B",
        "author": f"user{i}",
        "downloads": 1000 - i,
        "downloadsAllTime": 5000,
        "likes": 3,
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": "2024-09-16T11:55:40.000Z",
        "lastModified": "2025-01-12T02:27:23.000Z",
        "private": False,
        "gated": "manual" if i % 3 else False,
        "tags": ["transformers", "license:apache-2.0", "base_model:finetune:user0/model-0-7B"],
        "cardData": {"license": "MIT", "base_model": ["user0/model-0-7B"], "language": ["中文"]},
        "baseModels": {"relation": "finetune", "models": [{"id": "user0/model-0-7B"}]},
        "safetensors": {"parameters": {"BF16": 10}, "total": 10} if i % 2 else None,
    }


def test_ordinary_records_take_the_sql_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hub-shaped records are staged from SQL, none read back by Python (else the property above proves little)."""
    handed: list[int] = []
    original = PageStager._read_back

    def spy(self: PageStager, key: int, wanted: list[tuple[int, int]]) -> list[tuple[int, Any]]:
        handed.extend(position for position, _ in wanted)
        read: list[tuple[int, Any]] = original(self, key, wanted)
        return read

    monkeypatch.setattr(PageStager, "_read_back", spy)
    bodies = [json.dumps([_ordinary(i) for i in range(p * 20, p * 20 + 20)]).encode() for p in range(3)]
    vectorised, per_record = _sync_both(tmp_path, bodies, SyncOptions())
    assert handed == []
    assert vectorised == per_record
    assert vectorised["stats"][1] == 60


UNUSUAL_VALUES: list[tuple[str, Any]] = [
    ("createdAt", 1700000000),
    ("lastModified", ["2024-01-01"]),
    ("createdAt", "2024-09-16T13:55:40+02:00"),
    ("downloads", 3.0),
    ("downloads", "12"),
    ("likes", True),
    ("downloadsAllTime", 2**64),
    ("tags", "transformers"),
    ("tags", ["a", 3]),
    ("pipeline_tag", 5),
    ("cardData", "MIT"),
    ("cardData", []),
    ("gated", 1),
    ("gated", "true"),
    ("safetensors", {"total": 2.0}),
    ("safetensors", 7),
    ("baseModels", {"relation": 5, "models": [{"id": "user0/model-0-7B"}]}),
    ("baseModels", {"relation": "merge", "models": [{"id": 3}]}),
    ("baseModels", {"relation": "merge", "models": "user0/model-0-7B"}),
    ("id", None),
    ("id", 5),
]


def test_each_unusual_value_is_decided_by_python(tmp_path: Path) -> None:
    """One unusual value per record, among ordinary ones: stored and rejected as the per-record route does."""
    records = []
    for i, (field, value) in enumerate(UNUSUAL_VALUES):
        record = _ordinary(i)
        record[field] = value
        records += [record, _ordinary(100 + i)]
    vectorised, per_record = _sync_both(tmp_path, [json.dumps(records).encode()], SyncOptions())
    assert vectorised == per_record
    assert len(vectorised["rejections"]) >= 10


def test_the_nesting_depth_ignores_brackets_in_strings() -> None:
    assert nesting_depth(b'[{"a": "[[[{{", "b": "\\"[[", "c": [1, {"d": []}]}]') == 5
    assert nesting_depth(b"[" * 70 + b"]" * 70) == 70
    assert nesting_depth(b"[]") == 1
    assert nesting_depth(b"5") == 0


def test_a_run_of_unreadable_pages_ends_a_vectorised_sync_as_it_ends_the_listing(tmp_path: Path) -> None:
    def script(n: int, path: str, origin: str) -> Reply:
        body = b"<html>busy</html>" if n % 2 else b"[]"
        return Reply(body=body, headers={"Link": f'<{origin}/api/models?cursor=c{n}>; rel="next"'})

    for vectorised in (True, False):
        with (
            Warehouse.open(tmp_path / f"{vectorised}.duckdb") as warehouse,
            scripted_hub(script) as hub,
            pytest.raises(HubError, match="5 empty or unreadable pages in a row"),
        ):
            sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint), vectorised=vectorised)
        assert len(hub.seen) == 5
