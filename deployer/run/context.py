"""What every stack's plan and execution share during one run: clients, inputs, timing, the run's id.

One object handed to each step of the walk, so a step needs no globals and a
test can build one around a stubbed client.  ``report`` is how any step tells
the person (or CI log) watching where its stack is at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deployer.aws.clients import Clients, Timing
from deployer.review.identity import Identity
from deployer.review.template_pairs import TemplatePair
from deployer.run.follow_operation import Poller
from deployer.run.inputs import Deployment
from deployer.run.pacing import Pacer
from deployer.run.rollout import Rollouts, ServiceWatch
from deployer.view.progress import Progress


@dataclass
class Context:
    """What every stack's plan and execution share during one run."""

    clients: Clients
    deployment: Deployment
    timing: Timing
    change_set_name: str
    say: Callable[[str], None]
    bucket: str | None = None
    recreate_failed: bool = False
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)  # ListExports when the run started
    listed: dict[str, dict[str, Any]] | None = None  # a deploy's DescribeStacks of the region at its start, by name
    stop: threading.Event = field(default_factory=threading.Event)  # set on Ctrl-C: stop following operations
    progress: Progress | None = None  # live per-stack status; without it, reports are lines through ``say``
    imports: dict[str, Any] = field(default_factory=dict)  # stack key -> live resources it imports (run.import_survey)
    templates: dict[str, TemplatePair] = field(default_factory=dict)  # per stack key: deployed and new, once read
    identity: Identity | None = None  # who and where (run.identity), asked before anything else
    pacer: Pacer = field(default_factory=Pacer)  # the run's pacing of its calls (run.pacing)
    on_deployed: Callable[[str], None] = lambda _key: None  # planning found this stack deployed (drift checks it)
    instant_change_sets: bool | None = None  # the run's first change set was ready at once (run.change_set_wait)
    change_set_seconds: float | None = None  # the shortest time a change set of this run was seen ready after
    _probed: bool = field(default=False, repr=False)
    _poller: Poller | None = field(default=None, repr=False)
    _rollouts: Rollouts | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def export_values(self) -> dict[str, str]:
        """Export name -> value, of the exports known to exist (what ``Fn::ImportValue`` resolves to)."""
        return {name: export["Value"] for name, export in self.exports.items()}

    def learn_change_set(self, seconds: float) -> None:
        """A change set of this run was seen ready ``seconds`` after it was made: the next are asked then first."""
        with self._lock:
            if self.change_set_seconds is None or seconds < self.change_set_seconds:
                self.change_set_seconds = seconds

    def probe(self) -> bool:
        """True once per run: this caller asks whether change sets here are computed at once."""
        with self._lock:
            probed, self._probed = self._probed, True
            return not probed

    def poller(self) -> Poller:
        """The run's one poller of stack operations (``run.follow_operation``), made on first use."""
        with self._lock:
            if self._poller is None:
                self._poller = Poller(self.clients.cloudformation, self.timing, self.pacer, self.stop)
            return self._poller

    def watch_rollout(self, key: str, since: datetime | None, logical_id: str) -> ServiceWatch:
        """A service stack's ECS rollout (``logical_id``: its service), shown while the poller follows it."""
        with self._lock:
            if self._rollouts is None:
                self._rollouts = Rollouts(self.clients, self.timing)
        if self.progress is not None:
            show = self.progress.rollout_shower(key)
        else:
            name = self.deployment.stacks[key].stack_name
            show = lambda _rollout, fresh: [self.say(f"{name}: ECS {e.kind}: {e.text}") for e in fresh]  # noqa: E731
        return self._rollouts.watch(key, (self.deployment.stacks[key].stack_name, logical_id), since, show)

    def progress_shown(self) -> AbstractContextManager[None]:
        return self.progress.shown() if self.progress is not None else nullcontext()

    def report(self, key: str, status: str) -> None:
        """Where one stack is at, for the person (or CI log) watching the run."""
        if self.progress is not None:
            self.progress.stack(key, status)
        else:
            self.say(f"{self.deployment.stacks[key].stack_name}: {status}")
