"""Resource import without an endpoint: template values resolved, the import template, the update previewed.

The generated service template is compared with a live service as ECS
describes it (``deployer.review.live_properties``): what changes in place is
listed property by property, and a create-only difference is refused with
both values.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deployer.review.convergence import converge
from deployer.review.live_properties import listener_rule, log_group, service, target_group
from deployer.review.stack_review import ImportedResource, ImportStep
from deployer.view import import_tables
from deployer.view.review_files import markdown_table
from templates.contract.imports import import_template, named_resources
from templates.contract.values import Known, Unknown, export_values, resolve
from templates.pipeline import build_all
from tests.conftest import make_env, web

PREFIX = "shop-dev"
SERVICE_ARN = "arn:aws:ecs:eu-west-1:123456789012:service/demo/auth"
GROUP_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/auth-tg/0123456789abcdef"
LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0a1b2c3d4e5f6071/0a1b2c3d4e5f6072"
EXPORTS = {
    f"{PREFIX}-ClusterName": "demo",
    f"{PREFIX}-VpcId": "vpc-0a1b2c3d4e5f60718",
    f"{PREFIX}-PrivateSubnets": "subnet-0b000000000000001,subnet-0b000000000000002",
    f"{PREFIX}-HttpListenerArn": LISTENER,
}


def test_values_resolve_from_what_is_known_and_say_what_is_not() -> None:
    known = Known(
        parameters={"ExportPrefix": PREFIX},
        pseudo={"AWS::Region": "eu-west-1"},
        refs={"Group": GROUP_ARN},
        attributes={"Service.Name": "auth"},
        exports=EXPORTS,
    )
    assert resolve({"Fn::Sub": "/ecs/${ExportPrefix}-auth"}, known) == "/ecs/shop-dev-auth"
    assert resolve({"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterName"}}, known) == "demo"
    split = {"Fn::Split": [",", {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-PrivateSubnets"}}]}
    assert resolve({"Fn::Select": [1, split]}, known) == "subnet-0b000000000000002"
    assert resolve({"Fn::Join": ["/", ["service", "demo", {"Fn::GetAtt": ["Service", "Name"]}]]}, known) == (
        "service/demo/auth"
    )
    assert resolve({"Ref": "Group"}, known) == GROUP_ARN
    assert resolve({"Ref": "TaskDefinition"}, known) == Unknown("(new TaskDefinition)")
    assert resolve({"Fn::ImportValue": "other-X"}, known) == Unknown("(export other-X)")
    assert isinstance(resolve({"Fn::Sub": "${Role.Arn}"}, known), Unknown)
    assert resolve({"Fn::GetAZs": ""}, known) == Unknown("(Fn::GetAZs)")


def _service_template(**fields: Any) -> dict[str, Any]:
    names = {"service": "auth", "log_group": "/ecs/auth", "task_family": "auth", "target_group": "auth-tg"}
    fields = {"desired_count": 2, **fields}
    env = make_env(
        services={"auth": web(names=names, routes=[{"host": "api.example.com", "path": "/auth*", "priority": 10}],
                              **fields)},
        cluster={"name": "demo"},
    )  # fmt: skip
    return build_all(env)["svc-auth"].to_dict()


def _known(template: dict[str, Any]) -> Known:
    return Known(parameters={"ExportPrefix": PREFIX, "DesiredCount": "2"}, pseudo={"AWS::Region": "eu-west-1"},
                 refs={"TargetGroup": GROUP_ARN, "Service": SERVICE_ARN}, exports=EXPORTS)  # fmt: skip


SUBNETS = ["subnet-0b000000000000002", "subnet-0b000000000000001"]  # the export's, in another order
LIVE_SERVICE = {
    "serviceName": "auth",
    "serviceArn": SERVICE_ARN,
    "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/auth:7",
    "desiredCount": 2,
    "launchType": "FARGATE",
    "platformVersion": "LATEST",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": SUBNETS, "securityGroups": ["sg-0123456789abcdef0"],
                                                     "assignPublicIp": "DISABLED"}},
    "loadBalancers": [{"targetGroupArn": GROUP_ARN, "containerName": "app", "containerPort": 8080}],
    "healthCheckGracePeriodSeconds": 60,
    "propagateTags": "NONE",
}  # fmt: skip
LIVE_GROUP = {"TargetGroupName": "auth-tg", "TargetGroupArn": GROUP_ARN, "Port": 8080, "Protocol": "HTTP",
              "TargetType": "ip", "VpcId": "vpc-0a1b2c3d4e5f60718", "HealthCheckPath": "/health"}  # fmt: skip


def _live(live_service: dict[str, Any] | None = None, group: dict[str, Any] | None = None) -> dict[str, Any]:
    rule = {"Priority": "10", "Actions": [{"Type": "forward", "TargetGroupArn": GROUP_ARN, "Order": 1}],
            "Conditions": [{"Field": "host-header", "Values": ["api.example.com"]},
                           {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/auth*"]}}]}  # fmt: skip
    template = _service_template()
    rule_id = next(k for k, v in template["Resources"].items() if v["Type"].endswith("ListenerRule"))
    return {
        "Service": service(live_service or LIVE_SERVICE, "demo"),
        "TargetGroup": target_group(group or LIVE_GROUP, {}, {}),
        "LogGroup": log_group({"logGroupName": "/ecs/auth", "retentionInDays": 30}, {}),
        rule_id: listener_rule(rule, LISTENER, {}),
    }


def test_the_update_after_the_import_is_previewed_property_by_property() -> None:
    template = _service_template()

    rows, refusals = converge(template, _live(), _known(template), "shop-dev-svc-auth")

    assert refusals == []
    by_id = {row.logical_id: row for row in rows}
    assert by_id["TaskDefinition"].action == "Add" and by_id["ExecutionRole"].action == "Add"
    service_row = by_id["Service"]
    assert (service_row.action, service_row.replacement) == ("Modify", "False")
    values = {v.path: (v.before, v.after) for v in service_row.values}
    assert values["LaunchType"] == ("FARGATE", "(not set)")
    assert values["TaskDefinition"] == ("arn:aws:ecs:eu-west-1:123456789012:task-definition/auth:7",
                                        "(new TaskDefinition)")  # fmt: skip
    assert "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups" in values  # down to the key that differs
    assert "NetworkConfiguration.AwsvpcConfiguration.Subnets" not in values  # same subnets, another order
    assert "DesiredCount" not in values and "ServiceName" not in values
    rule_row = next(row for row in rows if row.resource_type.endswith("ListenerRule"))
    assert [v.path for v in rule_row.values] == ["Tags"]  # conditions, priority and action are the live ones


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"service": {"serviceName": "auth-v1"}},
            "ServiceName is auth-v1 on the live resource and auth in the template",
        ),
        ({"group": {"Port": 80}}, "TargetGroup (AWS::ElasticLoadBalancingV2::TargetGroup): Port is 80 on the live"),
        ({"service": {"roleArn": "arn:aws:iam::123456789012:role/ecsServiceRole"}}, "Role is arn:aws:iam::"),
    ],
    ids=["service name", "target group port", "service role"],
)
def test_a_replacement_of_a_live_resource_is_refused_with_both_values(change: dict[str, Any], words: str) -> None:
    template = _service_template()
    live_service = {**copy.deepcopy(LIVE_SERVICE), **change.get("service", {})}
    group = {**LIVE_GROUP, **change.get("group", {})}

    _rows, refusals = converge(template, _live(live_service, group), _known(template), "shop-dev-svc-auth")

    assert len(refusals) == 1 and words in refusals[0]
    assert "cannot change without CloudFormation replacing the resource" in refusals[0]


def test_target_group_port_in_params_keeps_a_live_port() -> None:
    template = _service_template(target_group={"port": 80})
    _rows, refusals = converge(template, _live(group={**LIVE_GROUP, "Port": 80}), _known(template), "s")
    assert refusals == []


def test_a_template_names_what_it_creates_and_its_import_template_only_imports() -> None:
    template = _service_template()
    known = Known(parameters={"ExportPrefix": PREFIX}, exports=EXPORTS)

    named = {n.logical_id: n.names for n in named_resources(template, known)}

    assert named["LogGroup"] == {"LogGroupName": "/ecs/auth"}
    assert named["Service"] == {"ServiceName": "auth", "Cluster": "demo"}
    assert named["TargetGroup"] == {"Name": "auth-tg"}
    rule = next(v for k, v in named.items() if k.startswith("ListenerRule"))
    assert rule == {"ListenerArn": LISTENER, "Priority": "10"}
    imported = import_template(template, {"LogGroup": {"LogGroupName": "/ecs/auth"}, "Service": {"ServiceName": "a"}})
    assert set(imported["Resources"]) == {"LogGroup", "Service"} and "Outputs" not in imported
    assert imported["Parameters"] == template["Parameters"]
    assert imported["Resources"]["LogGroup"]["DeletionPolicy"] == "Retain"  # the template's own (logs.retain)
    assert imported["Resources"]["Service"]["DeletionPolicy"] == "Retain"  # none of its own: kept while importing
    assert "DependsOn" not in imported["Resources"]["Service"]


def test_exports_of_a_stack_being_imported_are_known_before_it_exists() -> None:
    cluster = build_all(make_env(cluster={"name": "demo"}))["cluster"].to_dict()
    known = Known(parameters={"ExportPrefix": PREFIX}, refs={"Cluster": "demo"})
    values = export_values(cluster, known)
    assert values[f"{PREFIX}-ClusterName"] == "demo"
    assert isinstance(values[f"{PREFIX}-ServiceClientsSecurityGroup"], Unknown)


def test_the_import_step_reads_in_review_md() -> None:
    step = ImportStep([ImportedResource("LogGroup", "AWS::Logs::LogGroup", {"LogGroupName": "/ecs/a"}, "/ecs/a")],
                      ["security group sg-1 (a-sg): delete it once nothing uses it"])  # fmt: skip
    lines = import_tables.markdown(step, markdown_table)
    assert "| LogGroup | AWS::Logs::LogGroup | /ecs/a | LogGroupName=/ecs/a |" in lines
    assert "- left as it is: security group sg-1 (a-sg): delete it once nothing uses it" in lines
    assert import_tables.markdown(None, markdown_table) == []


def test_a_scalable_target_is_named_by_its_service_once_the_service_is_found() -> None:
    template = _service_template(scaling={"min_count": 2, "max_count": 4})
    before = Known(parameters={"ExportPrefix": PREFIX}, exports=EXPORTS)
    after = Known(parameters={"ExportPrefix": PREFIX}, exports=EXPORTS, attributes={"Service.Name": "auth"})

    assert "ScalableTarget" not in {n.logical_id for n in named_resources(template, before)}
    named = {n.logical_id: n.names for n in named_resources(template, after)}

    assert named["ScalableTarget"] == {
        "ResourceId": "service/demo/auth",
        "ScalableDimension": "ecs:service:DesiredCount",
        "ServiceNamespace": "ecs",
    }
