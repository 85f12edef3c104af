"""Small conversions from live AWS shapes to params shapes: image tags, a listener rule, scaling, a task role.

Each returns what it could express and, one line each, what it could not.

- a rule's conditions: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
- scaling: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingPolicies.html
- IAM policy elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

from typing import Any

DESIRED_COUNT = "ecs:service:DesiredCount"
_METRICS = {
    "ECSServiceAverageCPUUtilization": "cpu",
    "ECSServiceAverageMemoryUtilization": "memory",
    "ALBRequestCountPerTarget": "requests_per_target",
}


def _split_tag(image: str) -> tuple[str, str | None]:
    """``repo:1.2.3`` -> (``repo``, ``1.2.3``); a digest or no tag -> (image, None)."""
    head, sep, tag = image.rpartition(":")
    if not sep or "/" in tag or "@" in image:
        return image, None
    return head, tag


def image_tags(containers: list[dict[str, Any]]) -> tuple[str | None, list[str]]:
    """The live tag of the first tagged image becomes ImageTag: images with it lose the tag (the parameter
    adds it back); untagged images get ``:latest`` written, the tag they pull today, so ImageTag never moves
    them.  Returns the tag (None when no image has one)."""
    tagged = [_split_tag(c["image"]) for c in containers]
    main = next((tag for _repo, tag in tagged if tag is not None), None)
    if main is None:
        return None, []
    for container, (repo, tag) in zip(containers, tagged, strict=True):
        if tag == main:
            container["image"] = repo
        elif tag is None and "@" not in container["image"]:
            container["image"] = f"{repo}:latest"
    return main, []


def route_of(rule: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """A listener rule -> a route (host and path prefix, its priority pinned), or why it cannot be one."""
    hosts, paths, other = [], [], []
    for condition in rule.get("Conditions", []):
        field = condition.get("Field")
        config = condition.get("HostHeaderConfig" if field == "host-header" else "PathPatternConfig") or {}
        values = list(config.get("Values") or condition.get("Values") or [])
        if field == "host-header":
            hosts += values
        elif field == "path-pattern":
            paths += values
        else:
            other.append(field)
    losses = [f"condition {field} (routes match host and path only)" for field in other]
    if len(hosts) > 1:
        return None, [*losses, f"host values {hosts} (one host per route: split the rule, or keep it outside)"]
    path = _path(paths)
    if paths and path is None:
        return None, [*losses, f"path patterns {paths} (a route is a prefix: /p matches /p and /p/*, or one p*)"]
    if not hosts and not paths:
        return None, [*losses, "no host or path condition"]
    route: dict[str, Any] = {}
    if hosts:
        route["host"] = hosts[0].lower()
    if path is not None:
        route["path"] = path
    route["priority"] = int(rule["Priority"])
    return route, losses


def _path(patterns: list[str]) -> str | None:
    """The route path whose patterns are exactly these: ``p*`` as written, or ``p`` for [p, p/*]."""
    if len(patterns) == 1 and patterns[0].endswith("*"):
        return patterns[0]
    if len(patterns) == 2:
        short, long = sorted(patterns, key=len)
        if long == short.rstrip("/") + "/*":
            return short
    return None


def scaling_of(snapshot: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """The service's scalable target and target-tracking policies as ``scaling:`` (None without a target),
    what cannot be said, and what the operator does about the live policies (the stack imports the target
    and adds its own policies beside them)."""
    targets = [t for t in snapshot.get("targets", []) if t.get("ScalableDimension") == DESIRED_COUNT]
    if not targets:
        return None, [], []
    target = targets[0]
    scaling: dict[str, Any] = {"min_count": target["MinCapacity"], "max_count": target["MaxCapacity"]}
    tracking: dict[str, Any] = {}
    losses = []
    for policy in snapshot.get("policies", []):
        config = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
        metric = _METRICS.get((config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType", ""))
        if policy.get("PolicyType") != "TargetTrackingScaling" or metric is None:
            losses.append(f"scaling policy {policy.get('PolicyName')} ({policy.get('PolicyType')}: target tracking "
                          "on CPU, memory or requests per target only here)")  # fmt: skip
            continue
        value = config["TargetValue"]
        tracking[metric] = int(value) if metric == "requests_per_target" else value
        for ours, theirs in (("scale_in_cooldown", "ScaleInCooldown"), ("scale_out_cooldown", "ScaleOutCooldown")):
            if config.get(theirs) is not None:
                tracking[ours] = config[theirs]
    if tracking:
        scaling["target_tracking"] = tracking
    left = [
        f"scaling policy {policy.get('PolicyName')}: stays on the imported scalable target beside the stack's own "
        "policies; delete it after the update (aws application-autoscaling delete-scaling-policy "
        f"--service-namespace ecs --scalable-dimension {DESIRED_COUNT} --resource-id {target['ResourceId']} "
        f"--policy-name {policy.get('PolicyName')})"
        for policy in snapshot.get("policies", [])
    ]
    return scaling, losses, left


def task_role_of(role: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The task role's inline statements and attached policies as ``task_role:``."""
    statements, losses = [], []
    for policy, document in sorted((role.get("inline") or {}).items()):
        listed = document.get("Statement", [])
        for statement in [listed] if isinstance(listed, dict) else listed:
            converted, lost = _statement(statement, role["arn"], policy)
            statements += [converted] if converted else []
            losses += lost
    out: dict[str, Any] = {}
    if statements:
        out["statements"] = statements
    if role.get("managed"):
        out["managed_policy_arns"] = list(role["managed"])
    return out, losses


def _statement(statement: dict[str, Any], role: str, policy: str) -> tuple[dict[str, Any] | None, list[str]]:
    extra = sorted(set(statement) - {"Sid", "Effect", "Action", "Resource"})
    if extra:
        return None, [f"task role {role} policy {policy}: a statement with {', '.join(extra)} (not expressible)"]
    actions, resources = statement.get("Action", []), statement.get("Resource", [])
    out: dict[str, Any] = {
        "effect": statement.get("Effect", "Allow"),
        "actions": [actions] if isinstance(actions, str) else list(actions),
        "resources": [resources] if isinstance(resources, str) else list(resources),
    }
    if statement.get("Sid"):
        out["sid"] = statement["Sid"]
    if out["effect"] == "Allow" and "*" in out["resources"]:
        out["reason"] = f"adopted as it was from role {role.rsplit('/', 1)[-1]}, policy {policy}"
    return out, []
