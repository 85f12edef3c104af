"""The review: property-level rows, what counts as risky, and how it reads on a terminal and in files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.console import Console

from deployer.review.parameter_changes import kept_values
from deployer.review.resource_changes import resource_changes
from deployer.review.stack_review import ExportChange, ParameterChange, Result, Review, StackReview
from deployer.run.inputs import StackInput
from deployer.view.review_files import write_reports
from deployer.view.terminal import resource_table, stack_block
from tests.changeset_fixtures import IMAGE_TAG_CHANGE, change, detail, image_and_listener_review, target

ROOT = Path(__file__).resolve().parent.parent

CHANGE_SET = {
    "Changes": [
        IMAGE_TAG_CHANGE,
        change(
            "Modify",
            "Service",
            "AWS::ECS::Service",
            Replacement="Conditional",
            Scope=["Properties", "Tags"],
            Details=[
                detail(target("TaskDefinition", "Never"), "ResourceReference", "TaskDefinition", "Dynamic"),
                detail(target("NetworkConfiguration", "Conditionally"), "DirectModification"),
                detail(target(None, "Never", "Tags"), "DirectModification"),
            ],
        ),
        change("Remove", "TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup"),
        change("Add", "LogGroup", "AWS::Logs::LogGroup"),
    ]
}


def reviewed() -> StackReview:
    review = StackReview("svc-auth", "shop-dev-svc-auth", "UPDATE", Result.CHANGES, change_set_name="fargate-stacks-x")
    review.resources = resource_changes(CHANGE_SET)
    review.parameters = [ParameterChange("ImageTag", "1.0.0", "1.2.3", "--set")]
    review.exports = [ExportChange("shop-dev-X", "removed", "gone", ["shop-dev-y"])]
    return review


def test_rows_carry_property_names_what_they_force_and_what_caused_them() -> None:
    rows = {r.logical_id: r for r in resource_changes(CHANGE_SET)}
    assert [r.logical_id for r in resource_changes(CHANGE_SET)] == [
        "TargetGroup",
        "Service",
        "TaskDefinition",
        "LogGroup",
    ]
    assert rows["TaskDefinition"].properties == ["ContainerDefinitions (replaces)"]
    assert rows["TaskDefinition"].causes == ["parameter ImageTag"]
    assert rows["Service"].properties == ["NetworkConfiguration (may replace)", "Tags", "TaskDefinition"]
    assert rows["Service"].causes == ["resource TaskDefinition", "template"]
    assert rows["Service"].scope == ["Properties", "Tags"]


def test_guarded_resources_replaced_maybe_replaced_or_removed_are_risky() -> None:
    rows = {r.logical_id: r.risk for r in resource_changes(CHANGE_SET)}
    assert rows == {
        "TargetGroup": "removes the target group",
        "Service": "may replace the ECS service (Replacement: Conditional)",
        "TaskDefinition": None,  # a new revision on every image: the normal case
        "LogGroup": None,
    }


def _sgr(ansi: str, cell: str) -> set[str]:
    """The SGR codes the terminal is given right before ``cell``'s text."""
    found = re.search(r"\x1b\[([\d;]+)m" + re.escape(cell), ansi)
    assert found, f"{cell!r} is not styled"
    return set(found.group(1).split(";"))


def test_replacement_true_is_red_and_conditional_yellow_on_a_terminal() -> None:
    console = Console(record=True, width=200, force_terminal=True, color_system="standard")
    console.print(resource_table(reviewed()))
    ansi = console.export_text(styles=True)
    assert "41" in _sgr(ansi, "True")  # red background
    assert "43" in _sgr(ansi, "Conditional")  # yellow background: "maybe" must not read as plain text


def test_the_terminal_block_shows_every_part_of_the_review() -> None:
    console = Console(record=True, width=200)
    console.print(stack_block(reviewed()))
    text = console.export_text()
    for expected in (
        "shop-dev-svc-auth (svc-auth)  UPDATE  changes  1 add, 2 modify, 1 remove",
        "ContainerDefinitions (replaces)",
        "Conditional",
        "parameter ImageTag",
        "ImageTag",
        "1.0.0",
        "1.2.3",
        "shop-dev-X",
        "RISK: TargetGroup: removes the target group",
        "RISK: removes export shop-dev-X, imported by shop-dev-y",
    ):
        assert expected in text, expected


def test_files_carry_the_same_review_risks_and_exit_code(tmp_path: Path) -> None:
    review = Review("shop", "dev", "eu-west-1", {"svc-auth": reviewed()})
    write_reports(tmp_path, review, exit_code=3)
    data = json.loads((tmp_path / "review.json").read_text())
    assert data["exit_code"] == 3 and data["risky"] == review.risky and len(data["risky"]) == 3
    assert data["stacks"][0]["resources"][1]["replacement"] == "Conditional"
    md = (tmp_path / "review.md").read_text()
    assert "**Risky changes (not executed: no --allow-replacement):**" in md
    assert "| Modify | Service | AWS::ECS::Service | **Conditional** | Properties, Tags |" in md


def test_review_md_shows_the_environment_diagram_generate_wrote(tmp_path: Path) -> None:
    review = Review("shop", "dev", "eu-west-1", {"svc-auth": reviewed()})
    write_reports(tmp_path, review, exit_code=0)
    assert "```mermaid" not in (tmp_path / "review.md").read_text()  # no diagram.mmd: no section
    (tmp_path / "diagram.mmd").write_text("flowchart LR\n  a --> b\n")
    write_reports(tmp_path, review, exit_code=0)
    assert (tmp_path / "review.md").read_text().endswith("## Environment\n\n```mermaid\nflowchart LR\n  a --> b\n```\n")


def _stack_input(defaults: dict[str, str], overrides: dict[str, str] | None = None) -> StackInput:
    template = {"Parameters": {k: {"Type": "String", "Default": v} for k, v in defaults.items()}}
    return StackInput("svc-auth", "shop-dev-svc-auth", "{}", template, {**defaults, **(overrides or {})},
                      frozenset(overrides or {}))  # fmt: skip


def test_deployed_values_are_kept_while_the_template_default_is_unchanged() -> None:
    deployed_template = {"Parameters": {"ImageTag": {"Default": "1.0.0"}, "DesiredCount": {"Default": 2}}}
    stack = _stack_input({"ImageTag": "1.0.0", "DesiredCount": "2"})
    assert kept_values({"ImageTag": "1.2.3", "DesiredCount": "2"}, deployed_template, stack) == {"ImageTag": "1.2.3"}


def test_an_edited_default_or_a_set_value_wins_over_the_deployed_value() -> None:
    deployed_template = {"Parameters": {"ImageTag": {"Default": "1.0.0"}, "DesiredCount": {"Default": 2}}}
    deployed = {"ImageTag": "1.2.3", "DesiredCount": "5"}
    edited = _stack_input({"ImageTag": "2.0.0", "DesiredCount": "2"}, {"DesiredCount": "3"})
    assert kept_values(deployed, deployed_template, edited) == {}
    assert kept_values(deployed, None, edited) == {}  # no readable deployed template: nothing to compare


def test_the_docs_sample_of_a_cloudformation_change_set_is_what_the_review_prints() -> None:
    console = Console(record=True, width=170)
    console.print(stack_block(image_and_listener_review()))
    printed = "\n".join(line.rstrip() for line in console.export_text().splitlines())
    page = ROOT / "docs" / "review.md"
    assert printed in page.read_text(), f"{page.name}'s CloudFormation-shaped sample is stale: paste this\n" + printed
