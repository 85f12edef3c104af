"""Failure paths a local endpoint cannot produce, driven through botocore's Stubber.

The deployer's own code runs unchanged; only CloudFormation's answers are
scripted.  ``Stubber`` also fails a test on any call the script does not
expect, so "nothing was changed" is checked, not assumed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from deployer.aws.clients import Clients, Timing
from deployer.review.stack_review import Result, StackReview
from deployer.run.change_set_names import request_token
from deployer.run.context import Context
from deployer.run.execute_stack import Gate, execute_stack
from deployer.run.inputs import load_deployment
from deployer.run.plan_stack import plan_stack
from tests.changeset_fixtures import (
    RUN,
    T0,
    add,
    change_set_id,
    described,
    detail,
    modify,
    stack,
    stack_id,
    stub_update_up_to_change_set,
    target,
)

TAGS = [{"Key": "project", "Value": "shop"}, {"Key": "environment", "Value": "dev"}]  # the stack tags prune finds
FAST = Timing(
    change_set_delay=0, change_set_attempts=3, busy_delay=0, busy_timeout=3, delete_delay=0, poll_min=0, poll_max=0
)


def executed(name: str) -> dict[str, str]:
    """ExecuteChangeSet's parameters: the change set, and this run's token for the stack."""
    return {"ChangeSetName": change_set_id(name), "ClientRequestToken": request_token(RUN, name, "execute")}


def missing(stub: Stubber, operation: str, name: str) -> None:
    stub.add_client_error(operation, "ValidationError", f"Stack with id {name} does not exist", 400)


def all_exports(folder: Path) -> dict[str, dict[str, Any]]:
    """Every export of the folder, as if each stack were deployed (ListExports' shape)."""
    deployment = load_deployment(folder)
    return {
        name: {"Name": name, "Value": f"value-of-{name}", "ExportingStackId": stack_id(deployment.stack_names[key])}
        for name, key in deployment.graph.exporters.items()
    }


def context(folder: Path, client: Any, exports: dict[str, Any] | None = None, **options: Any) -> Context:
    messages: list[str] = []
    ctx = Context(
        Clients(client, s3=None, elbv2=None),
        load_deployment(folder),
        options.pop("timing", FAST),
        "fargate-stacks-test",
        say=messages.append,
        **options,
    )
    ctx.exports = all_exports(folder) if exports is None else exports
    return ctx


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.shown: list[StackReview] = []

    def gate(self, **kwargs: Any) -> Gate:
        return Gate(
            yes=kwargs.get("yes", True),
            allow_replacement=kwargs.get("allow_replacement", False),
            ask=lambda _question: kwargs.get("answer", False),
            show=self.shown.append,
            on_events=lambda _name: self.events.extend,
        )


# --- stack states ----------------------------------------------------------------------------


def test_rollback_complete_is_blocked_with_the_way_out(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    stub.add_response("describe_stacks", stack("shop-dev-alb", "ROLLBACK_COMPLETE"), {"StackName": "shop-dev-alb"})

    review = plan_stack(context(dev, client), "alb")

    assert review.result is Result.BLOCKED
    assert "ROLLBACK_COMPLETE" in review.message and "--recreate-failed" in review.message
    assert "aws cloudformation delete-stack --stack-name shop-dev-alb" in review.message


def test_recreate_failed_deletes_only_when_executing_then_creates(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    ctx = context(dev, client, recreate_failed=True)
    stub.add_response("describe_stacks", stack("shop-dev-alb", "ROLLBACK_COMPLETE"))
    review = plan_stack(ctx, "alb")
    assert (review.action, review.result) == ("RECREATE", Result.PREVIEW)  # nothing deleted by the review
    stub.assert_no_pending_responses()

    alb_changes = [add(lid, spec["Type"]) for lid, spec in ctx.deployment.stacks["alb"].template["Resources"].items()]
    stub.add_response("describe_stacks", stack("shop-dev-alb", "ROLLBACK_COMPLETE"))
    stub.add_response("delete_stack", {}, {"StackName": stack_id("shop-dev-alb")})
    missing(stub, "describe_stacks", "shop-dev-alb")  # the delete waiter: gone
    stub.add_response(
        "create_change_set",
        {"Id": change_set_id("shop-dev-alb"), "StackId": stack_id("shop-dev-alb")},
        {
            "StackName": "shop-dev-alb",
            "ChangeSetName": "fargate-stacks-test",
            "ClientToken": request_token(RUN, "shop-dev-alb", "create"),
            "ChangeSetType": "CREATE",
            "Description": ANY,
            "Parameters": ANY,
            "Capabilities": [],
            "TemplateBody": ANY,
            "Tags": TAGS,
        },
    )
    stub.add_response("describe_change_set", described("shop-dev-alb", alb_changes))  # ready: also the read
    stub.add_response("execute_change_set", {}, executed("shop-dev-alb"))
    stub.add_response("describe_stacks", stack("shop-dev-alb", "CREATE_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": []})

    done = execute_stack(ctx, review, Recorder().gate())

    assert done.result is Result.EXECUTED, done.message
    assert done.all_notes == []  # the preview's notes were about a change set that exists now


def test_create_failed_keeps_its_resources_and_is_updated_even_with_recreate_failed(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    """CREATE_FAILED happens only with rollback disabled: the resources made so far are live."""
    client, stub = cfn
    name = "shop-dev-alb"
    stub.add_response("describe_stacks", stack(name, "CREATE_FAILED"))
    stub.add_response("list_change_sets", {"Summaries": []})
    stub.add_response("get_template", {"TemplateBody": (dev / "alb.json").read_text()})
    expected = {
        "StackName": name,
        "ChangeSetName": RUN,
        "ClientToken": ANY,
        "ChangeSetType": "UPDATE",
        "Description": ANY,
        "Parameters": ANY,
        "Capabilities": [],
        "TemplateBody": ANY,
        "Tags": TAGS,
    }
    stub.add_client_error("create_change_set", "ValidationError", "No updates are to be performed.", 400, expected)

    review = plan_stack(context(dev, client, recreate_failed=True), "alb")

    assert (review.action, review.result) == ("UPDATE", Result.NO_CHANGES)
    assert review.notes[0].startswith(
        "shop-dev-alb is CREATE_FAILED: its last create failed with rollback disabled, so the resources it made "
        "are kept"
    )


def test_update_rollback_failed_explains_continue_update_rollback(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    stub.add_response("describe_stacks", stack("shop-dev-cluster", "UPDATE_ROLLBACK_FAILED"))

    review = plan_stack(context(dev, client), "cluster")

    assert review.result is Result.BLOCKED
    assert "aws cloudformation continue-update-rollback --stack-name shop-dev-cluster" in review.message
    assert "--resources-to-skip" in review.message


def test_a_stack_in_progress_is_waited_for_then_updated(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    """...and real CloudFormation's answer for an unchanged stack, a FAILED change set that "didn't contain
    changes", is "no changes" and deleted.  (moto answers CreateChangeSet with "No updates are to be performed"
    instead: the end-to-end second deploy covers that form.)"""
    client, stub = cfn
    name = "shop-dev-network"
    stub.add_response("describe_stacks", stack(name, "UPDATE_IN_PROGRESS"))
    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))  # settle waiter
    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
    stub.add_response("list_change_sets", {"Summaries": []})
    stub.add_response("get_template", {"TemplateBody": (dev / "network.json").read_text()})
    stub.add_response(
        "create_change_set",
        {"Id": change_set_id(name), "StackId": stack_id(name)},
        {
            "StackName": name,
            "ChangeSetName": ANY,
            "ClientToken": request_token(RUN, name, "create"),
            "ChangeSetType": "UPDATE",
            "Description": ANY,
            "Parameters": [{"ParameterKey": "ExportPrefix", "ParameterValue": "shop-dev"}],
            "Capabilities": [],
            "TemplateBody": ANY,
            "Tags": TAGS,
        },
    )
    reason = "The submitted information didn't contain changes. Submit different information to create a change set."
    stub.add_response("describe_change_set", described(name, [], "FAILED", StatusReason=reason))
    stub.add_response("delete_change_set", {}, {"ChangeSetName": change_set_id(name)})  # cleaned up

    review = plan_stack(context(dev, client), "network")

    assert (review.action, review.result) == ("UPDATE", Result.NO_CHANGES)


def test_a_stack_in_progress_is_refused_when_waiting_is_off(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    stub.add_response("describe_stacks", stack("shop-dev-network", "UPDATE_ROLLBACK_IN_PROGRESS"))

    review = plan_stack(context(dev, client, timing=Timing(busy_timeout=0)), "network")

    assert review.result is Result.BLOCKED
    assert "UPDATE_ROLLBACK_IN_PROGRESS: another operation is changing it" in review.message


def test_only_our_finished_leftover_change_sets_are_deleted_never_one_being_computed(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    """Only provably abandoned change sets go: ours, finished, older than a day (CreationTime, else the name).

    A change set still being computed belongs to a run going on now (moto computes them instantly);
    a younger review may be about to be applied (dddddd: its CreationTime is an hour ago).
    """
    client, stub = cfn
    name = "shop-dev-network"

    def summary(change_set: str, status: str, execution: str, **extra: Any) -> dict[str, Any]:
        return {
            "StackId": stack_id(name),
            "ChangeSetId": f"arn:{change_set}",
            "ChangeSetName": change_set,
            "Status": status,
            "ExecutionStatus": execution,
            **extra,
        }

    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
    young = datetime.now(UTC) - timedelta(hours=1)
    summaries = [
        summary("fargate-stacks-20250101-000000-aaaaaa", "CREATE_COMPLETE", "AVAILABLE"),  # a review, long ago
        summary("fargate-stacks-20250101-000000-bbbbbb", "FAILED", "UNAVAILABLE"),  # nothing to change, long ago
        summary("fargate-stacks-20250101-000000-cccccc", "CREATE_IN_PROGRESS", "UNAVAILABLE"),  # a run right now
        summary("fargate-stacks-20250101-000000-dddddd", "CREATE_COMPLETE", "AVAILABLE", CreationTime=young),
        summary("someone-elses", "CREATE_COMPLETE", "AVAILABLE"),
    ]
    stub.add_response("list_change_sets", {"Summaries": summaries}, {"StackName": stack_id(name)})
    stub.add_response("delete_change_set", {}, {"ChangeSetName": "arn:fargate-stacks-20250101-000000-aaaaaa"})
    stub.add_response("delete_change_set", {}, {"ChangeSetName": "arn:fargate-stacks-20250101-000000-bbbbbb"})
    stub.add_response("get_template", {"TemplateBody": (dev / "network.json").read_text()})
    stub.add_client_error("create_change_set", "ValidationError", "No updates are to be performed.", 400)

    assert plan_stack(context(dev, client), "network").result is Result.NO_CHANGES


# --- execution and root cause ------------------------------------------------------------------


def event(
    logical_id: str,
    status: str,
    minutes: int,
    reason: str = "",
    kind: str = "AWS::ECS::Service",
    stack_name: str = "shop-dev-svc-auth",
    **extra: Any,
) -> dict[str, Any]:
    own = logical_id == stack_name
    return {
        **extra,
        "StackId": stack_id(stack_name),
        "EventId": f"{logical_id}-{status}-{minutes}",
        "StackName": stack_name,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": stack_id(stack_name) if own else f"physical-{logical_id}",
        "ResourceType": "AWS::CloudFormation::Stack" if own else kind,
        "Timestamp": T0 + timedelta(minutes=minutes),
        "ResourceStatus": status,
        "ResourceStatusReason": reason,
    }


def ready(key: str, name: str) -> StackReview:
    return StackReview(
        key,
        name,
        "UPDATE",
        Result.CHANGES,
        change_set_name="fargate-stacks-test",
        change_set_id=change_set_id(name),
        stack_id=stack_id(name),
        created_at=T0,
    )


def test_a_failed_update_names_the_first_failed_resource_of_this_operation(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    name = "shop-dev-svc-auth"
    first_page = [  # newest first, as CloudFormation pages them
        event(name, "UPDATE_ROLLBACK_IN_PROGRESS", 5, "The following resource(s) failed to update: [Service]"),
        event("TaskSecurityGroup", "UPDATE_FAILED", 4, "a later, unrelated failure", "AWS::EC2::SecurityGroup"),
        event("Service", "UPDATE_FAILED", 3, "Invalid request provided: subnet-1 is not in the VPC"),
        # same second as the real failure, and older in the page: a consequence, not the cause
        event(
            "TargetGroup", "UPDATE_FAILED", 3, "Resource update cancelled", "AWS::ElasticLoadBalancingV2::TargetGroup"
        ),
        event("TaskDefinition", "UPDATE_COMPLETE", 2, kind="AWS::ECS::TaskDefinition"),
        event(name, "UPDATE_IN_PROGRESS", 1, "User Initiated"),
        event("Service", "UPDATE_FAILED", -60, "an old failure from last week"),  # before this change set
    ]
    stub.add_response("execute_change_set", {}, executed(name))
    stub.add_response("describe_stacks", stack(name, "UPDATE_ROLLBACK_IN_PROGRESS"))
    stub.add_response("describe_stack_events", {"StackEvents": first_page, "NextToken": "older"})
    stub.add_response("describe_stacks", stack(name, "UPDATE_ROLLBACK_COMPLETE"))
    stub.add_response(
        "describe_stack_events", {"StackEvents": [event(name, "UPDATE_ROLLBACK_COMPLETE", 9), *first_page]}
    )
    recorder = Recorder()

    done = execute_stack(context(dev, client), ready("svc-auth", name), recorder.gate())

    assert done.result is Result.FAILED
    assert done.message.startswith(
        "root cause: Service (AWS::ECS::Service) UPDATE_FAILED: Invalid request provided: subnet-1 is not in the VPC"
    )
    assert "stack is now UPDATE_ROLLBACK_COMPLETE" in done.message
    shown = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in recorder.events]
    assert shown[0] == (name, "UPDATE_IN_PROGRESS") and shown[-1] == (name, "UPDATE_ROLLBACK_COMPLETE")
    assert "an old failure from last week" not in {e["ResourceStatusReason"] for e in recorder.events}


def test_events_of_another_operation_are_left_out_by_their_request_token(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    """An earlier operation ended in the second the change set was made: its failure is not this one's cause."""
    client, stub = cfn
    name = "shop-dev-svc-auth"
    ours = {"ClientRequestToken": request_token(RUN, name, "execute")}
    theirs = {"ClientRequestToken": "console-7d1e0c"}
    history = [  # newest first
        event(name, "UPDATE_ROLLBACK_COMPLETE", 4, **ours),
        event(name, "UPDATE_ROLLBACK_IN_PROGRESS", 3, "The following resource(s) failed to update: [Service]", **ours),
        event("Service", "UPDATE_FAILED", 2, "Invalid request provided: subnet-1 is not in the VPC", **ours),
        event(name, "UPDATE_IN_PROGRESS", 1, "User Initiated", **ours),
        event(name, "UPDATE_ROLLBACK_COMPLETE", 0, **theirs),  # at the change set's creation time
        event("TaskDefinition", "UPDATE_FAILED", 0, "their failure", "AWS::ECS::TaskDefinition", **theirs),
    ]
    stub.add_response("execute_change_set", {}, executed(name))
    stub.add_response("describe_stacks", stack(name, "UPDATE_ROLLBACK_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": history})
    recorder = Recorder()

    done = execute_stack(context(dev, client), ready("svc-auth", name), recorder.gate())

    assert done.message.startswith("root cause: Service (AWS::ECS::Service) UPDATE_FAILED: Invalid request")
    assert {e["ClientRequestToken"] for e in recorder.events} == {ours["ClientRequestToken"]}


def test_a_failure_of_the_stack_itself_is_the_root_cause_when_no_resource_failed(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    """CloudFormation refuses an export in use on the stack's own line, not on a resource's."""
    client, stub = cfn
    name = "shop-dev-network"

    def own(status: str, minutes: int, reason: str = "") -> dict[str, Any]:
        return event(name, status, minutes, reason, stack_name=name)

    in_use = "Export shop-dev-VpcCidr cannot be updated as it is in use by shop-dev-alb"
    history = [  # newest first
        own("UPDATE_ROLLBACK_COMPLETE", 6),
        own("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", 5),
        event("Vpc", "UPDATE_COMPLETE", 4, kind="AWS::EC2::VPC", stack_name=name),
        own("UPDATE_ROLLBACK_IN_PROGRESS", 3, in_use),
        own("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", 2),
        event("Vpc", "UPDATE_COMPLETE", 1, kind="AWS::EC2::VPC", stack_name=name),
        own("UPDATE_IN_PROGRESS", 0, "User Initiated"),
    ]
    stub.add_response("execute_change_set", {}, executed(name))
    stub.add_response("describe_stacks", stack(name, "UPDATE_ROLLBACK_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": history})

    done = execute_stack(context(dev, client), ready("network", name), Recorder().gate())

    assert done.result is Result.FAILED
    assert done.message == (
        f"root cause: {name} (AWS::CloudFormation::Stack) UPDATE_ROLLBACK_IN_PROGRESS: {in_use}"
        " | stack is now UPDATE_ROLLBACK_COMPLETE"
    )


def test_a_deferred_update_with_risky_changes_is_not_executed(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    name = "shop-dev-alb"
    lb = modify(
        "LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "True",
        detail(target("Scheme", "Always"), "DirectModification"),
    )
    stub_update_up_to_change_set(stub, name, (dev / "alb.json").read_text())
    stub.add_response("describe_change_set", described(name, [lb]))
    for export in ("AlbCanonicalHostedZoneId", "AlbDnsName", "AlbFullName"):  # outputs of the replaced ALB
        message = f"Export 'shop-dev-{export}' is not imported by any stack."
        stub.add_client_error(
            "list_imports", "ValidationError", message, 400, expected_params={"ExportName": f"shop-dev-{export}"}
        )
    deferred = StackReview("alb", name, "UPDATE", Result.DEFERRED)
    recorder = Recorder()
    gate = recorder.gate()

    done = execute_stack(context(dev, client), deferred, gate)

    assert done.result is Result.GATED
    assert done.risks == ["LoadBalancer: replaces the load balancer"]
    assert recorder.shown == [done]  # shown to the operator before refusing


# --- exports in use ----------------------------------------------------------------------------


def plan_network_update(dev: Path, cfn: tuple[Any, Stubber], changes: list[dict[str, Any]]) -> Any:
    client, stub = cfn
    name = "shop-dev-network"
    deployed = json.loads((dev / "network.json").read_text())
    # The template or a value must differ from the deployed one for CloudFormation to have changes to show
    # (an identical stack gets no change set at all): here, the template's description.
    deployed["Description"] = "as deployed last week"
    stub.add_response(
        "describe_stacks",
        stack(name, "UPDATE_COMPLETE", Parameters=[{"ParameterKey": "ExportPrefix", "ParameterValue": "shop-dev"}]),
    )
    stub.add_response("list_change_sets", {"Summaries": []})
    stub.add_response("get_template", {"TemplateBody": json.dumps(deployed)})
    stub.add_response("create_change_set", {"Id": change_set_id(name), "StackId": stack_id(name)})
    stub.add_response("describe_change_set", described(name, changes[:1], NextToken="page-2"))  # ready, page 1
    stub.add_response(
        "describe_change_set",
        described(name, changes[1:]),
        {"ChangeSetName": ANY, "IncludePropertyValues": True, "NextToken": "page-2"},
    )
    return client, stub


def test_removing_an_export_another_stack_imports_is_risky(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    exports_before = all_exports(dev)
    network = json.loads((dev / "network.json").read_text())
    del network["Outputs"]["VpcCidr"]  # the generator stops exporting VpcCidr
    client, stub = cfn
    plan_network_update(dev, cfn, [add("Spare", "AWS::EC2::RouteTable")])
    (dev / "network.json").write_text(json.dumps(network))
    stub.add_response("list_imports", {"Imports": ["team-b-database"]}, {"ExportName": "shop-dev-VpcCidr"})

    review = plan_stack(context(dev, client, exports_before), "network")

    assert [(e.name, e.change, e.importers) for e in review.exports] == [
        ("shop-dev-VpcCidr", "removed", ["team-b-database"])
    ]
    assert review.risks == [
        "removes export shop-dev-VpcCidr, imported by team-b-database: CloudFormation refuses to change an export "
        "in use; move those stacks off it first"
    ]


def test_replacing_the_resource_behind_an_export_in_use_is_risky(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    vpc = modify("Vpc", "AWS::EC2::VPC", "True", detail(target("CidrBlock", "Always"), "DirectModification"))
    subnet = modify(
        "PublicSubnet1",
        "AWS::EC2::Subnet",
        "False",
        detail(target("MapPublicIpOnLaunch", "Never"), "DirectModification"),
    )
    plan_network_update(dev, cfn, [vpc, subnet])
    stub.add_client_error(  # asked in export-name order
        "list_imports", "ValidationError", "Export 'shop-dev-VpcCidr' is not imported by any stack.", 400
    )
    stub.add_response(
        "list_imports", {"Imports": ["shop-dev-alb", "shop-dev-svc-auth"]}, {"ExportName": "shop-dev-VpcId"}
    )

    review = plan_stack(context(dev, client), "network")

    assert review.result is Result.CHANGES, review.message
    assert {(e.name, e.change, tuple(e.importers)) for e in review.exports} == {
        ("shop-dev-VpcCidr", "may change", ()),
        ("shop-dev-VpcId", "may change", ("shop-dev-alb", "shop-dev-svc-auth")),
    }
    assert review.risks[0] == "Vpc: replaces the VPC"
    assert review.risks[1].startswith(
        "may change the value of export shop-dev-VpcId, imported by shop-dev-alb, shop-dev-svc-auth"
    )
    assert len(review.risks) == 2  # the subnet is modified in place; VpcCidr has no importer


# --- throttling, below Stubber: the real retry path of a client made by make_clients -------------

THROTTLED = b"""<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
<RequestId>r-1</RequestId></ErrorResponse>"""
STACK = b"""<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
<DescribeStacksResult><Stacks><member><StackName>shop-dev-network</StackName>
<StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-dev-network/1</StackId>
<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus>
</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>
</DescribeStacksResponse>"""


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self.content


def test_throttling_is_retried_by_the_client_not_by_our_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """A throttled answer, then the stack: describe_stack sees only the stack."""
    from botocore.awsrequest import AWSResponse

    from deployer.aws import cloudformation
    from deployer.aws.clients import make_clients

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached: answered below
    client = make_clients(None, "eu-west-1").cloudformation
    answers = [(400, THROTTLED), (200, STACK)]
    sent: list[str] = []

    def answer(request: Any, **_kwargs: Any) -> AWSResponse:
        sent.append(request.url)
        status, body = answers.pop(0)
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Body(body))

    client.meta.events.register("before-send.cloudformation.DescribeStacks", answer)

    found = cloudformation.describe_stack(client, "shop-dev-network")

    assert found is not None and found["StackStatus"] == "UPDATE_COMPLETE"
    assert len(sent) == 2 and all(url.startswith("http://127.0.0.1:9") for url in sent)
    assert client.meta.config.retries["mode"] == "standard"


def test_throttling_that_outlasts_the_retries_is_an_error_not_a_crash(
    dev: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every answer throttled: botocore's retry handler tries max_attempts times, then the stack is an error."""
    from botocore.awsrequest import AWSResponse

    from deployer.aws.clients import make_clients

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached: answered below
    client = make_clients(None, "eu-west-1").cloudformation
    sent: list[str] = []
    slept: list[float] = []

    def throttled(request: Any, **_kwargs: Any) -> AWSResponse:
        sent.append(request.url)
        return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, _Body(THROTTLED))

    client.meta.events.register("before-send.cloudformation.DescribeStacks", throttled)
    # botocore's own pacing, so the test takes no 20 s: the backoff between attempts is recorded instead of
    # slept (a token bucket, had the mode one, would never make a request wait for its next token).
    monkeypatch.setattr("botocore.endpoint.time.sleep", slept.append)
    monkeypatch.setattr("botocore.retries.bucket.TokenBucket._sleep_amount", lambda _self, _amount: 0)

    review = plan_stack(context(dev, client), "network")

    assert review.result is Result.ERROR
    assert "Throttling" in review.message and "reached max retries" in review.message, review.message
    assert len(sent) == client.meta.config.retries["total_max_attempts"]
    assert len(slept) == len(sent) - 1 and max(slept) > 0  # backed off between attempts


def test_a_selected_stack_whose_exporter_is_left_out_and_missing_is_blocked(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    client, stub = cfn
    missing(stub, "describe_stacks", "shop-dev-svc-auth")
    ctx = context(dev, client, exports={})
    ctx.deployment = load_deployment(dev, selection=["svc-auth"])

    review = plan_stack(ctx, "svc-auth")

    assert review.result is Result.BLOCKED
    assert review.message == (
        "imports shop-dev-AlbFullName, which does not exist yet: it comes from alb, which is not among "
        "--stacks; deploy alb first or add it to --stacks"
    )


def test_recreate_never_deletes_a_stack_that_is_no_longer_failed(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    """Between review and execution someone fixed the stack: it must not be deleted."""
    client, stub = cfn
    ctx = context(dev, client, recreate_failed=True)
    stub.add_response("describe_stacks", stack("shop-dev-alb", "ROLLBACK_COMPLETE"))
    review = plan_stack(ctx, "alb")
    stub.add_response("describe_stacks", stack("shop-dev-alb", "CREATE_COMPLETE"))  # no delete_stack may follow

    done = execute_stack(ctx, review, Recorder().gate())

    assert done.result is Result.BLOCKED
    assert done.message == "is CREATE_COMPLETE now, not failed as reviewed; deploy again to review it"


# --- Ctrl-C: nothing new starts ------------------------------------------------------------------


def api_calls(client: Any) -> list[str]:
    """The operations the client is asked for, in order (Stubber answers them; this only records)."""
    calls: list[str] = []
    client.meta.events.register("before-parameter-build.cloudformation", lambda model, **_: calls.append(model.name))
    return calls


def stop_after(client: Any, ctx: Context, operation: str, count: int) -> None:
    """Set the run's stop flag (what Ctrl-C does) when the ``count``-th ``operation`` call returns."""
    seen: list[None] = []

    def interrupt(**_kwargs: Any) -> None:
        seen.append(None)
        if len(seen) == count:
            ctx.stop.set()

    client.meta.events.register(f"after-call.cloudformation.{operation}", interrupt)


def first_create(dev: Path, stub: Stubber, name: str, key: str) -> list[dict[str, Any]]:
    """Stub the start of a late CREATE change set for ``key``; its changes as the preview showed them.

    CreateStack first (a previewed new stack is created directly), refused: a stack of that name appeared
    (a REVIEW_IN_PROGRESS shell, say), so the change set path takes over.  No DescribeStacks: a CREATE change
    set says itself whether it can be made.
    """
    template = load_deployment(dev).stacks[key].template
    stub.add_client_error("create_stack", "AlreadyExistsException", f"Stack [{name}] already exists")
    stub.add_response("create_change_set", {"Id": change_set_id(name), "StackId": stack_id(name)})
    return [add(lid, spec["Type"]) for lid, spec in template["Resources"].items()]


@pytest.mark.parametrize("ready", [False, True], ids=["while-computing", "once-ready"])
def test_ctrl_c_during_a_late_change_set_executes_nothing(dev: Path, cfn: tuple[Any, Stubber], ready: bool) -> None:
    client, stub = cfn
    name = "shop-dev-alb"
    missing(stub, "describe_stacks", name)
    ctx = context(dev, client, exports={})
    preview = plan_stack(ctx, "alb")  # a first deploy: previewed, its change set made during execution
    assert preview.result is Result.PREVIEW
    changes = first_create(dev, stub, name, "alb")
    if ready:
        stub.add_response("describe_change_set", described(name, changes))  # ready, and as previewed
    else:
        stub.add_response("describe_change_set", described(name, changes, "CREATE_IN_PROGRESS"))
    stop_after(client, ctx, "DescribeChangeSet", 1)
    calls = api_calls(client)

    done = execute_stack(ctx, preview, Recorder().gate())

    assert done.result is Result.INTERRUPTED, done.message
    assert "ExecuteChangeSet" not in calls
    assert calls == ["CreateStack", "CreateChangeSet", "DescribeChangeSet"]


def test_ctrl_c_before_a_deferred_change_set_is_admitted_asks_nothing(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    name = "shop-dev-svc-auth"
    stub_update_up_to_change_set(stub, name, (dev / "svc-auth.json").read_text())
    task = modify("TaskDefinition", "AWS::ECS::TaskDefinition", "True")
    stub.add_response("describe_change_set", described(name, [task]))
    ctx = context(dev, client)
    stop_after(client, ctx, "DescribeChangeSet", 1)
    questions: list[str] = []
    recorder = Recorder()
    gate = Gate(False, False, lambda q: questions.append(q) or True, recorder.shown.append, lambda _n: print, ctx.stop)

    done = execute_stack(ctx, StackReview("svc-auth", name, "UPDATE", Result.DEFERRED), gate)

    assert done.result is Result.INTERRUPTED
    assert (questions, recorder.shown) == ([], [])


def test_ctrl_c_before_recreating_a_failed_stack_deletes_nothing(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    ctx = context(dev, client, recreate_failed=True)
    stub.add_response("describe_stacks", stack("shop-dev-alb", "ROLLBACK_COMPLETE"))
    review = plan_stack(ctx, "alb")
    stub.add_response("describe_stacks", stack("shop-dev-alb", "ROLLBACK_COMPLETE"))
    stop_after(client, ctx, "DescribeStacks", 1)  # the stack, checked again before deleting it
    calls = api_calls(client)

    done = execute_stack(ctx, review, Recorder().gate())

    assert done.result is Result.INTERRUPTED
    assert calls == ["DescribeStacks"]


def test_a_previewed_new_stack_is_created_directly_with_what_its_change_set_would_hold(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    """One CreateStack instead of CreateChangeSet, DescribeChangeSet and ExecuteChangeSet: same tags, parameters,
    capabilities, and the run's request token on its events."""
    client, stub = cfn
    name = "shop-dev-svc-auth"
    missing(stub, "describe_stacks", name)
    ctx = context(dev, client, exports={})
    preview = plan_stack(ctx, "svc-auth")  # imports exports no stack has yet: previewed from its template
    assert preview.result is Result.PREVIEW
    stack_in = ctx.deployment.stacks["svc-auth"]
    token = request_token(ctx.change_set_name, name, "execute")
    expected = {
        "StackName": name,
        "ClientRequestToken": token,
        "Capabilities": ["CAPABILITY_IAM"],
        "Tags": [
            {"Key": "project", "Value": "shop"},  # the tags prune and teardown find the stacks by
            {"Key": "environment", "Value": "dev"},
        ],
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(stack_in.parameters.items())],
        "TemplateBody": stack_in.body,
    }
    stub.add_response("create_stack", {"StackId": stack_id(name)}, expected)
    stub.add_response("describe_stacks", stack(name, "CREATE_COMPLETE"))
    stub.add_response(
        "describe_stack_events", {"StackEvents": [event(name, "CREATE_COMPLETE", 2, ClientRequestToken=token)]}
    )
    calls = api_calls(client)

    done = execute_stack(ctx, preview, Recorder().gate())

    assert done.result is Result.EXECUTED, done.message
    assert calls == ["CreateStack", "DescribeStacks", "DescribeStackEvents"]
    assert (done.stack_id, done.change_set_name) == (stack_id(name), None)
