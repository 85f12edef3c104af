"""The deployer's rooms keep their promises, read from the code's own imports and calls.

Every AWS call lives in ``deployer/aws`` (one module per service, each
function named after its API action), the review and the view only handle
data, and each package's docstring maps its modules.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

from tests.test_layout import ROOT, import_graph, module_files, within

# Every AWS call of the deployer lives in deployer/aws/, one module per service: the one place that
# imports boto3 and calls a client, so retries, errors and a deploy role's permissions have one home.
AWS_ROOM = "deployer.aws"
AWS_SERVICES = (
    "cloudformation",
    "elbv2",
    "ec2",
    "s3",
    "acm",
    "ecs",
    "logs",
    "iam",
    "application-autoscaling",
    "sts",
    "cloudwatch",
)
# deployer/aws/<service>.py, named as botocore names it (a hyphen becomes an underscore)
# What a call to AWS outside the room looks like: importing the SDK or its client machinery, a method called
# on something named like a client, a client-only method, or a method named after an API action.
SDK_IMPORTS = ("boto3", "botocore.client", "botocore.session", "botocore.waiter", "botocore.paginate")
CLIENT_NAME = re.compile(r"(^|_)(cfn|cloudformation|elbv2|elb|ec2|s3|acm|ecs|cloudwatch|sts|iam|client|session|boto3)$")
CLIENT_METHODS = {"get_paginator", "get_waiter", "can_paginate", "generate_presigned_url"}
# The review is plain data and the view only shows it: neither may reach what runs a deploy or calls AWS.
PLAIN_DATA_ROOMS = ("deployer.review", "deployer.view")
ACTING_ROOMS = ("deployer.run", "deployer.aws")


@cache
def api_actions(*services: str) -> frozenset[str]:
    """Every API action of these services, as botocore's clients spell their methods (``describe_stacks``)."""
    session = botocore.session.get_session()
    return frozenset(
        xform_name(name) for service in services for name in session.get_service_model(service).operation_names
    )


def _receiver(node: ast.expr) -> str:
    """The name a method is called on: ``cfn`` of ``cfn.x()``, ``s3`` of ``ctx.clients.s3.x()``."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def aws_calls(path: Path) -> list[str]:
    """Where ``path`` imports the SDK or calls a client, as ``line: what``; calling the aws room's modules is fine."""
    tree = ast.parse(path.read_text(), str(path))
    actions = api_actions(*AWS_SERVICES, "sts", "iam")
    rooms = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             and node.module == AWS_ROOM for alias in node.names}  # fmt: skip
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            found += [f"{node.lineno}: imports {n}" for n in names if n.split(".")[0] == "boto3" or n in SDK_IMPORTS]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = _receiver(node.func.value), node.func.attr
            if isinstance(node.func.value, ast.Name) and receiver in rooms:
                continue
            if CLIENT_NAME.search(receiver) or method in CLIENT_METHODS or method in actions:
                found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def outside_the_aws_room(root: Path = ROOT) -> dict[str, list[str]]:
    """Deployer modules outside deployer/aws/ that call AWS, with where."""
    return {
        name: calls
        for name, path in module_files(root).items()
        if within(name, "deployer") and not within(name, AWS_ROOM)
        if (calls := aws_calls(path))
    }


def test_every_aws_call_lives_in_the_aws_room() -> None:
    """Outside deployer/aws/ the deployer works on plain data: no boto3, no client, no API action called."""
    assert outside_the_aws_room() == {}


def test_the_aws_room_check_finds_calls_outside_it(tmp_path: Path) -> None:
    """The scan itself can fail: a planted module calling AWS in each way is caught, and the room's own use is not."""
    (tmp_path / "templates").mkdir()
    room = tmp_path / "deployer" / "run"
    room.mkdir(parents=True)
    (room / "bad.py").write_text(
        "import boto3\n"
        "from botocore.waiter import create_waiter_with_client\n"
        "from deployer.aws import cloudformation\n"
        "def plan(ctx, cfn, stack):\n"
        "    cfn.describe_stacks(StackName=stack)\n"
        "    ctx.clients.elbv2.describe_rules(ListenerArn='x')\n"
        "    handle = ctx.clients.cloudformation\n"
        "    handle.list_exports()\n"
        "    stack.waiter_source.get_waiter('stack_delete_complete')\n"
        "    cloudformation.describe_stack(cfn, stack)\n"
    )
    found = outside_the_aws_room(tmp_path)
    assert list(found) == ["deployer.run.bad"]
    assert [line.split(":")[0] for line in found["deployer.run.bad"]] == ["1", "2", "5", "6", "8", "9"]


def test_every_aws_function_names_its_api_action() -> None:
    """Each function of a service module starts its docstring with the API action it makes, as AWS spells it.

    So the permissions a deploy role needs can be read off the room, and a new call has an obvious place.
    """
    unnamed = []
    for service in AWS_SERVICES:
        actions = set(botocore.session.get_session().get_service_model(service).operation_names)
        for node in ast.parse((ROOT / "deployer" / "aws" / f"{service.replace('-', '_')}.py").read_text()).body:
            overload = any(ast.unparse(d) == "overload" for d in getattr(node, "decorator_list", []))
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and not overload:
                first = re.split(r"[\s:;,.(]", ast.get_docstring(node) or "", maxsplit=1)[0]
                if first not in actions:
                    unnamed.append(f"{service}.{node.name}: {first!r}")
    assert not unnamed, f"docstrings not starting with an API action: {unnamed}"


def test_review_and_view_import_nothing_that_runs_a_deploy_or_calls_aws() -> None:
    """deployer/review and deployer/view are handed data: they never import deployer/run or deployer/aws."""
    graph = import_graph()
    reached = sorted(
        (module, target)
        for module, targets in graph.items()
        if within(module, *PLAIN_DATA_ROOMS)
        for target in targets
        if within(target, *ACTING_ROOMS)
    )
    assert not reached, f"the review or the view imports what runs a deploy or calls AWS: {reached}"


def test_deployer_package_maps_name_every_module() -> None:
    """Each deployer package's docstring is its map: every module and subpackage in it is named there."""
    unnamed = []
    for init in sorted((ROOT / "deployer").rglob("__init__.py")):
        folder = init.parent
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        parts = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
        parts |= {p.parent.name for p in folder.glob("*/__init__.py")}
        unnamed += [f"{folder.relative_to(ROOT)}: {part}" for part in sorted(parts) if f"``{part}``" not in doc]
    assert not unnamed, f"not named in their package's map: {unnamed}"
