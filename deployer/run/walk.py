"""Walk the stack graph with a bounded thread pool: each stack starts as soon as its dependencies finish.

Not in waves: a slow service stack never holds back another service's
stack that only needed the network and the cluster.

``in_background`` runs one piece of work beside the walk (drift, prune's
inventory) and hands its result, or its exception, to whoever asks.

Two records make a walk, each kept by the side that can keep it reliably:
the graph (what is ready, what finished, which failure holds back which
stack) by the walking thread, and the ledger (which work started, ended or
returned) by the workers themselves, because Ctrl-C may land anywhere in the
walking thread, even inside ``pool.submit`` after the work was queued but
before its future is known there.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from graphlib import TopologicalSorter
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class _NotStarted(Exception):
    """Work that was queued but had not started when the walk ended with an exception."""


class _Graph(Generic[R]):
    """The walking thread's record: what is ready, what finished, and the failed keys upstream of each key."""

    def __init__(
        self,
        depends_on: Mapping[str, Collection[str]],
        failed: Callable[[R], bool],
        on_result: Callable[[str, R], None] | None,
    ) -> None:
        self.depends_on = depends_on
        self.sorter = TopologicalSorter({key: set(deps) for key, deps in depends_on.items()})
        self.sorter.prepare()
        self.results: dict[str, R] = {}
        self.blocked_by: dict[str, set[str]] = {}  # key -> the failed keys upstream of it
        self.failed = failed
        self.on_result = on_result

    def upstream_failures(self, key: str) -> set[str]:
        """The keys whose own work failed somewhere upstream of ``key`` (never a skipped key in between)."""
        return set().union(*(self.blocked_by.get(dep, set()) for dep in self.depends_on[key]))

    def finish(self, key: str, result: R, upstream: set[str]) -> None:
        """Record ``key``'s result, tell ``on_result`` at once, and let the keys depending on it become ready."""
        self.results[key] = result
        if upstream:
            self.blocked_by[key] = upstream
        elif self.failed(result):
            self.blocked_by[key] = {key}
        if self.on_result is not None:
            self.on_result(key, result)
        self.sorter.done(key)


class _Ledger(Generic[R]):
    """The workers' own record of the work that started, ended (returned or raised) and returned."""

    def __init__(self, work: Callable[[str], R]) -> None:
        self.work = work
        self.book = threading.Condition()
        self.started: set[str] = set()
        self.ended: set[str] = set()
        self.returned: dict[str, R] = {}
        self.closing = False  # set (under book) after an exception: work that has not started yet never starts

    def run(self, key: str) -> R:
        """``work(key)`` in a worker, recorded; refused once the walk is closing."""
        with self.book:
            if self.closing:
                raise _NotStarted(key)
            self.started.add(key)
        try:
            result = self.work(key)
            with self.book:
                self.returned[key] = result
            return result
        finally:
            with self.book:
                self.ended.add(key)
                self.book.notify_all()

    def close(self) -> None:
        with self.book:
            self.closing = True

    def wait_for_running_work(self) -> None:
        """Until every started work has ended; it watches ``stop``, so it returns soon (a second Ctrl-C gives up)."""
        with contextlib.suppress(KeyboardInterrupt), self.book:
            self.book.wait_for(lambda: self.started <= self.ended)


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
    """Run ``work(key)`` for every key, dependencies first, at most ``workers`` at a time (0: no limit).

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
    graph: _Graph[R] = _Graph(depends_on, failed, on_result)
    ledger = _Ledger(work)
    pool = ThreadPoolExecutor(
        max_workers=workers if workers > 0 else max(1, len(depends_on)), thread_name_prefix="stack"
    )
    try:
        _drive(graph, ledger, pool, skip)
    except BaseException:
        _stop_early(graph, ledger, pool, stop)
        raise
    pool.shutdown(wait=True)
    return graph.results


def _drive(
    graph: _Graph[R], ledger: _Ledger[R], pool: ThreadPoolExecutor, skip: Callable[[str, list[str]], R] | None
) -> None:
    """Start each key as soon as it is ready (or skip it past a failure), and finish keys as their work returns."""
    running: dict[Future[R], str] = {}
    while graph.sorter.is_active():
        for key in graph.sorter.get_ready():
            upstream = graph.upstream_failures(key)
            if upstream and skip is not None:
                graph.finish(key, skip(key, sorted(upstream)), upstream)
            else:
                running[pool.submit(ledger.run, key)] = key
        if not running:
            continue
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            key = running.pop(future)
            graph.finish(key, future.result(), set())


def _stop_early(graph: _Graph[R], ledger: _Ledger[R], pool: ThreadPoolExecutor, stop: threading.Event | None) -> None:
    """After an exception: start nothing new, let the running work return, and hand on what it returned."""
    ledger.close()
    if stop is not None:
        stop.set()
    pool.shutdown(wait=False, cancel_futures=True)
    ledger.wait_for_running_work()
    for key, result in list(ledger.returned.items()):
        if key not in graph.results and graph.on_result is not None:
            graph.on_result(key, result)


def in_background(work: Callable[[], R]) -> Callable[[], R]:
    """``work()`` started in a daemon thread now; the returned function waits for its result (or re-raises).

    For what a review needs but the first change set must not wait for.  A
    daemon: after Ctrl-C nobody waits for it, and it holds no exit.
    """
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            done["value"] = work()
        except BaseException as exc:  # handed to the caller, in its thread
            done["error"] = exc

    thread = threading.Thread(target=run, name="background", daemon=True)
    thread.start()

    def result() -> R:
        thread.join()
        if "error" in done:
            raise done["error"]
        return done["value"]

    return result
