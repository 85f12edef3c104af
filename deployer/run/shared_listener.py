"""Pre-check of listeners shared with other teams: our computed rules against their rules.

On an existing ALB (``alb.existing``) other teams' rules already live on the
listener.  ELB refuses a second rule at a priority in use (``PriorityInUse``),
which would fail a service stack mid-deploy; and rules whose conditions
overlap do not fail at all: ALB evaluates a listener's rules from the lowest
priority number up and the first rule whose conditions all match serves the
request.  So a foreign ``/*`` at a better priority silently swallows our new
``/wishlist``, and our host-only or ``*.example.org`` rule at a better
priority silently takes another team's traffic.  Both are refused here,
before any change, naming the foreign rule and a request that would change
owner (``deployer.review.listener_overlap`` decides, on plain data); an
overlap both teams agreed on is deployed with ``--allow-route-overlap
<rule ARN>`` and shown as a warning.

A rule is ours when it is the physical resource of one of this environment's
stacks (ListStackResources); every other non-default rule on the listener is
foreign.  The listener is found through the exports the generated ALB stack
declares with a literal value, so nothing here depends on how many ALBs or
listeners the templates use.

Listener rules and priorities: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
Condition types: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation, elbv2
from deployer.aws.clients import Clients
from deployer.review.listener_overlap import OwnerChange, Rule, owner_changes
from deployer.run.import_survey import adopted_rules
from deployer.run.inputs import Deployment
from templates.contract.template import (
    EXPORT_PREFIX_PARAM,
    LISTENER_RULE,
    SERVICE_PREFIX,
    listener_rule_conditions,
    listener_rules,
    literal_exports,
)

ALLOW_FLAG = "--allow-route-overlap"


@dataclass(frozen=True)
class OurRule:
    """A listener rule our templates plan on a listener that exists outside our stacks."""

    stack_key: str
    stack_name: str
    listener_arn: str
    priority: int
    hosts: frozenset[str]
    paths: frozenset[str]
    conditions: tuple[Mapping[str, Any], ...] = ()

    def describe(self) -> str:
        where = f"services.{self.stack_key.removeprefix(SERVICE_PREFIX)}"
        return f"{where} route {_route(self.hosts, self.paths)} (priority {self.priority})"


@dataclass
class ListenerCheck:
    """What the shared listeners say: problems refuse the deploy; accepted overlaps (the flag) are warnings."""

    problems: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)


def listener_check(clients: Clients, deployment: Deployment, allow_overlap: Collection[str] = ()) -> ListenerCheck:
    """Our planned rules on literal (existing) listeners against every foreign rule there."""
    check = ListenerCheck()
    rules = list(our_rules(deployment))
    if not rules:
        return check
    ours = _deployed_rule_arns(clients.cloudformation, {r.stack_name for r in rules})
    for listener_arn in sorted({r.listener_arn for r in rules}):
        try:
            live = elbv2.describe_rules(clients.elbv2, listener_arn=listener_arn)
        except ClientError as exc:
            check.problems.append(f"alb.existing: cannot read the rules of listener {listener_arn}: {exc}")
            continue
        foreign = {r["RuleArn"]: r for r in live if not r.get("IsDefault") and r["RuleArn"] not in ours}
        adopted = adopted_rules(clients, deployment, list(foreign.values()))  # a new stack imports them: ours
        foreign = {arn: rule for arn, rule in foreign.items() if arn not in adopted}
        planned = {rule.describe(): rule for rule in rules if rule.listener_arn == listener_arn}
        for rule in planned.values():
            check.problems += [problem for other in foreign.values() if (problem := _priority_taken(rule, other))]
        changes = owner_changes([_as_rule(r) for r in planned.values()], [_foreign(r) for r in foreign.values()])
        for change in changes:
            line = _owner_change(planned[change.ours.name], foreign[change.theirs.name], change)
            if change.theirs.name in allow_overlap:
                check.accepted.append(f"{line} (accepted with {ALLOW_FLAG})")
            else:
                check.problems.append(
                    f"{line}. Agree with its owners who serves it, then pin or remove the route; "
                    f"{ALLOW_FLAG} {change.theirs.name} deploys it as it is"
                )
    return check


def _priority_taken(rule: OurRule, other: dict[str, Any]) -> str:
    if str(rule.priority) != str(other["Priority"]):
        return ""
    return (
        f"{rule.describe()}: that priority is taken on the shared listener by {_theirs(other)}. Pin the route to a "
        "free priority of the same specificity with priority: (docs/brownfield.md, 'Pinning around a foreign rule')"
    )


def _owner_change(rule: OurRule, other: dict[str, Any], change: OwnerChange) -> str:
    """One line: which request goes where, and why (ALB's first match in priority order)."""
    why = "ALB serves a request with the matching rule of lowest priority number"
    if change.assumed:
        why += " (a regular-expression condition is assumed to match)"
    if change.taken_by_us:
        taken = f"would take {change.request.describe()} from {_theirs(other)}, which serves it today"
        return f"{rule.describe()}: {taken}: {why}"
    return f"{rule.describe()}: {change.request.describe()} would go to {_theirs(other)} instead: {why}"


def _theirs(other: dict[str, Any]) -> str:
    hosts, paths = _conditions(other)
    return f"rule {other['RuleArn']} (not ours: priority {other['Priority']}, {_route(hosts, paths)})"


def _as_rule(rule: OurRule) -> Rule:
    return Rule(rule.describe(), rule.priority, rule.conditions)


def _foreign(rule: dict[str, Any]) -> Rule:
    return Rule(rule["RuleArn"], int(rule["Priority"]), tuple(rule.get("Conditions", [])))


def _route(hosts: frozenset[str], paths: frozenset[str]) -> str:
    return f"host {','.join(sorted(hosts)) or '(any)'} path {','.join(sorted(paths)) or '(any)'}"


def _conditions(rule: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """(hosts, paths) of a DescribeRules rule; the legacy ``Values`` and the typed configs both count."""
    read = _foreign(rule)
    hosts = {v.lower() for values in read.values("host-header") for v in values}
    return frozenset(hosts), frozenset(v for values in read.values("path-pattern") for v in values)


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


def our_rules(deployment: Deployment) -> Iterator[OurRule]:
    """The listener rules our templates plan on listeners that exist outside our stacks."""
    literal = _literal_exports(deployment)
    for key, stack in sorted(deployment.stacks.items()):
        conditions = listener_rule_conditions(stack.template)
        for rule in listener_rules(stack.template, stack.parameters.get(EXPORT_PREFIX_PARAM, "")):
            listener = literal.get(rule.listener_export or "")
            if listener is None or rule.priority is None:
                continue  # a listener of our own ALB stack: every rule on it is ours
            hosts = frozenset(host.lower() for host in rule.hosts)
            written = tuple(conditions.get(rule.logical_id, ()))
            yield OurRule(key, stack.stack_name, listener, rule.priority, hosts, frozenset(rule.paths), written)
