"""Walk the stack graph with a bounded thread pool: each stack starts as soon as its dependencies finish.

Not in waves: a slow service stack never holds back another service's
stack that only needed the network and the cluster.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from typing import TypeVar

R = TypeVar("R")


class _NotStarted(Exception):
    """Work that was queued but had not started when the walk ended with an exception."""


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

    # The workers keep this record themselves: Ctrl-C may land anywhere in this thread, even inside
    # pool.submit after the work was queued but before its future is known here.
    book = threading.Condition()
    started: set[str] = set()
    ended: set[str] = set()  # returned or raised
    returned: dict[str, R] = {}
    closing = False  # set (under book) after an exception: work that has not started yet never starts

    def tracked(key: str) -> R:
        with book:
            if closing:
                raise _NotStarted(key)
            started.add(key)
        try:
            result = work(key)
            with book:
                returned[key] = result
            return result
        finally:
            with book:
                ended.add(key)
                book.notify_all()

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="stack")
    running: dict[Future[R], str] = {}
    try:
        while sorter.is_active():
            for key in sorter.get_ready():
                upstream = set().union(*(blocked_by.get(dep, set()) for dep in depends_on[key]))
                if upstream and skip is not None:
                    finish(key, skip(key, sorted(upstream)), upstream)
                else:
                    running[pool.submit(tracked, key)] = key
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                key = running.pop(future)
                finish(key, future.result(), set())
    except BaseException:
        with book:
            closing = True
        if stop is not None:
            stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(KeyboardInterrupt), book:  # a second Ctrl-C stops waiting for running work
            book.wait_for(lambda: started <= ended)  # it watches stop, so it returns soon
        for key, result in list(returned.items()):
            if key not in results and on_result is not None:
                on_result(key, result)
        raise
    pool.shutdown(wait=True)
    return results
