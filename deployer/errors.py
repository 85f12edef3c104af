"""Errors the CLI turns into an exit code and one line, never a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """Bad flags or a folder the deployer cannot use; exit code 2, before any AWS call."""


class StackFailure(Exception):
    """A stack cannot be planned or deployed; the message says why and how to fix it."""


class Interrupted(Exception):
    """Ctrl-C: the run stops waiting and starts nothing new; CloudFormation carries on with what it was doing."""
