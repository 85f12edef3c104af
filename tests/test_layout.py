"""The house rules of the layout, read from the code's own imports.

The folder list of ``templates/`` is the pipeline (params -> stacks -> checks
-> files); these tests keep the imports pointing the same way, keep the
package free of import circles, and keep every module readable in one sitting.
The deployer's rooms keep their promises the same way: every AWS call in
``deployer/aws``, a review and a view that only handle data, packages whose
docstring maps their modules, functions on one screen.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("templates", "deployer")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60  # a function on one screen

# A stage may import from earlier stages, never from later ones.  Shared
# modules (naming, errors, stack_graph) sit outside the stages.
LATER_STAGES = {
    "templates.params": ("templates.routing", "templates.stacks", "templates.checks", "templates.pipeline"),
    "templates.routing": ("templates.stacks", "templates.checks", "templates.pipeline"),
    "templates.stacks": ("templates.checks", "templates.pipeline", "templates.writer"),
    "templates.checks": ("templates.pipeline", "templates.writer"),
}
# What the deployer may read of the generator: names and the graph of written templates.  Every template it
# sends, the environment lock's included (deploy-lock.json), is one generate.py wrote.
DEPLOYER_MAY_IMPORT = ("templates.naming", "templates.stack_graph")

# Every AWS call of the deployer lives in deployer/aws/, one module per service: the one place that
# imports boto3 and calls a client, so retries, errors and a deploy role's permissions have one home.
AWS_ROOM = "deployer.aws"
AWS_SERVICES = ("cloudformation", "elbv2", "ec2", "s3")  # deployer/aws/<service>.py, named as botocore names it
# What a call to AWS outside the room looks like: importing the SDK or its client machinery, a method called
# on something named like a client, a client-only method, or a method named after an API action.
SDK_IMPORTS = ("boto3", "botocore.client", "botocore.session", "botocore.waiter", "botocore.paginate")
CLIENT_NAME = re.compile(r"(^|_)(cfn|cloudformation|elbv2|elb|ec2|s3|ecs|sts|iam|client|session|boto3)$")
CLIENT_METHODS = {"get_paginator", "get_waiter", "can_paginate", "generate_presigned_url"}
# The review is plain data and the view only shows it: neither may reach what runs a deploy or calls AWS.
PLAIN_DATA_ROOMS = ("deployer.review", "deployer.view")
ACTING_ROOMS = ("deployer.run", "deployer.aws")


def within(module: str, *packages: str) -> bool:
    """``module`` is one of ``packages`` or inside one (``deployer.run.walk`` is within ``deployer.run``)."""
    return any(module == package or module.startswith(package + ".") for package in packages)


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of our packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Our modules that ``path`` imports (``from a.b import c`` counts a.b, or a.b.c when c is a module)."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            targets |= submodules or ({node.module} & known)
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names} & known
    return targets


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = module_files(root)
    known = set(files)
    return {name: imports_of(path, known) - {name} for name, path in files.items()}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return list(exc.args[1])
    return None


def test_no_import_cycle() -> None:
    assert cycle_in(import_graph()) is None


def test_cycle_finder_finds_a_cycle(tmp_path: Path) -> None:
    """The scan itself can fail: two modules importing each other form a cycle."""
    package = tmp_path / "templates"
    package.mkdir()
    (tmp_path / "deployer").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from templates.b import thing\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from templates import a\n")
    assert cycle_in(import_graph(tmp_path)) is not None


@pytest.mark.parametrize("stage", sorted(LATER_STAGES))
def test_stages_import_only_earlier_stages(stage: str) -> None:
    graph = import_graph()
    backwards = {
        (module, target)
        for module, targets in graph.items()
        if module == stage or module.startswith(stage + ".")
        for target in targets
        if target.startswith(LATER_STAGES[stage])
    }
    assert not backwards, f"{stage} imports a later stage: {sorted(backwards)}"


def test_deployer_reads_only_names_and_the_stack_graph() -> None:
    """The deployer never builds templates: it deploys what generate.py wrote."""
    graph = import_graph()
    reached = {
        t for m, targets in graph.items() if m.startswith("deployer") for t in targets if t.startswith("templates")
    }
    assert reached <= set(DEPLOYER_MAY_IMPORT), sorted(reached - set(DEPLOYER_MAY_IMPORT))


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
    actions = api_actions(*AWS_SERVICES, "ecs", "sts", "iam")
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
        for node in ast.parse((ROOT / "deployer" / "aws" / f"{service}.py").read_text()).body:
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


def long_functions(package: str, root: Path = ROOT) -> dict[str, int]:
    """``module.function`` -> its lines, for each function of ``package`` (one of PACKAGES) over one screen.

    A nested function counts on its own and within the function around it.
    """
    found = {}
    for name, path in module_files(root).items():
        if not within(name, package):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[f"{name}.{node.name}"] = lines
    return found


def test_deployer_functions_fit_one_screen() -> None:
    """No deployer function over MAX_FUNCTION_LINES.  templates/ is held to the same rule by its own layout work."""
    too_long = long_functions("deployer")
    assert not too_long, f"over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_the_function_length_check_finds_a_long_function(tmp_path: Path) -> None:
    """The scan itself can fail: a planted function one line over the limit is reported, one at the limit is not."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "deployer").mkdir()
    body = "    x = 1\n"
    (tmp_path / "deployer" / "long.py").write_text(
        f"def fits():\n{body * (MAX_FUNCTION_LINES - 1)}\ndef over():\n{body * MAX_FUNCTION_LINES}"
    )
    assert long_functions("deployer", tmp_path) == {"deployer.long.over": MAX_FUNCTION_LINES + 1}


def test_every_module_fits_one_sitting() -> None:
    sources = [*module_files().values(), *ROOT.glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    too_long = {
        str(p.relative_to(ROOT)): n for p in sources if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"over {MAX_MODULE_LINES} lines: {too_long}"


def test_readme_is_a_front_door() -> None:
    """The README says what, who, how to start and where to read on; the rest lives in docs/."""
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= 300, f"README.md has {lines} lines; move detail to docs/"
