"""What a deploy starts from: the generated folder, the manifest and the command-line overrides.

Everything here is checked before the first AWS call, so a typo in ``--set``
or ``--stacks``, or a template too big to send, costs nothing and changes
nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployer.errors import UsageError
from deployer.review.parameter_changes import parameter_text
from deployer.review.secret_material import secret_parameters
from templates.contract.graph import StackGraph, build_graph
from templates.contract.manifest import Manifest, ManifestError
from templates.contract.template import service_stack_key

MAX_BODY_BYTES = 51_200  # CloudFormation's limit for TemplateBody
MAX_URL_BYTES = 1_048_576  # ... and for a template read from S3

_SET = re.compile(r"^(?P<target>[A-Za-z0-9-]+)\.(?P<param>[A-Za-z0-9]+)=(?P<value>.*)$", re.DOTALL)


@dataclass(frozen=True)
class StackInput:
    """One generated template and the parameter values it will be deployed with."""

    key: str
    stack_name: str
    body: str
    template: dict[str, Any]
    parameters: dict[str, str]  # every parameter of the template: its default or the --set value
    overrides: frozenset[str]  # the names that came from --set

    @property
    def size(self) -> int:
        return len(self.body.encode())


@dataclass(frozen=True)
class LockInput:
    """The environment lock's stack and the template its lock change set is made from (``run.environment_lock``).

    generate.py writes the template beside the stacks (manifest key ``lock``):
    the deployer never builds a template, this one included.
    """

    stack_name: str
    body: str


@dataclass(frozen=True)
class Deployment:
    """Everything a run deploys, read from the generated folder and the flags before any AWS call."""

    project: str
    environment: str
    region: str
    folder: Path
    stacks: dict[str, StackInput]  # the selected stacks, by stack key
    graph: StackGraph  # of every stack in the folder, selected or not
    stack_names: dict[str, str]  # of every stack in the folder, by stack key
    lock: LockInput  # not a stack of the manifest: never deployed, never pruned

    def order(self) -> list[str]:
        """The selected stacks in dependency order."""
        return [key for key in self.graph.order() if key in self.stacks]

    def depends_on(self) -> dict[str, set[str]]:
        """Dependencies among the selected stacks; the others are expected to be deployed already."""
        return {key: self.graph.depends_on[key] & self.stacks.keys() for key in self.stacks}


def load_deployment(
    folder: Path, selection: Iterable[str] = (), sets: Iterable[str] = (), region: str | None = None
) -> Deployment:
    """The folder's manifest, templates and --stacks/--set/--region, checked; a usage error otherwise."""
    try:
        manifest = Manifest.read(folder)
    except ManifestError as exc:
        raise UsageError(str(exc)) from None
    templates = {key: _read_template(folder, entry.template) for key, entry in manifest.stacks.items()}
    graph = build_graph({key: template for key, (_body, template) in templates.items()})
    if graph.cycle():
        raise UsageError(f"{folder}: the stacks import from each other in a cycle ({' -> '.join(graph.cycle() or [])})")
    keys = _select(list(templates), list(selection))
    overrides = parse_sets(sets, list(templates), keys)
    stacks = {
        key: _stack_input(key, manifest.stacks[key].stack_name, *templates[key], overrides.get(key, {})) for key in keys
    }
    names = {key: entry.stack_name for key, entry in manifest.stacks.items()}
    lock = LockInput(manifest.lock.stack_name, _read_template(folder, manifest.lock.template)[0])
    region = region or manifest.region
    return Deployment(manifest.project, manifest.environment, region, folder, stacks, graph, names, lock)


def _read_template(folder: Path, name: str) -> tuple[str, dict[str, Any]]:
    path = folder / name
    try:
        body = path.read_text()
        return body, json.loads(body)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the template ({exc}); regenerate the folder") from None


def _select(keys: list[str], selection: list[str]) -> list[str]:
    unknown = [key for key in selection if key not in keys]
    if unknown:
        raise UsageError(f"--stacks: unknown stack {', '.join(unknown)}; this folder has {', '.join(keys)}")
    return [key for key in keys if key in selection] if selection else keys


def parse_sets(sets: Iterable[str], keys: list[str], selected: list[str]) -> dict[str, dict[str, str]]:
    """``auth.ImageTag=1.2.3`` -> ``{"svc-auth": {"ImageTag": "1.2.3"}}`` (a stack key works too)."""
    out: dict[str, dict[str, str]] = {}
    for item in sets:
        match = _SET.match(item)
        if not match:
            raise UsageError(f"--set {item!r}: expected SERVICE.PARAM=VALUE, e.g. auth.ImageTag=1.2.3")
        key = _stack_key(match["target"], keys)
        if key not in selected:
            raise UsageError(f"--set {item!r}: stack {key} is not among --stacks {','.join(selected)}")
        out.setdefault(key, {})[match["param"]] = match["value"]
    return out


def _stack_key(target: str, keys: list[str]) -> str:
    for key in (service_stack_key(target), target):
        if key in keys:
            return key
    prefix = service_stack_key("")
    services = [key.removeprefix(prefix) for key in keys if key.startswith(prefix)]
    raise UsageError(f"--set: no service or stack named {target!r}; services: {', '.join(services) or 'none'}")


def _stack_input(
    key: str, stack_name: str, body: str, template: dict[str, Any], overrides: Mapping[str, str]
) -> StackInput:
    specs = template.get("Parameters") or {}
    for name, value in overrides.items():
        if name not in specs:
            raise UsageError(f"--set {key}.{name}: {key} has no parameter {name}; it has {', '.join(specs) or 'none'}")
        problem = parameter_problem(specs[name], value)
        if problem:
            shown = "(secret)" if name in secret_parameters(template) else value
            raise UsageError(f"--set {key}.{name}={shown}: {problem}")
    missing = [name for name, spec in specs.items() if "Default" not in spec and name not in overrides]
    if missing:
        raise UsageError(f"{key}: parameter {', '.join(missing)} has no default; pass --set {key}.{missing[0]}=...")
    values = {name: parameter_text(spec["Default"]) for name, spec in specs.items() if "Default" in spec}
    return StackInput(key, stack_name, body, template, {**values, **overrides}, frozenset(overrides))


def parameter_problem(spec: Mapping[str, Any], value: str) -> str | None:
    """The constraint of a template parameter that ``value`` breaks, said the way CloudFormation would check it."""
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, value):
        return f"does not match the parameter's AllowedPattern {pattern}"
    allowed = spec.get("AllowedValues")
    if allowed and value not in [str(v) for v in allowed]:
        return f"must be one of {', '.join(map(str, allowed))}"
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            return "must be a number"
        if "MinValue" in spec and number < float(spec["MinValue"]):
            return f"must be at least {spec['MinValue']}"
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            return f"must be at most {spec['MaxValue']}"
    return None


def check_sizes(stacks: Iterable[StackInput], bucket: str | None) -> None:
    """Refuse, before any AWS call, templates CloudFormation would refuse or that need --bucket."""
    for stack in stacks:
        if stack.size > MAX_URL_BYTES:
            raise UsageError(
                f"{stack.key}: template is {stack.size:,} bytes; CloudFormation accepts at most "
                f"{MAX_URL_BYTES:,} even from S3. Split the stack."
            )
        if stack.size > MAX_BODY_BYTES and not bucket:
            raise UsageError(
                f"{stack.key}: template is {stack.size:,} bytes, over the {MAX_BODY_BYTES:,}-byte limit for an "
                "inline template; pass --bucket BUCKET to upload it to S3 (nothing was changed)"
            )
