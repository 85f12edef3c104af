"""Secrets in plain environment variables: refused where security is enforced, warned about elsewhere.

An ``environment`` value is written into the task definition in plain text:
readable by everyone allowed ``DescribeTaskDefinition``, shown in the
console and in change sets.  A variable whose name says it is secret, or
whose value has the shape of a known credential, belongs under ``secrets``
(a Secrets Manager or SSM parameter ARN ECS resolves when the task starts).
What counts as secret is ``templates.contract.secret_values``, which the
deployer's review masks by too.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.contract.secret_values import credential_shape, secret_name_word
from templates.params.environment import Environment
from templates.rules.registry import At, environment_rule

PLAIN_ENVIRONMENT = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html"
SENSITIVE_DATA = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html"
# Environments refused rather than warned when their params file does not say (enforce_security).
PRODUCTION_NAMES = frozenset({"prod", "production"})


def enforced(env: Environment) -> bool:
    """Whether this environment refuses what security forbids (else: a warning, and the output is written)."""
    return env.enforce_security if env.enforce_security is not None else env.environment in PRODUCTION_NAMES


def _fix(env: Environment, name: str, why: str) -> str:
    verdict = "refused: this environment enforces security" if enforced(env) else "a warning here; refused in prod"
    return (
        f"{name} {why}, and an environment value is plain text in the task definition (readable by anyone "
        f"allowed DescribeTaskDefinition, shown in the console and the review): move it to secrets: {{{name}: "
        f"arn:aws:secretsmanager:{env.region}:<account>:secret:<name>}} (or an SSM parameter ARN); if it is not "
        f"secret, say why under not_secrets: {{{name}: <reason>}} ({verdict})"
    )


def _plain_variables(env: Environment) -> Iterator[tuple[str, str, str]]:
    """(key path, name, value) of every plain variable not marked as not secret."""
    for svc_name, svc in env.services.items():
        for i, container in enumerate(svc.containers):
            for name, value in sorted(container.environment.items()):
                if name not in container.not_secrets:
                    yield f"services.{svc_name}.containers[{i}].environment.{name}", name, value


@environment_rule(
    "S040",
    "an environment variable whose name says it is a secret (password, token, API key, ...)",
    (PLAIN_ENVIRONMENT, SENSITIVE_DATA),
)
def secret_names(env: Environment) -> Iterator[At]:
    for path, name, _value in _plain_variables(env):
        word = secret_name_word(name)
        if word is not None:
            yield At(path, _fix(env, name, f"is named like a secret ({word})"), warning=not enforced(env))


@environment_rule(
    "S041",
    "an environment variable whose value has the shape of a credential (AWS access key id, private key, token)",
    (PLAIN_ENVIRONMENT, SENSITIVE_DATA),
)
def credential_values(env: Environment) -> Iterator[At]:
    for path, name, value in _plain_variables(env):
        shape = credential_shape(value)
        if shape is not None and secret_name_word(name) is None:  # S040 already says it
            yield At(path, _fix(env, name, f"holds what looks like {shape.what}"), warning=not enforced(env))


@environment_rule("S042", "not_secrets names a variable the container's environment does not have")
def stale_not_secrets(env: Environment) -> Iterator[At]:
    """A mark with nothing to mark hides nothing today, but would silently cover a future variable of that name."""
    for svc_name, svc in env.services.items():
        for i, container in enumerate(svc.containers):
            for name in sorted(set(container.not_secrets) - set(container.environment)):
                yield At(
                    f"services.{svc_name}.containers[{i}].not_secrets.{name}",
                    f"{name} is not in this container's environment; remove it from not_secrets "
                    f"(variables: {', '.join(sorted(container.environment)) or 'none'})",
                )
