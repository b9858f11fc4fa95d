"""The Hub path's remaining bounds (issue #29): an over-deep record costs itself, not its page; credentials in
HF_ENDPOINT are never stored or printed; an endless or silent listing stops within bounded time."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import HfApi

from modelrace._urls import scrubbed, without_userinfo
from modelrace.errors import HubError
from modelrace.hub import SyncOptions, sync_hub
from modelrace.hub._client import ListingQuery, iter_pages, parse_page
from modelrace.replay import replay_hub
from modelrace.replay._server import HubRepo
from modelrace.store import Warehouse, list_snapshots

from .conftest import Reply, scripted_hub

DEEP = b'{"id": "deep/one", "cardData": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def _record(index: int) -> dict[str, Any]:
    return {
        "id": f"org/model-{index}",
        "author": "org",
        "downloads": 10_000 - index,
        "likes": 1,
        "tags": ["license:apache-2.0"],
        "pipeline_tag": "text-generation",
        "createdAt": "2024-09-16T11:55:40.000Z",
        "lastModified": "2025-01-12T02:27:23.000Z",
        "private": False,
    }


def _page_body(records: list[dict[str, Any]], deep: bool) -> bytes:
    items = [json.dumps(r).encode() for r in records]
    if deep:
        items.insert(len(items) // 2, DEEP)
    return b"[" + b",".join(items) + b"]"


def test_parse_page_rejects_only_the_over_deep_record() -> None:
    page = parse_page(0, _page_body([_record(i) for i in range(3)], deep=True))
    assert page.error is None and len(page.items) == 4
    assert sum(isinstance(item, dict) for item in page.items) == 3


@pytest.mark.parametrize("vectorised", [True, False])
def test_one_deep_record_on_each_of_five_pages_costs_five_records(warehouse: Warehouse, vectorised: bool) -> None:
    per_page, pages = 40, 6

    def script(number: int, path: str, origin: str) -> Reply:
        page = int(path.rpartition("page=")[2]) if "page=" in path else 0
        records = [_record(page * per_page + i) for i in range(per_page)]
        headers = {"Link": f'<{origin}/api/models?page={page + 1}>; rel="next"'} if page + 1 < pages else {}
        return Reply(body=_page_body(records, deep=page < 5), headers=headers)

    with scripted_hub(script) as hub:
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=hub.endpoint), vectorised=vectorised)
    assert (result.stats.accepted, result.stats.rejected) == (per_page * pages, 5)
    assert result.snapshot.model_count == per_page * pages


def test_credentials_in_the_endpoint_are_used_never_stored(warehouse: Warehouse) -> None:
    def script(number: int, path: str, origin: str) -> Reply:
        return Reply(body=_page_body([_record(0)], deep=False))

    with scripted_hub(script) as hub:
        secret = hub.endpoint.replace("http://", "http://user:SECRET@")
        result = sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=secret))
        sent = hub.seen[0].headers.get("authorization", "")
    assert sent.startswith("Basic ")  # used for the request
    assert "SECRET" not in result.snapshot.source_detail and "SECRET" not in json.dumps(
        [s.to_json() for s in list_snapshots(warehouse)], default=str
    )
    stored = warehouse.query("SELECT * FROM snapshots")
    assert "SECRET" not in json.dumps(stored, default=str)


def test_userinfo_is_taken_out_of_urls_and_messages() -> None:
    assert without_userinfo("http://u:p@host:8/api?x=1") == "http://host:8/api?x=1"
    assert without_userinfo("https://host/a@b") == "https://host/a@b"
    assert scrubbed("error for url 'http://u:SECRET@h/x'") == "error for url 'http://h/x'"


def test_an_error_from_a_credentialed_endpoint_never_prints_the_secret() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    api = HfApi(endpoint=f"http://user:SECRET@127.0.0.1:{port}")
    with pytest.raises(HubError) as raised:
        list(iter_pages(api, ListingQuery(), max_retries=0, sleep=lambda s: None))
    assert "SECRET" not in str(raised.value) and "127.0.0.1" in str(raised.value)


def test_a_listing_that_serves_the_same_page_with_new_cursors_stops() -> None:
    def script(number: int, path: str, origin: str) -> Reply:
        next_link = f'<{origin}/api/models?cursor=c{number}>; rel="next"'
        return Reply(body=_page_body([_record(0)], deep=False), headers={"Link": next_link})

    with scripted_hub(script) as hub:
        with pytest.raises(HubError, match="pages that repeat earlier ones"):
            list(iter_pages(HfApi(endpoint=hub.endpoint), ListingQuery(), sleep=lambda s: None))
        assert len(hub.seen) == 6  # the page, then five repeats: not 10,001 pages


def test_an_endless_listing_of_short_pages_stops_long_before_the_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modelrace.hub._client.MAX_SHORT_PAGES", 30)

    def script(number: int, path: str, origin: str) -> Reply:
        next_link = f'<{origin}/api/models?cursor=c{number}>; rel="next"'
        return Reply(body=_page_body([_record(number)], deep=False), headers={"Link": next_link})

    with scripted_hub(script) as hub:
        with pytest.raises(HubError, match="broken listing"):
            list(iter_pages(HfApi(endpoint=hub.endpoint), ListingQuery(), sleep=lambda s: None))
        assert len(hub.seen) == 30


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", held
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_max_wait_bounds_a_server_that_never_answers(silent_server: tuple[str, list[socket.socket]]) -> None:
    endpoint, connections = silent_server
    with pytest.raises(HubError, match=r"did not answer within 2 s|cannot reach"):
        list(iter_pages(HfApi(endpoint=endpoint), ListingQuery(), max_retries=5, timeout_s=60, max_wait_s=2))
    # Each attempt waits only what is left of the 2 s: one or two attempts, never six of 60 s each.
    assert 1 <= len(connections) <= 2


def test_replay_hub_logs_a_client_disconnect_in_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"\0" * (32 << 20))  # far more than the socket buffers hold
    err = ""
    with replay_hub([], repos={"org/m": HubRepo({"model.bin": weights})}) as hub:
        port = int(hub.endpoint.rpartition(":")[2])
        for _ in range(2):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /org/m/resolve/main/model.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(4096)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, mid-answer
            client.close()
        waited = threading.Event()
        for _ in range(100):  # the server notices at its next write: at most a few seconds
            err += capfd.readouterr().err
            if err.count("disconnected mid-answer") >= 2:
                break
            waited.wait(0.05)
    err += capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 2 and all("replay-hub: client 127.0.0.1:" in line for line in lines), err
    assert "Traceback" not in err
