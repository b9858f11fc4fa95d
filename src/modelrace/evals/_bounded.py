"""Running work items on a thread pool with a bounded queue, handing each result back on the calling thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


def run_bounded(
    items: Iterable[ItemT],
    work: Callable[[ItemT], ResultT],
    on_done: Callable[[ItemT, ResultT], None],
    workers: int,
) -> None:
    """Run ``work(item)`` on ``workers`` threads, keeping two items per worker in flight (one running, the next
    ready), and call ``on_done(item, result)`` on this thread as each finishes: the caller stores every result on
    its own connection the moment it exists, so a killed run loses at most what was in flight."""
    with ThreadPoolExecutor(workers) as pool:
        running: dict[Future[ResultT], ItemT] = {}
        queue = iter(items)
        for item in queue:
            running[pool.submit(work, item)] = item
            if len(running) >= workers * 2:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                on_done(item, future.result())
                following = next(queue, None)
                if following is not None:
                    running[pool.submit(work, following)] = following
