"""Run-wide pacing of the run's calls: how fast the deployer asks, across every stack and thread.

botocore's adaptive retry mode retries a throttled call and, once a client
has been throttled, paces what that client sends.  Two things it cannot do:
know that forty stacks are about to make their change sets in the same
second (its rate limiter only starts after the first throttle, and the burst
it follows is retried with exponential backoff: up to seconds per call, on the
critical path), and know which of our questions can wait.

So every attempt of every call passes ``Pacer.take`` first (a ``request-created``
hook on each client, ``deployer.aws.clients``).  Until AWS throttles a call
it lets everything through: a run that is never throttled is never slowed.
From the first throttle on, every call of every thread is paced: at 70 % of
the rate the run was sending at in the second before (never under
``floor``), 30 % less at each later throttle, ``regain`` more each second
without one (additive increase, multiplicative decrease: the rate
settles just under what the account allows, whatever that is; AWS does not
publish it).  Only a call sent at the current rate says the current rate is
too high: a throttled answer to a call sent before the last cut (a burst
still draining, botocore retrying it) is not cut for again.  Polls that
only decorate a screen (events, the ECS rollout) ask ``spare`` first and are
skipped while calls the run's progress waits on are queued.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

DECREASE = 0.7  # after a throttle, what is kept of the rate (botocore's adaptive mode uses the same factor)


class Pacer:
    """The run's calls per second: unlimited until throttled, then learned, cut at each throttle, regained."""

    def __init__(
        self,
        floor: float = 5.0,
        regain: float = 2.0,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.floor, self.regain = floor, regain
        self.stop = stop or threading.Event()
        self.clock = clock
        self.lock = threading.Lock()
        self.limited = False  # set at the first throttle
        self._low = 0.0  # the rate right after the last throttle
        self._throttled_at = 0.0
        self._tokens = 1.0
        self._last = clock()
        self._waiting = 0  # threads queued in ``take``
        self.throttles = 0
        self.epoch = 0  # how many cuts so far: a call carries the epoch it was sent in
        self._sent: deque[float] = deque()  # when the calls of the last second were sent

    @property
    def rate(self) -> float:
        """Calls per second allowed now (``inf`` until the first throttle)."""
        if not self.limited:
            return float("inf")
        return self._low + self.regain * (self.clock() - self._throttled_at)

    def answered(self, throttled: bool, sent_at: int | None = None) -> None:
        """AWS answered a call of the run (each attempt) sent at epoch ``sent_at`` (``take``'s): learn from it."""
        if not throttled:
            return
        with self.lock:
            now = self.clock()
            stale = sent_at is not None and sent_at < self.epoch
            if self.limited and (stale or now - self._throttled_at < 1.0):
                return  # sent before the last cut, or in the same burst: not news about the current rate
            while self._sent and now - self._sent[0] > 1.0:
                self._sent.popleft()
            measured = self.rate if self.limited else float(len(self._sent))
            self._low = max(self.floor, measured * DECREASE)
            self.limited, self._throttled_at = True, now
            self.epoch += 1
            self._tokens = min(self._tokens, 1.0)
            self.throttles += 1

    def take(self) -> int:
        """Block until this call may go (at once while unlimited, or once ``stop`` is set: nothing waits then).

        Returns the epoch the call is sent in, for ``answered``.
        """
        with self.lock:
            self._waiting += 1
        try:
            while not self.stop.is_set():
                pause = self._try()
                if pause <= 0 or self.stop.wait(pause):
                    break
        finally:
            with self.lock:
                self._waiting -= 1
                now = self.clock()
                self._sent.append(now)
                while now - self._sent[0] > 1.0:
                    self._sent.popleft()
        return self.epoch

    def spare(self) -> bool:
        """A poll that only decorates may go now: unlimited, or a token left and no other call waiting for one."""
        with self.lock:
            return not self.limited or (self._waiting == 0 and self._refill() >= 1.0)

    def _try(self) -> float:
        with self.lock:
            if not self.limited:
                return 0.0
            if self._refill() >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def _refill(self) -> float:
        now = self.clock()
        rate = self.rate
        self._tokens = min(max(1.0, rate / 4), self._tokens + (now - self._last) * rate)
        self._last = now
        return self._tokens


def growing_delay(attempt: int, first: float, cap: float, growth: float = 1.5) -> float:
    """The pause before poll number ``attempt`` (0 = the first): ``first``, then ``growth`` times longer, capped."""
    return min(cap, first * growth ** min(attempt, 64))
