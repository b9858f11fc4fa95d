"""Any OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp server, hosted APIs).

Generation uses chat completions (or completions without a chat template). Scoring uses completions with
``echo`` and ``logprobs``: the prompt's token log-probabilities. Servers differ there (some do not echo, some
shift prompt log-probabilities by one token), so before any scoring a probe checks the server: the echoed
log-probability of a known next token must equal the log-probability the same server gives that token when it
generates it. A server that fails the probe is refused for log-likelihood tasks, with the reason; a
multiple-choice task can then run as a letter-answer task, recorded under a different metric.

Several base URLs for one model are used together, each with its own concurrency limit: the way to scale an
evaluation out to a vLLM or SGLang cluster behind several endpoints. Each request goes to the endpoint with the
largest free share of its slots; connection errors, 429 and 5xx answers are retried with backoff.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import threading
import weakref
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp

from modelrace.errors import ModelraceError
from modelrace.evals._backends import ChoiceScore, Generation, ServedInfo, split_reasoning
from modelrace.local import LocalFile

_T = TypeVar("_T")
PROBE_CONTEXT = "The capital of France is"
PROBE_TOLERANCE = 0.05


class EndpointError(ModelraceError):
    """An OpenAI-compatible endpoint failed or answered something unusable."""


def split_base_url(url: str) -> tuple[str, dict[str, str]]:
    """A base URL without credentials, and the headers they stand for.

    ``http://user:password@host/v1`` is taken as HTTP Basic authentication for that endpoint (percent-escapes
    decoded), sent as its ``Authorization`` header instead of the ``OPENAI_API_KEY`` bearer token; the URL kept
    (in the spec, the manifest, messages) has no credentials. Anything but an http(s) URL with a host is refused.
    """
    parts = urlsplit(url.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        host, port = None, None
    if parts.scheme not in ("http", "https") or not host:
        shown = "***@" + url.rpartition("@")[2] if "@" in url else url  # whatever came before an @ may be a password
        raise EndpointError(
            f"{shown!r} is not a base URL: write http(s)://HOST[:PORT]/PATH, e.g. http://127.0.0.1:8000/v1"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    if parts.username is None and parts.password is None:
        return clean, {}
    pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    return clean, {"Authorization": "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")}


def _first_choice(body: dict[str, Any]) -> dict[str, Any]:
    """The first choice of an answer, or a clear error for an answer without one."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise EndpointError(f"the server's answer has no choices: {str(body)[:200]}")
    return choices[0]


@dataclass
class Endpoint:
    """One base URL with its own concurrency limit (requests in flight are counted in the event loop's thread)."""

    base_url: str  # never holds credentials (they go to ``headers``)
    limit: int
    in_flight: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # per-endpoint Authorization from URL credentials

    def __post_init__(self) -> None:
        # an asyncio.Semaphore binds to the loop that first waits on it: the backend's own loop
        self.slots = asyncio.Semaphore(self.limit)


class _Loop:
    """An asyncio event loop in a daemon thread, holding one aiohttp session for every endpoint.

    Worker threads (the runner's) hand it requests and wait for the answers. HTTP parsing and connection pooling
    then run in one thread with aiohttp's C parser, instead of 64 threads contending for the GIL in a pure-Python
    client: 2.8x the throughput of one httpx client per thread when client and server share 2 cores
    (bench/bench_openai_client.py).
    """

    def __init__(self, headers: dict[str, str], timeout_s: float) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="modelrace-openai", daemon=True)
        self.thread.start()

        async def open_session() -> aiohttp.ClientSession:
            return aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_s),
                connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300),
            )

        self.session = self.run(open_session())

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run a coroutine on the loop and wait for its result (from any other thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        """Close the session and stop the loop."""
        if self.loop.is_closed():
            return
        self.run(self.session.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


class OpenAIBackend:
    """A model served behind one or more OpenAI-compatible endpoints."""

    max_concurrency: int | None = None  # the endpoints' slots bound what is in flight
    local_file: LocalFile | None = None  # the model is served elsewhere

    def __init__(
        self,
        model: str,
        base_urls: list[str],
        concurrency: int = 8,
        timeout_s: float = 600.0,
        extra_body: dict[str, float | str] | None = None,
        retries: int = 4,
    ) -> None:
        if not base_urls:
            raise EndpointError("an openai: model needs at least one base URL")
        key = os.environ.get("OPENAI_API_KEY", "EMPTY")
        self.model = model
        # Server-specific sampling fields (llama.cpp's server applies repeat_penalty 1.1 unless told otherwise).
        self.extra_body = dict(extra_body or {})
        split = [split_base_url(url) for url in base_urls]  # credentials in a URL never reach the spec
        self.spec = f"openai:{model}@{','.join(url for url, _ in split)}"
        self.endpoints = [Endpoint(url.rstrip("/"), max(1, concurrency), headers=auth) for url, auth in split]
        self._headers = {"Authorization": f"Bearer {key}"}
        self._timeout_s = timeout_s
        self._retries = retries
        self._loop: _Loop | None = None
        self._turn = 0
        self._lock = threading.Lock()
        self._probe: tuple[bool, str] | None = None

    def probe_loglikelihood(self) -> bool:
        """Whether the probe (run now if it has not run) found trustworthy prompt log-probabilities."""
        return self.probe()[0]

    def info(self) -> ServedInfo:
        """What the manifest records (the probe's finding once it ran)."""
        return ServedInfo(
            "openai-compatible",
            model=self.model,
            endpoints=tuple(e.base_url for e in self.endpoints),
            extra_body=dict(self.extra_body),
            aiohttp=aiohttp.__version__,
            logprob_probe=self._probe[1] if self._probe else None,
        )

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self._loop is None:
            with self._lock:
                if self._loop is None:
                    self._loop = _Loop(self._headers, self._timeout_s)
                    # closed with the backend, or at exit: an unclosed aiohttp session complains on stderr
                    weakref.finalize(self, self._loop.close)
        return self._loop.run(self._request(self._loop.session, path, payload))

    def _pick(self) -> Endpoint:
        """The endpoint with the largest free share of its slots, ties taken in turn (runs in the loop's thread:
        no lock needed)."""
        self._turn += 1
        n = len(self.endpoints)
        return min((self.endpoints[(self._turn + k) % n] for k in range(n)), key=lambda e: e.in_flight / e.limit)

    async def _request(self, session: aiohttp.ClientSession, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST with retries: connection errors, 429 and 5xx are retried with exponential backoff (honouring
        Retry-After, capped at a minute); other answers are final."""
        failure = ""
        for attempt in range(self._retries + 1):
            endpoint = self._pick()
            url = f"{endpoint.base_url}{path}"
            endpoint.in_flight += 1
            try:
                async with endpoint.slots, session.post(url, json=payload, headers=endpoint.headers) as response:
                    status, data = response.status, await response.read()
                    retry_after = response.headers.get("Retry-After", "")
            except (aiohttp.ClientError, TimeoutError) as error:
                failure = f"{url}: {type(error).__name__}: {error or 'no answer in time'}"
                status, data, retry_after = 0, b"", ""
            finally:
                endpoint.in_flight -= 1
            if status and status < 400:
                try:
                    body = json.loads(data)
                except ValueError:
                    raise EndpointError(f"{url} answered something that is not JSON: {data[:200]!r}") from None
                if not isinstance(body, dict):
                    raise EndpointError(f"{url} answered JSON that is not an object: {data[:200]!r}")
                return body
            if status:
                failure = f"{url} answered HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
                if status != 429 and status < 500:
                    raise EndpointError(failure)
            if attempt < self._retries:
                wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 0.5 * 2**attempt
                await asyncio.sleep(min(wait, 60.0))
        raise EndpointError(f"{failure} (after {self._retries + 1} attempts)")

    def generate(self, prompt: str, max_tokens: int, stop: list[str], chat: bool) -> Generation:
        """Greedy generation; reasoning (``reasoning_content`` or ``<think>``) is kept apart from the answer."""
        common: dict[str, Any] = {  # the request body (JSON)
            "model": self.model, "max_tokens": max_tokens, "temperature": 0, "seed": 0, **self.extra_body,
        }  # fmt: skip
        if stop:
            common["stop"] = stop
        if chat:
            body = self._post("/chat/completions", common | {"messages": [{"role": "user", "content": prompt}]})
            choice = _first_choice(body)
            message = choice.get("message") or {}
            text, reasoning = split_reasoning(message.get("content") or "", message.get("reasoning_content"))
        else:
            body = self._post("/completions", common | {"prompt": prompt})
            choice = _first_choice(body)
            text, reasoning = split_reasoning(choice.get("text") or "")
        usage = body.get("usage") or {}
        details = usage.get("completion_tokens_details") or {}
        return Generation(
            text=text,
            reasoning=reasoning,
            completion_tokens=usage.get("completion_tokens"),
            reasoning_tokens=details.get("reasoning_tokens"),
            finish_reason=choice.get("finish_reason"),
        )

    def _echo(self, text: str) -> tuple[list[str], list[float | None], list[int]]:
        body = self._post(
            "/completions",
            {"model": self.model, "prompt": text, "max_tokens": 0, "echo": True, "logprobs": 1, "temperature": 0},
        )
        logprobs = _first_choice(body).get("logprobs") or {}
        tokens = logprobs.get("tokens")
        values = logprobs.get("token_logprobs")
        offsets = logprobs.get("text_offset")
        if not tokens or values is None or offsets is None or len(tokens) != len(values):
            raise EndpointError("the server returned no prompt log-probabilities (echo + logprobs)")
        return tokens, values, offsets

    def probe(self) -> tuple[bool, str]:
        """Check, once, that echoed prompt log-probabilities are aligned with their tokens."""
        if self._probe is not None:
            return self._probe
        try:
            generated = self._post(
                "/completions",
                {"model": self.model, "prompt": PROBE_CONTEXT, "max_tokens": 1, "logprobs": 1, "temperature": 0},
            )
            gen_logprobs = generated["choices"][0].get("logprobs") or {}
            next_token = gen_logprobs["tokens"][0]
            next_logprob = gen_logprobs["token_logprobs"][0]
            tokens, values, offsets = self._echo(PROBE_CONTEXT + next_token)
            if values[0] is not None:
                self._probe = (False, "the first prompt token has a log-probability: prompt log-probs look shifted")
            elif offsets[-1] != len(PROBE_CONTEXT) or tokens[-1] != next_token:
                self._probe = (False, "echoed tokens do not line up with their text offsets")
            elif values[-1] is None or abs(values[-1] - next_logprob) > PROBE_TOLERANCE:
                self._probe = (
                    False,
                    f"the echoed log-probability of {next_token!r} ({values[-1]}) differs from the generated one"
                    f" ({next_logprob:.4f}): prompt log-probs are shifted or wrong",
                )
            else:
                self._probe = (True, f"echo and generation agree on {next_token!r} ({next_logprob:.4f})")
        except (EndpointError, KeyError, IndexError, TypeError) as error:
            self._probe = (False, f"no usable prompt log-probabilities: {error}")
        return self._probe

    def score_choices(self, context: str, choices: list[str]) -> list[ChoiceScore]:
        """Each choice's log-probability after the context (one echo request per choice)."""
        ok, reason = self.probe()
        if not ok:
            raise EndpointError(f"refusing log-likelihood scoring on {self.spec}: {reason}")
        scores = []
        for choice in choices:
            _tokens, values, offsets = self._echo(context + choice)
            start = len(context)
            picked = [v for v, o in zip(values, offsets, strict=True) if o >= start and v is not None]
            if not picked:
                raise EndpointError(f"no tokens after the context for choice {choice!r}")
            scores.append(ChoiceScore(math.fsum(picked), len(picked), len(choice)))
        return scores

    def close(self) -> None:
        """Close the HTTP session and its thread."""
        with self._lock:
            if self._loop is not None:
                self._loop.close()
                self._loop = None
