"""The deploy role's policy: every call the deployer makes is granted, scoped to the environment.

Two independent witnesses of "the calls the deployer makes": this test's
own reading of ``deployer/aws`` (client methods, paginators, waiters), and
the calls a real deploy, drift check, prune and teardown send to the local
endpoint, recorded as botocore makes them.  Either one finding an action the
generated policy does not grant fails the test.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.client
import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from botocore.waiter import WaiterModel

import deploy
from deployer.aws import permissions
from deployer.aws.permissions import Unscoped, scoped_actions
from deployer.run.deploy_role import deploy_policy, policy_json
from deployer.run.inputs import load_deployment
from tests.moto_endpoint import go_offline

ROOT = Path(__file__).resolve().parent.parent
PREFIX = dict(permissions.SERVICES.values())  # botocore's service name -> the IAM service prefix


def _granted(policy: dict[str, Any]) -> dict[str, list[str]]:
    """IAM action -> the resources the policy grants it on."""
    out: dict[str, list[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            out.setdefault(action, []).extend(statement["Resource"])
    return out


def _policy(folder: Path, review_only: bool = False) -> dict[str, Any]:
    return policy_json(deploy_policy(load_deployment(folder), "tpl-bucket", review_only))


def _read_off_the_code() -> set[str]:
    """This test's own reading: every API operation the aws room's service modules call."""
    session = botocore.session.get_session()
    found = set()
    for module, (service, prefix) in permissions.SERVICES.items():
        model = session.get_service_model(service)
        methods = {xform_name(name): name for name in model.operation_names}
        waiters = _waiters(session, service)
        source = (ROOT / "deployer" / "aws" / f"{module}.py").read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in methods:
                found.add(f"{prefix}:{methods[node.value]}")  # get_paginator("describe_stacks")
            elif isinstance(node, ast.Attribute) and node.attr in methods:
                found.add(f"{prefix}:{methods[node.attr]}")  # cfn.create_change_set(...)
            elif waiters and _is_waiter_name(node):
                waiter = waiters.get_waiter("".join(p.title() for p in node.value.split("_")))
                found.add(f"{prefix}:{waiter.operation}")  # get_waiter("stack_delete_complete")
        found |= {f"{prefix}:{op}" for op in _waiter_models(source)}
    return found


def _waiters(session: botocore.session.Session, service: str) -> WaiterModel | None:
    """botocore's waiters for a service; some (IAM's reads, Application Auto Scaling) ship none."""
    try:
        return session.get_waiter_model(service)
    except DataNotFoundError:
        return None


def _is_waiter_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith("_complete")


def _waiter_models(source: str) -> set[str]:
    """Operations of the WaiterModels a module builds itself ("operation": "DescribeStacks")."""
    tree = ast.parse(source)
    return {
        value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and key.value == "operation" and isinstance(value, ast.Constant)
    }


def test_every_call_in_the_code_is_granted(shipped_outputs: dict[str, Path]) -> None:
    called = _read_off_the_code()
    assert {"cloudformation:ExecuteChangeSet", "s3:PutObject", "ec2:DescribeVpcs"} <= called  # the scan works
    assert sorted(called - set(_granted(_policy(shipped_outputs["prod"])))) == []


def test_the_review_subset_makes_change_sets_but_changes_nothing(shipped_outputs: dict[str, Path]) -> None:
    full, review = _granted(_policy(shipped_outputs["prod"])), _granted(_policy(shipped_outputs["prod"], True))
    assert set(review) < set(full)
    assert {"cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet", "s3:PutObject"} <= set(review)
    changing = {"cloudformation:ExecuteChangeSet", "cloudformation:DeleteStack", "iam:PassRole", "iam:CreateRole",
                "ecs:CreateService", "ec2:DeleteVpc"}  # fmt: skip
    assert changing & set(review) == set()
    assert changing <= set(full)


def test_scoped_to_the_environment(shipped_outputs: dict[str, Path]) -> None:
    policy = _policy(shipped_outputs["prod"])
    granted = _granted(policy)
    assert granted["cloudformation:ExecuteChangeSet"] == ["arn:aws:cloudformation:eu-west-1:*:stack/shop-prod-*/*"]
    assert granted["s3:PutObject"] == granted["s3:GetObject"] == ["arn:aws:s3:::tpl-bucket/fargate-stacks/templates/*"]
    assert granted["iam:CreateRole"] == ["arn:aws:iam::*:role/shop-prod-*"]
    (passing,) = [s for s in policy["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert passing["Resource"] == ["arn:aws:iam::*:role/shop-prod-*"]
    services = ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com", "events.amazonaws.com", "vpc-flow-logs.amazonaws.com"]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": services}}
    stars = {a for a, resources in granted.items() if "*" in resources and a.startswith(("cloudformation:", "iam:"))}
    # Unscoped: reads without a stack name, the account's alias, and the reads adoption makes of what already
    # runs (by physical id, or a role the operator names): docs/deploy-ci.md.
    assert stars == {"cloudformation:DescribeStacks", "cloudformation:DescribeStackDriftDetectionStatus",
                     "cloudformation:ListExports", "cloudformation:ListImports",
                     "cloudformation:DescribeStackResources", "iam:GetRolePolicy", "iam:ListRolePolicies",
                     "iam:ListAttachedRolePolicies", "iam:ListAccountAliases", "cloudformation:ListStacks"}  # fmt: skip
    # An IAM role policy holds 10,240 characters without whitespace (a managed one 6,144): docs/deploy-ci.md.
    assert len(json.dumps(policy, separators=(",", ":"))) < 10_240


def test_a_new_call_without_a_scope_stops_the_policy(tmp_path: Path) -> None:
    room = tmp_path / "aws"
    shutil.copytree(ROOT / "deployer" / "aws", room)
    assert scoped_actions(room) == scoped_actions()
    with (room / "cloudformation.py").open("a") as module:
        module.write(
            '\n\ndef protect(cfn, stack):\n    """UpdateTerminationProtection."""\n'
            "    cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=True)\n"
        )
    with pytest.raises(Unscoped, match="cloudformation:UpdateTerminationProtection"):
        scoped_actions(room)
    (room / "sqs.py").write_text('def send(sqs):\n    """SendMessage."""\n    sqs.send_message()\n')
    with pytest.raises(Unscoped, match=r"sqs\.py"):
        permissions.scoped_actions(room)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
    """Every API call botocore makes, as (service, operation, parameters): it still goes to the endpoint."""
    calls: list[tuple[str, str, dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call

    def record(client: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append((client.meta.service_model.service_name, operation, dict(params)))
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", record)
    yield calls


@pytest.mark.e2e
def test_a_deploy_drift_check_and_teardown_call_only_what_the_policy_grants(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, dev: Path, recorded: list[tuple[str, str, dict[str, Any]]]
) -> None:
    go_offline(monkeypatch, endpoint)
    base = ["--env", "dev", "--dir", str(dev), "--region", "eu-north-1"]
    assert deploy.main([*base, "--execute", "--yes"]) == 0
    assert deploy.main(base) == 0  # a review of deployed stacks: drift detection, change sets made and dropped
    assert deploy.main([*base, "--teardown", "--execute", "--yes"]) == 0
    granted = _granted(_policy(dev))
    seen = {f"{PREFIX[service]}:{operation}" for service, operation, _params in recorded}
    assert {"cloudformation:ExecuteChangeSet", "cloudformation:DetectStackDrift", "cloudformation:DeleteStack"} <= seen
    assert sorted(seen - set(granted)) == []
    stack_arns = granted["cloudformation:DeleteStack"]
    for service, operation, params in recorded:
        name = params.get("StackName")
        if service == "cloudformation" and isinstance(name, str):
            arn = name if name.startswith("arn:") else f"arn:aws:cloudformation:eu-west-1:123456789012:stack/{name}/x"
            action = f"cloudformation:{operation}"
            scopes = granted[action]
            assert any(fnmatch.fnmatchcase(arn.replace("eu-north-1", "eu-west-1"), s) for s in scopes), (action, name)
    assert stack_arns
