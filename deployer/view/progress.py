"""Live progress per stack: a rich table in a terminal, plain timestamped lines in CI logs.

Planning an environment can take minutes on AWS (up to 30 behind a busy
stack) and throttling retries are silent inside botocore; without this the
run looks hung.  Each stack has one current status and the time it entered
it, so "waiting for a busy stack" shows how long it has waited.  Workers
report from their own threads; ``working(key)`` tells the retry observer
which stack a throttled call belongs to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from deployer.review.rollout import FailureEvent, Rollout
from deployer.view.rollout_view import deployment_line, event_line, rollout_block


class Progress:
    """Per-stack status for one run.  ``live`` is False when the output is not a terminal."""

    def __init__(self, console: Console, names: dict[str, str], live: bool | None = None) -> None:
        self.console = console
        self.names = names  # stack key -> stack name
        self.live = console.is_interactive if live is None else live  # a dumb terminal gets lines too
        self.status: dict[str, tuple[str, float]] = {}  # key -> (status, monotonic time it started)
        self.rollouts: dict[str, Rollout] = {}  # key -> its ECS rollout while its operation runs (a table under it)
        self.printed: dict[str, str] = {}  # deployment id -> its last line printed (plain mode: changes only)
        self.lock = threading.Lock()
        self.local = threading.local()
        self._live: Live | None = None

    def say(self, message: str) -> None:
        """A line not about one stack (or from code that does not know which)."""
        self._line(message)

    def stack(self, key: str, status: str) -> None:
        with self.lock:
            self.status[key] = (status, time.monotonic())
        if not self._live:
            self._line(f"{self.names.get(key, key)}: {status}")

    def rollout_shower(self, key: str) -> Callable[[Rollout | None, list[FailureEvent]], None]:
        """For one service stack: its rollout as a table under its line, or as lines (changes and new events).

        ``None``: the operation is over, the table goes.
        """

        def show(rollout: Rollout | None, fresh: list[FailureEvent]) -> None:
            with self.lock:
                if rollout is None:
                    self.rollouts.pop(key, None)
                    return
                self.rollouts[key] = rollout
            if self._live:
                return
            name = self.names.get(key, key)
            for deployment in rollout.deployments:
                line = deployment_line(deployment)
                if self.printed.get(deployment.id) != line:
                    self.printed[deployment.id] = line
                    self._line(f"{name}: {line}")
            for event in fresh:
                self._line(f"{name}: {event_line(event)}")

        return show

    def waiting(self, key: str, what: str, since: float) -> None:
        """A long wait: in a terminal the table counts the seconds; in a log, one line per poll."""
        elapsed = time.monotonic() - since
        with self.lock:
            self.status[key] = (what, since)
        if not self._live:
            self._line(f"{self.names.get(key, key)}: {what} ({elapsed:.0f}s so far)")

    @contextmanager
    def working(self, key: str) -> Iterator[None]:
        """Calls made by this thread meanwhile are ``key``'s (for retry messages)."""
        self.local.key = key
        try:
            yield
        finally:
            self.local.key = None

    def on_retry(self, operation: str, reason: str, attempt: int) -> None:
        """botocore is about to retry a call (see ``deployer.aws.clients``): say so instead of going quiet."""
        key = getattr(self.local, "key", None)
        message = f"retrying {operation} after {reason} (attempt {attempt + 1})"
        if key:
            self.stack(key, message)
        if key is None or self._live:  # in a terminal too: a retry is over before the table is redrawn
            self.say(f"{self.names.get(key, key)}: {message}" if key else message)

    @contextmanager
    def shown(self) -> Iterator[None]:
        """The live table for one phase (planning, execution); nothing to set up in plain mode."""
        if not self.live:
            yield
            return
        with self.lock:
            self.status.clear()
        self._live = Live(_Table(self), console=self.console, refresh_per_second=4, transient=True)
        self._live.start()
        try:
            yield
        finally:
            self._live.stop()
            self._live = None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """A question on the terminal: the live table must not redraw over the prompt."""
        live = self._live
        if live is None:
            yield
            return
        live.stop()
        try:
            yield
        finally:
            live.start()

    def _line(self, message: str) -> None:
        if self.live:
            self.console.print(Text(message, "dim"))
        else:
            stamp = datetime.now(UTC).strftime("%H:%M:%SZ")
            self.console.print(Text(f"{stamp} {message}", "dim"), soft_wrap=True)

    def rows(self) -> list[tuple[str, str, float, Rollout | None]]:
        now = time.monotonic()
        with self.lock:
            return [
                (self.names.get(k, k), status, now - since, self.rollouts.get(k))
                for k, (status, since) in self.status.items()
            ]


class _Table:
    """Rebuilt at every refresh, so the elapsed column counts up.

    A stack with a rollout gets it under its line, the full width of the
    screen: the table is cut there and goes on below it, its columns as wide
    as above (fixed from every row), so the lines still align.
    """

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = self.progress.rows()
        name_width = max([len("Stack"), *(len(name) for name, *_ in rows)])
        status_width = max(10, options.max_width - name_width - 5 - 7)  # "For" is 5 wide; 6 of padding, 1 spare

        def part(header: bool) -> Table:
            table = Table(box=None, show_header=header, header_style="bold")
            table.add_column("Stack", width=name_width, no_wrap=True)
            table.add_column("Status", width=status_width)
            table.add_column("For", width=5, justify="right")
            return table

        table = part(header=True)
        for name, status, elapsed, rollout in rows:
            table.add_row(name, status, f"{elapsed:.0f}s")
            if rollout is not None and rollout.deployments:
                yield table
                yield Padding(rollout_block(rollout), (0, 0, 0, 2))
                table = part(header=False)
        if table.row_count or not rows:
            yield table
