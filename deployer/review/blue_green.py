"""A change set that rewrites a blue/green listener rule, judged against the weights ECS set live.

ECS native blue/green moves the production and test rules' forward weights
itself, outside CloudFormation, on every deployment: after an odd number of
deployments production traffic flows to the target group the template gives
weight 0.  A stack update that rewrites such a rule writes the template's
weights back and sends all traffic to the drained target group
(aws/aws-cdk#36649; ECS itself does not check the live weights either:
aws/containers-roadmap#2853).
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html

So every change set touching such a rule is checked before anything runs:
live weights equal to what the update writes are harmless (a note); different
ones refuse the run, naming the safe way; weights that cannot be read are a
risk the operator must allow (exit code 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deployer.review.stack_review import Result, StackReview
from deployer.review.template_pairs import TemplatePair
from templates.contract.routes import blue_green_rules


@dataclass(frozen=True)
class RuleWeights:
    """One blue/green rule a change set touches: the weights it writes and the ones ELB has now."""

    rule: str  # logical id
    role: str  # production | test
    action: str  # Modify | Remove
    written: Mapping[str, int]  # target group logical id -> weight the update writes
    live: Mapping[str, int] | None  # ... and the weight ELB holds now; None: not readable
    error: str = ""  # why the live weights could not be read
    service: str = ""  # "cluster/service" of the ECS service steering it, for the command to run

    def describe(self, weights: Mapping[str, int]) -> str:
        return " / ".join(f"{group} {weight}" for group, weight in sorted(weights.items()))


def touched_rules(stack: StackReview, pair: TemplatePair) -> dict[str, tuple[str, str]]:
    """Blue/green rules of the deployed template that this change set (or the prediction) modifies or removes:
    logical id -> (role, action)."""
    roles = blue_green_rules(pair.before)
    actions = {r.logical_id: r.action for r in stack.resources if r.action in ("Modify", "Remove")}
    for predicted in stack.predicted:
        actions.setdefault(predicted.logical_id, "Remove" if predicted.effect == "remove" else "Modify")
    return {rule: (role, actions[rule]) for rule, role in roles.items() if rule in actions}


def judge(stack: StackReview, found: RuleWeights) -> None:
    """Put the verdict on ``stack``: a note, a risk to allow, or a refusal (the stack is blocked)."""
    what = f"{found.rule} (blue/green {found.role} rule)"
    if found.action == "Remove":
        stack.guard_risks.append(f"{what}: removed; ECS can no longer shift this service's traffic")
        return
    if found.live is None:
        stack.guard_risks.append(
            f"{what}: this change set rewrites its forward weights, which ECS moves outside CloudFormation, and the "
            f"live weights could not be read ({found.error}); check them (aws elbv2 describe-rules) before allowing"
        )
        return
    if dict(found.live) == dict(found.written):
        stack.notes.append(
            f"{what}: this change set rewrites its forward weights; the live ones ({found.describe(found.live)}) are "
            "what it writes, so traffic stays where it is"
        )
        return
    stack.result, stack.message = _refused(what, found)


def _refused(what: str, found: RuleWeights) -> tuple[Result, str]:
    live = dict(found.live or {})
    shifting = any(weight not in (0, max(live.values(), default=0)) for weight in live.values())
    service = found.service or "<cluster>/<service>"
    cluster, _, name = service.partition("/")
    if shifting:
        safe = "an ECS deployment is shifting traffic now: deploy again once it has finished"
    else:
        safe = (
            "let ECS move the traffic back first: start one more deployment of the service "
            f"(aws ecs update-service --cluster {cluster} --service {name} --force-new-deployment) and deploy "
            "again once it has finished, when the live weights are the template's"
        )
    message = (
        f"{what}: ECS has moved its traffic (live weights {found.describe(live)}); this change set writes "
        f"{found.describe(found.written)} and would send all traffic to the drained target group "
        f"(aws-cdk #36649). Refused: {safe}"
    )
    return Result.BLOCKED, message


def live_weights(rule: Mapping[str, Any], groups: Mapping[str, str]) -> dict[str, int]:
    """A described rule's forward weights by target group logical id (``groups``: ARN -> logical id)."""
    weights: dict[str, int] = {}
    for action in rule.get("Actions") or []:
        tuples = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        if not tuples and action.get("TargetGroupArn"):
            tuples = [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}]
        for group in tuples:
            weights[groups.get(group["TargetGroupArn"], group["TargetGroupArn"])] = int(group.get("Weight", 1))
    return weights
