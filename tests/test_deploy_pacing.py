"""How often the run asks: change sets quickly then less often, operations by their age, every call paced run-wide."""

from __future__ import annotations

import itertools
import threading

from deployer.aws.clients import Timing
from deployer.run.change_set_wait import pauses
from deployer.run.follow_operation import cadence
from deployer.run.pacing import Pacer, growing_delay


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
