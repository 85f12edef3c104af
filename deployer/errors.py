"""Errors the CLI turns into an exit code and one line, never a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """Bad flags or a folder the deployer cannot use; exit code 2, before any AWS call."""


class StackFailure(Exception):
    """A stack cannot be planned or deployed; the message says why and how to fix it."""


class Interrupted(Exception):
    """Ctrl-C: the run stops waiting and starts nothing new; CloudFormation carries on with what it was doing."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, ``timeout``, a stopped container), handled exactly like Ctrl-C.

    A KeyboardInterrupt so that every place that stops cleanly on Ctrl-C
    (the stack walk, the review files, the prompt) does the same on SIGTERM.
    """


def interrupt_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports a process killed by it: 143 for SIGTERM, 130 for SIGINT."""
    return 143 if isinstance(exc, Terminated) else 130
