"""`sync-usage` against a loopback replay of OpenRouter's endpoints (never the real host): the models list, the
rankings dataset in date windows (pagination), 429 with Retry-After, a refused key and a bad page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.hub.conftest import Reply, Script, scripted_hub
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import ImportFormatError
from modelrace.store import Warehouse
from modelrace.usage import UsageSyncError, sync_usage, usage_series

MODELS = {
    "data": [
        {"id": "deepseek/deepseek-v3.2", "canonical_slug": "deepseek/deepseek-v3.2-20251201",
         "pricing": {"prompt": "0.00000026", "completion": "0.00000038"}},
        {"id": "qwen/qwen3.6-plus:free", "canonical_slug": "qwen/qwen3.6-plus-04-02",
         "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "anthropic/claude-opus-4.7", "canonical_slug": "anthropic/claude-4.7-opus-20260416",
         "pricing": {"prompt": "0.000005", "completion": "0.000025"}},
    ]
}  # fmt: skip


def _rows(start: str, end: str) -> list[dict[str, str]]:
    rows = []
    day = date.fromisoformat(start)
    while day <= date.fromisoformat(end):
        rows += [
            {"date": day.isoformat(), "model_permaslug": "deepseek/deepseek-v3.2-20251201", "total_tokens": "700"},
            {"date": day.isoformat(), "model_permaslug": "anthropic/claude-4.7-opus-20260416", "total_tokens": "200"},
            {"date": day.isoformat(), "model_permaslug": "other", "total_tokens": "100"},
        ]
        day = date.fromordinal(day.toordinal() + 1)
    return rows


def _replay(throttle_first: bool = False, bad_page: int | None = None, refuse_key: bool = False) -> Script:
    pages = {"n": 0}

    def script(number: int, path: str, origin: str) -> Reply:
        url = urlsplit(path)
        if url.path == "/api/v1/models":
            if throttle_first and number == 0:
                return Reply(429, b'{"error": "slow down"}', {"Retry-After": "2"})
            return Reply(200, json.dumps(MODELS).encode())
        if url.path == "/api/v1/datasets/rankings-daily":
            if refuse_key:
                return Reply(401, b'{"error": "no key"}')
            pages["n"] += 1
            if pages["n"] == bad_page:
                return Reply(200, b'{"html": "<p>maintenance</p>"}')
            query = parse_qs(url.query)
            body = {"data": _rows(query["start_date"][0], query["end_date"][0]), "meta": {"version": "v1"}}
            return Reply(200, json.dumps(body).encode())
        return Reply(404, b"{}")

    return script


def test_models_list_and_rankings_in_windows(warehouse: Warehouse) -> None:
    waits: list[float] = []
    with scripted_hub(_replay(throttle_first=True)) as server:
        found = sync_usage(
            warehouse, endpoint=server.endpoint, api_key="sk-test", start=date(2026, 5, 1), end=date(2026, 5, 10),
            window_days=4, sleep=waits.append, today=date(2026, 5, 11),
        )  # fmt: skip
        seen = [s.path for s in server.seen]
        auth = [s.headers.get("authorization") for s in server.seen]
    assert waits == [2.0] and found.retries == 1  # 429 with Retry-After: 2 waited, then retried
    windows = [parse_qs(urlsplit(p).query) for p in seen if "rankings-daily" in p]
    assert [(w["start_date"][0], w["end_date"][0]) for w in windows] == [
        ("2026-05-01", "2026-05-04"), ("2026-05-05", "2026-05-08"), ("2026-05-09", "2026-05-10"),
    ]  # fmt: skip
    assert auth[0] is None and set(auth[2:]) == {"Bearer sk-test"}  # the key only where it is needed
    layouts = {s.layout: s for s in found.snapshots}
    assert layouts["models-list"].rows == 3 and layouts["rankings-dataset"].rows == 30
    series = usage_series(warehouse, by="country")
    assert series.series == "dataset" and len(series.dates) == 10
    assert {p.key: p.share for p in series.latest()} == {"CN": 0.7, "US": 0.2, "(not listed)": pytest.approx(0.1)}
    free = warehouse.query("SELECT slug, prompt_usd_per_token FROM usage_rows WHERE section = 'prices' AND is_free")
    assert free == [{"slug": "qwen/qwen3.6-plus-04-02:free", "prompt_usd_per_token": 0.0}]
    with scripted_hub(_replay()) as server:  # the same answers again: nothing stored twice
        again = sync_usage(
            warehouse, endpoint=server.endpoint, api_key="sk-test", start=date(2026, 5, 1), end=date(2026, 5, 10),
            window_days=4, sleep=waits.append, today=date(2026, 5, 11),
        )  # fmt: skip
    assert all(s.already_imported for s in again.snapshots)


def test_a_bad_page_stores_nothing(warehouse: Warehouse) -> None:
    with scripted_hub(_replay(bad_page=2)) as server, pytest.raises(ImportFormatError, match="page 2 of"):
        sync_usage(warehouse, endpoint=server.endpoint, api_key="k", start=date(2026, 5, 1), end=date(2026, 5, 10),
                   window_days=4, sleep=lambda s: None)  # fmt: skip
    assert warehouse.query("SELECT count(*) AS n FROM usage_snapshots")[0]["n"] == 0


def test_a_refused_key_and_a_long_wait_are_one_line(warehouse: Warehouse) -> None:
    with scripted_hub(_replay(refuse_key=True)) as server, pytest.raises(UsageSyncError, match="OPENROUTER_API_KEY"):
        sync_usage(warehouse, endpoint=server.endpoint, api_key="k", end=date(2026, 5, 10), sleep=lambda s: None)

    def slow(number: int, path: str, origin: str) -> Reply:
        return Reply(429, b"{}", {"Retry-After": "86400"})

    with scripted_hub(slow) as server, pytest.raises(UsageSyncError, match="asked to wait 86,400 s"):
        sync_usage(warehouse, endpoint=server.endpoint, sleep=lambda s: None)
    assert warehouse.query("SELECT count(*) AS n FROM usage_snapshots")[0]["n"] == 0


def test_without_a_key_only_the_models_list(db_path: Path) -> None:
    with scripted_hub(_replay()) as server:
        result = CliRunner().invoke(
            app,
            ["--db", str(db_path), "sync-usage", "--endpoint", server.endpoint, "--json"],
            env={"OPENROUTER_API_KEY": ""},
        )
        paths = [s.path for s in server.seen]
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["layout"] for s in data["snapshots"]] == ["models-list"] and not data["rankings"]
    assert paths == ["/api/v1/models"] and "no OPENROUTER_API_KEY" in data["notes"][0]
