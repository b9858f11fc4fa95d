"""Client overhead against an OpenAI-compatible server on loopback, at concurrency 64.

The server (a separate process) answers every chat completion at once, so the figure is the client's cost.
Baseline, in the same run: the same requests posted by plain httpx clients (one per thread) from 64 threads,
reading each answer's text and nothing more. Ours: OpenAIBackend.generate (request building, load balancing over
endpoints, semaphores, answer parsing, reasoning split). Target: ours within 5 % of the baseline's throughput.
Run: python bench/bench_openai_client.py [--requests N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from modelrace.evals._openai import OpenAIBackend

REPLY = json.dumps(
    {
        "choices": [{"message": {"role": "assistant", "content": "B"}, "finish_reason": "stop"}],
        "usage": {"completion_tokens": 1},
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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


def baseline(url: str, requests: int, concurrency: int) -> float:
    local = threading.local()
    payload = {"model": "m", "messages": [{"role": "user", "content": "q"}], "max_tokens": 1, "temperature": 0}

    def one(_: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
        response = local.client.post(f"{url}/chat/completions", json=payload)
        response.raise_for_status()
        response.json()["choices"][0]["message"]["content"]

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - start)


def ours(url: str, requests: int, concurrency: int) -> float:
    backend = OpenAIBackend("m", [url], concurrency=concurrency)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: backend.generate("q", 1, [], chat=True), range(requests)))
    elapsed = time.perf_counter() - start
    backend.close()
    return requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    port = free_port()
    server = multiprocessing.Process(target=serve, args=(port,), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{port}/v1"
    time.sleep(0.5)
    baseline(url, 200, args.concurrency)  # warm up both sides
    rates = {"baseline": [], "ours": []}
    for _ in range(3):  # interleaved, to share the machine's noise
        rates["baseline"].append(baseline(url, args.requests, args.concurrency))
        rates["ours"].append(ours(url, args.requests, args.concurrency))
    server.terminate()
    best = {k: max(v) for k, v in rates.items()}
    overhead = 1 - best["ours"] / best["baseline"]
    print(f"concurrency {args.concurrency}, {args.requests} requests x 3 rounds (best round)")
    print(f"plain httpx: {best['baseline']:8.0f} requests/s")
    print(f"modelrace:   {best['ours']:8.0f} requests/s")
    print(
        f"client overhead: {overhead:+.1%} of the plain client's throughput (target <= 5 %): "
        f"{'met' if overhead <= 0.05 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
