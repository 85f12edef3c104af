"""The application's own role and the secrets its execution role reads: what IAM and Secrets Manager accept."""

from __future__ import annotations

import re
from collections.abc import Iterator

from templates.params.environment import Environment
from templates.params.formats import PARTIAL_SECRET_MARKER, arn_region
from templates.params.service import Service
from templates.rules.registry import At, environment_rule, service_rule

IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
SECRETS_AS_ENV = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html"
MANAGED_POLICIES_PER_ROLE = 10
# Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


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


@environment_rule("L016", "secrets_kms_key_arns in another region, or on a service without secrets", SECRETS_AS_ENV)
def secrets_kms_keys(env: Environment) -> Iterator[At]:
    for name, svc in env.services.items():
        for i, arn in enumerate(svc.secrets_kms_key_arns):
            if arn_region(arn) != env.region:
                yield At(
                    f"services.{name}.secrets_kms_key_arns[{i}]",
                    f"key is in region {arn_region(arn)}, but the secrets are read in {env.region}; they must match",
                )
        if svc.secrets_kms_key_arns and not svc.secret_arns:
            yield At(
                f"services.{name}.secrets_kms_key_arns",
                "no container has secrets, so no key is needed: remove secrets_kms_key_arns or add the secrets",
            )
