"""Each capability partial on small in-memory params: real troposphere output, no mocks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from troposphere import Template, ecs, events

from templates.naming import alias_logical_id
from templates.params.environment import Environment
from templates.params.formats import secret_value_from
from templates.params.service import Service
from templates.pipeline import build_all, check_folder, load_environment
from templates.plan.build import build_plan
from templates.plan.network import target_ports
from templates.stacks import iam
from templates.stacks.cluster import build_cluster
from templates.stacks.service import capacity, discovery, dns, load_balancing, scaling, scheduled
from templates.stacks.service.stack import build_service
from templates.writer import write_folder
from tests.conftest import IMAGE, PARAMS_DIR, make_env, web

CLUSTER_NAME = {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterName"}}
CLIENTS_SG = {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ServiceClientsSecurityGroup"}}


def env_with(**services: dict[str, Any]) -> Environment:
    return make_env(services=services)


def built(env: Environment, name: str = "api") -> dict[str, Any]:
    return json.loads(build_service(env, env.services[name], build_plan(env)).to_json())


def of_type(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in doc["Resources"].items() if v["Type"] == kind}


def props(doc: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return doc["Resources"][logical_id]["Properties"]


def to_dict(t: Template) -> dict[str, Any]:
    return json.loads(t.to_json())


# --- capacity -----------------------------------------------------------------------------------


def _strategy(svc: Service, item: type = ecs.CapacityProviderStrategyItem) -> list[dict[str, Any]]:
    return [i.to_dict() for i in capacity.strategy(svc, item)]


def test_on_demand_by_default() -> None:
    svc = env_with(api=web()).services["api"]
    assert _strategy(svc) == [{"CapacityProvider": "FARGATE", "Weight": 1}]


def test_spot_share_with_on_demand_base() -> None:
    svc = env_with(api=web(capacity={"on_demand_base": 2, "on_demand_weight": 1, "spot_weight": 3})).services["api"]
    assert _strategy(svc) == [
        {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 2},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
    ]
    scheduled_items = capacity.strategy(svc, events.CapacityProviderStrategyItem)
    assert all(isinstance(i, events.CapacityProviderStrategyItem) for i in scheduled_items)
    assert [i.to_dict() for i in scheduled_items] == _strategy(svc)


def test_spot_only_leaves_fargate_out() -> None:
    doc = built(env_with(api=web(capacity={"on_demand_weight": 0, "spot_weight": 1})))
    assert props(doc, "Service")["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]


# --- auto scaling -------------------------------------------------------------------------------


def test_scaling_omits_desired_count_so_deploys_keep_the_running_count() -> None:
    doc = built(env_with(api=web(scaling={"min_count": 2, "max_count": 5, "target_tracking": {"cpu": 60}})))
    assert "DesiredCount" not in props(doc, "Service")
    assert "DesiredCount" not in doc["Parameters"]
    labels = doc["Metadata"]["AWS::CloudFormation::Interface"]["ParameterLabels"]
    assert "DesiredCount" not in labels
    target = props(doc, "ScalableTarget")
    assert target["MinCapacity"] == 2 and target["MaxCapacity"] == 5
    assert target["ScalableDimension"] == "ecs:service:DesiredCount" and target["ServiceNamespace"] == "ecs"
    assert target["ResourceId"] == {"Fn::Join": ["/", ["service", CLUSTER_NAME, {"Fn::GetAtt": ["Service", "Name"]}]]}
    assert "RoleARN" not in target  # the ECS service-linked role


def test_without_scaling_the_count_is_a_parameter() -> None:
    doc = built(env_with(api=web(desired_count=3)))
    assert props(doc, "Service")["DesiredCount"] == {"Ref": "DesiredCount"}
    assert doc["Parameters"]["DesiredCount"]["Default"] == 3
    assert not of_type(doc, "AWS::ApplicationAutoScaling::ScalableTarget")


def test_target_tracking_on_cpu_memory_and_requests() -> None:
    tracking = {"cpu": 60, "memory": 75, "requests_per_target": 500, "scale_in_cooldown": 120}
    doc = built(env_with(api=web(scaling={"max_count": 4, "target_tracking": tracking})))
    policies = of_type(doc, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert set(policies) == {"CpuTargetTracking", "MemoryTargetTracking", "RequestCountTargetTracking"}
    cpu = policies["CpuTargetTracking"]["Properties"]
    config = cpu["TargetTrackingScalingPolicyConfiguration"]
    assert config["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
    assert config["TargetValue"] == 60.0 and config["ScaleInCooldown"] == 120 and config["ScaleOutCooldown"] == 60
    assert cpu["ScalingTargetId"] == {"Ref": "ScalableTarget"}
    requests = policies["RequestCountTargetTracking"]
    spec = requests["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
    assert spec["PredefinedMetricType"] == "ALBRequestCountPerTarget"
    assert spec["ResourceLabel"] == {
        "Fn::Join": [
            "/",
            [
                {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-AlbFullName"}},
                {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]},
            ],
        ]
    }
    rules = list(of_type(doc, "AWS::ElasticLoadBalancingV2::ListenerRule"))
    assert len(rules) == 1 and requests["DependsOn"] == rules
    names = {p["Properties"]["PolicyName"] for p in policies.values()}
    assert len(names) == 3


def test_step_scaling_per_s5() -> None:
    """S5: 1-3 tasks, +1 at CPU >= 85% for 2x60 s, -1 at <= 10%."""
    doc = built(env_with(api=web(scaling={"min_count": 1, "max_count": 3, "step": {}})))
    out_alarm, in_alarm = props(doc, "StepScaleOutAlarm"), props(doc, "StepScaleInAlarm")
    assert out_alarm["MetricName"] == "CPUUtilization" and out_alarm["Namespace"] == "AWS/ECS"
    assert (out_alarm["Threshold"], out_alarm["ComparisonOperator"]) == (85, "GreaterThanOrEqualToThreshold")
    assert (out_alarm["EvaluationPeriods"], out_alarm["Period"], out_alarm["Statistic"]) == (2, 60, "Average")
    assert (in_alarm["Threshold"], in_alarm["ComparisonOperator"]) == (10, "LessThanOrEqualToThreshold")
    assert out_alarm["AlarmActions"] == [{"Ref": "StepScaleOutPolicy"}]
    assert in_alarm["AlarmActions"] == [{"Ref": "StepScaleInPolicy"}]
    assert {d["Name"]: d["Value"] for d in out_alarm["Dimensions"]} == {
        "ClusterName": CLUSTER_NAME,
        "ServiceName": {"Fn::GetAtt": ["Service", "Name"]},
    }
    assert "AlarmName" not in out_alarm  # generated names never collide between copies
    step_out = props(doc, "StepScaleOutPolicy")["StepScalingPolicyConfiguration"]
    step_in = props(doc, "StepScaleInPolicy")["StepScalingPolicyConfiguration"]
    assert step_out["AdjustmentType"] == "ChangeInCapacity"
    assert step_out["StepAdjustments"] == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]
    assert step_in["StepAdjustments"] == [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1}]


def test_step_scaling_on_memory_with_bigger_steps() -> None:
    step = {"metric": "memory", "scale_out": {"threshold": 80, "change": 2, "period": 300, "evaluation_periods": 3}}
    doc = built(env_with(api=web(scaling={"max_count": 8, "step": step})))
    alarm = props(doc, "StepScaleOutAlarm")
    assert alarm["MetricName"] == "MemoryUtilization" and alarm["Period"] == 300 and alarm["EvaluationPeriods"] == 3
    adjustments = props(doc, "StepScaleOutPolicy")["StepScalingPolicyConfiguration"]["StepAdjustments"]
    assert adjustments[0]["ScalingAdjustment"] == 2


def test_scheduled_scaling_actions() -> None:
    schedules = [
        {"name": "night", "schedule": "cron(0 22 * * ? *)", "max_count": 2, "timezone": "Europe/Berlin"},
        {"name": "launch", "schedule": "at(2030-06-01T08:00:00)", "min_count": 6, "max_count": 10},
    ]
    doc = built(env_with(api=web(scaling={"max_count": 4, "schedules": schedules})))
    night, launch = props(doc, "ScalableTarget")["ScheduledActions"]
    assert night == {
        "ScheduledActionName": "api-night",
        "Schedule": "cron(0 22 * * ? *)",
        "ScalableTargetAction": {"MaxCapacity": 2},
        "Timezone": "Europe/Berlin",
    }
    assert launch["ScalableTargetAction"] == {"MinCapacity": 6, "MaxCapacity": 10} and "Timezone" not in launch


def test_add_autoscaling_is_a_no_op_without_scaling() -> None:
    env = env_with(api=web())
    t = Template()
    assert scaling.add_autoscaling(t, env, env.services["api"], ecs.Service("Service"), None, []) is None
    assert t.resources == {}


# --- service kinds ------------------------------------------------------------------------------


def test_worker_has_no_alb_pieces() -> None:
    worker = {"kind": "worker", "image_tag": "1", "containers": [{"name": "app", "image": IMAGE, "port": 9000}]}
    doc = built(env_with(api=web(), jobs=worker), "jobs")
    assert not of_type(doc, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert not of_type(doc, "AWS::ElasticLoadBalancingV2::ListenerRule")
    service = props(doc, "Service")
    assert "LoadBalancers" not in service and "HealthCheckGracePeriodSeconds" not in service
    assert "SecurityGroupIngress" not in props(doc, "TaskSecurityGroup")  # none: left out, not []
    assert "worker" in doc["Description"]


def test_only_web_services_with_routes_are_behind_the_alb() -> None:
    worker = {"kind": "worker", "image_tag": "1", "containers": [{"name": "app", "image": IMAGE, "port": 9000}]}
    two_ports = web(containers=[{"name": "app", "image": IMAGE, "port": 8080, "extra_ports": [8443]}], target_port=8443)
    env = env_with(api=two_ports, jobs=worker)
    assert env.services["api"].alb_port == 8443
    assert env.services["jobs"].alb_port is None
    assert target_ports(env) == (8443,)


def scheduled_env(**fields: Any) -> Environment:
    job = {
        "kind": "scheduled",
        "image_tag": "1",
        "schedule": {"expression": "cron(0 3 * * ? *)", "task_count": 2},
        "task_role": {"statements": [{"actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::reports/*"]}]},
        "containers": [{"name": "report", "image": IMAGE, "command": ["python", "-m", "report"]}],
    }
    job.update(fields)
    return env_with(api=web(), report=job)


def test_scheduled_task_is_an_eventbridge_rule_not_a_service() -> None:
    doc = built(scheduled_env(capacity={"on_demand_weight": 0, "spot_weight": 1}), "report")
    assert not of_type(doc, "AWS::ECS::Service")
    assert "DesiredCount" not in doc["Parameters"]
    rule = props(doc, "ScheduleRule")
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)" and rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterArn"}}
    assert target["RoleArn"] == {"Fn::GetAtt": ["ScheduleRole", "Arn"]}
    ecs = target["EcsParameters"]
    assert ecs["TaskDefinitionArn"] == {"Ref": "TaskDefinition"} and ecs["TaskCount"] == 2
    assert ecs["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    assert "LaunchType" not in ecs  # a capacity provider strategy and a launch type exclude each other
    network = ecs["NetworkConfiguration"]["AwsVpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    assert network["Subnets"]["Fn::Split"][1] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-PrivateSubnets"}}
    assert network["SecurityGroups"] == [{"Ref": "TaskSecurityGroup"}, CLIENTS_SG]
    assert set(doc["Outputs"]) == {"TaskDefinitionArn", "LogGroupName", "ScheduleRuleArn"}


def test_schedule_role_runs_only_this_family_and_passes_only_its_roles() -> None:
    doc = built(scheduled_env(), "report")
    role = props(doc, "ScheduleRole")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["events.amazonaws.com"]}
    by_sid = {s["Sid"]: s for s in role["Policies"][0]["PolicyDocument"]["Statement"]}
    run = by_sid["RunOwnTask"]
    assert run["Action"] == ["ecs:RunTask"]
    family = props(doc, "TaskDefinition")["Family"]["Fn::Sub"]  # follows ExportPrefix, like the family itself
    assert family == "${ExportPrefix}-report"
    assert run["Resource"] == [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/{family}:*"}
    ]
    assert run["Condition"] == {
        "ArnEquals": {"ecs:cluster": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterArn"}}}
    }
    passing = by_sid["PassOwnRoles"]
    assert passing["Action"] == ["iam:PassRole"]
    assert passing["Resource"] == [{"Fn::GetAtt": ["ExecutionRole", "Arn"]}, {"Fn::GetAtt": ["TaskRole", "Arn"]}]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert by_sid["TagStartedTasks"]["Condition"] == {"StringEquals": {"ecs:CreateAction": "RunTask"}}
    assert all(r != "*" for s in by_sid.values() for r in s["Resource"])


def test_schedule_without_task_role_passes_only_the_execution_role() -> None:
    doc = built(scheduled_env(task_role=None, schedule={"expression": "rate(1 hour)", "enabled": False}), "report")
    statements = props(doc, "ScheduleRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert next(s for s in statements if s["Sid"] == "PassOwnRoles")["Resource"] == [
        {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    ]
    assert props(doc, "ScheduleRule")["State"] == "DISABLED"


def test_add_schedule_refuses_a_service_without_schedule() -> None:
    env = env_with(api=web())
    with pytest.raises(ValueError, match="no schedule"):
        scheduled.add_schedule(Template(), env, env.services["api"], None, [], None)  # type: ignore[arg-type]


# --- service discovery --------------------------------------------------------------------------


def test_cloud_map_registers_a_records_and_opens_the_port_to_clients() -> None:
    cache = {
        "kind": "worker",
        "discovery": {"mode": "cloud-map"},
        "containers": [{"name": "redis", "image": "redis:7", "port": 6379}],
    }
    doc = built(env_with(api=web(), cache=cache), "cache")
    registry = props(doc, "DiscoveryService")
    assert registry["Name"] == "cache"
    assert registry["NamespaceId"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-NamespaceId"}}
    assert registry["DnsConfig"] == {"DnsRecords": [{"TTL": 10, "Type": "A"}], "RoutingPolicy": "MULTIVALUE"}
    assert props(doc, "Service")["ServiceRegistries"] == [{"RegistryArn": {"Fn::GetAtt": ["DiscoveryService", "Arn"]}}]
    (ingress,) = props(doc, "TaskSecurityGroup")["SecurityGroupIngress"]
    assert (ingress["FromPort"], ingress["ToPort"], ingress["SourceSecurityGroupId"]) == (6379, 6379, CLIENTS_SG)
    assert doc["Outputs"]["DiscoveryEndpoint"]["Value"] == "cache.test.demo.internal:6379"


def test_service_connect_publishes_a_named_port() -> None:
    doc = built(env_with(api=web(discovery={"mode": "service-connect", "name": "orders"})))
    config = props(doc, "Service")["ServiceConnectConfiguration"]
    assert config["Enabled"] is True
    assert config["Namespace"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-NamespaceArn"}}
    cluster = to_dict(build_cluster(env_with(api=web())))["Outputs"]
    assert cluster["NamespaceArn"]["Value"] == {"Fn::GetAtt": ["Namespace", "Arn"]}
    assert config["Services"] == [
        {
            "PortName": "orders",
            "DiscoveryName": "orders",
            "ClientAliases": [{"Port": 8080, "DnsName": "orders.test.demo.internal"}],
        }
    ]
    assert config["LogConfiguration"]["Options"]["awslogs-stream-prefix"] == "service-connect"
    mappings = props(doc, "TaskDefinition")["ContainerDefinitions"][0]["PortMappings"]
    assert mappings == [{"ContainerPort": 8080, "Name": "orders", "Protocol": "tcp"}]
    assert not of_type(doc, "AWS::ServiceDiscovery::Service")
    sources = [r["SourceSecurityGroupId"] for r in props(doc, "TaskSecurityGroup")["SecurityGroupIngress"]]
    assert CLIENTS_SG in sources and len(sources) == 2


def test_service_connect_client_publishes_nothing() -> None:
    doc = built(env_with(api=web(discovery={"mode": "service-connect-client"})))
    config = props(doc, "Service")["ServiceConnectConfiguration"]
    assert "Services" not in config
    assert len(props(doc, "TaskSecurityGroup")["SecurityGroupIngress"]) == 1  # the ALB only
    assert "DiscoveryEndpoint" not in doc["Outputs"]


def test_discovery_helpers() -> None:
    env = env_with(api=web(discovery={"mode": "cloud-map", "container": "app"}))
    svc = env.services["api"]
    assert discovery.published_port(svc) == 8080
    assert discovery.published_host(env, svc) == "api.test.demo.internal"
    assert discovery.endpoint(env, svc) == "api.test.demo.internal:8080"
    assert discovery.port_mapping_name(svc, svc.containers[0], 8080) is None  # cloud-map needs no port name


def test_every_task_joins_the_service_clients_group() -> None:
    doc = built(env_with(api=web()))
    groups = props(doc, "Service")["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
    assert groups == [{"Ref": "TaskSecurityGroup"}, CLIENTS_SG]
    cluster = to_dict(build_cluster(env_with(api=web())))
    assert cluster["Resources"]["ServiceClientsSecurityGroup"]["Type"] == "AWS::EC2::SecurityGroup"
    export = cluster["Outputs"]["ServiceClientsSecurityGroup"]["Export"]["Name"]
    assert export == {"Fn::Sub": "${ExportPrefix}-ServiceClientsSecurityGroup"}


# --- multi-container tasks ----------------------------------------------------------------------


def test_container_order_checks_and_commands() -> None:
    containers = [
        {"name": "migrate", "image": IMAGE, "essential": False, "command": ["npm", "run", "migrate"]},
        {
            "name": "app",
            "image": IMAGE,
            "port": 8080,
            "extra_ports": [9090],
            "entrypoint": ["node"],
            "command": ["server.js"],
            "depends_on": {"migrate": "SUCCESS", "redis": "HEALTHY"},
        },
        {
            "name": "redis",
            "image": "redis:7",
            "port": 6379,
            "health_check": {"command": ["CMD", "redis-cli", "ping"], "interval": 10, "retries": 5, "start_period": 5},
        },
    ]
    doc = built(env_with(api=web(containers=containers, target_container="app", target_port=8080)))
    defs = {c["Name"]: c for c in props(doc, "TaskDefinition")["ContainerDefinitions"]}
    assert defs["migrate"]["Essential"] is False and defs["migrate"]["Command"] == ["npm", "run", "migrate"]
    app = defs["app"]
    assert app["EntryPoint"] == ["node"] and app["Command"] == ["server.js"]
    assert app["DependsOn"] == [
        {"ContainerName": "migrate", "Condition": "SUCCESS"},
        {"ContainerName": "redis", "Condition": "HEALTHY"},
    ]
    assert [m["ContainerPort"] for m in app["PortMappings"]] == [8080, 9090]
    assert defs["redis"]["HealthCheck"] == {
        "Command": ["CMD", "redis-cli", "ping"],
        "Interval": 10,
        "Timeout": 5,
        "Retries": 5,
        "StartPeriod": 5,
    }
    assert "HealthCheck" not in app and "DependsOn" not in defs["redis"]


def test_alb_traffic_goes_to_the_chosen_container_and_port() -> None:
    containers = [
        {"name": "sidecar", "image": IMAGE, "port": 2000},
        {"name": "app", "image": IMAGE, "port": 8080, "extra_ports": [8443]},
    ]
    doc = built(env_with(api=web(containers=containers, target_container="app", target_port=8443)))
    assert props(doc, "Service")["LoadBalancers"][0] | {"TargetGroupArn": None} == {
        "ContainerName": "app",
        "ContainerPort": 8443,
        "TargetGroupArn": None,
    }
    assert props(doc, "TargetGroup")["Port"] == 8443
    (ingress,) = props(doc, "TaskSecurityGroup")["SecurityGroupIngress"]
    assert ingress["FromPort"] == ingress["ToPort"] == 8443


# --- operations ---------------------------------------------------------------------------------


def test_operations_toggles() -> None:
    containers = [
        {"name": "app", "image": IMAGE, "port": 8080},
        {"name": "tmp", "image": IMAGE, "readonly_root_filesystem": False},
    ]
    doc = built(
        env_with(
            api=web(
                containers=containers,
                readonly_root_filesystem=True,
                ephemeral_storage=50,
                stop_timeout=90,
                deployment={"min_healthy_percent": 50, "max_percent": 150},
                target_group={"deregistration_delay": 15, "stickiness": 3600},
            )
        )
    )
    task_def = props(doc, "TaskDefinition")
    assert task_def["EphemeralStorage"] == {"SizeInGiB": 50}
    app, tmp = task_def["ContainerDefinitions"]
    assert app["ReadonlyRootFilesystem"] is True and "ReadonlyRootFilesystem" not in tmp
    assert app["StopTimeout"] == tmp["StopTimeout"] == 90
    deployment = props(doc, "Service")["DeploymentConfiguration"]
    assert (deployment["MinimumHealthyPercent"], deployment["MaximumPercent"]) == (50, 150)
    attributes = {a["Key"]: a["Value"] for a in props(doc, "TargetGroup")["TargetGroupAttributes"]}
    assert attributes == {
        "deregistration_delay.timeout_seconds": "15",
        "stickiness.enabled": "true",
        "stickiness.type": "lb_cookie",
        "stickiness.lb_cookie.duration_seconds": "3600",
    }


def test_target_group_defaults_keep_one_attribute() -> None:
    svc = env_with(api=web()).services["api"]
    t = Template()
    load_balancing.add_target_group(t, env_with(api=web()), svc, 8080)
    attributes = to_dict(t)["Resources"]["TargetGroup"]["Properties"]["TargetGroupAttributes"]
    assert attributes == [{"Key": "deregistration_delay.timeout_seconds", "Value": "60"}]


def test_ecs_exec_turns_on_and_gets_exactly_its_channels() -> None:
    doc = built(env_with(api=web(ecs_exec=True)))
    assert props(doc, "Service")["EnableExecuteCommand"] is True
    assert props(doc, "TaskDefinition")["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}
    (policy,) = props(doc, "TaskRole")["Policies"]
    assert policy["PolicyName"] == "ecs-exec"
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Resource"] == ["*"]
    assert sorted(statement["Action"]) == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]


def test_no_exec_no_task_role_by_default() -> None:
    doc = built(env_with(api=web()))
    assert "TaskRole" not in doc["Resources"] and "EnableExecuteCommand" not in props(doc, "Service")


# --- IAM ----------------------------------------------------------------------------------------


def test_task_role_from_statements_and_managed_policies() -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    role = {
        "statements": [
            {"sid": "Orders", "actions": ["dynamodb:GetItem", "dynamodb:Query"], "resources": [table]},
            {"effect": "Deny", "actions": ["s3:DeleteObject"], "resources": ["arn:aws:s3:::menu/*"]},
        ],
        "managed_policy_arns": ["arn:aws:iam::123456789012:policy/send-mail"],
    }
    doc = built(env_with(api=web(task_role=role)))
    task_role = props(doc, "TaskRole")
    assert task_role["ManagedPolicyArns"] == ["arn:aws:iam::123456789012:policy/send-mail"]
    (policy,) = task_role["Policies"]
    orders, deny = policy["PolicyDocument"]["Statement"]
    assert orders == {
        "Sid": "Orders",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:Query"],
        "Resource": [table],
    }
    assert deny["Effect"] == "Deny" and deny["Sid"] == "Params2"


def test_task_role_reasons_go_into_the_role_metadata() -> None:
    role = {
        "statements": [
            {"sid": "Traces", "actions": ["xray:PutTraceSegments"], "resources": ["*"], "reason": "X-Ray: no ARNs"},
            {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::menu/*"]},
        ]
    }
    resource = built(env_with(api=web(task_role=role)))["Resources"]["TaskRole"]
    assert resource["Metadata"]["StatementReasons"] == {"PolicyName": "app", "Reasons": {"Traces": "X-Ray: no ARNs"}}
    sids = [s["Sid"] for s in resource["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]]
    assert sids == ["Traces", "Params2"]
    without_reasons = built(env_with(api=web(task_role={"statements": role["statements"][1:]})))
    assert "StatementReasons" not in without_reasons["Resources"]["TaskRole"]["Metadata"]


def test_task_role_true_is_an_empty_role() -> None:
    doc = built(env_with(api=web(task_role=True)))
    role = props(doc, "TaskRole")
    assert "Policies" not in role and "ManagedPolicyArns" not in role


def test_execution_role_reads_a_secret_by_its_arn_even_with_a_json_key() -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
    containers = [{"name": "app", "image": IMAGE, "port": 8080, "secrets": {"PASSWORD": f"{secret}:password::"}}]
    doc = built(env_with(api=web(containers=containers)))
    statements = props(doc, "ExecutionRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert next(s for s in statements if s["Sid"] == "ReadOwnSecrets")["Resource"] == [secret]
    assert iam.secret_resource("arn:aws:ssm:eu-west-1:123456789012:parameter/a/b") == (
        "arn:aws:ssm:eu-west-1:123456789012:parameter/a/b"
    )


@pytest.mark.parametrize(
    ("region", "registry", "arn"),
    [
        ("eu-west-1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "arn:aws:ecr:eu-west-1"),
        ("cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "arn:aws-cn:ecr:cn-north-1"),
        ("us-gov-west-1", "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com", "arn:aws-us-gov:ecr:us-gov-west-1"),
    ],
)
def test_ecr_repository_arns_use_the_registry_partition(region: str, registry: str, arn: str) -> None:
    containers = [{"name": "app", "image": f"{registry}/shop/api", "port": 8080}]
    svc = make_env(region=region, services={"api": web(containers=containers)}).services["api"]
    assert iam.ecr_repository_arns(svc) == [f"{arn}:123456789012:repository/shop/api"]


@pytest.mark.parametrize(
    ("value_from", "resource", "ecs_value_from"),
    [
        ("secret:shop/dev/jwt-AbCdEf", "secret:shop/dev/jwt-AbCdEf", "secret:shop/dev/jwt-AbCdEf"),  # complete ARN
        ("secret:db-AbCdEf:password::", "secret:db-AbCdEf", "secret:db-AbCdEf:password::"),
        ("secret:shop/dev/jwt-??????", "secret:shop/dev/jwt-??????", "secret:shop/dev/jwt"),  # marked partial ARN
        ("secret:shop/dev/jwt-??????:password::", "secret:shop/dev/jwt-??????", "secret:shop/dev/jwt:password::"),
        ("secret:db-pw-??????:password:AWSCURRENT:", "secret:db-pw-??????", "secret:db-pw:password:AWSCURRENT:"),
        # A name that itself ends like a suffix is no longer guessed at: unmarked means complete.
        ("secret:app/api-key-v2-prod1", "secret:app/api-key-v2-prod1", "secret:app/api-key-v2-prod1"),
    ],
)
def test_secret_arns_are_granted_as_written(value_from: str, resource: str, ecs_value_from: str) -> None:
    """Secrets Manager ARNs end in -<6 random characters>; a partial ARN says so with -?????? (L015)."""
    prefix = "arn:aws:secretsmanager:eu-west-1:123456789012:"
    assert iam.secret_resource(prefix + value_from) == prefix + resource
    assert secret_value_from(prefix + value_from) == prefix + ecs_value_from


def test_execution_role_reads_a_secret_given_by_a_marked_partial_arn() -> None:
    partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/dev/jwt"
    containers = [{"name": "app", "image": IMAGE, "port": 8080, "secrets": {"JWT": partial + "-??????"}}]
    doc = built(env_with(api=web(containers=containers)))
    statements = props(doc, "ExecutionRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert next(s for s in statements if s["Sid"] == "ReadOwnSecrets")["Resource"] == [partial + "-??????"]
    secrets = props(doc, "TaskDefinition")["ContainerDefinitions"][0]["Secrets"]
    assert secrets == [{"Name": "JWT", "ValueFrom": partial}]  # ECS itself resolves the partial ARN


# --- DNS ----------------------------------------------------------------------------------------


def test_alias_records_for_every_routed_host_by_default() -> None:
    routes = [{"host": "pizza.example.com"}, {"host": "*.pizza.example.com"}, {"path": "/legacy"}]
    doc = built(env_with(api=web(routes=routes, dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"})))
    records = of_type(doc, "AWS::Route53::RecordSet")
    assert set(records) == {alias_logical_id("pizza.example.com"), alias_logical_id("*.pizza.example.com")}
    assert alias_logical_id("pizza.example.com").startswith("AliasPizzaExampleCom")
    assert alias_logical_id("*.pizza.example.com").startswith("AliasWildcardPizzaExampleCom")
    record = records[alias_logical_id("pizza.example.com")]["Properties"]
    assert record["Name"] == "pizza.example.com"
    assert record["Type"] == "A" and record["HostedZoneId"] == "Z0123456789ABCDEFGHIJ"
    assert record["AliasTarget"] == {
        "DNSName": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-AlbDnsName"}},
        "HostedZoneId": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-AlbCanonicalHostedZoneId"}},
        "EvaluateTargetHealth": True,
    }


def test_alias_records_for_listed_hosts_only() -> None:
    routes = [{"host": "a.example.com"}, {"host": "b.example.com"}]
    env = env_with(api=web(routes=routes, dns={"hosted_zone_id": "Z1", "hosts": ["b.example.com"]}))
    t = Template()
    records = dns.add_alias_records(t, env.services["api"])
    assert [r.title for r in records] == [alias_logical_id("b.example.com")]
    assert dns.add_alias_records(Template(), env_with(api=web()).services["api"]) == []


@pytest.mark.parametrize(
    "hosts",
    [
        ["a-b.example.com", "a.b.example.com"],  # both read ABExampleCom
        ["*.example.com", "wildcard.example.com"],  # both read WildcardExampleCom
        ["a1.example.com", "a.1.example.com"],
    ],
)
def test_hosts_that_read_alike_get_distinct_alias_records(hosts: list[str]) -> None:
    """The reviewer's repro: these built to one logical id and troposphere raised "duplicate key"."""
    routes = [{"host": host} for host in hosts]
    doc = built(env_with(api=web(routes=routes, dns={"hosted_zone_id": "Z1"})))
    records = of_type(doc, "AWS::Route53::RecordSet")
    assert sorted(r["Properties"]["Name"] for r in records.values()) == sorted(hosts)


# --- whole environments -------------------------------------------------------------------------

KITCHEN_SINK = Path(__file__).parent / "fixtures" / "capabilities.yaml"


def test_kitchen_sink_env_is_cfn_lint_clean_and_wired(tmp_path: Path) -> None:
    """Combinations the shipped files don't show (HTTP + DNS, Deny, at(), wildcard alias) lint clean too."""
    env = load_environment(KITCHEN_SINK)
    out = tmp_path / "sink"
    findings: list = []
    assert write_folder(out, env, build_all(env), lambda folder: not findings.extend(check_folder(folder, env.region)))
    assert findings == []


def test_shipped_params_use_every_capability() -> None:
    services: list[Service] = []
    for path in sorted(p for p in PARAMS_DIR.glob("*.yaml") if not p.name.endswith(".lock.yaml")):
        services += load_environment(path).services.values()
    tracking = [s.scaling.target_tracking for s in services if s.scaling and s.scaling.target_tracking]
    conditions = {cond for s in services for c in s.containers for cond in c.depends_on.values()}
    used = {
        "kind web": any(s.kind == "web" for s in services),
        "kind worker": any(s.kind == "worker" for s in services),
        "kind scheduled": any(s.kind == "scheduled" for s in services),
        "target tracking cpu": any(t.cpu for t in tracking),
        "target tracking memory": any(t.memory for t in tracking),
        "target tracking requests": any(t.requests_per_target for t in tracking),
        "step scaling": any(s.scaling and s.scaling.step for s in services),
        "scheduled scaling": any(s.scaling and s.scaling.schedules for s in services),
        "spot with base": any(s.capacity.uses_spot and s.capacity.on_demand_base for s in services),
        "spot only": any(s.capacity.uses_spot and not s.capacity.on_demand_weight for s in services),
        "cloud map": any(s.discovery and s.discovery.mode == "cloud-map" for s in services),
        "service connect": any(s.discovery and s.discovery.mode == "service-connect" for s in services),
        "service connect client": any(s.discovery and s.discovery.mode == "service-connect-client" for s in services),
        "depends_on": {"HEALTHY", "SUCCESS"} <= conditions,
        "container health check": any(c.health_check for s in services for c in s.containers),
        "non-essential container": any(not c.essential for s in services for c in s.containers),
        "command and entrypoint": any(c.command and c.entrypoint for s in services for c in s.containers),
        "target container and port": any(s.target_container and s.target_port for s in services),
        "arm64": any(s.architecture == "arm64" for s in services),
        "route 53 alias": any(s.dns for s in services),
        "ecs exec": any(s.ecs_exec for s in services),
        "readonly root": any(s.readonly_root_filesystem for s in services),
        "ephemeral storage": any(s.ephemeral_storage for s in services),
        "stop timeout": any(s.stop_timeout for s in services),
        "deregistration delay": any(s.target_group.deregistration_delay != 60 for s in services),
        "stickiness": any(s.target_group.stickiness for s in services),
        "deployment percents": any(s.deployment.min_healthy_percent != 100 for s in services),
        "task role statements": any(s.task_role and s.task_role.statements for s in services),
        "task role managed policies": any(s.task_role and s.task_role.managed_policy_arns for s in services),
        "task role reason": any(s.task_role and any(st.reason for st in s.task_role.statements) for s in services),
        "secrets": any(c.secrets for s in services for c in s.containers),
    }
    assert [name for name, ok in used.items() if not ok] == []
