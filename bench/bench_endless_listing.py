"""How long and how much memory a sync spends on a listing that never ends (issue #29), against the page cap.

Two endless loopback servers: one replays the same page under new cursors, one serves a new short page (one new
model) each time. Prints, for each, the pages read before the sync stops, the seconds, the growth of peak RSS, and
the ratio of pages read to the page cap (10,001 pages) that bounded both before.

    python bench/bench_endless_listing.py
"""

from __future__ import annotations

import json
import resource
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from huggingface_hub import HfApi

from modelrace.errors import HubError
from modelrace.hub import SyncOptions, sync_hub
from modelrace.hub._client import MAX_HUB_MODELS, PAGE_SIZE
from modelrace.store import Warehouse


def _record(index: int) -> dict[str, Any]:
    return {"id": f"org/model-{index}", "downloads": 10, "likes": 1, "tags": [], "pipeline_tag": "text-generation"}


def _serve(kind: str) -> tuple[ThreadingHTTPServer, list[int]]:
    served = [0]

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            served[0] += 1
            index = served[0] if kind == "short new pages" else 0
            body = json.dumps([_record(index)] if kind == "short new pages" else [_record(i) for i in range(1000)])
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            host = self.headers.get("Host")
            self.send_header("Link", f'<http://{host}/api/models?cursor=c{served[0]}>; rel="next"')
            self.end_headers()
            self.wfile.write(body.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, served


def main() -> None:
    cap = MAX_HUB_MODELS // PAGE_SIZE + 1
    for kind in ("the same page again", "short new pages"):
        server, served = _serve(kind)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder, Warehouse.open(Path(folder) / "w.duckdb") as warehouse:
            try:
                sync_hub(warehouse, SyncOptions(), api=HfApi(endpoint=f"http://127.0.0.1:{server.server_port}"))
                outcome = "stored (not stopped)"
            except HubError as error:
                outcome = "stopped: gave " + str(error).split(" gave ", 1)[-1][:60] + "..."
        seconds = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        server.shutdown()
        print(
            f"{kind:20s} pages read {served[0]:6,d} of the {cap:,}-page cap ({served[0] / cap:.3f}), "
            f"{seconds:6.1f} s, peak RSS +{grown:,.0f} MB; {outcome}"
        )


if __name__ == "__main__":
    main()
