"""The listing against hostile servers: it never waits without end and never hands the token to another host."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from huggingface_hub import HfApi

from modelrace.errors import HubError
from modelrace.hub import ListingQuery, SyncOptions, iter_pages, sync_hub
from modelrace.hub._client import retry_after_seconds, same_origin
from modelrace.store import Warehouse, list_snapshots

from .conftest import Reply, scripted_hub

MODELS = json.dumps([{"id": "a/one", "downloads": 5}, {"id": "a/two", "downloads": 4}]).encode()


def listed(endpoint: str, max_pages: int | None = None) -> list[str]:
    """Model ids of every page (no real sleeping)."""
    api = HfApi(endpoint=endpoint, token="hf_secret")
    pages = iter_pages(api, ListingQuery(), max_pages=max_pages, sleep=lambda s: None)
    return [item["id"] for page in pages for item in page.items]


def test_a_next_link_pointing_to_itself_stops_with_an_error() -> None:
    def itself(n: int, path: str, origin: str) -> Reply:
        return Reply(body=MODELS, headers={"Link": f'<{origin}{path}>; rel="next"'})

    with scripted_hub(itself) as hub:
        with pytest.raises(HubError, match="repeats itself"):
            listed(hub.endpoint)
        assert len(hub.seen) <= 3


def test_a_repeating_cursor_stops_with_an_error() -> None:
    def script(n: int, path: str, origin: str) -> Reply:  # cursors 1, 2, 1, 2 ... under changing extra parameters
        return Reply(body=MODELS, headers={"Link": f'<{origin}/api/models?cursor={n % 2 + 1}&n={n}>; rel="next"'})

    with scripted_hub(script) as hub:
        with pytest.raises(HubError, match="repeats itself"):
            listed(hub.endpoint)
        assert len(hub.seen) <= 4


def test_pages_are_capped_and_empty_pages_end_the_listing() -> None:
    def endless(n: int, path: str, origin: str) -> Reply:
        body = json.dumps([{"id": f"a/m{n}-{i}", "downloads": 5} for i in range(200)]).encode()  # new records
        return Reply(body=body, headers={"Link": f'<{origin}/api/models?cursor=c{n}>; rel="next"'})

    def replaying(n: int, path: str, origin: str) -> Reply:  # the same records under new cursors
        return Reply(body=MODELS, headers={"Link": f'<{origin}/api/models?cursor=c{n}>; rel="next"'})

    def empty(n: int, path: str, origin: str) -> Reply:
        return Reply(body=b"[]", headers={"Link": f'<{origin}/api/models?cursor=c{n}>; rel="next"'})

    with scripted_hub(endless) as hub:
        with pytest.raises(HubError, match="went on past 10 pages"):
            listed(hub.endpoint, max_pages=10)
        assert len(hub.seen) == 10

    def unreadable(n: int, path: str, origin: str) -> Reply:
        return Reply(body=b"<html>busy</html>", headers={"Link": f'<{origin}/api/models?cursor=c{n}>; rel="next"'})

    for script in (empty, unreadable):
        with scripted_hub(script) as hub:
            with pytest.raises(HubError, match="empty or unreadable pages in a row"):
                listed(hub.endpoint)
            assert len(hub.seen) == 5
    with scripted_hub(replaying) as hub:  # the first page, then five repeats of it
        with pytest.raises(HubError, match="pages that repeat earlier ones"):
            listed(hub.endpoint)
        assert len(hub.seen) == 6


def test_a_retry_after_longer_than_the_cap_fails_at_once() -> None:
    waits: list[float] = []
    with scripted_hub(lambda n, path, origin: Reply(429, b"{}", {"Retry-After": "86400"})) as hub:
        with pytest.raises(HubError, match="asked to wait 86,400 s"):
            list(iter_pages(HfApi(endpoint=hub.endpoint), ListingQuery(), max_wait_s=300, sleep=waits.append))
        assert waits == [] and len(hub.seen) == 1


def test_retry_after_as_an_http_date_is_honoured() -> None:
    waits: list[float] = []

    def script(n: int, path: str, origin: str) -> Reply:
        if n == 0:
            when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
            return Reply(503, b"{}", {"Retry-After": when})
        return Reply(body=MODELS)

    with scripted_hub(script) as hub:
        pages = list(iter_pages(HfApi(endpoint=hub.endpoint), ListingQuery(), sleep=waits.append))
    assert [item["id"] for page in pages for item in page.items] == ["a/one", "a/two"]
    assert len(waits) == 1 and 25 < waits[0] <= 30


def test_a_rate_limit_reset_longer_than_the_cap_fails_too() -> None:
    # The Hub's own rate-limit headers (IETF draft): remaining 0, reset in an hour
    headers = {"RateLimit": '"api";r=0;t=3600', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
    with (
        scripted_hub(lambda n, path, origin: Reply(429, b"{}", headers)) as hub,
        pytest.raises(HubError, match="asked to wait 3,600 s"),
    ):
        list(iter_pages(HfApi(endpoint=hub.endpoint), ListingQuery(), max_wait_s=60, sleep=lambda s: None))


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("1.5", now) == 1.5
    assert retry_after_seconds("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60
    assert retry_after_seconds("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0  # already past
    for bad in (None, "", "soon", "-5", "nan", "inf", "Mon, 99 Foo 2026"):
        assert retry_after_seconds(bad, now) is None


def test_the_token_never_goes_to_another_origin() -> None:
    with scripted_hub(lambda n, path, origin: Reply(body=MODELS)) as elsewhere:

        def script(n: int, path: str, origin: str) -> Reply:
            if n == 0:
                return Reply(body=MODELS, headers={"Link": f'<{origin}/api/models?cursor=2>; rel="next"'})
            return Reply(body=MODELS, headers={"Link": f'<{elsewhere.endpoint}/api/models?cursor=3>; rel="next"'})

        with scripted_hub(script) as hub:
            assert listed(hub.endpoint) == ["a/one", "a/two"] * 3
        assert [s.headers.get("authorization") for s in hub.seen] == ["Bearer hf_secret"] * 2
        assert len(elsewhere.seen) == 1 and "authorization" not in elsewhere.seen[0].headers
        assert "hf_secret" not in json.dumps([s.headers for s in elsewhere.seen])


def test_origins() -> None:
    assert same_origin("https://huggingface.co", "https://HuggingFace.co:443/api/models?x=1")
    assert not same_origin("https://huggingface.co", "http://huggingface.co")
    assert not same_origin("http://127.0.0.1:80", "http://127.0.0.1:8080")
    assert not same_origin("https://huggingface.co", "https://huggingface.co.evil.example")
    assert not same_origin("https://huggingface.co", "https://huggingface.co:notaport")


def test_a_page_nested_100000_deep_is_one_rejected_record(warehouse: Warehouse) -> None:
    # Its one item is too deep for the parser: that record is rejected (issue #29), not the page.
    deep = ("[" * 100_000 + "]" * 100_000).encode()

    def script(n: int, path: str, origin: str) -> Reply:
        link = {"Link": f'<{origin}/api/models?cursor={n + 1}>; rel="next"'} if n < 2 else {}
        return Reply(body=deep if n == 1 else MODELS if n == 0 else b'[{"id": "a/three"}]', headers=link)

    with scripted_hub(script) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint))
    assert (result.stats.accepted, result.stats.rejected, result.stats.rejected_pages) == (3, 1, 0)
    assert "nested deeper" in result.stats.rejection_samples[0].reason
    assert warehouse.query("SELECT count(*) AS n FROM page_rejections") == [{"n": 0}]


def test_a_corrupt_huggingface_hub_cache_is_explained_and_sync_goes_on(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants
    from huggingface_hub.utils import _detect_agent

    cache = tmp_path / ".agent_harnesses.json"
    cache.write_text('[{"error": "not found"}]')  # left by a server answering a list to /api/agent-harnesses
    monkeypatch.setattr(constants, "AGENT_HARNESSES_PATH", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)
    monkeypatch.setattr(_detect_agent, "_registry", None)
    with scripted_hub(lambda n, path, origin: Reply(body=MODELS)) as hub:
        api = HfApi(endpoint=hub.endpoint, token="hf_secret")
        result = sync_hub(warehouse, SyncOptions(), api=api)
    assert result.stats.accepted == 2
    assert len(result.warnings) == 1 and str(cache) in result.warnings[0]
    assert hub.seen[0].headers["authorization"] == "Bearer hf_secret"  # the token is still sent to the Hub
    assert len(list_snapshots(warehouse)) == 1


def test_a_redirect_to_another_origin_does_not_carry_the_token() -> None:
    with scripted_hub(lambda n, path, origin: Reply(body=MODELS)) as elsewhere:
        redirect = {"Location": f"{elsewhere.endpoint}/api/models"}
        with scripted_hub(lambda n, path, origin: Reply(302, b"", redirect)) as hub:
            assert listed(hub.endpoint) == ["a/one", "a/two"]
        assert hub.seen[0].headers.get("authorization") == "Bearer hf_secret"
        assert "authorization" not in elsewhere.seen[0].headers
