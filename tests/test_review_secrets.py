"""No review output shows secret material: planted values never reach the terminal, review.md or review.json.

The change set is CloudFormation's answer with property values, scripted with
botocore's Stubber (the local endpoint gives no values); the stack's template
is dev's svc-auth with secrets planted the ways a review could meet them:
an environment variable named like a secret, one holding a credential-shaped
value, one resolved from Secrets Manager, a NoEcho parameter and a parameter
named like a secret.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from botocore.stub import Stubber
from rich.console import Console

from deployer.review.stack_review import Review
from deployer.run.plan_stack import plan_stack
from deployer.view.review_files import write_reports
from deployer.view.terminal import show_review
from tests.changeset_fixtures import change, change_set_id, described, stack
from tests.test_deploy_failures import context

PLANTED = {
    "env_old": "hunter2-before-PLANTED",
    "env_new": "hunter2-after-PLANTED",
    "key_old": "AKIAPLANTED0000OLD00",
    "key_new": "AKIAPLANTED0000NEW00",
    "resolved_old": "resolved-before-PLANTED",
    "resolved_new": "resolved-after-PLANTED",
    "param_old": "param-before-PLANTED",
    "param_new": "param-after-PLANTED",
    "noecho": "noecho-PLANTED",
}
NAME = "shop-dev-svc-auth"


def _template(dev: Path, *, old: bool) -> dict[str, Any]:
    template = json.loads((dev / "svc-auth.json").read_text())
    template["Parameters"]["DbPassword"] = {"Type": "String", "Default": PLANTED["param_old" if old else "param_new"]}
    template["Parameters"]["ApiToken"] = {"Type": "String", "NoEcho": True, "Default": PLANTED["noecho"]}
    container = template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    container["Environment"] += [
        {"Name": "DB_PASSWORD", "Value": PLANTED["env_old" if old else "env_new"]},
        {"Name": "SETTINGS", "Value": PLANTED["key_old" if old else "key_new"]},
        {"Name": "DB_URL", "Value": "{{resolve:secretsmanager:shop/db:SecretString:url}}"},
    ]
    return template


def _environment(template: dict[str, Any], resolved: str) -> list[dict[str, Any]]:
    """The container's environment as CloudFormation shows it: the reference resolved."""
    entries = copy.deepcopy(template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0])
    entries = entries["Environment"]
    entries[-1]["Value"] = resolved
    return [{**e, "Value": e["Value"] if isinstance(e["Value"], str) else "nonce"} for e in entries]


def _value_detail(path: str, before: str, after: str) -> dict[str, Any]:
    return {
        "ChangeSource": "DirectModification",
        "Evaluation": "Static",
        "Target": {"Attribute": "Properties", "Name": "ContainerDefinitions", "RequiresRecreation": "Always",
                   "Path": path, "BeforeValue": before, "AfterValue": after, "AttributeChangeType": "Modify"},
    }  # fmt: skip


def _change_set(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before_env, after_env = _environment(old, PLANTED["resolved_old"]), _environment(new, PLANTED["resolved_new"])
    index = {e["Name"]: i for i, e in enumerate(after_env)}
    env = "/Properties/ContainerDefinitions/0/Environment"

    def context_of(entries: list[dict[str, Any]]) -> str:
        return json.dumps({"Properties": {"ContainerDefinitions": [{"Name": "app", "Environment": entries}]}})

    return change(
        "Modify", "TaskDefinition", "AWS::ECS::TaskDefinition", Replacement="True", Scope=["Properties"],
        BeforeContext=context_of(before_env), AfterContext=context_of(after_env),
        Details=[
            _value_detail(f"{env}/{index['DB_PASSWORD']}/Value", PLANTED["env_old"], PLANTED["env_new"]),
            _value_detail(f"{env}/{index['SETTINGS']}/Value", PLANTED["key_old"], PLANTED["key_new"]),
            _value_detail(f"{env}/{index['DB_URL']}/Value", PLANTED["resolved_old"], PLANTED["resolved_new"]),
            _value_detail(env, json.dumps(before_env), json.dumps(after_env)),
        ],
    )  # fmt: skip


def test_no_review_output_shows_a_planted_secret(dev: Path, cfn: tuple[Any, Stubber], tmp_path: Path) -> None:
    client, stub = cfn
    old, new = _template(dev, old=True), _template(dev, old=False)
    (dev / "svc-auth.json").write_text(json.dumps(new, indent=2))
    deployed = [{"ParameterKey": "DbPassword", "ParameterValue": PLANTED["param_old"]},
                {"ParameterKey": "ApiToken", "ParameterValue": "****"}]  # fmt: skip
    stub.add_response("describe_stacks", stack(NAME, "UPDATE_COMPLETE", Parameters=deployed))
    stub.add_response("list_change_sets", {"Summaries": []})
    stub.add_response("get_template", {"TemplateBody": json.dumps(old)})
    stub.add_response(
        "create_change_set", {"Id": change_set_id(NAME), "StackId": stack(NAME, "x")["Stacks"][0]["StackId"]}
    )
    answer = described(NAME, [_change_set(old, new)])
    stub.add_response(  # ready: the answer is also the read
        "describe_change_set", answer, {"ChangeSetName": change_set_id(NAME), "IncludePropertyValues": True}
    )
    review = plan_stack(context(dev, client), "svc-auth")

    console = Console(record=True, width=400)
    show_review(console, Review("shop", "dev", "eu-west-1", {"svc-auth": review}))
    write_reports(tmp_path, Review("shop", "dev", "eu-west-1", {"svc-auth": review}), exit_code=0)
    outputs = {
        "terminal": console.export_text(),
        "review.md": (tmp_path / "review.md").read_text(),
        "review.json": (tmp_path / "review.json").read_text(),
    }
    leaks = sorted((where, what) for where, text in outputs.items() for what, v in PLANTED.items() if v in text)
    assert leaks == []
    # Masked, not dropped: the rows are there and say what changed.
    data = json.loads(outputs["review.json"])["stacks"][0]
    assert [(p["deployed"], p["new"]) for p in data["parameters"] if p["name"] == "DbPassword"] == [
        ("(secret)", "(secret, changed)")
    ]
    assert data["parameter_values"]["ApiToken"] == data["parameter_values"]["DbPassword"] == "(secret)"
    values = {v["path"].rsplit("/Environment", 1)[1]: (v["before"], v["after"]) for v in data["resources"][0]["values"]}
    assert set(values.values()) >= {("(secret)", "(secret, changed)")}
    whole = next(v for k, v in values.items() if k == "")
    assert "NODE_ENV" in whole[1] and "(secret, changed)" in whole[1]  # the plain entries stay readable
    assert "| DbPassword | (secret) | (secret, changed) | template default |" in outputs["review.md"]
