"""Client overhead against an OpenAI-compatible server on loopback, at concurrency 64.

The server (a separate process) answers every chat completion at once, so what limits throughput is CPU: the
server's and the client's, on the same cores. The server's own throughput is measured with the leanest client
there is: 64 keep-alive connections on one asyncio loop writing pre-encoded requests and reading each answer by
its Content-Length. Ours: OpenAIBackend.generate called from 64 worker threads, as the evaluation runner calls it
(request building, endpoint choice, slots, retries, JSON parsing, reasoning split). For context: one plain httpx
client per thread, the previous design. Rounds are paired and interleaved; the overhead is the median over rounds
of 1 - ours / server's own. Target: <= 5 %.

Two servers: `--server instant` (the default: a Python server that does no work, the worst case for a client on
two shared cores) and `--server llama` (llama-cpp-python's OpenAI-compatible server with SmolLM2-135M generating
16 tokens per request: a real model server, where the model's compute is what the client must not slow down).
Run: python bench/bench_openai_client.py [--server instant|llama] [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import multiprocessing
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from modelrace.evals._openai import OpenAIBackend


@dataclass(frozen=True)
class Load:
    """What every request asks, the same for every client."""

    prompt: str = "q"
    max_tokens: int = 1
    extra: dict[str, object] = field(default_factory=dict)  # server-specific fields

    def payload(self) -> dict[str, object]:
        messages = [{"role": "user", "content": self.prompt}]
        return {"model": "m", "messages": messages, "max_tokens": self.max_tokens, "temperature": 0, **self.extra}


INSTANT = Load()
# llama.cpp's server applies repeat_penalty 1.1 unless told otherwise
LLAMA = Load("Name three colours.", 16, {"repeat_penalty": 1.0})
REPLY = json.dumps(
    {
        "choices": [{"message": {"role": "assistant", "content": "B"}, "finish_reason": "stop"}],
        "usage": {"completion_tokens": 1},
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)


def serve(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_llama_server(port: int) -> subprocess.Popen[bytes]:
    """llama-cpp-python's server with SmolLM2-135M; requests generate 16 tokens from a short chat prompt."""
    from modelrace.evals import resolve_local_model

    model = resolve_local_model("smollm2-135m-instruct")
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model.path), "--port", str(port)]
    server = subprocess.Popen([*command, "--n_ctx", "512"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("llama-cpp-python's server did not start (pip install -e '.[gguf]')")


def server_own(port: int, load: Load, requests: int, concurrency: int) -> float:
    """The server's throughput with a client that costs next to nothing."""
    body = json.dumps(load.payload()).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    left = [requests]

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while left[0] > 0:
            left[0] -= 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            json.loads(await reader.readexactly(length))
        writer.close()

    async def run() -> None:
        await asyncio.gather(*(connection() for _ in range(concurrency)))

    start = time.perf_counter()
    asyncio.run(run())
    return requests / (time.perf_counter() - start)


def plain_httpx(port: int, load: Load, requests: int, concurrency: int) -> float:
    import httpx

    local = threading.local()
    url = f"http://127.0.0.1:{port}/v1/chat/completions"

    def one(_: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
        response = local.client.post(url, json=load.payload())
        response.raise_for_status()
        response.json()["choices"][0]["message"]["content"]

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - start)


def ours(port: int, load: Load, requests: int, concurrency: int) -> float:
    backend = OpenAIBackend("m", [f"http://127.0.0.1:{port}/v1"], concurrency=concurrency, extra_body=load.extra)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: backend.generate(load.prompt, load.max_tokens, [], chat=True), range(requests)))
    elapsed = time.perf_counter() - start
    backend.close()
    return requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--server", choices=["instant", "llama"], default="instant")
    args = parser.parse_args()
    port = free_port()
    load = LLAMA if args.server == "llama" else INSTANT
    if args.server == "llama":
        server = start_llama_server(port)
    else:
        server = multiprocessing.Process(target=serve, args=(port,), daemon=True)
        server.start()
        time.sleep(0.5)
    sides: dict[str, Callable[[int, Load, int, int], float]] = {"server": server_own, "ours": ours}
    if importlib.util.find_spec("httpx"):
        sides["httpx"] = plain_httpx
    for run in sides.values():  # warm up both ends
        run(port, load, max(args.concurrency, args.requests // 10), args.concurrency)
    rates: dict[str, list[float]] = {side: [] for side in sides}
    names = list(sides)
    for round_ in range(args.rounds):  # interleaved, rotating who goes first, to share the machine's noise
        for side in names[round_ % len(names) :] + names[: round_ % len(names)]:
            rates[side].append(sides[side](port, load, args.requests, args.concurrency))
    server.terminate()
    print(
        f"server: {args.server}; concurrency {args.concurrency}, {args.requests} requests per side, "
        f"{args.rounds} paired rounds"
    )
    labels = {"server": "server's own (lean asyncio client)", "ours": "modelrace OpenAIBackend", "httpx": "plain httpx"}
    for side in names:
        share = statistics.median(o / s for o, s in zip(rates[side], rates["server"], strict=True))
        rate = statistics.median(rates[side])
        print(f"{labels[side]:>36}: {rate:7.1f} requests/s (median), {share:6.1%} of the server's own")
    overhead = 1 - statistics.median(o / s for o, s in zip(rates["ours"], rates["server"], strict=True))
    print(
        f"client overhead: {overhead:+.1%} of the server's own throughput (target <= 5 %): "
        f"{'met' if overhead <= 0.05 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
