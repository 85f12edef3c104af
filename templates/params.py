"""Params schema: the validated model of one environment's YAML file.

Field descriptions double as the README's params reference
(``python generate.py --reference``), so the schema is the documentation.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, field_validator, model_validator

from templates import fargate, service_rules
from templates.capability_params import (
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
from templates.errors import rule_violation
from templates.naming import NAME_PATTERN, default_namespace
from templates.strict import Name, Strict

ShortName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=1, max_length=16)]

CERTIFICATE_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$"
VALUE_FROM_ARN = (
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$"
)
KMS_KEY_ARN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$"
# S3 bucket naming rules (the parts a regex can say; the rest in _bucket_name).
BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
HOST_PATTERN = r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
# Docker image references: [registry[:port]/]repository[:tag][@sha256:digest].  The
# registry and repository are lowercase (Docker and ECR refuse uppercase); a tag may
# mix case (1-128 of letters, digits, _ . -, not starting with . or -).
IMAGE_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_IMAGE_REGISTRY = r"[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?"
_IMAGE_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REPOSITORY = rf"(?:{_IMAGE_REGISTRY}/)?{_IMAGE_COMPONENT}(?:/{_IMAGE_COMPONENT})*"
IMAGE_DIGEST = r"sha256:[a-f0-9]{64}"
IMAGE_PATTERN = re.compile(rf"^{IMAGE_REPOSITORY}(?::{IMAGE_TAG})?(?:@{IMAGE_DIGEST})?$")
REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
# ALB limits: characters in one path-pattern value; HTTP codes a target-group health check may expect.
PATH_PATTERN_LENGTH = 128
MATCHER_LOW, MATCHER_HIGH = 200, 499
LOG_RETENTION_DAYS = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
]  # fmt: skip


def _parse_cidr(value: Any) -> ipaddress.IPv4Network:
    """Accept only text like ``10.0.0.0/16``, with a message that says what is wrong.

    pydantic's own IPv4Network type takes integers (``5`` -> 0.0.0.5/32) and
    says only "not a valid IPv4 network" for a CIDR with host bits set.
    """
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an IPv4 CIDR as text like 10.0.0.0/16, got {type(value).__name__} {value!r}")
    if "/" not in value:
        raise ValueError(f"{value!r} has no prefix length; write a CIDR like 10.0.0.0/16 (a single address: /32)")
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as exc:
        try:
            loose = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 CIDR like 10.0.0.0/16 ({exc})") from None
        raise ValueError(f"{value!r} has host bits set; did you mean {loose}?") from None


Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_parse_cidr)]
KmsKeyArn = Annotated[str, StringConstraints(pattern=KMS_KEY_ARN)]


def arn_region(arn: str) -> str:
    """The region field of an ARN (``arn:partition:service:REGION:account:...``)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


class FlowLogParams(Strict):
    """VPC flow logs to a CloudWatch log group this stack creates."""

    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        "ALL", description="Traffic to record: ALL, ACCEPT or REJECT (cheapest, still shows blocked probes)."
    )
    retention_days: LOG_RETENTION_DAYS = Field(90, description="Retention of the flow-log log group.")
    kms_key_arn: KmsKeyArn | None = Field(
        None,
        description="KMS key ARN encrypting the flow-log log group (same region; its key policy must "
        "allow the logs.<region>.amazonaws.com principal).",
    )


class NetworkParams(Strict):
    cidr: Cidr = Field(
        ipaddress.IPv4Network("10.0.0.0/16"),
        description="VPC CIDR block, /16 to /24; subnets are carved from it (1/8 each).",
    )
    az_count: int = Field(2, ge=2, le=3, description="Availability zones to span (2 or 3).")
    nat: Literal["none", "single", "per-az"] = Field(
        "single",
        description="NAT gateways for private subnets: single (cheap), per-az (survives an AZ outage), "
        "none (no egress; refused while the environment has services, which need it to pull images "
        "and write logs).",
    )
    flow_logs: FlowLogParams | None = Field(
        None, description="VPC flow logs (costs money per GB); omit to turn them off."
    )

    @field_validator("cidr")
    @classmethod
    def _prefix_in_range(cls, value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not 16 <= value.prefixlen <= 24:
            raise ValueError(f"prefix /{value.prefixlen} not allowed: use /16 to /24")
        return value


class AlbParams(Strict):
    scheme: Literal["internet-facing", "internal"] = Field(
        "internet-facing", description="internet-facing (public subnets) or internal."
    )
    certificate_arn: Annotated[str, StringConstraints(pattern=CERTIFICATE_ARN)] | None = Field(
        None,
        description="ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>). "
        "When set: HTTPS listener on 443, rules live there and "
        "port 80 redirects to HTTPS. When empty: rules live on the HTTP listener.",
    )
    ingress_cidrs: list[Cidr] = Field(
        default_factory=lambda: [ipaddress.IPv4Network("0.0.0.0/0")],
        min_length=1,
        max_length=50,
        description="CIDRs allowed to reach the ALB on 80/443.",
    )
    ssl_policy: str = Field(
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        pattern=r"^ELBSecurityPolicy-(TLS13-1-2|TLS13-1-3|TLS-1-2|FS-1-2)(-[A-Za-z0-9]+)*$",
        description="TLS policy of the HTTPS listener; only policies with TLS 1.2 or newer as the minimum "
        "(ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -TLS-1-2-*, -FS-1-2-*).",
    )
    idle_timeout: int = Field(60, ge=1, le=4000, description="Idle timeout in seconds.")
    deletion_protection: bool = Field(
        True, description="Refuse to delete the ALB (turn off before tearing the environment down)."
    )
    access_logs_bucket: Annotated[str, StringConstraints(pattern=BUCKET_NAME)] | None = Field(
        None,
        description="S3 bucket (name) receiving ALB access logs under <project>/<environment>/alb; "
        "its bucket policy must let the regional ELB log delivery write there. Omit to turn logs off.",
    )

    @field_validator("access_logs_bucket")
    @classmethod
    def _bucket_name(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if ".." in value:
            raise ValueError(f"bucket name {value!r} may not contain two adjacent dots")
        if value.startswith("xn--") or value.endswith(("-s3alias", "--ol-s3")):
            raise ValueError(f"bucket name {value!r} uses a prefix or suffix S3 reserves")
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return value
        raise ValueError(f"bucket name {value!r} may not look like an IP address")

    @field_validator("ingress_cidrs")
    @classmethod
    def _no_overlapping_cidrs(cls, value: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        """AWS rejects duplicate security-group rules; a CIDR inside another is a duplicate in effect."""
        for i, cidr in enumerate(value):
            for j, other in enumerate(value[:i]):
                if cidr.subnet_of(other) or other.subnet_of(cidr):
                    raise ValueError(
                        f"ingress_cidrs[{i}] {cidr} overlaps ingress_cidrs[{j}] {other}; keep only the wider one"
                    )
        return value


class ClusterParams(Strict):
    container_insights: bool = Field(False, description="CloudWatch Container Insights (costs).")
    namespace: str | None = Field(
        None,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        description="Cloud Map private DNS namespace; default <environment>.<project>.internal.",
    )


def matcher_problem(matcher: str) -> str | None:
    """Why ``matcher`` is no ALB HTTP success-code matcher; None when it is one.

    An HTTP target group takes one code (200), a list (200,202) or a range
    (200-299), every code within 200-499 (ELB refuses the rest at deploy time).
    """
    codes = matcher.split("-") if "-" in matcher else matcher.split(",")
    if ("-" in matcher and "," in matcher) or not all(re.fullmatch(r"\d{3}", code) for code in codes):
        return f"{matcher!r} is not a code (200), a list (200,202) or a range (200-299)"
    outside = [code for code in codes if not MATCHER_LOW <= int(code) <= MATCHER_HIGH]
    if outside:
        return (
            f"{', '.join(outside)} outside {MATCHER_LOW}-{MATCHER_HIGH}, the codes an ALB HTTP health check "
            "accepts; write one code (200), a list (200,202) or a range (200-299) within it"
        )
    if "-" in matcher and (len(codes) != 2 or int(codes[0]) > int(codes[1])):
        return f"range {matcher!r} must be low-high, e.g. 200-299"
    return None


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

    @field_validator("matcher")
    @classmethod
    def _alb_matcher(cls, value: str) -> str:
        problem = matcher_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> HealthCheck:
        if self.timeout >= self.interval:
            raise ValueError(f"timeout ({self.timeout}) must be less than interval ({self.interval})")
        return self


class Route(Strict):
    """One listener rule: host and/or path prefix, both must match."""

    host: str | None = Field(
        None, pattern=HOST_PATTERN, description="Host header, e.g. api.example.com or *.example.com."
    )
    path: str | None = Field(
        None,
        pattern=r"^/[A-Za-z0-9._~!$&'()+,;=:@%/-]*\*?$",
        # An ALB path pattern holds at most 128 characters, and a prefix gets "/*" appended.
        max_length=PATH_PATTERN_LENGTH - len("/*"),
        description="Path prefix: /auth matches /auth and /auth/*; / matches everything; "
        "a trailing * is kept as written. At most 126 characters (ALB patterns allow 128, "
        "and /* is appended).",
    )
    priority: int | None = Field(None, ge=1, le=50000, description="Pin a listener-rule priority (normally computed).")

    @model_validator(mode="after")
    def _host_or_path(self) -> Route:
        if self.host is None and self.path is None:
            raise ValueError("a route needs host, path or both")
        return self


PORT = Annotated[int, Field(ge=1, le=65535)]
DEPENDS_ON_CONDITION = Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"]


def image_problem(image: str) -> str | None:
    """What is wrong with an image reference, in words; None when Docker and ECS accept it."""
    if IMAGE_PATTERN.match(image):
        return None
    rest, _, digest = image.partition("@")
    if digest and not re.fullmatch(IMAGE_DIGEST, digest):
        return f"digest {digest!r} is not sha256: followed by 64 lowercase hex digits"
    head, _, last = rest.rpartition("/")
    repository, _, tag = last.partition(":")
    if tag and not re.fullmatch(IMAGE_TAG, tag):
        return f"tag {tag!r} may use 1-128 letters, digits, _ . - and not start with . or -"
    repository = f"{head}/{repository}" if head else repository
    if repository != repository.lower():
        return f"repository {repository!r} has uppercase letters; Docker and ECR repository names are lowercase"
    return (
        f"{image!r} is not an image reference; write [registry/]repository[:tag][@sha256:<64 hex>], "
        "repository in lowercase letters, digits and . _ - /"
    )


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

    @field_validator("image")
    @classmethod
    def _image_reference(cls, value: str) -> str:
        problem = image_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _ports(self) -> Container:
        if self.extra_ports and self.port is None:
            raise rule_violation("S027", "extra_ports need a main port; set port first", "extra_ports")
        for i, port in enumerate(self.extra_ports):
            if port in self.ports[: i + 1]:
                raise rule_violation("S027", f"port {port} is listed twice", f"extra_ports[{i}]")
        return self

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
    log_kms_key_arn: KmsKeyArn | None = Field(
        None,
        description="KMS key ARN encrypting the service's log group (same region; its key policy must "
        "allow the logs.<region>.amazonaws.com principal).",
    )
    health_check: HealthCheck = Field(default_factory=HealthCheck, description="Target health.")
    containers: list[Container] = Field(min_length=1, max_length=10, description="Task containers.")
    target_container: Name | None = Field(
        None, description="Container receiving ALB traffic; default: first with a port."
    )
    target_port: int | None = Field(
        None, ge=1, le=65535, description="Port of target_container receiving ALB traffic; default its port."
    )
    routes: list[Route] = Field(default_factory=list, description="Listener rules.")
    task_role: TaskRole | None = Field(
        None,
        description="The application's own IAM role: true (empty role), or statements / managed_policy_arns. "
        "Without it the task has no AWS permissions.",
    )
    capacity: Capacity = Field(default_factory=Capacity, description="On-demand Fargate vs Fargate Spot.")
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

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        if not fargate.is_valid_size(self.cpu, self.memory):
            raise ValueError(
                f"cpu {self.cpu} / memory {self.memory} is not a Fargate size: " + fargate.describe_allowed(self.cpu)
            )
        names = [c.name for c in self.containers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate container names: {', '.join(dupes)}")
        if self.image_tag is None and any(not c.has_fixed_tag for c in self.containers):
            raise ValueError(
                "image_tag is required when a container image has no tag "
                "(set image_tag, or write image as repository:tag)"
            )
        if self.target_container is not None and self.target_container not in names:
            raise ValueError(
                f"target_container {self.target_container!r} is not a container; allowed: {', '.join(names)}"
            )
        if self.routes and self.kind == "web" and self.target is None:
            raise ValueError("routes need a container with a port (or target_container)")
        service_rules.check_service(self)
        return self

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
    def secret_arns(self) -> list[str]:
        return sorted({arn for c in self.containers for arn in c.secrets.values()})

    def is_readonly(self, container: Container) -> bool:
        """Whether ``container`` gets a read-only root filesystem (its own setting wins)."""
        if container.readonly_root_filesystem is not None:
            return container.readonly_root_filesystem
        return self.readonly_root_filesystem

    @property
    def has_service(self) -> bool:
        """Web and worker run as an ECS service; scheduled tasks are started by EventBridge."""
        return self.kind != "scheduled"

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


class Environment(Strict):
    project: ShortName = Field(description="Project name; prefixes stacks and exports.")
    environment: ShortName = Field(description="Environment name (dev, prod, ...).")
    region: str = Field(pattern=REGION_PATTERN, description="AWS region, e.g. eu-west-1.")
    network: NetworkParams = Field(default_factory=NetworkParams, description="VPC.")
    alb: AlbParams = Field(default_factory=AlbParams, description="Shared load balancer.")
    cluster: ClusterParams = Field(default_factory=ClusterParams, description="ECS cluster.")
    services: dict[str, Service] = Field(min_length=1, description="Services by name.")

    @model_validator(mode="after")
    def _across_services(self) -> Environment:
        service_rules.check_environment(self)
        return self

    @model_validator(mode="after")
    def _private_subnets_have_egress(self) -> Environment:
        """P011: tasks run in the private subnets, which reach AWS only through NAT (no VPC endpoints).

        Without egress a Fargate task cannot pull its image from ECR or a public
        registry, fetch its secrets or send logs: it never starts, and ECS keeps
        retrying.  Better refused here than found in a failing deploy.
        """
        if self.network.nat == "none" and self.services:
            raise rule_violation(
                "P011",
                f"nat: none leaves the private subnets without egress, and the tasks of {len(self.services)} "
                "service(s) run there: they could not pull images, read secrets or write logs (this tool creates "
                "no VPC endpoints). Use single (one NAT gateway, cheapest) or per-az (one per AZ, survives an AZ "
                "outage)",
                "network.nat",
            )
        return self

    @property
    def namespace(self) -> str:
        return self.cluster.namespace or default_namespace(self.project, self.environment)

    @property
    def https(self) -> bool:
        return self.alb.certificate_arn is not None


def region_mismatches(env: Environment) -> list[tuple[str, str]]:
    """(key path, message) for ARNs outside the environment's region.

    ACM certificates and the KMS keys of log groups only work in the region
    that uses them; CloudFormation would fail late, mid-deploy.
    """
    arns = [("alb.certificate_arn", env.alb.certificate_arn)]
    if env.network.flow_logs is not None:
        arns.append(("network.flow_logs.kms_key_arn", env.network.flow_logs.kms_key_arn))
    arns += [(f"services.{name}.log_kms_key_arn", svc.log_kms_key_arn) for name, svc in sorted(env.services.items())]
    return [
        (where, f"ARN is in region {arn_region(arn)}, but this environment's region is {env.region}; they must match")
        for where, arn in arns
        if arn is not None and arn_region(arn) != env.region
    ]


def service_field_names() -> list[str]:
    """Keys a ``defaults`` section may set (everything a service has but its name)."""
    return [n for n in Service.model_fields if n != "name"]


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The params model inside a field's type (``list[Route]`` -> ``Route``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := nested_model(arg)) is not None:
            return found
    return None
