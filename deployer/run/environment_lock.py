"""One run at a time per environment: a lock CloudFormation itself arbitrates.

Two runs racing on one environment delete each other's change sets and
discard each other's reviews (executing a change set makes CloudFormation
delete every other change set of that stack).  So a run first takes the
environment's lock, and a second run says who holds it and since when, and
stops (or, with ``--wait``, waits for it).

The lock is a change set named ``deploy-lock`` on the environment's lock
stack (``<project>-<env>-deploy-lock``), made from the one-resource template
generate.py writes beside the stacks (``deploy-lock.json``, named in the
manifest under ``lock``): CloudFormation refuses a second
change set of the same name on a stack (AlreadyExistsException), which makes
taking it atomic across machines, with nothing but the CloudFormation
permissions a deploy needs anyway.  The change set is never executed: the
stack stays REVIEW_IN_PROGRESS and holds no resources.  Its description says
who holds it (user@host, the run id), since when and until when; a lock past
its expiry (a run killed with SIGKILL, a lost CI runner) is taken over.  A
run releases its lock (deletes the change set) however it ends.

https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
(AlreadyExistsException: "The resource with the name requested already exists").
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.errors import Interrupted
from deployer.run.change_set_names import request_token

LOCK_CHANGE_SET = "deploy-lock"
# Longer than any run: a busy stack (30 min) plus an operation followed to its timeout (3 h), with a margin.
LOCK_TTL = timedelta(hours=6)


@dataclass(frozen=True)
class Holder:
    """Who holds an environment's lock, since and until when: what a second run tells its user."""

    run: str
    owner: str
    started: datetime
    expires: datetime
    change_set_id: str
    stack_name: str

    def describe(self) -> str:
        return f"{self.owner} (run {self.run}) since {_clock(self.started)}, lock expires {_clock(self.expires)}"

    def unlock_command(self) -> str:
        return (
            f"aws cloudformation delete-change-set --stack-name {self.stack_name} --change-set-name {LOCK_CHANGE_SET}"
        )


class LockHeld(Exception):
    """Another run holds the environment's lock."""

    def __init__(self, environment: str, holder: Holder) -> None:
        self.holder = holder
        super().__init__(
            f"another deploy of {environment} is in progress: {holder.describe()}. Deploy again when it has "
            f"finished, or add --wait to wait for it. If that run is dead, remove its lock: {holder.unlock_command()}"
        )


@functools.cache
def owner() -> str:
    """Who a lock's holder is, for the person who finds the environment locked.

    Asked once per process: every change set's description names it too, and
    the user-database lookup is not free.
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


def acquire(
    cfn: Any, stack_name: str, environment: str, run: str, *, template: str, now: datetime | None = None
) -> Holder:
    """Take the lock, or raise ``LockHeld``; a lock past its expiry is taken over (once).

    ``template`` is the lock template's body as generate.py wrote it (``inputs.LockInput``).
    """
    for _attempt in range(2):
        started = now or datetime.now(UTC)
        mine = {
            "run": run,
            "owner": owner(),
            "started": started.isoformat(),
            "expires": (started + LOCK_TTL).isoformat(),
        }
        try:
            made = cloudformation.create_change_set(
                cfn,
                {
                    "StackName": stack_name,
                    "ChangeSetName": LOCK_CHANGE_SET,
                    "ChangeSetType": "CREATE",
                    "TemplateBody": template,
                    "Description": json.dumps(mine),
                    "ClientToken": request_token(run, stack_name, "lock"),  # a retried call finds its own lock
                },
            )
            return _holder(mine, made["Id"], stack_name, started)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "AlreadyExistsException":
                raise
        holder = current(cfn, stack_name)
        if holder is None:  # released between the two calls: try again
            continue
        if holder.run == run:
            return holder
        if holder.expires > started:
            raise LockHeld(environment, holder)
        _delete(cfn, holder.change_set_id)  # expired; by id, so a lock someone just took is never deleted
    holder = current(cfn, stack_name)
    if holder is None:
        raise ClientError({"Error": {"Code": "LockRace", "Message": "the lock kept changing hands"}}, "CreateChangeSet")
    raise LockHeld(environment, holder)


def hold(
    cfn: Any,
    stack_name: str,
    environment: str,
    run: str,
    *,
    template: str,
    wait: bool,
    delay: float,
    stop: threading.Event,
    on_wait: Callable[[Holder, float], None],
) -> Holder:
    """``acquire``; with ``wait``, poll every ``delay`` seconds until it is ours (Ctrl-C ends the wait)."""
    since = time.monotonic()
    while True:
        try:
            return acquire(cfn, stack_name, environment, run, template=template)
        except LockHeld as held:
            if not wait:
                raise
            on_wait(held.holder, since)
        if stop.wait(delay):
            raise Interrupted("stopped waiting for the environment's lock")


def release(cfn: Any, holder: Holder) -> None:
    """Delete our lock; a lock already gone (taken over after expiry, deleted by hand) is no error."""
    _delete(cfn, holder.change_set_id)


def current(cfn: Any, stack_name: str) -> Holder | None:
    """Who holds the lock now, from the lock change set's description; None when nobody does."""
    try:
        summaries = cloudformation.list_change_sets(cfn, stack_name)
    except ClientError as exc:
        if "does not exist" in exc.response.get("Error", {}).get("Message", ""):
            return None
        raise
    for summary in summaries:
        if summary.get("ChangeSetName") == LOCK_CHANGE_SET:
            return _read(summary, stack_name)
    return None


def _read(summary: dict[str, Any], stack_name: str) -> Holder:
    created = summary.get("CreationTime") or datetime.now(UTC)
    try:
        data = json.loads(summary.get("Description") or "")
        started, expires = datetime.fromisoformat(data["started"]), datetime.fromisoformat(data["expires"])
        return Holder(data["run"], data["owner"], started, expires, summary["ChangeSetId"], stack_name)
    except (ValueError, KeyError, TypeError):  # not written by this tool: it still holds the name
        return Holder(
            "?", "unknown (not made by this tool)", created, created + LOCK_TTL, summary["ChangeSetId"], stack_name
        )


def _holder(data: dict[str, str], change_set_id: str, stack_name: str, started: datetime) -> Holder:
    return Holder(data["run"], data["owner"], started, started + LOCK_TTL, change_set_id, stack_name)


def _delete(cfn: Any, change_set_id: str) -> None:
    try:
        cloudformation.delete_change_set(cfn, change_set_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ChangeSetNotFound":
            raise


def _clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
