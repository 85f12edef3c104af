"""After a deploy: where each service answers, where its logs go, and the command that follows them.

Lines rather than a table: a URL and a command are what people copy, and a
CI log keeps them on one line each.
"""

from __future__ import annotations

import shlex
from typing import NamedTuple

from rich.console import Group, RenderableType
from rich.text import Text


class ServiceAccess(NamedTuple):
    """One deployed service stack: its URLs (none for a worker) and its log groups."""

    stack_name: str
    urls: list[str]
    log_groups: list[str]


def tail_command(log_group: str, region: str, profile: str | None = None) -> str:
    """The AWS CLI v2 command that follows a log group (``aws logs tail --follow``)."""
    command = ["aws", "logs", "tail", log_group, "--follow", "--region", region]
    return shlex.join(command + (["--profile", profile] if profile else []))


def service_lines(services: list[ServiceAccess], region: str, profile: str | None = None) -> RenderableType:
    lines: list[Text] = [Text("Services", "bold")]
    for service in services:
        lines.append(Text.assemble(("  " + service.stack_name, "bold"), "  ", ", ".join(service.urls) or "(no route)"))
        for group in service.log_groups:
            lines.append(Text.assemble("    logs ", (group, "cyan"), ": ", tail_command(group, region, profile)))
    return Group(*lines)
