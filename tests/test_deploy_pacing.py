"""How often the run asks: change sets quickly then less often, operations by their age, every call paced run-wide."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

from botocore.stub import Stubber

from deployer.aws.clients import Timing
from deployer.run.change_set_wait import pauses, wait_for_change_set
from deployer.run.follow_operation import EventStream, Poller, _Followed, cadence
from deployer.run.pacing import Pacer, growing_delay
from tests.changeset_fixtures import T0, change_set_id, described, stack_id
from tests.test_deploy_failures import context, event


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_change_set_polls_start_quick_and_back_off_to_a_cap() -> None:
    timing = Timing()
    asked = list(itertools.islice(pauses(timing.change_set_first, timing), 12))
    assert asked[:6] == [1.0, 0.5, 0.5, 1.0, 1.5, 2.25]  # a 2 s change set is seen at 2 s, a 2.1 s one at 3 s
    assert asked[3:] == sorted(asked[3:]) and asked[-1] == timing.change_set_delay  # never above the cap
    assert growing_delay(3, 1, 10) == 3.375


def test_an_operation_is_checked_every_sixteenth_of_its_age_within_bounds() -> None:
    timing = Timing(poll_min=0.5, poll_max=10)
    assert [cadence(age, timing) for age in (0, 2, 8, 40, 600)] == [0.5, 0.5, 0.5, 2.5, 10]


def test_a_run_that_is_never_throttled_is_never_slowed() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock)
    for _ in range(500):
        assert pacer._try() == 0  # every call goes at once
    assert pacer.spare()


def test_throttling_paces_every_call_then_the_rate_is_won_back() -> None:
    clock = Clock()
    pacer = Pacer(floor=1, regain=2, clock=clock)
    for _ in range(50):  # a burst: fifty calls sent in the same instant
        pacer.take()
    clock.now += 0.5
    pacer.answered(throttled=False)
    assert not pacer.limited
    pacer.answered(throttled=True)
    assert pacer.limited and pacer.rate == 50 * 0.7  # 70 % of what the run sent in the last second
    pacer._low = 10  # from here on, round numbers
    sent = sum(1 for _ in range(100) if pacer._try() == 0)
    assert sent <= 3  # the rest waits for tokens: no new burst right after a throttle
    for _ in range(10):  # a burst of throttled answers is one signal
        pacer.answered(throttled=True)
    assert pacer.rate == 10 and pacer.throttles == 1
    clock.now += 2
    assert pacer.rate == 14  # regained 2 a second
    pacer.answered(throttled=True)
    assert pacer.rate == 14 * 0.7 and pacer.throttles == 2  # cut again


def test_decorative_polls_yield_to_waiting_calls() -> None:
    clock = Clock()
    pacer = Pacer(floor=1, clock=clock)
    pacer.answered(throttled=True)
    pacer._tokens = 0
    assert not pacer.spare()  # no token for a poll that only decorates
    clock.now += 2
    assert pacer.spare()


def test_stop_ends_every_wait_for_a_token_at_once() -> None:
    stop = threading.Event()
    pacer = Pacer(floor=0.001, stop=stop)
    pacer.answered(throttled=True)
    pacer._tokens = 0
    stop.set()
    pacer.take()  # returns: Ctrl-C never waits for pacing


def test_a_throttle_on_a_call_sent_before_the_last_cut_is_not_news() -> None:
    """A burst still draining (or botocore retrying it) must not cut the rate again and again."""
    clock = Clock()
    pacer = Pacer(floor=1, regain=0, clock=clock)
    sent_before = pacer.take()
    pacer.answered(throttled=True, sent_at=sent_before)
    pacer._low = 10  # round numbers
    clock.now += 5
    pacer.answered(throttled=True, sent_at=sent_before)  # an answer to a call of the old epoch
    assert pacer.rate == 10 and pacer.throttles == 1
    pacer.answered(throttled=True, sent_at=pacer.epoch)  # a call sent at the current rate was throttled
    assert pacer.rate == 7 and pacer.throttles == 2


class Pauses:
    """The run's stop flag, recording each pause asked of it instead of sleeping."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.asked.append(seconds)
        return False

    def is_set(self) -> bool:
        return False


def _change_set_answers(stub: Stubber, name: str, statuses: list[str]) -> None:
    for status in statuses:
        stub.add_response("describe_change_set", described(name, [], status))


def test_a_local_endpoint_is_recognised_by_the_run_s_first_change_set(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    """Ready when first asked, at once: every change set of the run is asked about at once (no second lost each)."""
    client, stub = cfn
    ctx = context(dev, client)
    ctx.stop = Pauses()  # type: ignore[assignment]
    _change_set_answers(stub, "shop-dev-alb", ["CREATE_COMPLETE", "CREATE_COMPLETE"])

    wait_for_change_set(ctx, change_set_id("shop-dev-alb"))
    wait_for_change_set(ctx, change_set_id("shop-dev-alb"))

    assert ctx.instant_change_sets is True
    assert ctx.stop.asked == [0.0, 0.0]


def test_against_aws_the_next_change_sets_are_first_asked_when_the_last_was_ready(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    client, stub = cfn
    ctx = context(dev, client, timing=Timing(change_set_first=1.0, change_set_delay=10))
    ctx.stop = Pauses()  # type: ignore[assignment]
    _change_set_answers(stub, "shop-dev-alb", ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"])
    _change_set_answers(stub, "shop-dev-cluster", ["CREATE_COMPLETE"])

    wait_for_change_set(ctx, change_set_id("shop-dev-alb"))  # the run's first: asked at once, not ready
    assert ctx.instant_change_sets is False and ctx.stop.asked[:1] == [0.0]
    assert 1.0 <= ctx.stop.asked[1] <= 1.1 * 1.2  # then after change_set_first (with jitter)
    seen_after = ctx.change_set_seconds
    assert seen_after is not None

    wait_for_change_set(ctx, change_set_id("shop-dev-cluster"))

    assert seen_after <= ctx.stop.asked[-1] <= 1.1 * seen_after  # asked first when the first one was seen ready


def test_a_failure_seen_in_the_batched_read_still_names_its_root_cause(cfn: tuple[Any, Stubber]) -> None:
    """ListStacks says two stacks in flight rolled back; it carries no events, so each one's are read then."""
    client, stub = cfn
    names = ("shop-dev-svc-auth", "shop-dev-svc-web")
    summaries = [{"StackName": n, "StackId": stack_id(n), "StackStatus": "ROLLBACK_COMPLETE", "CreationTime": T0}
                 for n in names]  # fmt: skip
    stub.add_response("list_stacks", {"StackSummaries": summaries})
    for n in names:
        failed = event("Service", "CREATE_FAILED", 3, f"{n}: CannotPullContainerError", stack_name=n)
        stub.add_response(
            "describe_stack_events", {"StackEvents": [failed, event(n, "CREATE_IN_PROGRESS", 1, stack_name=n)]}
        )
    poller = Poller(client, Timing(), Pacer(), threading.Event())
    followed = [
        _Followed(EventStream(client, stack_id(n), T0), lambda _events: None, lambda _m: None, None, 0.0) for n in names
    ]

    poller._check_all(followed)

    for n, one in zip(names, followed, strict=True):
        assert one.outcome is not None and one.outcome.status == "ROLLBACK_COMPLETE"
        cause = one.stream.root_cause()
        assert cause is not None and cause["ResourceStatusReason"] == f"{n}: CannotPullContainerError"
