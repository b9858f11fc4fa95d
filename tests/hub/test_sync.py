from __future__ import annotations

import socket
from typing import Any

import pytest
from huggingface_hub import HfApi

from modelrace.errors import HubError
from modelrace.hub import SyncOptions, sync_hub
from modelrace.replay import Fault, replay_hub
from modelrace.store import Warehouse, list_snapshots


def everything(edge_cases: dict[str, list[Any]]) -> list[Any]:
    return edge_cases["valid"] + edge_cases["malformed"]


def test_sync_pages_through_link_headers(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    with replay_hub(edge_cases["valid"], max_page_size=7) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
        requests = hub.state.requests
    text_generation = [m for m in edge_cases["valid"] if m["pipeline_tag"] == "text-generation"]
    assert result.stats.accepted == len(text_generation)
    assert result.pages == requests == -(-len(text_generation) // 7)
    assert result.snapshot.model_count == len(text_generation)
    assert result.snapshot.source == "hub-api"


def test_every_stage_of_a_sync_has_a_bar_that_can_finish(
    warehouse: Warehouse, edge_cases: dict[str, list[Any]]
) -> None:
    class Bars:
        def __init__(self) -> None:
            self.started: list[tuple[str, int | None]] = []
            self.done: dict[str, int] = {}

        def start(self, description: str, total: int | None) -> None:
            self.started.append((description, total))
            self.done[description] = 0

        def advance(self, count: int = 1) -> None:
            self.done[self.started[-1][0]] += count

        def describe(self, description: str) -> None:
            pass

    bars = Bars()
    with replay_hub(edge_cases["valid"], max_page_size=7) as hub:
        sync_hub(warehouse, SyncOptions(limit=5), api=HfApi(endpoint=hub.endpoint), progress=bars)
    # The listing's bar and the commit's steps: none open-ended ("0/?" that never moves), each run to its end.
    assert len(bars.started) >= 2 and all(total is not None for _, total in bars.started)
    assert all(bars.done[name] >= (total or 0) for name, total in bars.started), bars.started


def test_malformed_records_are_counted_and_the_rest_stored(
    warehouse: Warehouse, edge_cases: dict[str, list[Any]]
) -> None:
    models = everything(edge_cases)
    for raw in models:  # the replay filters on pipeline_tag: give the malformed ones the default tag
        if isinstance(raw, dict):
            raw.setdefault("pipeline_tag", "text-generation")
    with replay_hub(models, max_page_size=10) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
    assert result.stats.rejected == len(edge_cases["malformed"])
    assert result.stats.accepted == sum(m["pipeline_tag"] == "text-generation" for m in edge_cases["valid"])
    stored = warehouse.query("SELECT count(*) AS n FROM snapshot_models")[0]["n"]
    assert stored == result.stats.accepted
    reasons = warehouse.query("SELECT model_id, reason FROM rejections ORDER BY model_id")
    assert {r["model_id"] for r in reasons} >= {"bad/downloads-text", "bad/unknown-relation"}
    assert all(r["reason"] for r in reasons)


def test_retries_429_with_retry_after_and_503(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    faults = {0: Fault(429, retry_after=0), 2: Fault(503)}
    with replay_hub(edge_cases["valid"], faults=faults, max_page_size=20) as hub:
        result = sync_hub(warehouse, SyncOptions(max_retries=3), api=HfApi(endpoint=hub.endpoint))
        requests = hub.state.requests
    assert result.stats.accepted == sum(m["pipeline_tag"] == "text-generation" for m in edge_cases["valid"])
    assert requests == result.pages + 2


def test_persistent_failure_is_one_clear_error_and_writes_nothing(
    warehouse: Warehouse, edge_cases: dict[str, list[Any]]
) -> None:
    faults = {i: Fault(503) for i in range(1, 10)}
    with (
        replay_hub(edge_cases["valid"], faults=faults, max_page_size=5) as hub,
        pytest.raises(HubError, match="answered HTTP 503"),
    ):
        sync_hub(warehouse, SyncOptions(max_retries=1), api=HfApi(endpoint=hub.endpoint))
    assert list_snapshots(warehouse) == []
    assert warehouse.query("SELECT count(*) AS n FROM models")[0]["n"] == 0


def test_unreachable_hub_is_a_one_line_error(warehouse: Warehouse) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(HubError, match="cannot reach the Hub"):
        sync_hub(warehouse, SyncOptions(max_retries=0), api=HfApi(endpoint=f"http://127.0.0.1:{port}"))


def test_a_broken_page_costs_only_that_page(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    with replay_hub(edge_cases["valid"], corrupt={1}, max_page_size=10) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
    total = sum(m["pipeline_tag"] == "text-generation" for m in edge_cases["valid"])
    assert result.stats.accepted == total - 10
    assert (result.stats.rejected, result.stats.rejected_pages) == (0, 1)  # a page is not a record
    assert "not JSON" in warehouse.query("SELECT reason FROM page_rejections")[0]["reason"]
    assert warehouse.query("SELECT count(*) AS n FROM rejections")[0]["n"] == 0


def test_filters_limit_min_downloads_author_and_tags(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    models = edge_cases["valid"]
    with replay_hub(models, max_page_size=4) as hub:
        api = HfApi(endpoint=hub.endpoint)
        limited = sync_hub(warehouse, SyncOptions(limit=5), api=api)
        popular = sync_hub(warehouse, SyncOptions(min_downloads=100_000), api=api)
        qwen = sync_hub(warehouse, SyncOptions(author="Qwen"), api=api)
        both = sync_hub(warehouse, SyncOptions(pipeline_tags=("text-generation", "feature-extraction")), api=api)
    assert limited.stats.accepted == 5
    assert popular.stats.accepted == sum(
        m["downloads"] >= 100_000 and m["pipeline_tag"] == "text-generation" for m in models
    )
    assert qwen.stats.accepted == sum(m["id"].startswith("Qwen/") for m in models)
    assert both.stats.accepted == len(models)
    assert [s.snapshot_id for s in list_snapshots(warehouse)] == [1, 2, 3, 4]


def test_duplicates_across_pages_are_skipped(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    models = [*edge_cases["valid"][:5], dict(edge_cases["valid"][0])]
    with replay_hub(models) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
    assert result.stats.duplicates == 1
    assert result.stats.accepted == 5


def test_unchanged_models_share_stored_versions(warehouse: Warehouse, edge_cases: dict[str, list[Any]]) -> None:
    models = [dict(m) for m in edge_cases["valid"]]
    with replay_hub(models) as hub:
        api = HfApi(endpoint=hub.endpoint)
        sync_hub(warehouse, SyncOptions(), api=api)
        versions_after_first = warehouse.query("SELECT count(*) AS n FROM model_versions")[0]["n"]
        for m in models:
            m["downloads"] += 1  # figures move, attributes do not
        models[0]["tags"] = [*models[0]["tags"], "new-tag"]
        sync_hub(warehouse, SyncOptions(), api=api)
    versions_after_second = warehouse.query("SELECT count(*) AS n FROM model_versions")[0]["n"]
    assert versions_after_second == versions_after_first + 1
    identities = warehouse.query("SELECT count(*) AS n, count(DISTINCT model_id) AS d FROM models")[0]
    assert identities["n"] == identities["d"]
