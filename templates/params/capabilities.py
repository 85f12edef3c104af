"""Params models for what a service can do beyond "run behind the ALB".

Each model is one block of a service's YAML (``capacity``, ``scaling``,
``discovery``, ``schedule``, ``dns``, ``task_role``, ``deployment``,
``target_group``) plus a container's health check: the schema only.  The
rules over them live in ``templates/rules/params/`` (scaling, iam, ...).
Field descriptions are the params reference.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from templates.params.capacity_groups import Ec2Share, Placement
from templates.params.strict import Name, Strict

IAM_ACTION = r"^[a-z0-9-]+:[A-Za-z0-9*]+$"
IAM_RESOURCE = r"^(\*|arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:\S+)$"
MANAGED_POLICY_ARN = r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$"
HOSTED_ZONE_ID = r"^Z[A-Z0-9]{1,31}$"


class Capacity(Strict):
    """Where the tasks run (ECS capacity provider strategy): on-demand Fargate and Fargate Spot, or EC2
    capacity groups of the cluster (``ec2``).  ECS accepts one kind per strategy, never both."""

    on_demand_base: int = Field(
        0, ge=0, le=100000, description="Tasks that always run on on-demand FARGATE before the weights apply."
    )
    on_demand_weight: int = Field(1, ge=0, le=1000, description="Relative share of further tasks on on-demand FARGATE.")
    spot_weight: int = Field(
        0,
        ge=0,
        le=1000,
        description="Relative share on FARGATE_SPOT: cheaper, may be interrupted with 2 minutes' notice; "
        "x86_64 only. 0 = no Spot (the default).",
    )

    ec2: list[Ec2Share] = Field(
        default_factory=list,
        max_length=20,
        description="Run on these EC2 capacity groups (cluster.capacity_groups) instead of Fargate, weighted; "
        "then leave on_demand_base, on_demand_weight and spot_weight unset. Empty: Fargate.",
    )
    daemon: bool = Field(
        False,
        description="One task on every instance of the ec2 groups (ECS DAEMON scheduling: a log or metrics "
        "agent); kind worker without scaling; desired_count is not used. EC2 only.",
    )
    placement: Placement | None = Field(
        None,
        description="Placement strategies on EC2; default: spread across zones, then bin-pack on memory. "
        "Not for Fargate (AWS places Fargate tasks) or daemons.",
    )

    @property
    def uses_spot(self) -> bool:
        """Fargate Spot (EC2 Spot is a property of the capacity group)."""
        return self.spot_weight > 0 and not self.ec2

    @property
    def on_ec2(self) -> bool:
        return bool(self.ec2)

    @property
    def groups(self) -> list[str]:
        return [share.group for share in self.ec2]


class TargetTracking(Strict):
    """Keep a metric near a target; Application Auto Scaling adds and removes tasks."""

    cpu: float | None = Field(None, gt=0, le=100, description="Average CPU utilisation (%) to hold.")
    memory: float | None = Field(None, gt=0, le=100, description="Average memory utilisation (%) to hold.")
    requests_per_target: int | None = Field(
        None, ge=1, le=1000000, description="ALB requests per task per minute to hold (web services only)."
    )
    scale_in_cooldown: int = Field(300, ge=0, le=3600, description="Seconds after a scale-in before the next one.")
    scale_out_cooldown: int = Field(60, ge=0, le=3600, description="Seconds after a scale-out before the next one.")


class StepAlarm(Strict):
    """One CloudWatch alarm of step scaling and the change it triggers."""

    threshold: float = Field(ge=0, le=100, description="Utilisation (%) that fires the alarm.")
    evaluation_periods: int = Field(2, ge=1, le=100, description="Consecutive periods over the threshold.")
    period: int = Field(
        60,
        ge=1,
        le=86400,
        description="Seconds per period: 60 or a multiple of 60 (ECS publishes service metrics once a minute). "
        "period x evaluation_periods at most 1 day (7 days when the period is an hour or more).",
    )
    change: int = Field(1, ge=1, le=100, description="Tasks added (scale_out) or removed (scale_in).")


class StepScaling(Strict):
    """Step scaling driven by two CloudWatch alarms on the service's average utilisation (S5)."""

    metric: Literal["cpu", "memory"] = Field("cpu", description="Metric the alarms watch.")
    scale_out: StepAlarm = Field(
        default_factory=lambda: StepAlarm(threshold=85),
        description="Alarm at or above threshold adds tasks; default >= 85% for 2x60 s, +1.",
    )
    scale_in: StepAlarm = Field(
        default_factory=lambda: StepAlarm(threshold=10),
        description="Alarm at or below threshold removes tasks; default <= 10% for 2x60 s, -1.",
    )
    cooldown: int = Field(60, ge=0, le=3600, description="Seconds after a step before the next one.")


class ScheduledScaling(Strict):
    """Change the task range at given times (business hours, nightly quiet)."""

    name: Name = Field(description="Name of the scheduled action, unique in the service.")
    schedule: str = Field(description="cron(...), rate(...) or at(yyyy-mm-ddThh:mm:ss).")
    min_count: int | None = Field(None, ge=0, le=1000, description="New minimum task count.")
    max_count: int | None = Field(None, ge=0, le=1000, description="New maximum task count.")
    timezone: str | None = Field(
        None, description="IANA time zone of the schedule (tz database name), e.g. Europe/Berlin; default UTC."
    )


class Scaling(Strict):
    """Service auto scaling (Application Auto Scaling). With it, the scaler owns the task count:
    ``desired_count`` is not used and deploys keep the running count."""

    min_count: int = Field(1, ge=0, le=1000, description="Fewest tasks.")
    max_count: int = Field(ge=1, le=1000, description="Most tasks.")
    target_tracking: TargetTracking | None = Field(None, description="Target tracking policies.")
    step: StepScaling | None = Field(None, description="Step scaling on CloudWatch alarms.")
    schedules: list[ScheduledScaling] = Field(
        default_factory=list, max_length=20, description="Scheduled changes of min_count/max_count."
    )


class Discovery(Strict):
    """How other services find this one inside the environment."""

    mode: Literal["cloud-map", "service-connect", "service-connect-client"] = Field(
        description="cloud-map: DNS A records <name>.<namespace> in the cluster's Cloud Map namespace, "
        "resolvable from the whole VPC. service-connect: ECS Service Connect; Service Connect clients reach "
        "<name>.<namespace>:<port> through a proxy. service-connect-client: call Service Connect names "
        "without publishing one."
    )
    name: Name | None = Field(None, description="Name in the namespace; default the service name.")
    container: Name | None = Field(
        None, description="Container (and its port) to publish; default the container receiving ALB traffic."
    )


class Schedule(Strict):
    """When a ``kind: scheduled`` task runs (EventBridge rule)."""

    expression: str = Field(description="cron(...) or rate(...), UTC, e.g. cron(0 3 * * ? *).")
    task_count: int = Field(1, ge=1, le=10, description="Tasks started each time.")
    enabled: bool = Field(True, description="false keeps the rule but stops running the task.")


class Dns(Strict):
    """Route 53 alias records pointing the service's hosts at the shared ALB."""

    hosted_zone_id: str = Field(pattern=HOSTED_ZONE_ID, description="Route 53 hosted zone id (Z...).")
    hosts: list[str] | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="Hosts to alias; each must be a host of this service's routes. Default: all of them.",
    )


class PolicyStatement(Strict):
    """One IAM statement of the task role, written by the user: their decision, visible in the params file.

    ``Resource: "*"`` on an Allow is accepted here, unlike in the roles the
    generator writes (guardrail H001), but only with a ``reason``: the params
    file then says why, and the reason travels with the role in its template
    Metadata (IAM policies have no comments).
    """

    sid: str | None = Field(None, pattern=r"^[A-Za-z0-9]{1,64}$", description="Statement id.")
    effect: Literal["Allow", "Deny"] = Field("Allow", description="Allow or Deny.")
    actions: list[Annotated[str, StringConstraints(pattern=IAM_ACTION)]] = Field(
        min_length=1, description="IAM actions, e.g. s3:GetObject, dynamodb:Query."
    )
    resources: list[Annotated[str, StringConstraints(pattern=IAM_RESOURCE)]] = Field(
        min_length=1,
        description="Resource ARNs, or * for actions without resource-level permissions (an Allow on * needs reason).",
    )
    reason: str | None = Field(
        None,
        min_length=10,
        max_length=256,
        pattern=r"\S",
        description="Why the statement is needed; required when an Allow uses resources: [*]. Written to the "
        "role's template Metadata, since IAM policies have no comments.",
    )


class TaskRole(Strict):
    """The application's own IAM identity (what the code may call). ``task_role: true`` = empty role."""

    statements: list[PolicyStatement] = Field(default_factory=list, max_length=50, description="Inline policy.")
    managed_policy_arns: list[Annotated[str, StringConstraints(pattern=MANAGED_POLICY_ARN)]] = Field(
        default_factory=list, description="Managed policies to attach (IAM: at most 10 per role by default)."
    )

    @property
    def statement_ids(self) -> list[str]:
        """The Sid each statement gets in the policy: its own, else ``Params<n>`` (1-based)."""
        return [s.sid or f"Params{i + 1}" for i, s in enumerate(self.statements)]


class Deployment(Strict):
    """Rolling deployment bounds (percent of the task count)."""

    min_healthy_percent: int = Field(100, ge=0, le=100, description="Tasks kept running during a deploy.")
    max_percent: int = Field(200, ge=100, le=400, description="Tasks allowed during a deploy.")


class TargetGroupSettings(Strict):
    """ALB target group behaviour (web services)."""

    deregistration_delay: int = Field(
        60, ge=0, le=3600, description="Seconds a stopping task keeps serving in-flight requests."
    )
    stickiness: int | None = Field(
        None, ge=1, le=604800, description="Sticky sessions (load-balancer cookie) for this many seconds; off if empty."
    )
    port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="The target group's own port (default: the container port). ECS registers each task at its "
        "container port whatever this says; it only keeps a live target group's setting (changing it replaces the "
        "target group). adopt.py sets it when the two differ.",
    )


class ContainerHealthCheck(Strict):
    """Docker health check run inside the container (needed for depends_on HEALTHY)."""

    command: list[str] = Field(
        min_length=2,
        description='Docker form: ["CMD", "redis-cli", "ping"] or ["CMD-SHELL", "curl -f http://localhost/health"].',
    )
    interval: int = Field(30, ge=5, le=300, description="Seconds between checks.")
    timeout: int = Field(5, ge=2, le=60, description="Seconds before a check fails.")
    retries: int = Field(3, ge=1, le=10, description="Failures before unhealthy.")
    start_period: int = Field(0, ge=0, le=300, description="Seconds of grace after start.")
