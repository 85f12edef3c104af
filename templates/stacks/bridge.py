"""Each of our ALBs' way to the bridge-mode tasks behind it, in the ALB's own stack.

Bridge-mode targets listen on dynamic host ports (the ephemeral range), on
the container instances of an EC2 capacity group: the ALB's security group
needs egress to that group's instance security group on the range, and the
instance group ingress from the ALB's.  Both live in the ALB stack, which
imports the instance group from the cluster stack (as it imports the
service-clients group): the cluster stack importing from the ALB stacks
instead would close a circle of imports.  One pair of rules per group and
ALB, never per service: the ALB's outbound rules grow with the groups, not
with the services, and two bridge services behind one ALB do not ask EC2 for
the same rule twice (it refuses duplicates).

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-bridge.html (dynamic host ports)
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html
"""

from __future__ import annotations

from collections.abc import Sequence

from troposphere import Ref, Template, ec2

from templates import naming
from templates.aws.instances import EPHEMERAL_PORTS
from templates.plan.model import EnvironmentPlan


def bridge_groups(plan: EnvironmentPlan, alb: str) -> list[str]:
    """The capacity groups with bridge-mode tasks behind ALB stack ``alb``."""
    return [group.name for group in plan.compute.groups if alb in group.bridge_albs]


def bridge_egress(groups: Sequence[str]) -> list[ec2.SecurityGroupRule]:
    """The ALB's outbound rules to each group's instances on the ephemeral range."""
    low, high = EPHEMERAL_PORTS
    return [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=low,
            ToPort=high,
            DestinationSecurityGroupId=naming.capacity_security_group_import(group),
            Description=f"to bridge-mode tasks of capacity group {group} (dynamic host ports)",
        )
        for group in groups
    ]


def add_bridge_ingress(t: Template, alb_security_group: ec2.SecurityGroup, groups: Sequence[str]) -> None:
    """Each group's instances admit this ALB on the ephemeral range."""
    low, high = EPHEMERAL_PORTS
    for group in groups:
        t.add_resource(
            ec2.SecurityGroupIngress(
                naming.logical_id(group, "instances", "from", "alb"),
                GroupId=naming.capacity_security_group_import(group),
                IpProtocol="tcp",
                FromPort=low,
                ToPort=high,
                SourceSecurityGroupId=Ref(alb_security_group),
                Description=f"this ALB to bridge-mode tasks of capacity group {group} (dynamic host ports)",
            )
        )
