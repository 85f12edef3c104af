"""Clients and timing: the only place that decides how we talk to AWS.

Throttling is botocore's job, not ours: every client uses the adaptive retry
mode (exponential backoff with jitter plus a client-side rate limiter shared
by all threads using that client).  ``AWS_ENDPOINT_URL`` and the standard
credential chain are honoured by boto3 itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from deployer.errors import UsageError

RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="fargate-stacks-deployer")


@dataclass(frozen=True)
class Timing:
    """How long and how often we wait; tests shrink these, production keeps the defaults."""

    change_set_delay: int = 5  # DescribeChangeSet polls while a change set is computed
    change_set_attempts: int = 120
    busy_delay: int = 15  # a stack another operation is changing
    busy_timeout: int = 1800  # 0: refuse at once instead of waiting
    delete_delay: int = 10
    poll_min: float = 2.0  # stack polls during an operation: capped exponential backoff with jitter
    poll_max: float = 20.0
    operation_timeout: int = 3 * 3600  # ECS services may take long to stabilise


@dataclass(frozen=True)
class Clients:
    cloudformation: Any
    s3: Any
    elbv2: Any


def make_clients(profile: str | None, region: str) -> Clients:
    """One client per service, created up front: clients are thread-safe, sessions are not."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise UsageError(f"--profile: {exc}") from None
    return Clients(
        cloudformation=session.client("cloudformation", config=RETRIES),
        s3=session.client("s3", config=RETRIES),
        elbv2=session.client("elbv2", config=RETRIES),
    )
