"""EC2 capacity groups in the cluster stack: container instances beside Fargate, one Auto Scaling group each.

    instances  the AMI parameters, the instance role and profile, each group's security group and launch template
    groups     each group's Auto Scaling group (instance refresh) and capacity provider, the providers'
               association with the cluster, an existing ALB's way to bridge-mode targets
    (our own ALBs reach bridge-mode targets through rules in their own stacks: ``templates/stacks/bridge.py``)

``add_capacity_groups`` adds them all to the cluster template; without groups it adds nothing, and the
cluster keeps naming FARGATE and FARGATE_SPOT itself.
"""

from __future__ import annotations

from troposphere import Export, Output, Ref, Sub, Template, ec2, ecs

from templates import naming
from templates.params.environment import Environment
from templates.plan.model import EnvironmentPlan
from templates.stacks.capacity_groups.groups import (
    add_associations,
    add_auto_scaling_group,
    add_bridge_ingress_from_existing_alb,
    add_capacity_provider,
)
from templates.stacks.capacity_groups.instances import (
    add_ami_parameters,
    add_instance_role,
    add_instance_security_group,
    add_launch_template,
)


def add_export_of_security_group(t: Template, name: str, security_group: ec2.SecurityGroup) -> None:
    """The ALB stacks reaching a group's bridge-mode tasks import its instance security group."""
    key = naming.capacity_security_group_export_key(name)
    t.add_output(
        Output(
            key,
            Description=f"Security group of capacity group {name}'s container instances",
            Value=Ref(security_group),
            Export=Export(Sub(f"${{{naming.EXPORT_PREFIX_PARAM}}}-{key}")),
        )
    )


def add_capacity_groups(t: Template, env: Environment, plan: EnvironmentPlan, cluster: ecs.Cluster) -> list[str]:
    """Every group's resources and the association of all providers; the AMI parameters' names."""
    groups = env.cluster.capacity_groups
    if not groups:
        return []
    parameters = add_ami_parameters(t, env)
    profile = add_instance_role(t, env)
    providers = []
    for name, group in groups.items():
        security_group = add_instance_security_group(t, env, name)
        launch_template = add_launch_template(t, env, name, group, profile, security_group)
        asg = add_auto_scaling_group(t, env, name, group, launch_template)
        providers.append(add_capacity_provider(t, env, name, group, asg))
        add_bridge_ingress_from_existing_alb(t, env, plan.compute.group(name), security_group)
        add_export_of_security_group(t, name, security_group)
    add_associations(t, cluster, providers)
    return parameters
