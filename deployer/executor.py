"""Walk the stack graph with a bounded thread pool: each stack starts as soon as its dependencies finish.

Not in waves: a slow service stack never holds back another service's
stack that only needed the network and the cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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
) -> dict[str, R]:
    """Run ``work(key)`` for every key, dependencies first, at most ``workers`` at a time.

    When ``failed(result)`` is true for a key, every stack depending on it
    (directly or not) gets ``skip(key, failed_dependencies)`` instead of
    ``work``.  ``work`` should return failures, not raise them.  On an
    exception (Ctrl-C included) nothing new starts, ``stop`` is set so running
    work can return early, and the exception propagates.
    """
    sorter = TopologicalSorter({key: set(deps) for key, deps in depends_on.items()})
    sorter.prepare()
    results: dict[str, R] = {}
    broken: set[str] = set()
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="stack")
    running: dict[Future[R], str] = {}
    try:
        while sorter.is_active():
            for key in sorter.get_ready():
                blockers = sorted(set(depends_on[key]) & broken)
                if blockers and skip is not None:
                    results[key] = skip(key, blockers)
                    broken.add(key)
                    sorter.done(key)
                else:
                    running[pool.submit(work, key)] = key
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                key = running.pop(future)
                results[key] = future.result()
                if failed(results[key]):
                    broken.add(key)
                sorter.done(key)
    except BaseException:
        if stop is not None:
            stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
