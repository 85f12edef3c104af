"""EC2 capacity groups beside Fargate: the templates they become, and the rules that branch for EC2.

Templates are read as JSON (what CloudFormation receives); rules through
``rule_problems`` (what ``generate.py`` reports).  The example environment
(params/hybrid.yaml) is generated, linted and deployed elsewhere
(test_checks, test_golden, test_ec2_capacity_deploy).
"""

from __future__ import annotations

import json
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import pytest
from troposphere import Template

from templates.aws.instances import AMI_PARAMETERS, EPHEMERAL_PORTS, instance_type
from templates.contract.template import references
from templates.cost import instance_prices
from templates.cost.model import cost_model
from templates.cost.prices import HOURS_PER_MONTH
from templates.params.environment import Environment
from templates.pipeline import build_all, load
from templates.plan.build import build_plan
from templates.stacks.cluster import build_cluster
from templates.stacks.service.stack import build_service
from tests.conftest import IMAGE, PARAMS_DIR, make_env, rule_findings, rule_problems, web

GENERAL = {"instance_types": ["m6i.large", "m6i.xlarge"], "max_size": 4}
GRAVITON = {"instance_types": ["m7g.large", "m6g.large"], "architecture": "arm64", "max_size": 4}
GPU = {"instance_types": ["g5.xlarge", "g5.2xlarge"], "gpu": True, "max_size": 2}


def doc(template: Template) -> dict[str, Any]:
    return json.loads(template.to_json())


def ec2_env(groups: dict[str, Any] | None = None, **services: dict[str, Any]) -> Environment:
    return make_env(cluster={"capacity_groups": groups or {"general": GENERAL}}, services=services)


def on(group: str, **fields: Any) -> dict[str, Any]:
    """A web service on one capacity group."""
    capacity = {"ec2": [{"group": group}], **fields.pop("capacity", {})}
    return web(capacity=capacity, **fields)


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == kind}


def service_doc(env: Environment, name: str) -> dict[str, Any]:
    return doc(build_service(env, env.services[name], build_plan(env)))


# --- the cluster stack ---------------------------------------------------------------------------


def test_a_group_launches_the_ecs_optimized_ami_from_its_public_ssm_parameter() -> None:
    env = ec2_env({"general": GENERAL, "gpu": GPU, "graviton": GRAVITON}, api=on("general"), m=on("gpu"))
    cluster = doc(build_cluster(env))
    parameters = cluster["Parameters"]
    kinds = {"EcsAmiX8664": "x86_64", "EcsAmiGpu": "gpu", "EcsAmiArm64": "arm64"}
    for name, kind in kinds.items():
        assert parameters[name]["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
        assert parameters[name]["Default"] == AMI_PARAMETERS[kind]
    templates = resources(cluster, "AWS::EC2::LaunchTemplate")
    images = {k: t["LaunchTemplateData"]["ImageId"]["Ref"] for k, t in templates.items()}
    assert images == {"GeneralLaunchTemplate": "EcsAmiX8664", "GpuLaunchTemplate": "EcsAmiGpu",
                      "GravitonLaunchTemplate": "EcsAmiArm64"}  # fmt: skip


def test_instances_require_imdsv2_get_no_public_ip_and_encrypted_volumes_and_join_the_cluster() -> None:
    env = ec2_env(api=on("general"))
    (data,) = (t["LaunchTemplateData"] for t in resources(doc(build_cluster(env)), "AWS::EC2::LaunchTemplate").values())
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    assert [i["AssociatePublicIpAddress"] for i in data["NetworkInterfaces"]] == [False]
    assert [m["Ebs"]["Encrypted"] for m in data["BlockDeviceMappings"]] == [True]
    script = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "ECS_CLUSTER=${Cluster}" in script and '"capacity-group":"general"' in script


def test_the_guardrail_rule_catches_a_launch_template_that_drops_one(tmp_path: Path) -> None:
    cluster = doc(build_cluster(ec2_env(api=on("general"))))
    assert rule_findings({"cluster": cluster}, "K024") == []
    data = cluster["Resources"]["GeneralLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    data["MetadataOptions"]["HttpTokens"] = "optional"
    data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] = False
    data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] = True
    messages = [f.message for f in rule_findings({"cluster": cluster}, "K024")]
    assert len(messages) == 3 and all(m.startswith("GeneralLaunchTemplate: ") for m in messages)


def test_the_providers_join_the_cluster_through_an_association_without_a_circle() -> None:
    """User data names the cluster (Ref Cluster); the association names the providers: no resource needs both."""
    cluster = doc(build_cluster(ec2_env({"general": GENERAL, "gpu": GPU}, api=on("general"), m=on("gpu"))))
    assert "CapacityProviders" not in cluster["Resources"]["Cluster"]["Properties"]
    (association,) = resources(cluster, "AWS::ECS::ClusterCapacityProviderAssociations").values()
    assert association["CapacityProviders"][:2] == ["FARGATE", "FARGATE_SPOT"]
    assert [p["Ref"] for p in association["CapacityProviders"][2:]] == [
        "GeneralCapacityProvider",
        "GpuCapacityProvider",
    ]
    assert association["Cluster"] == {"Ref": "Cluster"}
    graph = {k: set(references(r)) & set(cluster["Resources"]) for k, r in cluster["Resources"].items()}
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a circle
    assert order.index("Cluster") < order.index("GeneralLaunchTemplate") < order.index("GeneralCapacityProvider")
    assert order.index("GeneralCapacityProvider") < order.index("CapacityProviderAssociations")


def test_a_cluster_without_groups_keeps_its_fargate_providers_and_adds_nothing() -> None:
    cluster = doc(build_cluster(make_env()))
    assert cluster["Resources"]["Cluster"]["Properties"]["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    kinds = {r["Type"] for r in cluster["Resources"].values()}
    assert not kinds & {"AWS::ECS::CapacityProvider", "AWS::AutoScaling::AutoScalingGroup", "AWS::IAM::Role"}
    assert list(cluster["Parameters"]) == ["ExportPrefix"]


def test_the_group_scales_under_ecs_and_refreshes_its_instances_behind_managed_draining() -> None:
    groups = {"general": {**GENERAL, "on_demand_base": 1, "spot_percentage": 60}}
    cluster = doc(build_cluster(ec2_env(groups, api=on("general"))))
    group = cluster["Resources"]["GeneralAutoScalingGroup"]
    props = group["Properties"]
    assert props["NewInstancesProtectedFromScaleIn"] is True
    assert props["VPCZoneIdentifier"]["Fn::Split"][1]["Fn::ImportValue"]["Fn::Sub"].endswith("-PrivateSubnets")
    distribution = props["MixedInstancesPolicy"]["InstancesDistribution"]
    assert (distribution["OnDemandBaseCapacity"], distribution["OnDemandPercentageAboveBaseCapacity"]) == (1, 40)
    assert [o["InstanceType"] for o in props["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]] == GENERAL[
        "instance_types"
    ]
    refresh = group["UpdatePolicy"]["AutoScalingInstanceRefresh"]
    assert refresh["Preferences"]["ScaleInProtectedInstances"] == "Refresh"  # ECS: "Replace" for protected ones
    assert refresh["Preferences"]["MinHealthyPercentage"] == 100  # launch before terminating
    provider = cluster["Resources"]["GeneralCapacityProvider"]["Properties"]["AutoScalingGroupProvider"]
    assert (provider["ManagedTerminationProtection"], provider["ManagedDraining"]) == ("ENABLED", "ENABLED")
    assert provider["ManagedScaling"]["Status"] == "ENABLED"
    assert "DesiredCapacity" not in props  # managed scaling owns the count


def test_the_instance_role_is_the_ecs_instance_policy_and_session_manager_only() -> None:
    (role,) = resources(doc(build_cluster(ec2_env(api=on("general")))), "AWS::IAM::Role").values()
    assert [arn["Fn::Sub"] for arn in role["ManagedPolicyArns"]] == [
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
    ]
    (policy,) = role["Policies"]
    actions = sorted(a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"])
    assert actions == ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel",
                       "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
                       "ssmmessages:OpenDataChannel"]  # fmt: skip


# --- services on EC2 -----------------------------------------------------------------------------


def test_an_awsvpc_service_on_a_group_names_its_provider_and_spreads_then_binpacks() -> None:
    env = ec2_env(api=on("general"))
    props = service_doc(env, "api")["Resources"]["Service"]["Properties"]
    (item,) = props["CapacityProviderStrategy"]
    assert item["CapacityProvider"]["Fn::ImportValue"]["Fn::Sub"] == "${ExportPrefix}-CapacityProviderGeneral"
    assert "CapacityProviderGeneral" in doc(build_cluster(env))["Outputs"]
    assert props["PlacementStrategies"] == [
        {"Type": "spread", "Field": "attribute:ecs.availability-zone"},
        {"Type": "binpack", "Field": "memory"},
    ]
    assert "PlatformVersion" not in props and "NetworkConfiguration" in props
    task = service_doc(env, "api")["Resources"]["TaskDefinition"]["Properties"]
    assert (task["RequiresCompatibilities"], task["NetworkMode"]) == (["EC2"], "awsvpc")


def test_bridge_mode_uses_dynamic_host_ports_instance_targets_and_the_group_admits_the_alb() -> None:
    env = ec2_env(api=on("general", network_mode="bridge"))
    svc = service_doc(env, "api")["Resources"]
    task = svc["TaskDefinition"]["Properties"]
    assert task["NetworkMode"] == "bridge"
    assert task["ContainerDefinitions"][0]["PortMappings"][0]["HostPort"] == 0
    group = svc["TargetGroup"]["Properties"]
    assert (group["TargetType"], group["HealthCheckPort"]) == ("instance", "traffic-port")
    assert "TaskSecurityGroup" not in svc and "AlbEgressToTasks" not in svc
    assert "NetworkConfiguration" not in svc["Service"]["Properties"]
    # The ALB's stack reaches the group's instances (it imports their group from the cluster stack, which
    # exports it and imports nothing from the ALB: no circle of imports).
    built = {key: doc(t) for key, t in build_all(env).items()}
    instances = {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-InstanceSecurityGroupGeneral"}}
    (ingress,) = resources(built["alb"], "AWS::EC2::SecurityGroupIngress").values()
    egress = [r for r in built["alb"]["Resources"]["AlbSecurityGroup"]["Properties"]["SecurityGroupEgress"]
              if r.get("DestinationSecurityGroupId") == instances]  # fmt: skip
    assert [(r["FromPort"], r["ToPort"]) for r in egress] == [EPHEMERAL_PORTS]
    assert (ingress["FromPort"], ingress["ToPort"]) == EPHEMERAL_PORTS and ingress["GroupId"] == instances
    assert "InstanceSecurityGroupGeneral" in built["cluster"]["Outputs"]
    assert "AWS::EC2::SecurityGroupEgress" not in {r["Type"] for r in built["cluster"]["Resources"].values()}
    assert rule_findings(built, "C003") == []


def test_a_daemon_takes_the_ec2_launch_type_and_runs_only_on_its_groups() -> None:
    agent = {"kind": "worker", "image_tag": "1", "containers": [{"name": "a", "image": IMAGE}]}
    env = ec2_env({"general": GENERAL, "gpu": GPU}, agent={**agent, "capacity": {"ec2": [{"group": "general"}],
                  "daemon": True}}, m=on("gpu"))  # fmt: skip
    svc = service_doc(env, "agent")
    props = svc["Resources"]["Service"]["Properties"]
    assert (props["LaunchType"], props["SchedulingStrategy"]) == ("EC2", "DAEMON")
    assert props["PlacementConstraints"] == [
        {"Type": "memberOf", "Expression": "attribute:capacity-group in [general]"}
    ]
    assert not {"CapacityProviderStrategy", "PlacementStrategies", "DesiredCount"} & set(props)
    bounds = props["DeploymentConfiguration"]
    assert (bounds["MaximumPercent"], bounds["MinimumHealthyPercent"]) == (100, 0)
    assert "DesiredCount" not in svc["Parameters"]


def test_a_gpu_container_reserves_its_gpus() -> None:
    env = ec2_env({"gpu": GPU}, m=on("gpu", cpu=2048, memory=8192,
                  containers=[{"name": "model", "image": IMAGE, "port": 8080, "gpu": 1}]))  # fmt: skip
    (container,) = service_doc(env, "m")["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert container["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]


def test_a_scheduled_task_on_a_group_runs_without_a_fargate_platform_version() -> None:
    job = {"kind": "scheduled", "image_tag": "1", "containers": [{"name": "j", "image": IMAGE}],
           "schedule": {"expression": "cron(0 3 * * ? *)"}, "capacity": {"ec2": [{"group": "general"}]}}  # fmt: skip
    env = ec2_env(job=job)
    (target,) = service_doc(env, "job")["Resources"]["ScheduleRule"]["Properties"]["Targets"]
    ecs = target["EcsParameters"]
    assert "PlatformVersion" not in ecs
    assert ecs["CapacityProviderStrategy"][0]["CapacityProvider"]["Fn::ImportValue"]["Fn::Sub"].endswith(
        "-CapacityProviderGeneral"
    )


# --- rules that branch for EC2 -------------------------------------------------------------------


def ids(env: Environment) -> set[str]:
    return {p.check_id for p in rule_problems(env) if p.is_error}


def test_task_sizes_are_checked_against_the_instance_types_not_fargates_table() -> None:
    odd = on("general", cpu=3000, memory=5000)  # no Fargate size, fits an m6i.xlarge
    assert ids(ec2_env(api=odd)) == set()
    assert "L022" in ids(make_env(services={"api": web(cpu=3000, memory=5000)}))
    [warning] = [p for p in rule_problems(ec2_env(api=odd), "K006")]
    assert warning.severity == "warning" and "m6i.large" in warning.message  # too big for the smaller type only


def test_the_memory_a_task_may_use_is_what_the_instance_registers_less_the_daemons() -> None:
    large = instance_type("m6i.large")
    assert large is not None
    agent = {"kind": "worker", "image_tag": "1", "containers": [{"name": "a", "image": IMAGE}],
             "memory": 512, "capacity": {"ec2": [{"group": "small"}], "daemon": True}}  # fmt: skip
    groups = {"small": {"instance_types": ["m6i.large"], "max_size": 2}}
    fits = on("small", memory=large.task_memory_mib - 512)
    assert "K006" not in ids(ec2_env(groups, api=fits, agent=agent))
    too_big = on("small", memory=large.task_memory_mib - 511)
    (problem,) = rule_problems(ec2_env(groups, api=too_big, agent=agent), "K006")
    assert problem.path == "services.api.memory" and "daemons (512 MiB)" in problem.message


def test_arm64_spot_is_refused_on_fargate_and_allowed_on_an_ec2_group() -> None:
    fargate_spot = web(architecture="arm64", capacity={"spot_weight": 1})
    assert "S001" in ids(make_env(services={"api": fargate_spot}))
    groups = {"graviton": {**GRAVITON, "spot_percentage": 70}}
    assert ids(ec2_env(groups, api=on("graviton", architecture="arm64"))) == set()


def test_a_gpu_group_needs_gpu_types_on_x86_64_and_gpu_tasks_need_a_gpu_group() -> None:
    bad_group = {"gpu": {"instance_types": ["m6i.large"], "gpu": True, "max_size": 1}}
    gpu_task = {"containers": [{"name": "m", "image": IMAGE, "port": 8080, "gpu": 1}]}
    assert {"K003"} <= ids(ec2_env(bad_group, m=on("gpu", **gpu_task)))
    (problem,) = rule_problems(ec2_env(api=on("general", **gpu_task)), "K008")
    assert problem.path == "services.api.containers[0].gpu" and "gpu: false" in problem.message
    greedy = {"containers": [{"name": "m", "image": IMAGE, "port": 8080, "gpu": 2}], "cpu": 2048, "memory": 8192}
    assert "K008" in ids(ec2_env({"gpu": GPU}, m=on("gpu", **greedy)))


def test_eni_density_counts_awsvpc_tasks_per_instance_and_trunking_raises_it() -> None:
    groups = {"small": {"instance_types": ["m6i.large"], "max_size": 2}}  # 2 awsvpc tasks per instance
    crowded = on("small", desired_count=3)  # at peak (200 %): 6 tasks > 4 slots
    (problem,) = rule_problems(ec2_env(groups, api=crowded), "L042")
    assert problem.path == "cluster.capacity_groups.small.max_size" and "= 4" in problem.message
    assert rule_problems(ec2_env(groups, api=on("small", desired_count=3, network_mode="bridge")), "L042") == []
    trunked = {"small": {**groups["small"], "trunking": True}}  # 10 per instance with a trunk
    assert [p for p in rule_problems(ec2_env(trunked, api=crowded), "L042") if p.is_error] == []


def test_the_subnet_check_counts_instances_and_not_bridge_tasks() -> None:
    """A /24 leaves 54 task addresses in two private subnets: 60 awsvpc tasks at peak do not fit, 60 bridge
    tasks on 4 instances do (the instances take the addresses)."""
    small = {"cidr": "10.0.0.0/24"}
    groups = {"big": {"instance_types": ["m6i.4xlarge"], "max_size": 4, "trunking": True}}

    def l014(mode: str) -> list[str]:
        env = make_env(network=small, cluster={"capacity_groups": groups},
                       services={"api": on("big", desired_count=30, network_mode=mode)})  # fmt: skip
        return [p.message for p in rule_problems(env, "L014") if p.is_error]

    assert l014("bridge") == []
    (message,) = l014("awsvpc")
    assert "api 60" in message and "EC2 instances 4" in message


@pytest.mark.parametrize(
    ("groups", "key", "check"),
    [
        ({"g": {"instance_types": ["m6i.large"], "min_size": 3, "max_size": 2}}, "cluster.capacity_groups.g.max_size",
         "K004"),
        ({f"g{i}": {"instance_types": ["m6i.large"], "max_size": 1} for i in range(19)}, "cluster.capacity_groups",
         "L040"),
        ({"g": {"instance_types": ["m6i.large"], "max_size": 5000}, "h": {"instance_types": ["m6i.large"],
          "max_size": 1}}, "cluster.capacity_groups", "L041"),
    ],
)  # fmt: skip
def test_group_sizes_and_cluster_quotas(groups: dict[str, Any], key: str, check: str) -> None:
    services = {name: on(name) for name in groups}
    assert key in [p.path for p in rule_problems(ec2_env(groups, **services), check)]


def test_the_example_generates_on_fargate_and_ec2_side_by_side() -> None:
    loaded = load(PARAMS_DIR / "hybrid.yaml")
    where = loaded.plan.compute.where
    assert where["api"] == "Fargate" and where["mailer"] == "Fargate + Fargate Spot"
    assert where["inference"].startswith("EC2") and where["log-agent"].startswith("EC2 (daemon")
    stacks = build_all(loaded.env, loaded.plan)
    gpu = doc(stacks["svc-inference"])["Resources"]["TaskDefinition"]["Properties"]
    assert gpu["ContainerDefinitions"][0]["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]


# --- cost ----------------------------------------------------------------------------------------


def test_ec2_services_are_priced_by_their_groups_instances_not_per_task() -> None:
    loaded = load(PARAMS_DIR / "hybrid.yaml")
    model = cost_model(loaded.env, loaded.plan)
    keys = {line["key"] for line in model["components"]}
    assert {"fargate:api", "fargate:mailer", "ec2:gpu", "ec2:general"} <= keys
    assert not keys & {"fargate:inference", "fargate:thumbnails", "fargate:log-agent"}
    gpu = next(line for line in model["components"] if line["key"] == "ec2:gpu")
    hourly, found = instance_prices.instance_hour("eu-west-1", "g5.xlarge")
    volume = 100 * instance_prices.ebs_gb_month("eu-west-1", "gp3")
    assert found and gpu["quantity"] == 1  # min_size 0, but the inference task needs one g5.xlarge
    assert gpu["monthly"] == round(hourly * HOURS_PER_MONTH + volume, 2)
    assert model["unit_prices"]["ec2_instance"]["g5.xlarge"] == round(hourly * HOURS_PER_MONTH, 4)


def test_the_spot_share_of_a_group_is_priced_at_the_spot_discount() -> None:
    groups = {"mixed": {"instance_types": ["m6i.large", "m5.large"], "min_size": 4, "max_size": 6,
                        "on_demand_base": 2, "spot_percentage": 50}}  # fmt: skip
    env = ec2_env(groups, api=on("mixed"))
    line = next(c for c in cost_model(env, build_plan(env))["components"] if c["key"] == "ec2:mixed")
    hourly, _ = instance_prices.instance_hour("eu-west-1", "m6i.large")
    month = hourly * HOURS_PER_MONTH
    volume = 30 * instance_prices.ebs_gb_month("eu-west-1", "gp3")
    spot = 1  # 4 instances: 2 On-Demand base, half of the other 2 on Spot
    expected = (4 - spot) * month + spot * month * (1 - instance_prices.SPOT_DISCOUNT) + 4 * volume
    assert (line["quantity"], line["monthly"]) == (4, round(expected, 2))
