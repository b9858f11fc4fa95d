"""Credentials in an openai: base URL are used as that endpoint's Basic authentication and never shown."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import ModelraceError
from modelrace.evals._openai import OpenAIBackend, split_base_url
from modelrace.evals._spec import make_backend, redact


@contextmanager
def recording_server() -> Iterator[tuple[int, list[str | None]]]:
    """A completions endpoint on loopback that records each request's Authorization header."""
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_POST(self) -> None:
            seen.append(self.headers.get("Authorization"))
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.dumps({"choices": [{"text": " ok", "finish_reason": "stop"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_in_the_url_authenticate_and_are_never_echoed() -> None:
    with recording_server() as (port, seen):
        backend = make_backend(f"openai:toy@http://user:p%40ss@127.0.0.1:{port}/v1")
        assert isinstance(backend, OpenAIBackend)
        try:
            assert backend.generate("hello", 4, [], chat=False).text == " ok"
        finally:
            backend.close()
    assert seen == ["Basic " + base64.b64encode(b"user:p@ss").decode()]
    shown = json.dumps([backend.spec, backend.info().to_json()])
    assert "p%40ss" not in shown and "p@ss" not in shown and "user" not in shown
    assert backend.spec == f"openai:toy@http://127.0.0.1:{port}/v1"


def test_a_url_without_credentials_keeps_the_bearer_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with recording_server() as (port, seen):
        backend = OpenAIBackend("toy", [f"http://127.0.0.1:{port}/v1"])
        try:
            backend.generate("hello", 4, [], chat=False)
        finally:
            backend.close()
    assert seen == ["Bearer sk-test"]


@pytest.mark.parametrize(
    "url", ["ftp://user:secret@host/v1", "http://user:secret@/v1", "user:secret@host", "http://u:secret@h:port/v1"]
)
def test_bad_urls_are_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(ModelraceError) as caught:
        split_base_url(url)
    assert "secret" not in str(caught.value)


def test_redact() -> None:
    assert redact("openai:m@http://u:pw@host/v1,https://x:y@h2") == "openai:m@http://***@host/v1,https://***@h2"
    assert redact("openai:m@http://host/v1") == "openai:m@http://host/v1"


def test_cli_error_is_one_line_without_the_password(tmp_path: Any) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "w.duckdb"), "eval", "--model", "openai:@http://u:secret@h/v1", "--task", "x"]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "secret" not in result.output


def test_every_backend_kind_is_one_registration() -> None:
    from modelrace.errors import ConfigError
    from modelrace.evals._spec import BACKENDS, check_backend, install_hint, missing_backend

    assert list(BACKENDS) == ["gguf", "hf", "openai"]
    assert missing_backend("openai") is None  # a server needs no library here
    assert install_hint("hf") in (BACKENDS["hf"].missing() or install_hint("hf"))
    with pytest.raises(ConfigError) as error:
        check_backend("tgi:model")
    assert "gguf:PATH_OR_NAME, hf:PATH_OR_NAME, openai:MODEL@BASE_URL or the name" in str(error.value)
    with pytest.raises(ConfigError, match=r"'openai:toy\?x=1': write openai:MODEL@BASE_URL"):
        make_backend("openai:toy?x=1")


def test_the_manifest_is_typed_stored_as_before_and_keeps_run_ids() -> None:
    import dataclasses

    from modelrace.evals import RunOptions, Task, TaskSpec
    from modelrace.evals._runner import manifest, run_id_of

    task = Task(TaskSpec(id="t", kind="generation", source="jsonl:unused", stop=["\n"]), (), "hash", 0)
    backend = OpenAIBackend("toy", ["http://127.0.0.1:1/v1"], extra_body={"repeat_penalty": 1.0})
    meta = manifest(task, backend, RunOptions())
    meta = dataclasses.replace(meta, modelrace="0", model=dataclasses.replace(meta.model, aiohttp="3"))
    # recorded before the manifest was typed (a dict then): the stored JSON and the run id must not change
    assert json.dumps(meta.to_json(), default=str) == (
        '{"task": {"id": "t", "version": 1, "hash": "hash", "items": 0, "available": 0}, "prompt_template": '
        '"{input}", "fewshot": {"n": 0, "seed": 1234}, "chat_template": false, "model": {"backend": '
        '"openai-compatible", "model": "toy", "endpoints": ["http://127.0.0.1:1/v1"], "extra_body": '
        '{"repeat_penalty": 1.0}, "aiohttp": "3", "logprob_probe": null}, "sampling": {"temperature": 0, '
        '"max_tokens": 512, "stop": ["\\n"], "samples": 1}, "seed": 0, "modelrace": "0"}'
    )
    assert run_id_of(meta) == "8d835eba038d9bc1"
    probed = dataclasses.replace(meta, model=dataclasses.replace(meta.model, logprob_probe="echo agrees"))
    assert run_id_of(probed) == run_id_of(meta)  # the probe's words may change between resumptions
    with_protocol = dataclasses.replace(meta, protocol="leaderboard_bbh")
    assert next(iter(with_protocol.to_json())) == "protocol" and run_id_of(with_protocol) != run_id_of(meta)
