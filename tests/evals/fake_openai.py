"""A deterministic OpenAI-compatible server on loopback, for testing the client (not a language model).

Tokens are words with their leading space. A token's log-probability depends only on the token before it, so
echo and generation can be checked against each other; modes break that on purpose.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = re.compile(r"\s*\S+")


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text)


def logprob(previous: str | None, token: str) -> float:
    seed = sum(map(ord, (previous or "") + "|" + token))
    return -0.1 - (seed % 97) / 10.0


class State:
    def __init__(self, mode: str, answers: dict[str, str]) -> None:
        self.mode = mode  # good | shifted | no-echo
        self.answers = answers  # prompt substring -> completion
        self.requests = 0
        self.delay_s = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_first = 0  # answer this many requests with 503 (Retry-After: 0) before serving
        self.prompts: list[str] = []
        self.lock = threading.Lock()

    def next_token(self, prompt: str) -> str:
        return " Paris" if prompt.endswith("The capital of France is") else " yes"

    def completion_for(self, prompt: str) -> str:
        for key, answer in self.answers.items():
            if key in prompt:
                return answer
        return " B"


class Handler(BaseHTTPRequestHandler):
    state: State
    disable_nagle_algorithm = True  # headers and body go out separately: no 40 ms delayed-ACK wait between them

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        with self.state.lock:
            self.state.requests += 1
            failing = self.state.requests <= self.state.fail_first
        if failing:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b"overloaded!")
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.state.lock:
            self.state.in_flight += 1
            self.state.max_in_flight = max(self.state.max_in_flight, self.state.in_flight)
        if self.state.delay_s:
            time.sleep(self.state.delay_s)
        with self.state.lock:
            self.state.in_flight -= 1
        with self.state.lock:
            self.state.prompts.append(json.dumps(body.get("prompt") or body.get("messages")))
        if self.path.endswith("/chat/completions"):
            prompt = body["messages"][-1]["content"]
            text = self.state.completion_for(prompt)
            content = f"<think>let me think</think>{text}" if "think" in body.get("model", "") else text
            reply = {
                "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"completion_tokens": 5, "completion_tokens_details": {"reasoning_tokens": 3}},
            }
        else:
            prompt = body["prompt"]
            if body.get("echo"):
                if self.state.mode == "no-echo":
                    reply = {"choices": [{"text": prompt, "logprobs": None, "finish_reason": "length"}]}
                else:
                    tokens = tokenize(prompt)
                    values: list[float | None] = [None] + [
                        logprob(tokens[i - 1], tokens[i]) for i in range(1, len(tokens))
                    ]
                    if self.state.mode == "shifted":
                        values = [*values[1:], logprob(tokens[-1], " x")]
                    offsets, position = [], 0
                    for token in tokens:
                        offsets.append(position)
                        position += len(token)
                    reply = {
                        "choices": [
                            {
                                "text": prompt,
                                "logprobs": {"tokens": tokens, "token_logprobs": values, "text_offset": offsets},
                                "finish_reason": "length",
                            }
                        ]
                    }
            elif body.get("max_tokens") == 1 and body.get("logprobs"):
                token = self.state.next_token(prompt)
                previous = tokenize(prompt)[-1]
                reply = {
                    "choices": [
                        {
                            "text": token,
                            "logprobs": {
                                "tokens": [token],
                                "token_logprobs": [logprob(previous, token)],
                                "text_offset": [len(prompt)],
                            },
                            "finish_reason": "length",
                        }
                    ]
                }
            else:
                text = self.state.completion_for(prompt)
                reply = {"choices": [{"text": text, "finish_reason": "stop"}], "usage": {"completion_tokens": 4}}
        payload = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def fake_openai(mode: str = "good", answers: dict[str, str] | None = None) -> Iterator[tuple[str, State]]:
    state = State(mode, answers or {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Handler,), {"state": state}))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
