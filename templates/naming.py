"""The one place that decides names: stacks, exports, logical ids, families.

Export names are ``<project>-<env>-<Key>``.  Templates carry the prefix as a
parameter (``ExportPrefix``) whose default is that value, so the names never
depend on the stack name someone types in the console.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from enum import StrEnum

from troposphere import ImportValue, Sub

EXPORT_PREFIX_PARAM = "ExportPrefix"

NETWORK = "network"
ALB = "alb"
CLUSTER = "cluster"
SERVICE_PREFIX = "svc-"

# Lowercase, digits and hyphens: valid in stack names, export names, log
# group names, Cloud Map names and (sanitised) logical ids.
NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

# Template Metadata key: the existing VPC's ids for the deployer's account pre-check.
EXISTING_VPC_METADATA = "FargateStacks::ExistingVpc"
# Resource Metadata key of a role's params-authored statements and the reasons given for them (rule H001 reads it).
STATEMENT_REASONS = "StatementReasons"


class ExportKey(StrEnum):
    """Every cross-stack value, named once."""

    VPC_ID = "VpcId"
    VPC_CIDR = "VpcCidr"
    PUBLIC_SUBNETS = "PublicSubnets"
    PRIVATE_SUBNETS = "PrivateSubnets"
    ALB_SECURITY_GROUP = "AlbSecurityGroup"
    ALB_DNS_NAME = "AlbDnsName"
    ALB_HOSTED_ZONE_ID = "AlbCanonicalHostedZoneId"
    ALB_FULL_NAME = "AlbFullName"
    HTTP_LISTENER_ARN = "HttpListenerArn"
    HTTPS_LISTENER_ARN = "HttpsListenerArn"
    CLUSTER_NAME = "ClusterName"
    CLUSTER_ARN = "ClusterArn"
    NAMESPACE_ID = "NamespaceId"
    NAMESPACE_NAME = "NamespaceName"
    NAMESPACE_ARN = "NamespaceArn"
    SERVICE_CLIENTS_SECURITY_GROUP = "ServiceClientsSecurityGroup"
    ENDPOINT_SECURITY_GROUP = "EndpointSecurityGroup"


def logical_id(*parts: str) -> str:
    """CamelCase alphanumeric id from free-form parts (``user-api`` -> ``UserApi``)."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    joined = "".join(w[0].upper() + w[1:] for w in words)
    if not joined or not joined[0].isalpha():
        joined = "R" + joined
    return joined


# Hex digits of SHA-256 appended to ids derived from free text: 32 bits, so two
# different keys in one template share a suffix with odds of about n^2 / 2^33.
ID_HASH_LENGTH = 8
# Readable part of a derived id; keeps ids far below CloudFormation's 255 characters.
ID_READABLE_LENGTH = 64


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:ID_HASH_LENGTH]


def listener_rule_logical_id(hosts: Sequence[str], path_patterns: Sequence[str]) -> str:
    """``ListenerRule<hash of host + path patterns>``: the id follows the route, not its position.

    A positional id (``ListenerRule1``, ``ListenerRule2``) renames rules when a
    route is removed or reordered; CloudFormation then updates ``ListenerRule1``
    to the priority ``ListenerRule2`` still holds and ELB refuses
    (``PriorityInUse``).  Keyed by what the rule matches, a rule keeps its id
    while its host and path stay, and no two routes of a service share a key
    (routing's R001), so none share an id.
    """
    return "ListenerRule" + _short_hash(f"{','.join(hosts)}|{','.join(path_patterns)}")


def alias_logical_id(host: str) -> str:
    """Readable host + its hash: ``pizza-service.example.com`` -> ``AliasPizzaServiceExampleCom`` + 8 hex digits.

    The readable part alone is not unique: ``a-b.example.com`` and
    ``a.b.example.com`` both read ``ABExampleCom``, ``*.example.com`` and
    ``wildcard.example.com`` both ``WildcardExampleCom``.  The hash of the exact
    host keeps them apart; the readable part keeps the change-set review legible.
    """
    readable = logical_id("alias", host.replace("*", "wildcard"))[:ID_READABLE_LENGTH]
    return readable + _short_hash(host)


def alb_shard_key(primary: bool, scheme: str, number: int) -> str:
    """Stack key of an ALB: ``alb``, ``alb-2``, ... for the environment's own scheme (``alb.scheme``);
    ``alb-internal``, ``alb-internal-2``, ... (or ``alb-public``, ...) for the other one.

    The first ALB keeps the key ``alb`` it always had, so an environment that
    outgrows one ALB adds stacks and never renames (replaces) the one deployed.
    """
    family = ALB if primary else f"{ALB}-{'public' if scheme == 'internet-facing' else 'internal'}"
    return family if number == 1 else f"{family}-{number}"


def alb_export_key(shard: str, key: ExportKey) -> str:
    """Export key of an ALB value: ``AlbDnsName`` for ``alb``, ``Alb2DnsName`` for ``alb-2``,
    ``AlbInternalHttpListenerArn`` for ``alb-internal``: every ALB stack exports under its own names."""
    if shard == ALB:
        return key.value
    return logical_id(shard) + key.value.removeprefix("Alb")


def alb_import_value(shard: str, key: ExportKey) -> ImportValue:
    """``import_value`` of one ALB's export; exactly ``import_value(key)`` for the first ALB."""
    if shard == ALB:
        return import_value(key)
    return ImportValue(Sub(f"${{{EXPORT_PREFIX_PARAM}}}-{alb_export_key(shard, key)}"))


def alb_of_listener_export(key: str) -> str | None:
    """The ALB stack key behind a listener export key (``Alb2HttpListenerArn`` -> ``alb-2``); None if not one.

    The inverse of ``alb_export_key`` for listeners: the deployer reads which
    ALB a deployed and a new listener rule attach to.
    """
    for listener in (ExportKey.HTTPS_LISTENER_ARN, ExportKey.HTTP_LISTENER_ARN):
        if key.endswith(listener.value):
            prefix = key.removesuffix(listener.value)
            if not prefix:
                return ALB
            words = re.findall(r"[A-Z][a-z]*|[0-9]+", prefix)
            return "-".join(w.lower() for w in words) if "".join(words) == prefix else None
    return None


def target_group_logical_id(alb: str, alternate: bool = False) -> str:
    """``TargetGroup`` on the first ALB, ``TargetGroupAlb2`` on ``alb-2`` (``AlternateTargetGroup...`` for blue/green).

    A target group belongs to exactly one load balancer
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html:
    load balancers per target group, 1).  Were its id the same on every ALB,
    a host moving to another ALB would keep the target group, and CloudFormation
    would attach it to the new ALB's rule while the old rule still holds it:
    the update fails and rolls back.  With the ALB in the id, a move creates a
    new target group with the new rule and deletes the old one with the old
    rule.  The first ALB keeps the id it always had, so nothing deployed there
    is replaced.
    """
    base = "AlternateTargetGroup" if alternate else "TargetGroup"
    return base if alb == ALB else base + logical_id(alb)


# The container-instance attribute naming an instance's capacity group (ECS_INSTANCE_ATTRIBUTES in its user
# data): daemon services are placed with it, since a DAEMON service takes no capacity provider strategy.
CAPACITY_GROUP_ATTRIBUTE = "capacity-group"
# Template parameters of the cluster stack holding an ECS-optimized AMI id (``EcsAmiX8664``, ``EcsAmiGpu``...).
AMI_PARAMETER_PREFIX = "EcsAmi"


def ami_parameter_name(kind: str) -> str:
    """The cluster stack's parameter holding one kind of AMI (``x86_64``, ``arm64``, ``gpu``)."""
    return AMI_PARAMETER_PREFIX + logical_id(kind)


def capacity_logical_id(group: str, resource: str) -> str:
    """A capacity group's resource in the cluster stack: ``gpu``, ``AutoScalingGroup`` -> ``GpuAutoScalingGroup``.

    Keyed by the group's name, so adding or removing a group never renames another's resources.
    """
    return logical_id(group, resource)


def capacity_provider_export_key(group: str) -> str:
    """Export key of a group's capacity provider name: ``gpu`` -> ``CapacityProviderGpu``."""
    return logical_id("capacity-provider", group)


def capacity_provider_import(group: str) -> ImportValue:
    """``Fn::ImportValue`` of a group's capacity provider name, as a service's strategy names it."""
    return ImportValue(Sub(f"${{{EXPORT_PREFIX_PARAM}}}-{capacity_provider_export_key(group)}"))


def capacity_security_group_export_key(group: str) -> str:
    """Export key of a group's container-instance security group: ``arm`` -> ``InstanceSecurityGroupArm``."""
    return logical_id("instance-security-group", group)


def capacity_security_group_import(group: str) -> ImportValue:
    """``Fn::ImportValue`` of a group's instance security group, as the ALB stack reaching its bridge tasks names it."""
    return ImportValue(Sub(f"${{{EXPORT_PREFIX_PARAM}}}-{capacity_security_group_export_key(group)}"))


def capacity_export_name(group: str) -> Sub:
    """The export name the cluster stack writes for a group's capacity provider."""
    return Sub(f"${{{EXPORT_PREFIX_PARAM}}}-{capacity_provider_export_key(group)}")


def service_stack_key(service: str) -> str:
    return SERVICE_PREFIX + service


def stack_name(project: str, environment: str, key: str) -> str:
    return f"{project}-{environment}-{key}"


def export_prefix(project: str, environment: str) -> str:
    return f"{project}-{environment}"


def export_name(key: ExportKey) -> Sub:
    """Export name as written into a template, resolved through ``ExportPrefix``."""
    return Sub(f"${{{EXPORT_PREFIX_PARAM}}}-{key.value}")


def import_value(key: ExportKey) -> ImportValue:
    return ImportValue(export_name(key))


def resolved_export_name(prefix: str, key: ExportKey) -> str:
    return f"{prefix}-{key.value}"


def task_family(project: str, environment: str, service: str) -> str:
    return f"{project}-{environment}-{service}"


def log_group_name(project: str, environment: str, service: str) -> str:
    return f"/ecs/{task_family(project, environment, service)}"


def flow_log_group_name(project: str, environment: str) -> str:
    return f"/vpc/{project}-{environment}/flow-logs"


def alb_access_logs_prefix(project: str, environment: str) -> str:
    """Key prefix of ALB access logs in the bucket (AWS appends /AWSLogs/<account>/...)."""
    return f"{project}/{environment}/alb"


def default_namespace(project: str, environment: str) -> str:
    return f"{environment}.{project}.internal"


def scaling_policy_name(service: str, purpose: str) -> str:
    """Application Auto Scaling policy / scheduled action name (unique per scalable target)."""
    return f"{service}-{purpose}"


def lock_stack_name(project: str, environment: str) -> str:
    """The stack whose change set named ``deploy-lock`` marks a deploy in progress (deployer/run/environment_lock).

    Not a stack key of the manifest: a service is always ``svc-<name>``, so no key can be ``deploy-lock``.
    """
    return stack_name(project, environment, "deploy-lock")


def green_listener_rule_logical_id(hosts: Sequence[str], path_patterns: Sequence[str]) -> str:
    """The blue/green test rule beside its production rule (``listener_rule_logical_id``)."""
    return "Test" + listener_rule_logical_id(hosts, path_patterns)


# Account-unique names follow the export prefix: with the default prefix they read exactly as
# task_family / log_group_name / flow_log_group_name above, and a second copy of the environment
# under another ExportPrefix gets its own.  Overrides (params ``names``) are used as written.
_PREFIX_REF = f"${{{EXPORT_PREFIX_PARAM}}}"


def prefixed_task_family(service: str) -> str:
    """``Fn::Sub`` text of a service's default task family."""
    return f"{_PREFIX_REF}-{service}"


def prefixed_log_group(service: str) -> str:
    """``Fn::Sub`` text of a service's default log group."""
    return f"/ecs/{_PREFIX_REF}-{service}"


def prefixed_flow_log_group() -> str:
    """``Fn::Sub`` text of the VPC flow-log group."""
    return f"/vpc/{_PREFIX_REF}/flow-logs"


def name_value(text: str) -> str | Sub:
    """A name as a template property: ``Fn::Sub`` when it refers to the prefix, else the literal."""
    return Sub(text) if "${" in text else text


def prefixed_deployment_alarm(service: str, purpose: str) -> str:
    """``Fn::Sub`` text of a deployment alarm's name: ``${ExportPrefix}-auth-deploy-target-5xx``."""
    return f"{_PREFIX_REF}-{service}-deploy-{purpose}"


def prefixed_service_name(service: str) -> str:
    """``Fn::Sub`` text of a worker's ECS service name (``${ExportPrefix}-mailer``).

    Its CPU/memory deployment alarms are keyed by service name and must exist
    before the service, so they cannot read a CloudFormation-generated name.
    Web services keep the generated one: their alarms watch the target group,
    and naming an existing service replaces it.
    """
    return f"{_PREFIX_REF}-{service}"
