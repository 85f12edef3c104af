"""A capacity group's Auto Scaling group and capacity provider, and the cluster's association of all providers.

* The Auto Scaling group runs in the private subnets, its new instances
  protected from scale-in (ECS's managed termination protection turns the
  protection off once an instance runs no task), with a mixed instances
  policy: the types in order, an On-Demand base, a Spot share.
* Day 2: a new AMI or a launch-template change rolls the group by instance
  refresh (the ``AutoScalingInstanceRefresh`` update policy): new instances
  launch first (minimum healthy 100 %), protected instances are refreshed too
  ("Refresh", as ECS asks for managed termination protection), and ECS managed
  draining moves each old instance's tasks before it terminates.
* The capacity provider turns on managed scaling, termination protection and
  draining.  ``ClusterCapacityProviderAssociations`` associates FARGATE,
  FARGATE_SPOT and every group's provider with the cluster, so Fargate and
  EC2 services share it (the cluster resource then names no providers itself).
"""

from __future__ import annotations

from typing import ClassVar

from troposphere import AWSProperty, Export, GetAtt, Output, Ref, Split, Template, autoscaling, ec2, ecs
from troposphere.policies import UpdatePolicy

from templates import naming
from templates.aws.instances import EPHEMERAL_PORTS
from templates.naming import ExportKey, capacity_logical_id, import_value
from templates.params.capacity_groups import CapacityGroup
from templates.params.environment import Environment
from templates.plan.model import GroupPlan
from templates.stacks.capacity_groups.instances import group_tags

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
# ECS adds this tag to a group under managed scaling; written here too, so a stack update never removes it
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html, containers-roadmap#935).
ECS_MANAGED_TAG = "AmazonECSManaged"
INSTANCE_WARMUP = 300  # seconds before a new instance counts in managed scaling and instance refresh
MAX_SCALING_STEP = 10


class InstanceRefreshPreferences(AWSProperty):
    """``UpdatePolicy.AutoScalingInstanceRefresh.Preferences`` (not in troposphere 4.11; cfn-lint knows it)."""

    props: ClassVar[dict[str, tuple[object, bool]]] = {
        "MinHealthyPercentage": (int, False),
        "MaxHealthyPercentage": (int, False),
        "InstanceWarmup": (int, False),
        "ScaleInProtectedInstances": (str, False),
        "StandbyInstances": (str, False),
        "SkipMatching": (bool, False),
    }


class AutoScalingInstanceRefresh(AWSProperty):
    props: ClassVar[dict[str, tuple[object, bool]]] = {
        "Strategy": (str, True),
        "Preferences": (InstanceRefreshPreferences, False),
    }


class GroupUpdatePolicy(UpdatePolicy):
    props: ClassVar[dict[str, tuple[object, bool]]] = {
        **UpdatePolicy.props,
        "AutoScalingInstanceRefresh": (AutoScalingInstanceRefresh, False),
    }


def instance_refresh() -> GroupUpdatePolicy:
    """Replace instances one by one, launching before terminating, letting ECS drain each one first."""
    return GroupUpdatePolicy(
        AutoScalingInstanceRefresh=AutoScalingInstanceRefresh(
            Strategy="Rolling",
            Preferences=InstanceRefreshPreferences(
                MinHealthyPercentage=100,
                MaxHealthyPercentage=200,
                InstanceWarmup=INSTANCE_WARMUP,
                ScaleInProtectedInstances="Refresh",
                StandbyInstances="Terminate",
                SkipMatching=True,
            ),
        )
    )


def _mixed_instances(group: CapacityGroup, launch_template: ec2.LaunchTemplate) -> autoscaling.MixedInstancesPolicy:
    return autoscaling.MixedInstancesPolicy(
        InstancesDistribution=autoscaling.InstancesDistribution(
            OnDemandAllocationStrategy="prioritized",
            OnDemandBaseCapacity=group.on_demand_base,
            OnDemandPercentageAboveBaseCapacity=100 - group.spot_percentage,
            SpotAllocationStrategy=group.spot_allocation_strategy,
        ),
        LaunchTemplate=autoscaling.LaunchTemplate(
            LaunchTemplateSpecification=autoscaling.LaunchTemplateSpecification(
                LaunchTemplateId=Ref(launch_template), Version=GetAtt(launch_template, "LatestVersionNumber")
            ),
            Overrides=[autoscaling.LaunchTemplateOverrides(InstanceType=name) for name in group.instance_types],
        ),
    )


def add_auto_scaling_group(
    t: Template, env: Environment, name: str, group: CapacityGroup, launch_template: ec2.LaunchTemplate
) -> autoscaling.AutoScalingGroup:
    optional: dict[str, object] = {}
    if group.desired_size is not None:
        optional["DesiredCapacity"] = str(group.desired_size)
    if group.spot_percentage:
        optional["CapacityRebalance"] = True  # replace Spot instances at risk before they are reclaimed
    values = {"project": env.project, "environment": env.environment, naming.CAPACITY_GROUP_ATTRIBUTE: name}
    return t.add_resource(
        autoscaling.AutoScalingGroup(
            capacity_logical_id(name, "AutoScalingGroup"),
            UpdatePolicy=instance_refresh(),
            MinSize=str(group.min_size),
            MaxSize=str(group.max_size),
            VPCZoneIdentifier=Split(",", import_value(ExportKey.PRIVATE_SUBNETS)),
            MixedInstancesPolicy=_mixed_instances(group, launch_template),
            NewInstancesProtectedFromScaleIn=True,
            DefaultInstanceWarmup=INSTANCE_WARMUP,
            Tags=autoscaling.Tags(**values, **{ECS_MANAGED_TAG: ""}),
            **optional,
        )
    )


def add_capacity_provider(
    t: Template, env: Environment, name: str, group: CapacityGroup, asg: autoscaling.AutoScalingGroup
) -> ecs.CapacityProvider:
    provider = t.add_resource(
        ecs.CapacityProvider(
            capacity_logical_id(name, "CapacityProvider"),
            AutoScalingGroupProvider=ecs.AutoScalingGroupProvider(
                AutoScalingGroupArn=Ref(asg),  # the group's name or ARN
                ManagedScaling=ecs.ManagedScaling(
                    Status="ENABLED",
                    TargetCapacity=group.target_capacity,
                    MinimumScalingStepSize=1,
                    MaximumScalingStepSize=MAX_SCALING_STEP,
                    InstanceWarmupPeriod=INSTANCE_WARMUP,
                ),
                ManagedTerminationProtection="ENABLED",
                ManagedDraining="ENABLED",
            ),
            Tags=group_tags(env, name),
        )
    )
    t.add_output(
        Output(
            naming.capacity_provider_export_key(name),
            Description=f"ECS capacity provider of capacity group {name}",
            Value=Ref(provider),
            Export=Export(naming.capacity_export_name(name)),
        )
    )
    return provider


def add_associations(t: Template, cluster: ecs.Cluster, providers: list[ecs.CapacityProvider]) -> None:
    """Every provider of the cluster in one resource (ECS replaces the whole list on each change)."""
    t.add_resource(
        ecs.ClusterCapacityProviderAssociations(
            "CapacityProviderAssociations",
            Cluster=Ref(cluster),
            CapacityProviders=[*FARGATE_PROVIDERS, *(Ref(p) for p in providers)],
            DefaultCapacityProviderStrategy=[
                ecs.CapacityProviderStrategy(CapacityProvider="FARGATE", Weight=1, Base=0)
            ],
        )
    )


def add_bridge_ingress_from_existing_alb(
    t: Template, env: Environment, plan: GroupPlan, security_group: ec2.SecurityGroup
) -> None:
    """Bridge-mode targets listen on dynamic host ports; an existing ALB (its group is its owners') reaches them
    through this ingress on our instance group.  Our own ALBs add theirs in their stacks (``stacks.bridge``):
    the ALB stacks import from the cluster stack, so the cluster stack must not import from them."""
    existing = env.alb.existing
    if existing is None or not plan.bridge_albs:
        return
    low, high = EPHEMERAL_PORTS
    t.add_resource(
        ec2.SecurityGroupIngress(
            capacity_logical_id(plan.name, "ingress-from-existing-alb"),
            GroupId=Ref(security_group),
            IpProtocol="tcp",
            FromPort=low,
            ToPort=high,
            SourceSecurityGroupId=existing.security_group,
            Description=f"existing ALB to bridge-mode tasks of group {plan.name} (dynamic host ports)",
        )
    )
