"""Before anything runs: the live weights of every blue/green rule a change set rewrites (DescribeRules).

The verdict is the review's (``deployer.review.blue_green``); this module only
reads what it needs: the stack's resources (rule, target group and service
physical ids) and the rules as ELB holds them now.
"""

from __future__ import annotations

from deployer.aws import cloudformation, elbv2
from deployer.aws.clients import AWS_ERRORS, one_line
from deployer.review.blue_green import RuleWeights, judge, live_weights, touched_rules
from deployer.review.stack_review import Result, Review, StackReview
from deployer.review.template_pairs import TemplatePair
from deployer.run.context import Context
from templates.contract.routes import ECS_SERVICE, forward_weights

CHECKED = (Result.CHANGES, Result.DEFERRED)


def guard(ctx: Context, review: Review) -> None:
    """Judge every stack whose change set (or prediction) rewrites or removes a blue/green rule."""
    for stack in review.stacks.values():
        pair = ctx.templates.get(stack.key)
        if stack.result in CHECKED and pair is not None and pair.before is not None:
            touched = touched_rules(stack, pair)
            if touched:
                for found in _weights(ctx, stack, pair, touched):
                    judge(stack, found)


def _weights(
    ctx: Context, stack: StackReview, pair: TemplatePair, touched: dict[str, tuple[str, str]]
) -> list[RuleWeights]:
    new_resources = (pair.after or {}).get("Resources") or {}

    def written(rule: str) -> dict[str, int]:
        return forward_weights((new_resources.get(rule) or {}).get("Properties") or {})

    try:
        resources = cloudformation.list_stack_resources(ctx.clients.cloudformation, stack.stack_name)
        physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources}
        arns = [physical[rule] for rule in touched if physical.get(rule)]
        described = elbv2.describe_rules(ctx.clients.elbv2, rule_arns=arns) if arns else []
    except AWS_ERRORS as exc:
        return [RuleWeights(rule, role, action, written(rule), None, one_line(exc)[:160])
                for rule, (role, action) in touched.items()]  # fmt: skip
    by_arn = {rule["RuleArn"]: rule for rule in described}
    groups = {arn: logical_id for logical_id, arn in physical.items() if ":targetgroup/" in arn}
    service = next((_service(arn) for r in resources if r["ResourceType"] == ECS_SERVICE
                    for arn in [r.get("PhysicalResourceId", "")] if arn), "")  # fmt: skip
    found = []
    for rule, (role, action) in touched.items():
        live = by_arn.get(physical.get(rule, ""))
        weights = live_weights(live, groups) if live is not None else None
        error = "" if live is not None else "the rule is not among the stack's resources"
        found.append(RuleWeights(rule, role, action, written(rule), weights, error, service))
    return found


def _service(arn: str) -> str:
    """``cluster/service`` of an ECS service ARN (``arn:aws:ecs:region:account:service/cluster/service``)."""
    resource = arn.split(":", 5)[-1]
    parts = resource.split("/")
    return "/".join(parts[1:3]) if len(parts) >= 3 else resource
