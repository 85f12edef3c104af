"""CloudFormation answers shaped as botocore parses them, for the Stubber tests and the review tests.

One place for the builders, so a failure-path test and a review test that
talk about the same change set build it the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ACCOUNT = "123456789012"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RUN = "fargate-stacks-test"  # the run's change-set name in the Stubber tests


def stack_id(name: str) -> str:
    return f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/{name}/0f0f0f0f"


def change_set_id(name: str) -> str:
    return f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:changeSet/{RUN}/{name}"


def stack(name: str, status: str, **extra: Any) -> dict[str, Any]:
    """A DescribeStacks answer for one stack."""
    return {
        "Stacks": [{"StackName": name, "StackId": stack_id(name), "StackStatus": status, "CreationTime": T0, **extra}]
    }


def stub_update_up_to_change_set(stub: Any, name: str, deployed_template: str) -> None:
    """The answers a plan of an UPDATE_COMPLETE stack reads before its change set: the stack, no
    leftover change sets, the deployed template, then the new change set's id."""
    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
    stub.add_response("list_change_sets", {"Summaries": []})
    stub.add_response("get_template", {"TemplateBody": deployed_template})
    stub.add_response("create_change_set", {"Id": change_set_id(name), "StackId": stack_id(name)})


def described(
    name: str, changes: list[dict[str, Any]], status: str = "CREATE_COMPLETE", **extra: Any
) -> dict[str, Any]:
    """A DescribeChangeSet answer (one page)."""
    return {
        "ChangeSetName": RUN,
        "ChangeSetId": change_set_id(name),
        "StackId": stack_id(name),
        "StackName": name,
        "CreationTime": T0,
        "Status": status,
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE",
        "Changes": changes,
        **extra,
    }


def change(action: str, logical_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    """One entry of ``Changes``; ``extra``: Replacement, Scope, Details..."""
    return {
        "Type": "Resource",
        "ResourceChange": {"Action": action, "LogicalResourceId": logical_id, "ResourceType": kind, **extra},
    }


def add(logical_id: str, kind: str) -> dict[str, Any]:
    return change("Add", logical_id, kind)


def modify(logical_id: str, kind: str, replacement: str, *details: dict[str, Any]) -> dict[str, Any]:
    return change("Modify", logical_id, kind, Replacement=replacement, Scope=["Properties"], Details=list(details))


def target(name: str | None, recreation: str, attribute: str = "Properties") -> dict[str, str]:
    return {"Attribute": attribute, "RequiresRecreation": recreation, **({"Name": name} if name else {})}


def detail(tgt: dict[str, str], source: str, entity: str = "", evaluation: str = "Static") -> dict[str, Any]:
    out: dict[str, Any] = {"Target": tgt, "Evaluation": evaluation, "ChangeSource": source}
    return {**out, "CausingEntity": entity} if entity else out


# A new image tag: CloudFormation replaces the task definition (a new revision), caused by the parameter.
IMAGE_TAG_CHANGE = change(
    "Modify",
    "TaskDefinition",
    "AWS::ECS::TaskDefinition",
    Replacement="True",
    Scope=["Properties"],
    Details=[detail(target("ContainerDefinitions", "Always"), "ParameterReference", "ImageTag")],
)

# A routine deploy of dev's auth service after the params file bumped its image_tag and the generator moved
# its listener rule onto an imported listener: CloudFormation's answer, as it reports such a change
# (Replacement, property names, what forces them, causing entities).  The second sample in docs/review.md.
IMAGE_AND_LISTENER = {
    "Changes": [
        IMAGE_TAG_CHANGE,
        change(
            "Modify",
            "Service",
            "AWS::ECS::Service",
            Replacement="False",
            Scope=["Properties"],
            Details=[detail(target("TaskDefinition", "Never"), "ResourceReference", "TaskDefinition", "Dynamic")],
        ),
        change(
            "Modify",
            "ListenerRule3f9a2c1e",
            "AWS::ElasticLoadBalancingV2::ListenerRule",
            Replacement="Conditional",
            Scope=["Properties"],
            Details=[detail(target("ListenerArn", "Always"), "DirectModification", evaluation="Dynamic")],
        ),
    ]
}


def image_and_listener_review() -> Any:
    """The StackReview the deployer makes of ``IMAGE_AND_LISTENER`` (docs/review.md's second sample)."""
    from deployer.review.resource_changes import resource_changes
    from deployer.review.stack_review import ParameterChange, Result, StackReview

    review = StackReview("svc-auth", "shop-dev-svc-auth", "UPDATE", Result.CHANGES, change_set_name=RUN)
    review.resources = resource_changes(IMAGE_AND_LISTENER)
    review.parameters = [ParameterChange("ImageTag", "1.0.0", "1.2.3", "template default")]
    return review


# The same image change as CloudFormation describes it with IncludePropertyValues: the detail's Target carries
# the JSON-pointer Path and both values, the resource its properties before and after (as JSON strings).
OLD_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/auth:1.0.0"
NEW_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/auth:1.2.3"


def _task_context(image: str) -> str:
    import json

    return json.dumps({"Properties": {"ContainerDefinitions": [{"Name": "app", "Image": image, "Cpu": 256}]}})


IMAGE_TAG_CHANGE_WITH_VALUES = change(
    "Modify",
    "TaskDefinition",
    "AWS::ECS::TaskDefinition",
    Replacement="True",
    Scope=["Properties"],
    BeforeContext=_task_context(OLD_IMAGE),
    AfterContext=_task_context(NEW_IMAGE),
    Details=[
        {
            **detail(target("ContainerDefinitions", "Always"), "ParameterReference", "ImageTag"),
            "Target": {
                **target("ContainerDefinitions", "Always"),
                "Path": "/Properties/ContainerDefinitions/0/Image",
                "BeforeValue": OLD_IMAGE,
                "AfterValue": NEW_IMAGE,
                "AttributeChangeType": "Modify",
            },
        }
    ],
)
