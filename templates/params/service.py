"""Params of one service: its containers, routes, health check and capabilities.

Field descriptions double as the params reference (``python generate.py
--reference``), so the schema is the documentation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from templates.naming import prefixed_log_group, prefixed_task_family
from templates.params.capabilities import (
    Capacity,
    ContainerHealthCheck,
    Deployment,
    Discovery,
    Dns,
    Scaling,
    Schedule,
    TargetGroupSettings,
    TaskRole,
)
from templates.params.formats import (
    DEPENDS_ON_CONDITION,
    IMAGE_TAG,
    LOG_RETENTION_DAYS,
    PATH_PATTERN_LENGTH,
    PORT,
    VALUE_FROM_ARN,
    KmsKeyArn,
)
from templates.params.name_overrides import ServiceNames
from templates.params.releases import BlueGreen, DeploymentAlarms, LogSettings
from templates.params.strict import Name, Strict


class HealthCheck(Strict):
    path: str = Field("/", pattern=r"^/\S*$", max_length=1024, description="HTTP path probed.")
    matcher: str = Field(
        "200",
        description="Healthy HTTP codes, all within 200-499: one (200), a list (200,202) or a range (200-299).",
    )
    interval: int = Field(30, ge=5, le=300, description="Seconds between probes.")
    timeout: int = Field(5, ge=2, le=120, description="Seconds before a probe fails.")
    healthy_threshold: int = Field(3, ge=2, le=10, description="Successes before healthy.")
    unhealthy_threshold: int = Field(2, ge=2, le=10, description="Failures before unhealthy.")
    grace_period: int = Field(60, ge=0, le=2147483647, description="Seconds ECS ignores failing checks after start.")


class Route(Strict):
    """One listener rule: host and/or path prefix, both must match."""

    host: str | None = Field(
        None,
        description="Host header, e.g. api.example.com or *.example.com: lowercase, at most 128 characters "
        "(ALB), DNS labels of at most 63.",
    )
    path: str | None = Field(
        None,
        pattern=r"^/",
        # An ALB path pattern holds at most 128 characters, and a prefix gets "/*" appended.
        max_length=PATH_PATTERN_LENGTH - len("/*"),
        description="Path prefix: /auth matches /auth and /auth/*; / matches everything; "
        "a trailing * is kept as written. At most 126 characters (ALB patterns allow 128, "
        "and /* is appended), of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + &.",
    )
    priority: int | None = Field(None, ge=1, le=50000, description="Pin a listener-rule priority (normally computed).")


class Container(Strict):
    name: Name = Field(description="Container name, unique in the task.")
    image: str = Field(
        max_length=255,
        description="Image repository without tag (tag from the ImageTag parameter), "
        "or repository:tag, repository@sha256:<digest> or repository:tag@sha256:<digest> for a fixed image. "
        "Registry and repository lowercase; a tag may mix case.",
    )
    port: int | None = Field(None, ge=1, le=65535, description="Container port (TCP).")
    extra_ports: list[PORT] = Field(
        default_factory=list,
        max_length=10,
        description="Further TCP ports (metrics, admin). Reachable by the ALB only as target_port.",
    )
    environment: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], str] = Field(
        default_factory=dict, description="Plain environment variables."
    )
    not_secrets: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")],
        Annotated[str, StringConstraints(min_length=10)],
    ] = Field(
        default_factory=dict,
        description="Env var name -> why its value is not secret, for a variable of environment whose name or "
        'value looks like a secret (S040, S041) but is not, e.g. {TOKEN_TTL_SECONDS: "a lifetime in seconds, '
        'not a token"}. At least 10 characters.',
    )
    secrets: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")],
        Annotated[str, StringConstraints(pattern=VALUE_FROM_ARN)],
    ] = Field(
        default_factory=dict,
        description="Env var name -> Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:"
        "secret:<name>-<6 random characters>, or without that suffix; optionally :<json-key>::) "
        "or SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>).",
    )
    essential: bool = Field(True, description="Stop the task when this container stops.")
    command: list[str] | None = Field(None, max_length=100, description="Replaces the image's CMD.")
    entrypoint: list[str] | None = Field(None, max_length=100, description="Replaces the image's ENTRYPOINT.")
    health_check: ContainerHealthCheck | None = Field(None, description="Health check run inside the container.")
    depends_on: dict[Name, DEPENDS_ON_CONDITION] = Field(
        default_factory=dict,
        description="Containers that must reach a condition before this one starts: START, COMPLETE (exited), "
        "SUCCESS (exited 0), HEALTHY (its health_check passes).",
    )
    readonly_root_filesystem: bool | None = Field(
        None, description="Read-only root filesystem for this container; default: the service's setting."
    )
    gpu: int | None = Field(
        None,
        ge=1,
        le=16,
        description="GPUs reserved for this container (ECS resourceRequirements); EC2 only, on a capacity group "
        "with gpu: true.",
    )

    @property
    def has_fixed_tag(self) -> bool:
        last = self.image.rsplit("/", 1)[-1]
        return ":" in last or "@" in self.image

    @property
    def ports(self) -> list[int]:
        return ([self.port] if self.port is not None else []) + list(self.extra_ports)


class Service(Strict):
    name: Name = Field(description="(the key under services)")
    cpu: int = Field(256, description="Task CPU units: 256, 512, 1024, 2048, 4096, 8192, 16384.")
    memory: int = Field(512, description="Task memory (MiB); must fit the Fargate size table.")
    architecture: Literal["x86_64", "arm64"] = Field("x86_64", description="CPU architecture.")
    kind: Literal["web", "worker", "scheduled"] = Field(
        "web",
        description="web: behind the shared ALB (needs routes). worker: no ALB, optionally discoverable. "
        "scheduled: no service; EventBridge starts the task on schedule. When omitted: web if the service "
        "has routes, worker if not.",
    )
    desired_count: int = Field(
        1, ge=0, le=1000, description="Tasks to run (web, worker). Not used when scaling is set: the scaler owns it."
    )
    image_tag: str | None = Field(
        None,
        pattern=rf"^{IMAGE_TAG}$",
        description="Default of the ImageTag parameter (CI overrides it per deploy).",
    )
    log_retention_days: LOG_RETENTION_DAYS = Field(30, description="CloudWatch Logs retention.")
    secrets_kms_key_arns: list[KmsKeyArn] = Field(
        default_factory=list,
        max_length=20,
        description="Customer-managed KMS keys (ARNs, same region) encrypting this service's secrets or SecureString "
        "parameters: the execution role may kms:Decrypt with them, through Secrets Manager and SSM only.",
    )
    log_kms_key_arn: KmsKeyArn | None = Field(
        None,
        description="KMS key ARN encrypting the service's log group (same region; its key policy must "
        "allow the logs.<region>.amazonaws.com principal).",
    )
    health_check: HealthCheck = Field(default_factory=HealthCheck, description="Target health.")
    containers: list[Container] = Field(min_length=1, description="Task containers (ECS: at most 10).")
    target_container: Name | None = Field(
        None, description="Container receiving ALB traffic; default: first with a port."
    )
    target_port: int | None = Field(
        None, ge=1, le=65535, description="Port of target_container receiving ALB traffic; default its port."
    )
    routes: list[Route] = Field(default_factory=list, description="Listener rules.")
    load_balancer: Literal["internet-facing", "internal"] | None = Field(
        None,
        description="Which ALBs carry the service's routes: internet-facing (public subnets) or internal "
        "(private subnets); default alb.scheme. All routes of a service share one ALB (its target group can "
        "belong to only one).",
    )
    task_role: TaskRole | None = Field(
        None,
        description="The application's own IAM role: true (empty role), or statements / managed_policy_arns. "
        "Without it the task has no AWS permissions.",
    )
    capacity: Capacity = Field(
        default_factory=Capacity,
        description="Where tasks run: on-demand Fargate vs Fargate Spot, or EC2 capacity groups (capacity.ec2).",
    )
    network_mode: Literal["awsvpc", "bridge"] = Field(
        "awsvpc",
        description="awsvpc: every task its own network interface and security group (Fargate's only mode; on "
        "EC2 each task takes one of the instance's ENIs). bridge (EC2 only): tasks share the instance's "
        "interface through Docker's bridge with dynamic host ports, so many copies fit one instance behind one "
        "target group (targets are instances; the ALB reaches the ephemeral port range of the group).",
    )
    scaling: Scaling | None = Field(None, description="Auto scaling (web, worker).")
    discovery: Discovery | None = Field(None, description="Cloud Map or Service Connect (web, worker).")
    schedule: Schedule | None = Field(None, description="When the task runs (kind: scheduled only).")
    dns: Dns | None = Field(None, description="Route 53 alias records for the service's hosts (web).")
    ecs_exec: bool = Field(
        False, description="Allow `aws ecs execute-command` into the containers (needs a writable root filesystem)."
    )
    readonly_root_filesystem: bool = Field(False, description="Mount every container's root filesystem read-only.")
    ephemeral_storage: int | None = Field(
        None, ge=21, le=200, description="Task ephemeral storage in GiB (21-200); default 20 GiB."
    )
    stop_timeout: int | None = Field(
        None, ge=2, le=120, description="Seconds between SIGTERM and SIGKILL (Fargate: at most 120); default 30."
    )
    deployment: Deployment = Field(default_factory=Deployment, description="Rolling deployment bounds.")
    target_group: TargetGroupSettings = Field(
        default_factory=TargetGroupSettings, description="Target group behaviour (web)."
    )
    deployment_alarms: DeploymentAlarms = Field(
        default_factory=DeploymentAlarms,
        description="CloudWatch alarms that stop and roll back a deployment (web, worker); on by default.",
    )
    blue_green: BlueGreen | None = Field(
        None, description="ECS blue/green deployments with a test route (web, one route); rolling when omitted."
    )
    logs: LogSettings = Field(default_factory=LogSettings, description="awslogs mode and log-group retention.")
    names: ServiceNames | None = Field(
        None,
        description="Names people depend on: task_family, log_group, service, target_group (defaults from the prefix "
        "or CloudFormation).",
    )

    @model_validator(mode="before")
    @classmethod
    def _infer_kind(cls, data: Any) -> Any:
        """Params written before ``kind`` existed keep their meaning: routes make a web service."""
        if isinstance(data, dict) and data.get("kind") is None:
            data = {**data, "kind": "web" if data.get("routes") else "worker"}
        return data

    @field_validator("task_role", mode="before")
    @classmethod
    def _role_shorthand(cls, value: object) -> object:
        """``task_role: true`` asks for an empty role, ``false`` for none."""
        if value is True:
            return {}
        if value is False:
            return None
        return value

    @property
    def target(self) -> Container | None:
        """The container the ALB sends traffic to."""
        for c in self.containers:
            if self.target_container is None and c.port is not None:
                return c
            if c.name == self.target_container:
                return c if c.port is not None else None
        return None

    @property
    def traffic_port(self) -> int | None:
        """The port of ``target`` the ALB sends traffic to."""
        target = self.target
        if target is None:
            return None
        return self.target_port if self.target_port is not None else target.port

    @property
    def alb_port(self) -> int | None:
        """The port the shared ALB forwards to; None when the service is not behind the ALB.

        The one definition of "behind the ALB" (a web service with routes and a
        target port): it decides the target group and listener rules, the task
        security group's ALB ingress, the ALB's egress and the ALB quotas.
        """
        if self.kind != "web" or not self.routes:
            return None
        return self.traffic_port

    @property
    def family_text(self) -> str:
        """Task family as ``Fn::Sub`` text (default) or the override."""
        override = self.names.task_family if self.names else None
        return override or prefixed_task_family(self.name)

    @property
    def log_group_text(self) -> str:
        """Log group as ``Fn::Sub`` text (default) or the override."""
        override = self.names.log_group if self.names else None
        return override or prefixed_log_group(self.name)

    @property
    def secret_arns(self) -> list[str]:
        return sorted({arn for c in self.containers for arn in c.secrets.values()})

    def is_readonly(self, container: Container) -> bool:
        """Whether ``container`` gets a read-only root filesystem (its own setting wins)."""
        if container.readonly_root_filesystem is not None:
            return container.readonly_root_filesystem
        return self.readonly_root_filesystem

    @property
    def on_ec2(self) -> bool:
        """Runs on EC2 capacity groups (``capacity.ec2``) rather than Fargate."""
        return self.capacity.on_ec2

    @property
    def gpus(self) -> int:
        """GPUs one task reserves (the sum over its containers)."""
        return sum(c.gpu or 0 for c in self.containers)

    @property
    def has_service(self) -> bool:
        """Web and worker run as an ECS service; scheduled tasks are started by EventBridge."""
        return self.kind != "scheduled"

    @property
    def generator_names_service(self) -> bool:
        """The ECS service gets a fixed name (``${ExportPrefix}-<name>``) unless ``names.service`` gives one:
        a worker's deployment alarms are keyed by service name and exist before the service."""
        return self.kind == "worker" and self.deployment_alarms.enabled

    @property
    def discovery_name(self) -> str | None:
        """Name published in the namespace (None when the service publishes nothing)."""
        if self.discovery is None or self.discovery.mode == "service-connect-client":
            return None
        return self.discovery.name or self.name

    @property
    def discovery_container(self) -> Container | None:
        """Container whose port is published by discovery."""
        if self.discovery is None:
            return None
        wanted = self.discovery.container
        if wanted is None:
            return self.target
        return next((c for c in self.containers if c.name == wanted), None)

    @property
    def alias_hosts(self) -> list[str]:
        """Hosts that get a Route 53 alias record."""
        if self.dns is None:
            return []
        if self.dns.hosts is not None:
            return list(self.dns.hosts)
        return sorted({r.host for r in self.routes if r.host is not None})
