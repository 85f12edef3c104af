"""Property values in the review: before -> after per changed property, whole in the files, short on a terminal.

CloudFormation's answer with values is scripted with botocore's Stubber (the
local endpoint gives none); that an endpoint without values gets a note
instead of blank cells is checked against the real moto endpoint in
``tests/test_deploy_lifecycle_e2e.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.stub import ANY, Stubber
from rich.console import Console

from deployer.review.property_values import NO_VALUES_NOTE, attach_values, label
from deployer.review.resource_changes import resource_changes
from deployer.review.stack_review import Result, Review, StackReview
from deployer.run.plan_stack import plan_stack
from deployer.view.review_files import write_reports
from deployer.view.terminal import stack_block
from deployer.view.value_rows import shorten
from tests.changeset_fixtures import (
    IMAGE_TAG_CHANGE,
    IMAGE_TAG_CHANGE_WITH_VALUES,
    NEW_IMAGE,
    OLD_IMAGE,
    change_set_id,
    described,
    stub_update_up_to_change_set,
)
from tests.test_deploy_failures import context


def plan_auth(dev: Path, cfn: tuple[Any, Stubber], changes: list[dict[str, Any]]) -> StackReview:
    """Plan svc-auth's update; the read of the change set must ask for property values."""
    client, stub = cfn
    name = "shop-dev-svc-auth"
    stub_update_up_to_change_set(stub, name, (dev / "svc-auth.json").read_text())
    stub.add_response(  # ready: the answer is also the read
        "describe_change_set",
        described(name, changes),
        {"ChangeSetName": change_set_id(name), "IncludePropertyValues": True},
    )
    return plan_stack(context(dev, client), "svc-auth")


def test_an_image_change_reads_old_image_to_new_image(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    review = plan_auth(dev, cfn, [IMAGE_TAG_CHANGE_WITH_VALUES])

    (row,) = review.resources
    assert [(v.label, v.before, v.after) for v in row.values] == [("image (container app)", OLD_IMAGE, NEW_IMAGE)]
    assert NO_VALUES_NOTE not in review.all_notes


def test_an_answer_without_values_says_so_instead_of_blank_cells(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    review = plan_auth(dev, cfn, [IMAGE_TAG_CHANGE])

    assert review.resources[0].values == []
    assert NO_VALUES_NOTE in review.all_notes


def image_review() -> StackReview:
    answer = {"Changes": [IMAGE_TAG_CHANGE_WITH_VALUES]}
    review = StackReview("svc-auth", "shop-dev-svc-auth", "UPDATE", Result.CHANGES, change_set_name="cs")
    review.resources = resource_changes(answer)
    review.notes += attach_values(review.resources, answer)
    return review


def test_the_terminal_shortens_values_and_the_files_keep_them_whole(tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    console.print(stack_block(image_review()))
    printed = console.export_text()
    assert f"{shorten(OLD_IMAGE)} → {shorten(NEW_IMAGE)}" in printed
    assert OLD_IMAGE not in printed and shorten(NEW_IMAGE).endswith(":1.2.3")  # the tag stays visible

    write_reports(tmp_path, Review("shop", "dev", "eu-west-1", {"svc-auth": image_review()}), exit_code=0)
    md = (tmp_path / "review.md").read_text()
    assert f"| TaskDefinition | image (container app) | {OLD_IMAGE} → {NEW_IMAGE} |" in md
    data = json.loads((tmp_path / "review.json").read_text())
    (value,) = data["stacks"][0]["resources"][0]["values"]
    assert (value["before"], value["after"], value["path"]) == (
        OLD_IMAGE,
        NEW_IMAGE,
        "/Properties/ContainerDefinitions/0/Image",
    )


def test_paths_read_as_property_names() -> None:
    assert label("/Properties/ContainerDefinitions/1/Environment/0/Value", {}) == (
        "ContainerDefinitions[1].Environment[0].Value"
    )
    assert label("/Properties/ContainerDefinitions/2/Image", {}) == "image (container #2)"
    assert shorten("x" * 100, 11) == "xxxxx…xxxxx"
    assert shorten("short") == "short" and shorten(None) == "(none)"


def test_a_value_resolved_only_while_executing_is_named_not_left_blank() -> None:
    dynamic = {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": "Service",
            "ResourceType": "AWS::ECS::Service",
            "Details": [
                {
                    "Evaluation": "Dynamic",
                    "ChangeSource": "ResourceReference",
                    "Target": {"Attribute": "Properties", "Name": "TaskDefinition", "RequiresRecreation": "Never",
                               "Path": "/Properties/TaskDefinition", "BeforeValue": "arn:task:1"},
                }
            ],
        },
    }  # fmt: skip
    rows = resource_changes({"Changes": [dynamic]})
    assert attach_values(rows, {"Changes": [dynamic]}) == []
    assert [(v.label, v.before, v.after) for v in rows[0].values] == [
        ("TaskDefinition", "arn:task:1", "(known after execution)")
    ]
    dynamic["ResourceChange"]["Details"][0]["Target"]["AfterValue"] = "{{changeSet:KNOWN_AFTER_APPLY}}"
    rows = resource_changes({"Changes": [dynamic]})
    attach_values(rows, {"Changes": [dynamic]})
    assert rows[0].values[0].after == "(known after execution)"


def test_stubbed_reads_ask_for_values_on_every_page(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    """A paginated answer: the second page is asked for with the flag too (the paginator keeps it)."""
    client, stub = cfn
    name = "shop-dev-svc-auth"
    stub_update_up_to_change_set(stub, name, (dev / "svc-auth.json").read_text())
    stub.add_response("describe_change_set", described(name, [], NextToken="p2"), {"ChangeSetName": ANY,
                      "IncludePropertyValues": True})  # fmt: skip
    stub.add_response(
        "describe_change_set",
        described(name, [IMAGE_TAG_CHANGE_WITH_VALUES]),
        {"ChangeSetName": ANY, "IncludePropertyValues": True, "NextToken": "p2"},
    )
    review = plan_stack(context(dev, client), "svc-auth")
    assert review.resources[0].values[0].after == NEW_IMAGE
