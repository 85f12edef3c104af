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
from typing import Any

from deployer.aws.clients import Clients, Timing
from deployer.review.identity import Identity
from deployer.review.template_pairs import TemplatePair
from deployer.run.inputs import Deployment
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
    stop: threading.Event = field(default_factory=threading.Event)  # set on Ctrl-C: stop following operations
    progress: Progress | None = None  # live per-stack status; without it, reports are lines through ``say``
    imports: dict[str, Any] = field(default_factory=dict)  # stack key -> live resources it imports (run.import_survey)
    templates: dict[str, TemplatePair] = field(default_factory=dict)  # per stack key: deployed and new, once read
    identity: Identity | None = None  # who and where (run.identity), asked before anything else

    def export_values(self) -> dict[str, str]:
        """Export name -> value, of the exports known to exist (what ``Fn::ImportValue`` resolves to)."""
        return {name: export["Value"] for name, export in self.exports.items()}

    def progress_shown(self) -> AbstractContextManager[None]:
        return self.progress.shown() if self.progress is not None else nullcontext()

    def report(self, key: str, status: str) -> None:
        """Where one stack is at, for the person (or CI log) watching the run."""
        if self.progress is not None:
            self.progress.stack(key, status)
        else:
            self.say(f"{self.deployment.stacks[key].stack_name}: {status}")
