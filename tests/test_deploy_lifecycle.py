"""Lifecycle pieces without an endpoint: how prune and teardown recognise an environment's stacks and order
their deletion, the teardown flags, and drift (moto has no drift API: botocore's Stubber plays CloudFormation)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from rich.console import Console

import deploy
from deployer.review.lifecycle import PropertyDrift, ResourceDrift, StackDrift
from deployer.review.stack_review import ResourceChange, Result, Review, StackReview
from deployer.run.deploy import exit_code
from deployer.run.drift import detect, mark_overwritten
from deployer.run.inputs import load_deployment
from deployer.run.inventory import (
    LiveStack,
    _belongs,
    deletion_dependencies,
    description_prefix,
    outside_importers,
    stack_tags,
)
from deployer.run.prune import plan_removals
from deployer.run.walk import walk
from deployer.view.review_files import write_reports
from deployer.view.terminal import show_review
from tests.changeset_fixtures import T0, stack_id
from tests.test_deploy_failures import context


def test_stack_tags_are_the_tags_every_generated_resource_carries(shipped_outputs: dict[str, Path]) -> None:
    """Prune finds stacks by these: the same keys and values the templates put on their resources."""
    manifest = json.loads((shipped_outputs["dev"] / "manifest.json").read_text())
    network = json.loads((shipped_outputs["dev"] / "network.json").read_text())
    vpc = next(r for r in network["Resources"].values() if r["Type"] == "AWS::EC2::VPC")
    resource_tags = {t["Key"]: t["Value"] for t in vpc["Properties"]["Tags"]}
    wanted = {t["Key"]: t["Value"] for t in stack_tags(manifest["project"], manifest["environment"])}
    assert wanted.items() <= resource_tags.items() and len(wanted) == 2


def test_every_generated_template_starts_with_the_description_untagged_stacks_are_found_by(
    shipped_outputs: dict[str, Path],
) -> None:
    for folder in shipped_outputs.values():
        manifest = json.loads((folder / "manifest.json").read_text())
        prefix = description_prefix(manifest["project"], manifest["environment"])
        for spec in manifest["stacks"].values():
            assert json.loads((folder / spec["template"]).read_text())["Description"].startswith(prefix)


def test_tags_decide_and_the_description_counts_only_without_them() -> None:
    tagged = {"Tags": stack_tags("shop", "dev"), "Description": "anything"}
    other_env = {"Tags": stack_tags("shop", "prod"), "Description": description_prefix("shop", "dev") + "x"}
    untagged = {"Description": description_prefix("shop", "dev") + "network"}
    assert _belongs(tagged, "shop", "dev") == "tags"
    assert _belongs(other_env, "shop", "dev") == ""  # the tags say prod: the description does not override them
    assert _belongs(untagged, "shop", "dev") == "description"
    assert _belongs({"Description": "fargate-stacks shop/devel: x"}, "shop", "dev") == ""


def test_importers_are_deleted_before_the_stacks_they_import_from() -> None:
    stacks = {
        "net": LiveStack("net", "id-net", "CREATE_COMPLETE", ["Vpc"]),
        "alb": LiveStack("alb", "id-alb", "CREATE_COMPLETE", ["Listener"]),
        "svc": LiveStack("svc", "id-svc", "CREATE_COMPLETE", []),
    }
    imported_by = {"Vpc": ["alb", "svc", "outside"], "Listener": ["svc"]}
    order: list[str] = []
    walk(deletion_dependencies(stacks, imported_by), order.append, workers=1)
    assert order == ["svc", "alb", "net"]
    assert outside_importers(stacks["net"], imported_by, stacks) == {"Vpc": ["outside"]}


@pytest.mark.parametrize(
    "flag", [["--stacks", "alb"], ["--set", "auth.ImageTag=1"], ["--prune"], ["--allow-replacement"]]
)
def test_teardown_refuses_flags_that_choose_or_change_stacks(
    flag: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        deploy.parse_args(["--env", "dev", "--teardown", *flag])
    assert exit_.value.code == 2
    assert f"--teardown deletes the whole environment; it takes no {flag[0]}" in capsys.readouterr().err


# --- drift (botocore's Stubber: the local endpoint has no drift API) -------------------------------------


def drift_context(dev: Path, client: Any) -> Any:
    ctx = context(dev, client)
    ctx.deployment = load_deployment(dev, ["network", "svc-auth"])
    return ctx


def status(detection: str, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "StackId": stack_id("shop-dev-network"),
        "StackDriftDetectionId": detection,
        "DetectionStatus": state,
        "Timestamp": T0,
        **extra,
    }


SUBNET_DRIFT = {
    "StackId": stack_id("shop-dev-network"),
    "LogicalResourceId": "PublicSubnet1",
    "ResourceType": "AWS::EC2::Subnet",
    "StackResourceDriftStatus": "MODIFIED",
    "Timestamp": T0,
    "PropertyDifferences": [
        {"PropertyPath": "/MapPublicIpOnLaunch", "ExpectedValue": "true", "ActualValue": "false",
         "DifferenceType": "NOT_EQUAL"},
    ],
}  # fmt: skip


def test_drifted_properties_are_read_after_a_bounded_parallel_wait(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    stub.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"}, {"StackName": "shop-dev-network"})
    stub.add_client_error(
        "detect_stack_drift", "ValidationError", "Stack with id shop-dev-svc-auth does not exist", 400
    )  # not deployed yet: nothing to check, nothing to say
    stub.add_response("describe_stack_drift_detection_status", status("d-1", "DETECTION_IN_PROGRESS"))
    stub.add_response(
        "describe_stack_drift_detection_status",
        status("d-1", "DETECTION_COMPLETE", StackDriftStatus="DRIFTED"),
        {"StackDriftDetectionId": "d-1"},
    )
    stub.add_response(
        "describe_stack_resource_drifts",
        {"StackResourceDrifts": [SUBNET_DRIFT]},
        {"StackName": "shop-dev-network", "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]},
    )

    found, note = detect(drift_context(dev, client), timeout=5, delay=0)

    assert note == ""
    (network,) = found
    assert (network.key, network.status) == ("network", "DRIFTED"), network.note
    (subnet,) = network.resources
    assert (subnet.logical_id, subnet.status) == ("PublicSubnet1", "MODIFIED")
    assert [(p.path, p.expected, p.actual) for p in subnet.properties] == [("/MapPublicIpOnLaunch", "true", "false")]


def test_no_drift_api_is_one_note_for_the_run_not_a_failure(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    stub.add_client_error("detect_stack_drift", "InvalidAction", "DetectStackDrift is not valid for this endpoint", 400)

    found, note = detect(drift_context(dev, client), timeout=5, delay=0)

    assert found == []  # and no second stack was asked (Stubber fails on any unexpected call)
    assert note == (
        "not checked: DetectStackDrift on shop-dev-network answered InvalidAction: DetectStackDrift is not valid "
        "for this endpoint; --no-drift skips the check"
    )
    assert "\n" not in note


def test_a_detection_still_running_at_the_deadline_is_unknown_not_waited_for(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    client, stub = cfn
    stub.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"})
    stub.add_client_error("detect_stack_drift", "ValidationError", "Stack with id x does not exist", 400)
    stub.add_response("describe_stack_drift_detection_status", status("d-1", "DETECTION_IN_PROGRESS"))

    (network,), _note = detect(drift_context(dev, client), timeout=0, delay=1)

    assert network.status == "UNKNOWN" and "deadline" in network.note


def test_an_incomplete_detection_still_shows_what_it_found(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    client, stub = cfn
    stub.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"})
    stub.add_client_error("detect_stack_drift", "ValidationError", "Stack with id x does not exist", 400)
    reason = "Failed to detect drift on resource [NatGateway]"
    stub.add_response(
        "describe_stack_drift_detection_status", status("d-1", "DETECTION_FAILED", DetectionStatusReason=reason)
    )
    stub.add_response("describe_stack_resource_drifts", {"StackResourceDrifts": [SUBNET_DRIFT]})

    (network,), _note = detect(drift_context(dev, client), timeout=5, delay=0)

    assert network.status == "DRIFTED" and network.note == f"detection incomplete: {reason}"


def drifted_review() -> Review:
    network = StackReview("network", "shop-dev-network", "UPDATE", Result.CHANGES)
    network.resources = [ResourceChange("Modify", "PublicSubnet1", "AWS::EC2::Subnet", "False")]
    review = Review("shop", "dev", "eu-west-1", {"network": network})
    subnet = ResourceDrift("PublicSubnet1", "AWS::EC2::Subnet", "MODIFIED",
                           [PropertyDrift("/MapPublicIpOnLaunch", "true", "false", "NOT_EQUAL")])  # fmt: skip
    table = ResourceDrift("PrivateRouteTable", "AWS::EC2::RouteTable", "DELETED")
    review.lifecycle.drift = [StackDrift("network", "shop-dev-network", "DRIFTED", [subnet, table])]
    mark_overwritten(review)
    return review


def test_the_review_shows_drift_and_which_drifted_resources_this_run_overwrites(tmp_path: Path) -> None:
    review = drifted_review()
    assert [r.overwritten for r in review.lifecycle.drift[0].resources] == [True, False]

    console = Console(record=True, width=220)
    show_review(console, review)
    printed = console.export_text()
    assert "Drift (changed outside CloudFormation)" in printed
    assert "/MapPublicIpOnLaunch" in printed and "true → false" in printed and "overwrites it" in printed
    assert "modify drifted resources (shop-dev-network PublicSubnet1)" in printed

    write_reports(tmp_path, review, 0)
    md = (tmp_path / "review.md").read_text()
    assert (
        "| shop-dev-network | PublicSubnet1 | AWS::EC2::Subnet | MODIFIED | /MapPublicIpOnLaunch | true → false |" in md
    )
    assert "| shop-dev-network | PrivateRouteTable | AWS::EC2::RouteTable | DELETED | - | - | - |" in md
    data = json.loads((tmp_path / "review.json").read_text())
    assert data["drift"][0]["resources"][0]["properties"][0]["actual"] == "false"


def _printed(renderable: Any) -> str:
    console = Console(record=True, width=140)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def test_the_docs_samples_of_values_and_drift_are_what_the_review_prints() -> None:
    from deployer.view.lifecycle_tables import terminal
    from deployer.view.terminal import stack_block
    from tests.test_deploy_values import image_review

    docs = (Path(__file__).resolve().parent.parent / "docs" / "deploy-lifecycle.md").read_text()
    for sample in (_printed(stack_block(image_review())), _printed(terminal(drifted_review().lifecycle))):
        assert sample in docs, "docs/deploy-lifecycle.md is stale: paste this\n" + sample


def test_a_role_that_may_not_list_every_stack_gets_a_note_and_fails_only_with_prune(
    dev: Path, cfn: tuple[Any, Stubber]
) -> None:
    """DescribeStacks without a name needs cloudformation:DescribeStacks on "*", which a scoped role may lack."""
    client, stub = cfn
    denied = "User: arn:aws:iam::123456789012:role/deployer is not authorized to perform: cloudformation:DescribeStacks"
    for _ in range(2):
        stub.add_client_error("describe_stacks", "AccessDenied", denied, 403, expected_params={})

    review = Review("shop", "dev", "eu-west-1", {})
    review.lifecycle.removals, review.lifecycle.prune_note = plan_removals(context(dev, client), prune=False)
    assert review.lifecycle.removals == [] and "could not be listed (An error occurred (AccessDenied)" in (
        review.lifecycle.prune_note
    )
    assert review.lifecycle.failed == []  # a routine deploy goes on

    review.lifecycle.prune = True
    review.lifecycle.removals, review.lifecycle.prune_note = plan_removals(context(dev, client), prune=True)
    assert review.lifecycle.failed and exit_code(review) == 1  # --prune cannot do what it was asked


def test_a_teardown_that_stops_before_any_aws_call_leaves_no_older_review_behind(
    dev: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (dev / "review.json").write_text(json.dumps({"exit_code": 0, "stacks": []}))  # a previous deploy's verdict
    (dev / "review.md").write_text("# Deploy review\n")

    code = deploy.main(["--env", "dev", "--dir", str(dev), "--teardown", "--profile", "no-such-profile"])

    assert code == 2 and "--profile" in capsys.readouterr().err
    assert not (dev / "review.json").exists() and not (dev / "review.md").exists()


def test_a_deletion_that_fails_says_why_in_the_stacks_own_words(dev: Path, cfn: tuple[Any, Stubber]) -> None:
    """DELETE_FAILED ends botocore's stack_delete_complete waiter; the stack's reason is the message."""
    from deployer.review.lifecycle import TO_DELETE, Removal
    from deployer.run.prune import delete_one
    from tests.changeset_fixtures import stack

    client, stub = cfn
    name = "shop-dev-svc-web"
    removal = Removal("svc-web", name, stack_id(name), "CREATE_COMPLETE", "tags", exports=["shop-dev-Web"])
    removal.result = TO_DELETE
    stub.add_client_error("list_imports", "ValidationError", "Export 'shop-dev-Web' is not imported by any stack.", 400)
    stub.add_response("delete_stack", {}, {"StackName": stack_id(name)})
    reason = "The following resource(s) failed to delete: [TargetGroup]."
    stub.add_response("describe_stacks", stack(name, "DELETE_FAILED", StackStatusReason=reason))

    done = delete_one(context(dev, client), removal)

    assert (done.result, done.message) == ("failed", f"DELETE_FAILED: {reason}")


def test_a_negative_drift_timeout_is_a_bad_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        deploy.parse_args(["--env", "dev", "--drift-timeout", "-1"])
    assert exit_.value.code == 2 and "--drift-timeout must be 0 or more" in capsys.readouterr().err
