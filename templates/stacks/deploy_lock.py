"""The environment lock's template: one resource that costs nothing and is never created.

The deployer holds an environment's lock by making a CREATE change set for
this template on the lock stack (``naming.lock_stack_name``); the change set
is never executed, so the stack stays REVIEW_IN_PROGRESS with no resources.
CloudFormation needs at least one resource in a template; a wait condition
handle has no properties, no cost and needs no IAM capability.
"""

from __future__ import annotations

from troposphere import Template
from troposphere.cloudformation import WaitConditionHandle


def build_lock_template() -> Template:
    t = Template(Description="fargate-stacks deploy lock: its change set marks a deploy in progress; never executed")
    t.add_resource(WaitConditionHandle("DeployLockMarker"))
    return t
