"""The vectorised hub-stats import stores and rejects exactly what the per-record route does, with the same reasons
(also on a second day that takes the stored versions of unchanged rows).

Fuzzed rows in the hub-stats column types (valid, unusual and malformed values mixed) are imported twice: through
the SQL validation of ``hub/_bulk.py`` and record by record through ``parse_model``. Both warehouses must hold the
same models, versions, counts, rejections (position, id, reason) and snapshot date.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelrace.errors import AlreadyImportedError
from modelrace.hub import import_hub_stats
from modelrace.hub._bulk import plan
from modelrace.store import Warehouse

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("author", pa.string()),
        ("createdAt", pa.timestamp("us")),
        ("lastModified", pa.timestamp("us")),
        ("downloads", pa.int64()),
        ("downloadsAllTime", pa.int64()),
        ("likes", pa.int64()),
        ("tags", pa.list_(pa.string())),
        ("cardData", pa.string()),
        ("safetensors", pa.struct([("parameters", pa.struct([("BF16", pa.int64())])), ("total", pa.int64())])),
        (
            "baseModels",
            pa.struct(
                [
                    ("relation", pa.string()),
                    ("models", pa.list_(pa.struct([("_id", pa.string()), ("id", pa.string())]))),
                ]
            ),
        ),
        ("pipeline_tag", pa.string()),
        ("library_name", pa.string()),
        ("gated", pa.string()),
    ]
)

IDS = [
    "Qwen/Qwen2.5-7B-Instruct",
    "meta-llama/Llama-3.1-8B",
    "gpt2",
    "a/b",
    "user1/Qwen3-30B-A3B",
    "user2/Mixtral-8x7B-v0.1",
    "user3/v1.5b-chat",
    "user4/tiny-0b",
    "user5/big-12345b",
    "user6/m-a22b",
    "user7/x_7b_y",
    "user8/2T-model",
    "user9/e.7b",
    " a/b",
    "a/b\n",
    "a//b",
    "-bad/x",
    "ünï/cöde",
    "x" * 97 + "/y",
    "",
    "a/" + "z" * 97,
]
BASE_IDS = [*IDS[:12], "  Qwen/Qwen2.5-7B ", "Qwen/Qwen2.5-7B\t", "not an id", "", "a/b/c"]
RELATIONS = ["finetune", "quantized", "adapter", "merge", "unspecified", "", "remix", None]
TEXTS = ["text-generation", "transformers", "", " spaced ", "tab\there", "x" * 257, "ctl\x85", "ü", None]
LICENCES = ["apache-2.0", "MIT", " mit ", "", "  ", "Llama3.1", "x" * 257, "ctl\x01", "ünicode", "a b"]
LINKS = ["https://example.com/LICENSE", "", "x" * 2049, "bad\nlink", None]
DATES = [
    None,
    datetime(2024, 1, 2, 3, 4, 5),
    datetime(2015, 12, 31, 23, 59),
    datetime(2016, 1, 1),
    datetime(2099, 1, 1),
    datetime(2025, 6, 1, 12, 0, 0, 123456),
]
COUNTS = [None, 0, 1, 12345, -1, 10**11, 10**11 + 1, 10**7, 10**7 + 1, 10**14 + 1]

tags = st.one_of(
    st.none(),
    st.lists(
        st.one_of(
            st.sampled_from(["transformers", "text-generation", "region:us", "license:apache-2.0", "license:MIT"]),
            st.sampled_from(["license: mit ", "license:", "license:x y", "tab\ttag", "x" * 513, "ctl\x9f"]),
            st.builds(lambda i: f"base_model:{i}", st.sampled_from(BASE_IDS)),
            st.builds(
                lambda r, i: f"base_model:{r}:{i}",
                st.sampled_from(["finetune", "quantized", "merge", "adapter", "remix", "a/b"]),
                st.sampled_from(BASE_IDS),
            ),
            st.none(),
        ),
        max_size=6,
    ),
)


def card_dict() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "license": st.one_of(st.sampled_from(LICENCES), st.lists(st.sampled_from([*LICENCES, None]), max_size=2)),
            "license_name": st.sampled_from(TEXTS),
            "license_link": st.sampled_from(LINKS),
            "base_model": st.one_of(
                st.sampled_from(BASE_IDS), st.lists(st.one_of(st.sampled_from(BASE_IDS), st.just(3)), max_size=3)
            ),
            "base_model_relation": st.sampled_from([*RELATIONS, 5]),
            "language": st.just(["en", "中文"]),
            "license_x": st.integers(),
        },
    )


cards = st.one_of(
    st.none(),
    st.builds(json.dumps, card_dict()),
    st.builds(lambda d: json.dumps(d, ensure_ascii=False), card_dict()),
    st.sampled_from(
        [
            "",
            "  ",
            "not json",
            "[1, 2]",
            "0",
            "{}",
            '{"license": "mit",}',
            '{"license": "mit", "license": "gpl-3.0"}',
            '{"license": "mit", "lic\\u0065nse": 5}',
            '{"license": 5}',
            '{"license": ["mit", 3]}',
            '{"license": [3]}',
            '{"a": NaN, "license": "mit"}',
            '{"license": "\\ud800"}',
            '{"license_name": "tab\\tname"}',
            '{"base_model": {"id": "a/b"}}',
            '{"base_model": "a/b", "base_model_relation": 3}',
            '{"base_model": null, "base_model_relation": 3}',
            '"just a string"',
        ]
    ),
)

base_models = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "relation": st.sampled_from(RELATIONS),
            "models": st.one_of(
                st.none(),
                st.lists(
                    st.one_of(
                        st.none(), st.builds(lambda i: {"_id": "0", "id": i}, st.sampled_from([*BASE_IDS, None]))
                    ),
                    max_size=3,
                ),
            ),
        }
    ),
)

rows = st.fixed_dictionaries(
    {
        "id": st.one_of(st.sampled_from(IDS), st.none()),
        "author": st.just("x"),
        "createdAt": st.sampled_from(DATES),
        "lastModified": st.sampled_from(DATES),
        "downloads": st.sampled_from(COUNTS),
        "downloadsAllTime": st.sampled_from(COUNTS),
        "likes": st.sampled_from(COUNTS),
        "tags": tags,
        "cardData": cards,
        "safetensors": st.one_of(
            st.none(), st.builds(lambda n: {"parameters": {"BF16": n}, "total": n}, st.sampled_from(COUNTS))
        ),
        "baseModels": base_models,
        "pipeline_tag": st.sampled_from(TEXTS),
        "library_name": st.sampled_from(TEXTS),
        "gated": st.sampled_from([None, "auto", "manual", "false", "yes"]),
    }
)


def _contents(warehouse: Warehouse) -> dict[str, Any]:
    connection = warehouse.connection
    stored = connection.execute(
        """SELECT m.model_id, m.namespace, sm.downloads_30d, sm.downloads_all_time, sm.likes,
                  v.pipeline_tag, v.library_name, v.tags, v.gated, v.license, v.license_name, v.license_link,
                  v.params, v.params_active, v.params_source, v.created_at, v.last_modified, v.base_models
           FROM snapshot_models sm JOIN models m USING (model_key) JOIN model_versions v USING (version_id)
           ORDER BY m.model_id"""
    ).fetchall()
    return {
        "stored": stored,
        # a date reason quotes the latest date allowed, "now" for each run: the two runs differ by their moments
        "rejections": connection.execute(
            r"""SELECT position, model_id, regexp_replace(reason, 'to [0-9T:-]+ UTC', 'to (now) UTC')
                FROM rejections ORDER BY 1"""
        ).fetchall(),
        "snapshot": connection.execute(
            # an import with no dated record is dated when it ran: the two runs differ by their moments
            """SELECT CASE WHEN abs(epoch(created_at) - epoch(taken_at)) < 3600 THEN 'when run'
                           ELSE taken_at::VARCHAR END, model_count, rejected_count, duplicate_count FROM snapshots"""
        ).fetchall(),
        "models": connection.execute("SELECT model_id, namespace FROM models ORDER BY model_id").fetchall(),
        "tree": connection.execute(
            """SELECT m.model_id, r.model_id, t.credit, t.is_primary, t.depth, t.issue FROM model_tree t
               JOIN models m ON m.model_key = t.model_key JOIN models r ON r.model_key = t.root_key ORDER BY 1, 2"""
        ).fetchall(),
    }


def _import_both(tmp_path: Path, records: list[dict[str, Any]], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=SCHEMA), path)
    results = []
    for vectorised in (True, False):
        with Warehouse.open(tmp_path / f"{name}-{vectorised}.duckdb") as warehouse:
            import_hub_stats(warehouse, path, vectorised=vectorised, allow_partial=True)
            results.append(_contents(warehouse))
    return results[0], results[1]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(rows, min_size=1, max_size=12))
def test_vectorised_import_equals_the_per_record_route(
    tmp_path_factory: pytest.TempPathFactory, records: list[Any]
) -> None:
    tmp_path = tmp_path_factory.mktemp("bulk")
    vectorised, per_record = _import_both(tmp_path, records, "fuzz")
    assert vectorised == per_record


def test_the_fast_path_takes_ordinary_rows(tmp_path: Path) -> None:
    """Ordinary rows are validated in SQL, not handed to Python (else the property above would prove nothing)."""
    when = datetime(2025, 1, 1)
    records = [
        {
            "id": f"user{i}/model-{i}-7B",
            "createdAt": when,
            "lastModified": when + timedelta(days=i),
            "downloads": i,
            "tags": ["transformers", "license:apache-2.0", "base_model:finetune:user0/model-0-7B"],
            "cardData": json.dumps({"license": "MIT", "base_model": ["user0/model-0-7B"], "language": ["中文"]}),
            "baseModels": {"relation": "finetune", "models": [{"_id": "0", "id": "user0/model-0-7B"}]},
            "safetensors": {"parameters": {"BF16": 10}, "total": 10} if i % 2 else None,
        }
        for i in range(1, 50)
    ]
    path = tmp_path / "ordinary.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=SCHEMA), path)
    with Warehouse.open(tmp_path / "w.duckdb") as warehouse:
        bulk = plan(warehouse.connection, path, datetime(2030, 1, 1))
        assert bulk.all_rows_need_python is None
        clean = warehouse.connection.execute(
            f"SELECT count(*) FILTER (WHERE clean), count(*) FROM ({bulk.select_sql})", [str(path)]
        ).fetchall()[0]
    assert clean == (49, 49)
    vectorised, per_record = _import_both(tmp_path, records, "ordinary")
    assert vectorised == per_record
    assert {row[12] for row in vectorised["stored"]} == {10, 7 * 10**9}  # safetensors, else the name's size


# A daily import takes the stored version of a row whose raw values did not change (store migration 0009), and
# stores exactly what validating every row again would.


def _by_snapshot(warehouse: Warehouse) -> dict[str, Any]:
    contents = _contents(warehouse)
    contents["stored"] = warehouse.connection.execute(
        """SELECT sm.snapshot_id, m.model_id, sm.downloads_30d, sm.downloads_all_time, sm.likes, v.pipeline_tag,
                  v.library_name, v.tags, v.gated, v.license, v.license_name, v.license_link, v.params,
                  v.params_active, v.params_source, v.created_at, v.last_modified, v.base_models
           FROM snapshot_models sm JOIN models m USING (model_key) JOIN model_versions v USING (version_id)
           ORDER BY 1, 2"""
    ).fetchall()
    contents["rejections"] = warehouse.connection.execute(
        r"""SELECT snapshot_id, position, model_id, regexp_replace(reason, 'to [0-9T:-]+ UTC', 'to (now) UTC')
            FROM rejections ORDER BY 1, 2"""
    ).fetchall()
    return contents


def _import_days(tmp_path: Path, days: list[list[dict[str, Any]]], vectorised: bool) -> dict[str, Any]:
    with Warehouse.open(tmp_path / f"days-{vectorised}.duckdb") as warehouse:
        for number, records in enumerate(days):
            path = tmp_path / f"day{number}.parquet"
            pq.write_table(pa.Table.from_pylist(records, schema=SCHEMA), path)
            try:
                import_hub_stats(warehouse, path, vectorised=vectorised, allow_partial=True)
            except AlreadyImportedError:  # the same rows as an earlier day: refused by both routes alike
                continue
        return _by_snapshot(warehouse)


# Rows the SQL validates (so that a second day has versions to take), mixed with the fuzzed ones.
plain_rows = st.fixed_dictionaries(
    {
        "id": st.sampled_from([f"org{i}/model-{i}-{i}B" for i in range(8)]),
        "author": st.just("x"),
        "createdAt": st.sampled_from(DATES[1:2] + DATES[3:4]),
        "lastModified": st.sampled_from(DATES[1:2] + DATES[5:6]),
        "downloads": st.sampled_from([0, 1, 12345]),
        "downloadsAllTime": st.sampled_from([None, 5, 99999]),
        "likes": st.sampled_from([None, 0, 7]),
        "tags": st.lists(
            st.sampled_from(["transformers", "text-generation", "license:apache-2.0", "base_model:org0/model-0-0B"]),
            max_size=3,
        ),
        "cardData": st.one_of(
            st.none(),
            st.builds(
                json.dumps,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "license": st.sampled_from(["mit", "llama3.1"]),
                        "base_model": st.sampled_from(["org1/model-1-1B"]),
                    },
                ),
            ),
        ),
        "safetensors": st.one_of(st.none(), st.just({"parameters": {"BF16": 7}, "total": 7})),
        "baseModels": st.one_of(
            st.none(), st.just({"relation": "finetune", "models": [{"_id": "0", "id": "org2/model-2-2B"}]})
        ),
        "pipeline_tag": st.sampled_from([None, "text-generation"]),
        "library_name": st.sampled_from([None, "transformers", "gguf"]),
        "gated": st.sampled_from([None, "auto"]),
    }
)
mixed_rows = st.one_of(plain_rows, plain_rows, rows)


@st.composite
def two_days(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    first = draw(st.lists(mixed_rows, min_size=1, max_size=10))
    second = []
    for record in first:
        change = draw(st.sampled_from(["same", "same", "counts", "other", "gone"]))
        if change == "same":
            second.append(record)
        elif change == "counts":
            second.append(
                {**record, "downloads": draw(st.sampled_from(COUNTS)), "likes": draw(st.sampled_from(COUNTS))}
            )
        elif change == "other":
            second.append({**draw(mixed_rows), "id": record["id"]})
    second += draw(st.lists(mixed_rows, max_size=3))
    return [first, second]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=two_days())
def test_a_second_day_reusing_versions_equals_validating_every_row(
    tmp_path_factory: pytest.TempPathFactory, days: list[list[dict[str, Any]]]
) -> None:
    tmp_path = tmp_path_factory.mktemp("reuse")
    assert _import_days(tmp_path, days, vectorised=True) == _import_days(tmp_path, days, vectorised=False)


def test_an_unchanged_row_is_not_validated_again(tmp_path: Path) -> None:
    """White box: the second import of an unchanged row takes its values from the stored version (tampered here),
    while a row whose raw values changed is validated from the file."""
    when = datetime(2025, 1, 1)
    records = [
        {
            "id": f"user{i}/model-{i}",
            "createdAt": when,
            "lastModified": when,
            "downloads": i,
            "tags": ["transformers"],
            "cardData": json.dumps({"license": "mit"}),
        }
        for i in range(1, 4)
    ]
    path = tmp_path / "day.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=SCHEMA), path)
    with Warehouse.open(tmp_path / "w.duckdb") as warehouse:
        import_hub_stats(warehouse, path)
        assert warehouse.connection.execute(
            "SELECT count(*) FROM model_versions WHERE raw_hash IS NULL"
        ).fetchall() == [(0,)]
        warehouse.connection.execute("UPDATE model_versions SET tags = ['tampered']")
        records[2] = {**records[2], "tags": ["transformers", "new-tag"], "downloads": 99}
        records[0] = {**records[0], "downloads": 1000}  # counts move: the version is still taken
        pq.write_table(pa.Table.from_pylist(records, schema=SCHEMA), path)
        import_hub_stats(warehouse, path)
        tags = warehouse.connection.execute(
            """SELECT m.model_id, sm.downloads_30d, v.tags FROM snapshot_models sm JOIN models m USING (model_key)
               JOIN model_versions v USING (version_id) WHERE sm.snapshot_id = 2 ORDER BY 1"""
        ).fetchall()
    assert tags == [
        ("user1/model-1", 1000, ["tampered"]),
        ("user2/model-2", 2, ["tampered"]),
        ("user3/model-3", 99, ["transformers", "new-tag"]),
    ]


def test_a_version_without_raw_hash_learns_it(tmp_path: Path) -> None:
    """Versions stored before migration 0009 (or parsed in Python) keep no raw hash: the next import of the same
    row reuses the version by its content and stores the row's raw hash, so the import after takes it directly."""
    when = datetime(2025, 1, 1)

    def day(downloads: int) -> Path:  # the same row each day, its count aside (each day's file is another file)
        record = {"id": "user1/model-1", "createdAt": when, "lastModified": when, "downloads": downloads}
        path = tmp_path / f"day{downloads}.parquet"
        pq.write_table(pa.Table.from_pylist([{**record, "tags": ["gguf"]}], schema=SCHEMA), path)
        return path

    with Warehouse.open(tmp_path / "w.duckdb") as warehouse:
        import_hub_stats(warehouse, day(5))
        warehouse.connection.execute("UPDATE model_versions SET raw_hash = NULL")
        import_hub_stats(warehouse, day(6))
        learned = warehouse.connection.execute("SELECT count(*), count(raw_hash) FROM model_versions").fetchall()
        warehouse.connection.execute("UPDATE model_versions SET tags = ['tampered']")
        import_hub_stats(warehouse, day(7))
        tags = warehouse.connection.execute(
            "SELECT v.tags FROM snapshot_models sm JOIN model_versions v USING (version_id) WHERE snapshot_id = 3"
        ).fetchall()
    assert learned == [(1, 1)]
    assert tags == [(["tampered"],)]


def test_a_size_with_an_experts_count_is_read_alike_by_both_routes(tmp_path: Path) -> None:
    """Llama-4-Scout-17B-16E without safetensors: 17 B is its active size, the name gives no total. The SQL route
    read one size in the name and stored 17 B; it hands such names to params_from_name, as the per-record route."""
    when = datetime(2025, 4, 5)
    names = ["meta-llama/Llama-4-Scout-17B-16E-Instruct", "someone/llama3-8b-2e-5", "someone/plain-7B"]
    day = [{"id": name, "createdAt": when, "lastModified": when, "downloads": 5} for name in names]
    vectorised, per_record = _import_days(tmp_path, [day], True), _import_days(tmp_path, [day], False)
    assert vectorised == per_record
    params = {row[1]: row[12] for row in vectorised["stored"]}
    assert params == {names[0]: None, names[1]: 8_000_000_000, names[2]: 7_000_000_000}
