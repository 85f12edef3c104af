"""A service's ECS rollout on screen: a table under its stack's line in a terminal, timestamped lines in CI.

As Copilot shows it: each deployment (task definition revision, rollout
state, desired / running / pending / failed tasks), then the latest failure
events.  In a log each change of a deployment is one line and each failure
event is printed once, when it is first seen.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from deployer.review.rollout import EcsDeployment, FailureEvent, Rollout

STATE_STYLES = {"COMPLETED": "green", "FAILED": "bold red", "IN_PROGRESS": "yellow"}


def rollout_block(rollout: Rollout) -> RenderableType:
    """The deployments as a small table, and the latest failure events under it."""
    table = Table(box=None, header_style="dim", padding=(0, 1))
    table.add_column("Deployment", no_wrap=True)
    table.add_column("Revision", no_wrap=True)
    for column in ("Rollout", "Desired", "Running", "Pending", "Failed"):
        table.add_column(column, no_wrap=True)
    for d in rollout.deployments:
        table.add_row(
            d.status.lower(),  # the deployment's id is in the CI lines: on screen the revision says which
            d.revision,
            Text(d.rollout_state, STATE_STYLES.get(d.rollout_state, "")),
            str(d.desired),
            str(d.running),
            str(d.pending),
            Text(str(d.failed), "bold red" if d.failed else ""),
        )
    events = [Text(f"  ✘ {event.text}", "red") for event in rollout.latest()]
    return Group(table, *events)


def deployment_line(deployment: EcsDeployment) -> str:
    """One deployment in a log line: what changed is read by comparing two of these."""
    d = deployment
    return (
        f"ECS {d.status.lower()} {d.id} {d.revision} {d.rollout_state}: desired {d.desired}, running {d.running}, "
        f"pending {d.pending}, failed {d.failed}"
    )


def event_line(event: FailureEvent) -> str:
    return f"ECS {event.kind}: {event.text}"
