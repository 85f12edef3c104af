"""Cluster stack: the ECS cluster with Fargate capacity (and EC2 capacity groups when params define them),
a Cloud Map namespace, and the service-clients security group that every task joins (published services
accept from it).

Membership in that group is also how the tasks reach the VPC's interface
endpoints: this stack adds the endpoints' ingress rule (HTTPS from the group)
to the network stack's endpoint security group (``stacks/endpoints.py``).
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Template, ec2, ecs
from troposphere import servicediscovery as sd

from templates.naming import EXPORT_PREFIX_PARAM, ExportKey, import_value
from templates.params.environment import Environment
from templates.plan.build import build_plan
from templates.plan.model import EnvironmentPlan
from templates.stacks.capacity_groups import add_capacity_groups
from templates.stacks.common import add_export, add_parameter_groups, new_template, no_egress, tags

HTTPS = 443


def add_endpoint_ingress(t: Template, clients: ec2.SecurityGroup) -> ec2.SecurityGroupIngress:
    """The interface endpoints admit HTTPS from every task, whatever subnet or CIDR the task sits in."""
    return t.add_resource(
        ec2.SecurityGroupIngress(
            "EndpointIngressFromTasks",
            GroupId=import_value(ExportKey.ENDPOINT_SECURITY_GROUP),
            IpProtocol="tcp",
            FromPort=HTTPS,
            ToPort=HTTPS,
            SourceSecurityGroupId=Ref(clients),
            Description="HTTPS from every task of this environment (service-clients group)",
        )
    )


def _fargate_providers(env: Environment) -> dict[str, object]:
    """FARGATE and FARGATE_SPOT on the cluster itself; with capacity groups the association names them all."""
    if env.cluster.capacity_groups:
        return {}
    return {
        "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "DefaultCapacityProviderStrategy": [
            ecs.CapacityProviderStrategyItem(CapacityProvider="FARGATE", Weight=1, Base=0)
        ],
    }


def add_service_clients_group(t: Template, env: Environment) -> ec2.SecurityGroup:
    """The group every task joins: membership lets it call published services and the VPC endpoints."""
    return t.add_resource(
        ec2.SecurityGroup(
            "ServiceClientsSecurityGroup",
            GroupDescription=f"{env.project}-{env.environment} tasks: membership lets them call published services",
            VpcId=import_value(ExportKey.VPC_ID),
            # Membership only: a task's own security group says where it may connect.  Without an explicit
            # rule AWS adds allow-all egress, so a dead-end rule keeps this group from opening anything.
            SecurityGroupEgress=no_egress(
                "membership only, no egress of its own: placeholder so no allow-all egress is added"
            ),
            Tags=tags(env),
        )
    )


def build_cluster(env: Environment, plan: EnvironmentPlan | None = None) -> Template:
    """``plan`` says where EC2 capacity groups run, and whether the network stack has interface endpoints whose
    ingress this stack adds."""
    plan = plan if plan is not None else build_plan(env)
    capacity = "Fargate, Fargate Spot, EC2 capacity groups" if env.cluster.capacity_groups else "Fargate, Fargate Spot"
    t = new_template(env, f"ECS cluster ({capacity}) and Cloud Map namespace")
    cluster = t.add_resource(
        ecs.Cluster(
            "Cluster",
            ClusterSettings=[
                ecs.ClusterSetting(
                    Name="containerInsights", Value="enabled" if env.cluster.container_insights else "disabled"
                )
            ],
            Tags=tags(env),
            **_fargate_providers(env),
            **({"ClusterName": env.cluster.name} if env.cluster.name else {}),
        )
    )
    amis = add_capacity_groups(t, env, plan, cluster)
    if amis:
        labels = {EXPORT_PREFIX_PARAM: "Export prefix of the environment"} | {name: name for name in amis}
        add_parameter_groups(t, {"Wiring": [EXPORT_PREFIX_PARAM], "ECS-optimized AMIs": amis}, labels)
    namespace = t.add_resource(
        sd.PrivateDnsNamespace(
            "Namespace",
            Name=env.namespace,
            Vpc=import_value(ExportKey.VPC_ID),
            Description=f"Service discovery for {env.project}-{env.environment}",
            Tags=tags(env),
        )
    )
    clients = add_service_clients_group(t, env)
    if plan.network.interface_endpoints:
        add_endpoint_ingress(t, clients)
    add_export(t, ExportKey.CLUSTER_NAME, Ref(cluster), "ECS cluster name")
    add_export(t, ExportKey.CLUSTER_ARN, GetAtt(cluster, "Arn"), "ECS cluster ARN")
    add_export(t, ExportKey.NAMESPACE_ID, GetAtt(namespace, "Id"), "Cloud Map namespace id")
    # Services import the ARN; the name stays exported for people and scripts, and because
    # service stacks deployed before the switch import it (an export in use cannot go).
    add_export(t, ExportKey.NAMESPACE_NAME, env.namespace, "Cloud Map namespace name")
    add_export(t, ExportKey.NAMESPACE_ARN, GetAtt(namespace, "Arn"), "Cloud Map namespace ARN (Service Connect)")
    add_export(
        t, ExportKey.SERVICE_CLIENTS_SECURITY_GROUP, Ref(clients), "Security group of every task (discovery clients)"
    )
    return t
