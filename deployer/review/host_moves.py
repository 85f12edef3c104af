"""A host moving to another ALB: its listener rules change listener, and its DNS must follow.

When an environment's routes are spread over several ALBs, a host whose
routes move (``alb`` -> ``alb-2``) keeps working only once its DNS points at
the new ALB.  Alias records this tool generates follow on their own (and
``resource_changes.host_move_risk`` flags them); records kept elsewhere do not.  The
change set alone cannot tell this move from adding a certificate (both
replace the rule onto another listener), so the deployed and the new
template are compared: the listener export a rule imports names its ALB.

A target group belongs to exactly one load balancer, so the move also
replaces the service's target group(s): the generator names them after their
ALB (``TargetGroupAlb2``), and the risk line says which one goes and which
one comes (the old one is deleted once the old rule is gone).  A moved rule
still forwarding to the same target group would fail the update
(TargetGroupAssociationLimit); the line says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deployer.review.stack_review import PredictedChange, ResourceChange
from templates.contract.template import listener_rules


def rule_albs(template: Mapping[str, Any] | None) -> dict[str, tuple[str, str]]:
    """Listener-rule logical id -> (ALB stack key, hosts) for every rule importing an ALB's listener."""
    return {rule.logical_id: (rule.alb, rule.host_text) for rule in listener_rules(template) if rule.alb is not None}


def _rule_groups(template: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    return {rule.logical_id: rule.target_groups for rule in listener_rules(template)}


def _target_group_change(old: tuple[str, ...], new: tuple[str, ...], alb: str) -> str:
    """The clause of the risk line about the rule's target groups ("" when it forwards to none)."""
    if not old and not new:
        return ""
    if set(old) & set(new):
        kept = ", ".join(sorted(set(old) & set(new)))
        return (
            f"; it still forwards to {kept}, which belongs to the old ALB (one load balancer per target group): "
            "the update would fail, regenerate the templates"
        )
    groups, verb = ("target groups", "are") if len(old) > 1 else ("target group", "is")
    return f"; its {groups} {', '.join(old)} {verb} replaced by {', '.join(new)} on {alb} with the move"


def mark_host_moves(
    rows: list[ResourceChange] | list[PredictedChange], deployed: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> None:
    """Set a risk on each listener-rule row whose rule moves to another ALB, naming the replaced target group.

    The rows are a change set's, or the offline prediction's when the change set is made only mid-run
    (a stack importing the new ALB's listener waits for that ALB): its risk gates the run all the same.
    """
    before, after = rule_albs(deployed), rule_albs(new)
    groups_before, groups_after = _rule_groups(deployed), _rule_groups(new)
    for row in rows:
        if row.logical_id in before and row.logical_id in after:
            (old, hosts), (now, _) = before[row.logical_id], after[row.logical_id]
            if old != now:
                groups = _target_group_change(groups_before[row.logical_id], groups_after[row.logical_id], now)
                row.risk = (
                    f"moves host {hosts} from {old} to {now}: requests reach it only where its DNS points at {now} "
                    "(aliases generated here follow; records kept elsewhere must be changed)" + groups
                )
