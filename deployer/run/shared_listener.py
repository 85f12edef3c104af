"""Pre-check of listeners shared with other teams: our computed rules against their rules.

On an existing ALB (``alb.existing``) other teams' rules already live on the
listener.  ELB refuses a second rule at a priority in use (``PriorityInUse``),
which would fail a service stack mid-deploy; and two rules matching the same
host and path do not fail at all: the lower priority number silently wins.
Both are refused here, before any change, naming the foreign rule.

A rule is ours when it is the physical resource of one of this environment's
stacks (ListStackResources); every other non-default rule on the listener is
foreign.  The listener is found through the exports the generated ALB stack
declares with a literal value, so nothing here depends on how many ALBs or
listeners the templates use.

Listener rules and priorities: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation, elbv2
from deployer.aws.clients import Clients
from deployer.run.import_survey import adopted_rules
from deployer.run.inputs import Deployment
from templates.contract.template import (
    EXPORT_PREFIX_PARAM,
    LISTENER_RULE,
    SERVICE_PREFIX,
    listener_rules,
    literal_exports,
)


@dataclass(frozen=True)
class OurRule:
    """A listener rule our templates plan on a listener that exists outside our stacks."""

    stack_key: str
    stack_name: str
    listener_arn: str
    priority: int
    hosts: frozenset[str]
    paths: frozenset[str]

    def describe(self) -> str:
        where = f"services.{self.stack_key.removeprefix(SERVICE_PREFIX)}"
        return f"{where} route {_route(self.hosts, self.paths)} (priority {self.priority})"


def listener_problems(clients: Clients, deployment: Deployment) -> list[str]:
    """Clashes between our planned rules and foreign rules on literal (existing) listeners."""
    rules = list(_our_rules(deployment))
    if not rules:
        return []
    ours = _deployed_rule_arns(clients.cloudformation, {r.stack_name for r in rules})
    problems = []
    for listener_arn in sorted({r.listener_arn for r in rules}):
        try:
            live = elbv2.describe_rules(clients.elbv2, listener_arn=listener_arn)
        except ClientError as exc:
            problems.append(f"alb.existing: cannot read the rules of listener {listener_arn}: {exc}")
            continue
        foreign = [rule for rule in live if not rule.get("IsDefault") and rule["RuleArn"] not in ours]
        adopted = adopted_rules(clients, deployment, foreign)  # a new stack imports them: ours (run.import_survey)
        foreign = [rule for rule in foreign if rule["RuleArn"] not in adopted]
        for rule in (r for r in rules if r.listener_arn == listener_arn):
            problems += [problem for other in foreign if (problem := _clash(rule, other))]
    return problems


def _clash(rule: OurRule, other: dict[str, Any]) -> str:
    hosts, paths = _conditions(other)
    theirs = f"rule {other['RuleArn']} (priority {other['Priority']}, {_route(hosts, paths)}), which is not ours"
    if str(rule.priority) == str(other["Priority"]):
        return (
            f"{rule.describe()}: that priority is taken on the shared listener by {theirs}. Pin the route to a "
            "free priority of the same specificity with priority: (docs/brownfield.md, 'Pinning around a foreign rule')"
        )
    if _claims_same(hosts, rule.hosts) and _claims_same(paths, rule.paths):
        winner = "theirs" if int(other["Priority"]) < rule.priority else "ours"
        return (
            f"{rule.describe()}: the same host and path are already claimed by {theirs}; both would match and "
            f"the lower priority number wins ({winner}), so one team's traffic silently goes to the other. "
            "Agree on who owns the route, then remove it on one side"
        )
    return ""


def _claims_same(theirs: frozenset[str], ours: frozenset[str]) -> bool:
    """Same values, or a value in common (a host or path pattern both rules list)."""
    return theirs == ours or bool(theirs & ours)


def _route(hosts: frozenset[str], paths: frozenset[str]) -> str:
    return f"host {','.join(sorted(hosts)) or '(any)'} path {','.join(sorted(paths)) or '(any)'}"


def _conditions(rule: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """(hosts, paths) of a DescribeRules rule; the legacy ``Values`` and the typed configs both count."""
    found: dict[str, set[str]] = {"host-header": set(), "path-pattern": set()}
    for condition in rule.get("Conditions", []):
        field = condition.get("Field")
        if field not in found:
            continue
        config = condition.get("HostHeaderConfig" if field == "host-header" else "PathPatternConfig") or {}
        found[field] |= {v.lower() if field == "host-header" else v for v in condition.get("Values", [])}
        found[field] |= {v.lower() if field == "host-header" else v for v in config.get("Values", [])}
    return frozenset(found["host-header"]), frozenset(found["path-pattern"])


def _deployed_rule_arns(cfn: Any, stack_names: set[str]) -> set[str]:
    """Physical ids (rule ARNs) of the listener rules our stacks already own; none for a new stack."""
    arns = set()
    for name in sorted(stack_names):
        try:
            resources = cloudformation.list_stack_resources(cfn, name)
            arns |= {r["PhysicalResourceId"] for r in resources if r["ResourceType"] == LISTENER_RULE}
        except ClientError as exc:
            if "does not exist" not in str(exc):
                raise
    return arns


def _literal_exports(deployment: Deployment) -> dict[str, str]:
    """Export name -> value for the exports our templates declare with a literal value (existing resources)."""
    values = {}
    for stack in deployment.stacks.values():
        values.update(literal_exports(stack.template, stack.parameters.get(EXPORT_PREFIX_PARAM, "")))
    return values


def _our_rules(deployment: Deployment) -> Iterator[OurRule]:
    """The listener rules our templates plan on listeners that exist outside our stacks."""
    literal = _literal_exports(deployment)
    for key, stack in sorted(deployment.stacks.items()):
        for rule in listener_rules(stack.template, stack.parameters.get(EXPORT_PREFIX_PARAM, "")):
            listener = literal.get(rule.listener_export or "")
            if listener is None or rule.priority is None:
                continue  # a listener of our own ALB stack: every rule on it is ours
            hosts = frozenset(host.lower() for host in rule.hosts)
            yield OurRule(key, stack.stack_name, listener, rule.priority, hosts, frozenset(rule.paths))
