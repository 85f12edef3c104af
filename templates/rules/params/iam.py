"""The application's own role and the secrets its execution role reads: what IAM and Secrets Manager accept."""

from __future__ import annotations

import re
from collections.abc import Iterator

from templates.aws.partitions import partition
from templates.params.environment import Environment
from templates.params.formats import PARTIAL_SECRET_MARKER, SECRET_SUFFIX, arn_region
from templates.params.service import Service
from templates.rules.registry import At, environment_rule, service_rule

IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
SECRETS_AS_ENV = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html"
MANAGED_POLICIES_PER_ROLE = 10


@service_rule("S029", "a task-role Allow on * without a reason")
def star_needs_a_reason(svc: Service) -> Iterator[At]:
    """``Resource: "*"`` on an Allow is the user's decision, accepted with a ``reason`` that travels with the
    role in its template Metadata (IAM policies have no comments)."""
    statements = svc.task_role.statements if svc.task_role else []
    for i, statement in enumerate(statements):
        if statement.effect == "Allow" and "*" in statement.resources and statement.reason is None:
            yield At(
                f"task_role.statements[{i}].resources",
                f"Resource '*' lets {', '.join(statement.actions)} act on every resource of its kind in the account "
                "(the generator's own roles may use '*' only where AWS requires it, guardrail H001); list the "
                "ARNs instead, or keep '*' and add reason: saying why (e.g. the actions have no resource-level "
                "permissions)",
            )


@service_rule("S030", "a task-role statement id used twice")
def unique_statement_ids(svc: Service) -> Iterator[At]:
    """IAM wants Sids unique in a policy; the role's Metadata also keys reasons by Sid."""
    if svc.task_role is None:
        return
    role = svc.task_role
    ids = role.statement_ids
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            where = f"statements[{i}].sid" if role.statements[i].sid else f"statements[{ids.index(sid)}].sid"
            yield At(
                f"task_role.{where}",
                f"statement id {sid!r} is used twice (statements without sid are named Params<n>); "
                "give each statement its own sid",
            )


@service_rule(
    "L007",
    "more than 10 task_role.managed_policy_arns",
    IAM_QUOTAS,
    limit=f"{MANAGED_POLICIES_PER_ROLE} managed policies per role (default quota, raisable to 20)",
)
def managed_policies(svc: Service) -> Iterator[At]:
    arns = svc.task_role.managed_policy_arns if svc.task_role is not None else []
    if len(arns) > MANAGED_POLICIES_PER_ROLE:
        yield At(
            "task_role.managed_policy_arns",
            f"{len(arns)} managed policies; IAM attaches at most {MANAGED_POLICIES_PER_ROLE} to a role "
            "(default quota): merge some into one policy or into statements",
        )


@service_rule(
    "L015",
    "a Secrets Manager ARN that is neither complete nor marked partial (-??????)",
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources",
)
def partial_secret_arns(svc: Service) -> Iterator[At]:
    """The execution role must name the secret's real ARN (``<name>-<6 random characters>``).

    Guessing whether a value already ends in that suffix grants a non-existent
    ARN when the name itself ends like one, so the rule is explicit: a value
    without the marker is the complete ARN and must end in the suffix;
    ``<name>-??????`` marks a partial ARN (IAM's own wildcard for it; ECS is
    given the name without the marker).
    """
    for i, c in enumerate(svc.containers):
        for var, value in sorted(c.secrets.items()):
            if ":secretsmanager:" not in value:
                continue
            arn = ":".join(value.split(":")[:7])
            if arn.endswith(PARTIAL_SECRET_MARKER) or SECRET_SUFFIX.search(arn):
                continue
            yield At(
                f"containers[{i}].secrets.{var}",
                f"{arn} is not a complete secret ARN (it ends in -<6 characters> Secrets Manager appends to the "
                "name); copy the full ARN, or mark a partial one by appending -?????? to the name "
                f"({arn}{PARTIAL_SECRET_MARKER})",
            )


# A suffix of six lowercase letters reads like a word ("-secret", "-config"): more likely part of the name.
WORDLIKE_SUFFIX = re.compile(r"-[a-z]{6}$")


@service_rule(
    "L030",
    "a Secrets Manager ARN whose name ends in - and six lowercase letters (users-db-secret): likely the name, "
    "not the random suffix (warning)",
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources",
)
def secret_suffix_looks_like_the_name(svc: Service) -> Iterator[At]:
    """L015 takes ``-`` and six characters at the end as the suffix Secrets Manager appends, so
    ``secret:users-db-secret`` passes as complete; if it is really the name, the execution role is granted a
    secret that does not exist and the task cannot start."""
    for i, c in enumerate(svc.containers):
        for var, value in sorted(c.secrets.items()):
            arn = ":".join(value.split(":")[:7])
            if ":secretsmanager:" in value and WORDLIKE_SUFFIX.search(arn):
                name = arn.rsplit(":", 1)[-1]
                yield At(
                    f"containers[{i}].secrets.{var}",
                    f"{name!r} ends in {name[-7:]!r}, which looks like part of the secret's name rather than the 6 "
                    "random characters Secrets Manager appends to it; if this is the name, copy the full ARN or "
                    f"mark it partial ({arn}{PARTIAL_SECRET_MARKER})",
                    warning=True,
                )


@environment_rule("L016", "secrets_kms_key_arns in another region, or on a service without secrets", SECRETS_AS_ENV)
def secrets_kms_keys(env: Environment) -> Iterator[At]:
    for name, svc in env.services.items():
        for i, arn in enumerate(svc.secrets_kms_key_arns):
            if arn.startswith("arn:") and arn_region(arn) != env.region:
                yield At(
                    f"services.{name}.secrets_kms_key_arns[{i}]",
                    f"key is in region {arn_region(arn)}, but the secrets are read in {env.region}; they must match",
                )
        if svc.secrets_kms_key_arns and not svc.secret_arns:
            yield At(
                f"services.{name}.secrets_kms_key_arns",
                "no container has secrets, so no key is needed: remove secrets_kms_key_arns or add the secrets",
            )


KMS_KEY_IDS = "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id"
KMS_RESOURCES = "https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html"
LOGS_KMS = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
KEY_ID = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
KEY_ARN = re.compile(r"^arn:(?P<partition>[a-z0-9-]+):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/(?P<id>.+)$")


def kms_key_problem(value: str, region: str) -> str | None:
    """Why ``value`` is not a KMS key ARN usable in ``region``'s partition; None when it is one."""
    example = f"arn:{partition(region)}:kms:{region}:<account>:key/<key id>"
    if ":alias/" in value or value.startswith("alias/"):
        return (
            f"{value} is an alias; a key ARN is required ({example}): IAM grants kms:Decrypt on the key's ARN "
            "and CloudWatch Logs encrypts with a key ARN, never through an alias. Look it up with "
            f"aws kms describe-key --key-id {value.split(':')[-1]}"
        )
    match = KEY_ARN.match(value)
    if match is None:
        what = "a key id" if KEY_ID.match(value) else "not a KMS key ARN"
        return f"{value} is {what}; write the key's full ARN ({example})"
    if not KEY_ID.match(match["id"]):
        return (
            f"key/{match['id']} names no key id: a key id is a UUID, or mrk- and 32 hex digits for a multi-Region "
            f"key (a key's name or description cannot be used); write {example}"
        )
    if match["partition"] != partition(region):
        return f"key ARN is in partition {match['partition']}, but {region} is in {partition(region)}"
    return None


def _kms_fields(env: Environment) -> Iterator[tuple[str, str]]:
    if env.network.flow_logs is not None and env.network.flow_logs.kms_key_arn is not None:
        yield "network.flow_logs.kms_key_arn", env.network.flow_logs.kms_key_arn
    for name, svc in sorted(env.services.items()):
        if svc.log_kms_key_arn is not None:
            yield f"services.{name}.log_kms_key_arn", svc.log_kms_key_arn
        for i, arn in enumerate(svc.secrets_kms_key_arns):
            yield f"services.{name}.secrets_kms_key_arns[{i}]", arn


@environment_rule(
    "L029",
    "a KMS key reference that is not a key ARN (an alias, a bare key id, a key name) or is in another partition",
    (KMS_KEY_IDS, KMS_RESOURCES, LOGS_KMS),
    limit="arn:<partition>:kms:<region>:<account>:key/<UUID or mrk-...>",
)
def kms_key_arns(env: Environment) -> Iterator[At]:
    for where, value in _kms_fields(env):
        problem = kms_key_problem(value, env.region)
        if problem is not None:
            yield At(where, problem)
