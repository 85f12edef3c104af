"""A host moving to another ALB: its listener rules change listener, and its DNS must follow.

When an environment's routes are spread over several ALBs, a host whose
routes move (``alb`` -> ``alb-2``) keeps working only once its DNS points at
the new ALB.  Alias records this tool generates follow on their own (and
``resource_changes.host_move_risk`` flags them); records kept elsewhere do not.  The
change set alone cannot tell this move from adding a certificate (both
replace the rule onto another listener), so the deployed and the new
template are compared: the listener export a rule imports names its ALB.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deployer.review.stack_review import ResourceChange
from templates.contract.template import listener_rules


def rule_albs(template: Mapping[str, Any] | None) -> dict[str, tuple[str, str]]:
    """Listener-rule logical id -> (ALB stack key, hosts) for every rule importing an ALB's listener."""
    return {rule.logical_id: (rule.alb, rule.host_text) for rule in listener_rules(template) if rule.alb is not None}


def mark_host_moves(rows: list[ResourceChange], deployed: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
    """Set a risk on each listener-rule row whose rule moves to another ALB."""
    before, after = rule_albs(deployed), rule_albs(new)
    for row in rows:
        if row.logical_id in before and row.logical_id in after:
            (old, hosts), (now, _) = before[row.logical_id], after[row.logical_id]
            if old != now:
                row.risk = (
                    f"moves host {hosts} from {old} to {now}: requests reach it only where its DNS points at {now} "
                    "(aliases generated here follow; records kept elsewhere must be changed)"
                )
