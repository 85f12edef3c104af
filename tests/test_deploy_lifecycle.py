"""Lifecycle pieces without an endpoint: how prune and teardown recognise an environment's stacks and order
their deletion, the teardown flags, and drift (moto has no drift API: botocore's Stubber plays CloudFormation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import deploy
from deployer.executor import walk
from deployer.inventory import (
    LiveStack,
    _belongs,
    deletion_dependencies,
    description_prefix,
    outside_importers,
    stack_tags,
)


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
