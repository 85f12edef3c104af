"""The dependency walk: a stack starts when its own dependencies finish, never in waves."""

from __future__ import annotations

import _thread
import threading
import time

from deployer.review.stack_review import ResourceChange, Result, Review, StackReview
from deployer.run.deploy import exit_code, skipped
from deployer.run.walk import walk


def test_a_stack_starts_as_soon_as_its_own_dependencies_finish() -> None:
    """``svc`` needs only ``cluster``; it must start while ``alb`` (slow) is still running."""
    graph = {"network": set(), "alb": {"network"}, "cluster": {"network"}, "svc": {"cluster"}}
    svc_started = threading.Event()
    alb_saw_svc_start: list[bool] = []

    def work(key: str) -> str:
        if key == "svc":
            svc_started.set()
        if key == "alb":
            alb_saw_svc_start.append(svc_started.wait(timeout=5))
        return key

    results = walk(graph, work, workers=4)

    assert results == {key: key for key in graph}
    assert alb_saw_svc_start == [True]


def test_dependencies_always_finish_first() -> None:
    graph = {"network": set(), "alb": {"network"}, "cluster": {"network"}, "svc-a": {"alb", "cluster"}}
    finished: list[str] = []
    lock = threading.Lock()

    def work(key: str) -> None:
        time.sleep(0.01)
        with lock:
            assert all(dep in finished for dep in graph[key]), key
            finished.append(key)

    walk(graph, work, workers=3)
    assert sorted(finished) == sorted(graph)


def test_the_pool_is_bounded() -> None:
    graph: dict[str, set[str]] = {f"svc-{i}": set() for i in range(8)}
    running, peak = 0, 0
    lock = threading.Lock()

    def work(_key: str) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    walk(graph, work, workers=2)
    assert peak == 2


def test_by_default_every_ready_stack_runs_at_once() -> None:
    """workers=0 (no --parallel): twenty service stacks ready together all run together, none waits for another."""
    graph: dict[str, set[str]] = {"network": set(), **{f"svc-{i}": {"network"} for i in range(20)}}
    together = threading.Barrier(20, timeout=10)  # breaks (and the work raises) if fewer ever run at once

    def work(key: str) -> str:
        return key if key == "network" else str(together.wait())

    results = walk(graph, work, workers=0)
    assert sorted(int(results[f"svc-{i}"]) for i in range(20)) == list(range(20))


def test_a_failure_skips_everything_downstream_and_nothing_else() -> None:
    graph = {"network": set(), "alb": {"network"}, "cluster": {"network"}, "svc": {"alb", "cluster"}, "other": set()}
    ran: list[str] = []

    def work(key: str) -> str:
        ran.append(key)
        return "failed" if key == "alb" else "ok"

    results = walk(
        graph,
        work,
        workers=2,
        failed=lambda r: r != "ok",
        skip=lambda key, blockers: f"skipped by {','.join(blockers)}",
    )

    assert results["svc"] == "skipped by alb"
    assert "svc" not in ran
    assert {results[k] for k in ("network", "cluster", "other")} == {"ok"}


def test_an_interrupt_starts_nothing_new_and_tells_running_work_to_stop() -> None:
    graph = {"network": set(), "slow": set(), "alb": {"network"}}
    stop = threading.Event()
    started: list[str] = []

    def work(key: str) -> None:
        started.append(key)
        if key == "network":
            raise KeyboardInterrupt
        stop.wait(timeout=5)  # a stack being followed: returns as soon as stop is set

    began = time.monotonic()
    try:
        walk(graph, work, workers=2, stop=stop)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was swallowed")
    assert stop.is_set() and "alb" not in started
    assert time.monotonic() - began < 4


def test_up_to_date_stacks_below_a_failure_stay_up_to_date_and_only_the_failure_is_named() -> None:
    """network fails: alb had no changes and stays so; svc is skipped because of network, not of alb or cluster."""
    graph = {"network": set(), "alb": {"network"}, "cluster": {"network"}, "svc": {"alb", "cluster"}}
    stacks = {key: StackReview(key, f"shop-dev-{key}", "UPDATE", Result.CHANGES) for key in graph}
    stacks["alb"].result = Result.NO_CHANGES
    ran: list[str] = []

    def execute(key: str) -> StackReview:
        ran.append(key)
        stacks[key].result = Result.FAILED if key == "network" else Result.EXECUTED
        return stacks[key]

    results = walk(
        graph,
        execute,
        workers=2,
        failed=lambda stack: stack.result.is_failure,
        skip=lambda key, blockers: skipped(stacks[key], blockers),
    )

    assert ran == ["network"]
    assert {key: stack.result for key, stack in results.items()} == {
        "network": Result.FAILED,
        "alb": Result.NO_CHANGES,
        "cluster": Result.SKIPPED,
        "svc": Result.SKIPPED,
    }
    assert results["svc"].message == results["cluster"].message == "not deployed: network did not deploy"
    review = Review("shop", "dev", "eu-west-1", results)
    assert [stack.key for stack in review.not_deployed] == ["network", "cluster", "svc"]


def test_a_failure_wins_over_a_stack_gated_mid_run_and_skips_alone_do_not_fail_the_run() -> None:
    def review(**results: Result) -> Review:
        stacks = {key: StackReview(key, f"shop-dev-{key}", "UPDATE", result) for key, result in results.items()}
        for stack in stacks.values():
            if stack.result is Result.GATED:
                stack.resources = [ResourceChange("Remove", "Service", "AWS::ECS::Service", risk="removes the service")]
        return Review("shop", "dev", "eu-west-1", stacks)

    assert exit_code(review(network=Result.EXECUTED, alb=Result.GATED, svc=Result.SKIPPED)) == 3
    assert exit_code(review(network=Result.FAILED, alb=Result.GATED, svc=Result.SKIPPED)) == 1
    assert exit_code(review(network=Result.EXECUTED, alb=Result.NOT_CONFIRMED, svc=Result.SKIPPED)) == 1
    assert exit_code(review(network=Result.EXECUTED, alb=Result.NO_CHANGES)) == 0


def test_work_that_ran_is_reported_wherever_ctrl_c_lands() -> None:
    """Ctrl-C as the first stack starts: the main thread may still be inside pool.submit."""
    graph = {"network": set(), "alb": {"network"}}
    stop = threading.Event()
    reported: dict[str, str] = {}

    def work(key: str) -> str:
        _thread.interrupt_main()  # what Ctrl-C does: KeyboardInterrupt in the main thread, wherever it is
        stop.wait(timeout=5)  # a stack being followed: returns once the walk sets stop
        return f"{key} done"

    try:
        walk(graph, work, workers=2, stop=stop, on_result=reported.__setitem__)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was swallowed")
    assert reported == {"network": "network done"}
