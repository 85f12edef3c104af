"""Walk the stack graph with a bounded thread pool: each stack starts as soon as its dependencies finish.

Not in waves: a slow service stack never holds back another service's
stack that only needed the network and the cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from graphlib import TopologicalSorter
from typing import TypeVar

R = TypeVar("R")


def walk(
    depends_on: Mapping[str, Collection[str]],
    work: Callable[[str], R],
    *,
    workers: int,
    failed: Callable[[R], bool] = lambda _result: False,
    skip: Callable[[str, list[str]], R] | None = None,
    stop: threading.Event | None = None,
    on_result: Callable[[str, R], None] | None = None,
) -> dict[str, R]:
    """Run ``work(key)`` for every key, dependencies first, at most ``workers`` at a time.

    When ``failed(result)`` is true for a key, every stack depending on it
    (directly or not) gets ``skip(key, blockers)`` instead of ``work``;
    ``blockers`` names the keys whose own work failed, never a skipped stack
    in between.  ``work`` should return failures, not raise them.

    ``on_result(key, result)`` is called (in this thread) as each key
    finishes, so a caller still has the finished part when an exception
    (Ctrl-C included) ends the walk.  Then nothing new starts, ``stop`` is
    set, the work already running is given the chance to return (it is
    expected to watch ``stop``; a second Ctrl-C stops waiting for it) and the
    exception propagates.
    """
    sorter = TopologicalSorter({key: set(deps) for key, deps in depends_on.items()})
    sorter.prepare()
    results: dict[str, R] = {}
    blocked_by: dict[str, set[str]] = {}  # key -> the failed keys upstream of it

    def finish(key: str, result: R, upstream: set[str]) -> None:
        results[key] = result
        if upstream:
            blocked_by[key] = upstream
        elif failed(result):
            blocked_by[key] = {key}
        if on_result is not None:
            on_result(key, result)
        sorter.done(key)

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="stack")
    running: dict[Future[R], str] = {}
    try:
        while sorter.is_active():
            for key in sorter.get_ready():
                upstream = set().union(*(blocked_by.get(dep, set()) for dep in depends_on[key]))
                if upstream and skip is not None:
                    finish(key, skip(key, sorted(upstream)), upstream)
                else:
                    running[pool.submit(work, key)] = key
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                key = running.pop(future)
                finish(key, future.result(), set())
    except BaseException:
        if stop is not None:
            stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        _collect(running, on_result)
        raise
    pool.shutdown(wait=True)
    return results


def _collect(running: Mapping[Future[R], str], on_result: Callable[[str, R], None] | None) -> None:
    """After an exception: wait for the work still running and report what it returned."""
    started = [future for future in running if not future.cancelled()]  # as_completed never sees cancelled ones
    try:
        for future in as_completed(started):
            if future.exception() is None and on_result is not None:
                on_result(running[future], future.result())
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
        pass
