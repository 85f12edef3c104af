"""What deploying one template over another does, resource by resource, before any change set exists.

Like ``cdk diff`` and ``terraform plan`` ("forces replacement"): the deployed template (or the previous
output folder's) is compared with the new one, property by property, and each changed resource is
marked *update in place*, *replace* or *may replace* from its type's registry schema
(``resource_schemas``: the create-only properties cfn-lint ships).  A replacement is followed: a
property that refers to a replaced resource (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) gets a new value, so
a create-only one replaces that resource too (a new VPC replaces every subnet in it), and an output
that refers to one gives its export a new value.  A parameter whose value changes does the same to
the properties and outputs that refer to it.

Pure: two templates and their parameter values in, a ``StackPrediction`` out.  The deployer cross-checks
it with the change set; ``generate.py`` prints it against the previous output.  CloudFormation's own
rules: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from templates.contract.graph import exports_of
from templates.contract.resource_schemas import DEFAULT_REGION, ReplacementRules, replacement_rules
from templates.contract.template import references
from templates.contract.values import Known, has_unknown, resolve

ADD, REMOVE, MODIFY = "Add", "Remove", "Modify"
IN_PLACE, REPLACE, MAY_REPLACE = "update in place", "replace", "may replace"
_WEIGHT = {"": 0, IN_PLACE: 1, MAY_REPLACE: 2, REPLACE: 3}
ATTRIBUTES = ("Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy")
MASKED = "****"  # how DescribeStacks shows a NoEcho parameter's value: unknown here


def _launch_type_to_strategy(after: Mapping[str, Any]) -> bool:
    """An ECS service leaving its launch type for a capacity provider strategy is updated in place.

    ``LaunchType`` is conditionally create-only: since June 2025 ECS moves a service from a launch type to
    a capacity provider strategy (and back) with UpdateService, and CloudFormation does the same, while a
    launch type changing to another launch type still replaces the service.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html (capacityProviderStrategy)
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html
    """
    return after.get("LaunchType") is None and bool(after.get("CapacityProviderStrategy"))


# (type, conditionally create-only property) -> when the new properties make its change an update in place.
IN_PLACE_WHEN = {("AWS::ECS::Service", "LaunchType"): _launch_type_to_strategy}


@dataclass(frozen=True)
class PropertyChange:
    """One changed property (or resource attribute) and what it forces."""

    name: str
    before: Any  # the expression, parameters filled in; None when absent
    after: Any
    forces: str = ""  # REPLACE | MAY_REPLACE | "" (in place)
    certain: bool = True  # False: its value may change (it refers to something that may be replaced)
    reason: str = ""  # why an unchanged expression changes value: "Vpc is replaced", "parameter X changes"
    create_only: str = ""  # the schema's create-only path it touches: "CidrBlock", "DnsOptions/PrivateDnsPreference"

    def describe(self) -> str:
        """``CidrBlock (create-only): 10.10.0.0/16 -> 10.20.0.0/16``, or why it changes."""
        head = self.create_only or self.name
        if self.forces:
            head += " (create-only)" if self.forces == REPLACE and self.certain else f" ({self.forces})"
        if self.reason:
            return f"{head}: {self.reason}"
        return f"{head}: {compact(self.before)} -> {compact(self.after)}"


@dataclass(frozen=True)
class ResourcePrediction:
    """One resource the new template adds, removes or changes, and how CloudFormation will change it."""

    logical_id: str
    resource_type: str
    action: str  # ADD | REMOVE | MODIFY
    effect: str  # ADD / REMOVE as "add" / "remove"; for MODIFY: IN_PLACE | REPLACE | MAY_REPLACE
    properties: tuple[PropertyChange, ...] = ()
    schema_known: bool = True  # False: cfn-lint ships no schema for the type, replacement not predictable

    @property
    def replaced(self) -> bool:
        return self.effect in (REPLACE, MAY_REPLACE)

    def why(self) -> list[str]:
        if not self.schema_known and self.action == MODIFY:
            return ["no registry schema for this type: replacement not predicted"]
        return [p.describe() for p in self.properties]


@dataclass(frozen=True)
class ExportPrediction:
    """An export the new template adds, removes or gives a new value."""

    name: str
    change: str  # added | removed | changes | may change
    reason: str = ""
    replaced_types: tuple[str, ...] = ()  # types of the replaced resources its value refers to


@dataclass(frozen=True)
class StackPrediction:
    """Every predicted resource and export change of one stack."""

    resources: tuple[ResourcePrediction, ...] = ()
    exports: tuple[ExportPrediction, ...] = ()

    def by_id(self) -> dict[str, ResourcePrediction]:
        return {r.logical_id: r for r in self.resources}

    def replaced(self) -> dict[str, ResourcePrediction]:
        """Logical id -> prediction, for every resource that is (or may be) replaced."""
        return {r.logical_id: r for r in self.resources if r.replaced}


@dataclass(frozen=True)
class _Sides:
    """What the two templates' expressions are resolved with: each side's parameter values, the exports."""

    before: Mapping[str, str]
    after: Mapping[str, str]
    exports: Mapping[str, str]

    def same_value(self, before: Any, after: Any) -> bool:
        """Whether two different expressions give one value: ``vpc-0abc`` written by a resource import and the
        generated ``Fn::ImportValue`` of the network stack's export of it, or a literal name and its ``Fn::Sub``.
        """
        old = resolve(before, Known(parameters=self.before, exports=self.exports))
        new = resolve(after, Known(parameters=self.after, exports=self.exports))
        return old == new and not has_unknown(new)

    def shown(self, before: Any, after: Any) -> tuple[Any, Any]:
        return filled(before, self.before), filled(after, self.after)


@dataclass
class _Changed:
    """What changes value in this update: parameters and resources, certainly or maybe."""

    certain: dict[str, str] = field(default_factory=dict)  # name -> why ("Vpc is replaced")
    maybe: dict[str, str] = field(default_factory=dict)

    def why(self, refs: Iterable[str]) -> tuple[bool, str] | None:
        """(certain, reason) when one of ``refs`` changes; None when none does."""
        refs = set(refs)
        for table, certain in ((self.certain, True), (self.maybe, False)):
            hits = sorted(refs & table.keys())
            if hits:
                return certain, "; ".join(dict.fromkeys(table[name] for name in hits))
        return None


def compact(value: Any, limit: int = 80) -> str:
    """A value as short text: strings as they are, the rest as compact JSON; long ones cut in the middle."""
    text = "(none)" if value is None else value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2 - 1) :]


def parameter_values(template: Mapping[str, Any] | None, given: Mapping[str, str] | None) -> dict[str, str]:
    """Every parameter's value: the template default unless ``given`` has one."""
    specs = (template or {}).get("Parameters") or {}
    values = {name: _text(spec["Default"]) for name, spec in specs.items() if "Default" in spec}
    return {**values, **{k: v for k, v in (given or {}).items() if k in specs}}


def _text(value: Any) -> str:
    """A parameter value as CloudFormation holds it: text, a list joined with commas."""
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def filled(node: Any, values: Mapping[str, str]) -> Any:
    """``node`` with every ``{"Ref": parameter}`` replaced by the parameter's value (for showing values)."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in values:
            return values[node["Ref"]]
        return {key: filled(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [filled(item, values) for item in node]
    return node


def _parameters_changed(before: Mapping[str, str], after: Mapping[str, str]) -> _Changed:
    changed = _Changed()
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if MASKED in (old, new):
            changed.maybe[name] = f"parameter {name} may change (its value is hidden: NoEcho)"
        elif old != new:
            changed.certain[name] = f"parameter {name} changes"
    return changed


def _at(node: Any, path: tuple[str, ...]) -> Any:
    """The part of ``node`` at ``path`` (``*`` for every list item); an intrinsic function stands for its part."""
    for index, segment in enumerate(path):
        if isinstance(node, dict) and len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref")):
            return node
        if segment == "*" and isinstance(node, list):
            return [_at(item, path[index + 1 :]) for item in node]
        if not isinstance(node, dict):
            return None
        node = node.get(segment)
    return node


def _forces(
    name: str, before: Any, after: Any, rules: ReplacementRules, changed: _Changed, sides: _Sides
) -> tuple[str, bool, str]:
    """(what the change of property ``name`` forces, whether certainly, the create-only path it touches)."""
    if not rules.updatable:
        return REPLACE, True, name
    best: tuple[str, bool, str] = ("", True, "")
    for path, force in rules.paths_under(name):
        old, new = _at(before, path[1:]), _at(after, path[1:])
        if old != new and sides.same_value(old, new):
            continue
        verdict = (True, "") if old != new else changed.why(references(new))
        if verdict is None:
            continue
        force = force if verdict[0] else MAY_REPLACE
        if _WEIGHT[force] > _WEIGHT[best[0]]:
            best = (force, verdict[0], "/".join(path))
    return best


def _property(
    name: str, before: Any, after: Any, rules: ReplacementRules, changed: _Changed, sides: _Sides
) -> PropertyChange | None:
    if before != after:
        if sides.same_value(before, after):  # whatever each side writes, one value
            return None
        certain, reason = True, ""
    else:
        verdict = changed.why(references(after))
        if verdict is None or sides.same_value(before, after):
            return None
        certain, reason = verdict
    known = rules.known
    force, force_certain, path = _forces(name, before, after, rules, changed, sides) if known else ("", True, "")
    shown = sides.shown(before, after)
    if reason == "" and shown[0] == shown[1]:
        reason = "its expression changed"
    return PropertyChange(name, *shown, force, certain and force_certain, reason, path)


def _modified(
    logical_id: str, old: Mapping[str, Any], new: Mapping[str, Any], region: str, changed: _Changed,
    sides: _Sides,
) -> ResourcePrediction | None:  # fmt: skip
    kind = str(new.get("Type", ""))
    if old.get("Type") != kind:
        change = PropertyChange("Type", old.get("Type"), kind, REPLACE)
        return ResourcePrediction(logical_id, kind, MODIFY, REPLACE, (change,))
    rules = replacement_rules(kind, region)
    props_old, props_new = old.get("Properties") or {}, new.get("Properties") or {}
    found = [
        _in_place_when_allowed(kind, change, props_new)
        for name in sorted(props_old.keys() | props_new.keys())
        if (change := _property(name, props_old.get(name), props_new.get(name), rules, changed, sides))
    ]
    found += [
        PropertyChange(name, old.get(name), new.get(name)) for name in ATTRIBUTES if old.get(name) != new.get(name)
    ]
    if not found:
        return None
    effect = max((p.forces or IN_PLACE for p in found), key=_WEIGHT.__getitem__) if rules.known else MAY_REPLACE
    return ResourcePrediction(logical_id, kind, MODIFY, effect, tuple(found), rules.known)


def _in_place_when_allowed(kind: str, change: PropertyChange, after: Mapping[str, Any]) -> PropertyChange:
    """``change`` as an update in place when AWS documents this conditional create-only change as one."""
    allowed = IN_PLACE_WHEN.get((kind, change.name))
    if change.forces == MAY_REPLACE and allowed is not None and allowed(after):
        return replace(change, forces="", create_only="")
    return change


def _grow(changed: _Changed, found: list[ResourcePrediction]) -> bool:
    """Record newly replaced resources as changing value; True when any was new (so look again)."""
    grown = False
    for prediction in (p for p in found if p.replaced):
        certain = prediction.effect == REPLACE
        table = changed.certain if certain else changed.maybe
        if prediction.logical_id not in table:
            table[prediction.logical_id] = f"{prediction.logical_id} is {'replaced' if certain else 'maybe replaced'}"
            grown = True
    return grown


def _resources(
    before: Mapping[str, Any], after: Mapping[str, Any], region: str, changed: _Changed, sides: _Sides
) -> list[ResourcePrediction]:
    """Resource predictions, replacements followed until nothing more changes."""
    found: list[ResourcePrediction] = []
    for _ in range(len(after) + 1):  # each round adds at least one replaced resource, or ends
        found = [
            prediction
            for logical_id in sorted(before.keys() & after.keys())
            if (prediction := _modified(logical_id, before[logical_id], after[logical_id], region, changed, sides))
        ]
        if not _grow(changed, found):
            break
    found += [_added(i, after[i]) for i in sorted(after.keys() - before.keys())]
    found += [ResourcePrediction(i, _type(before[i]), REMOVE, "remove") for i in sorted(before.keys() - after.keys())]
    return sorted(found, key=lambda r: ({REMOVE: 0, MODIFY: 1, ADD: 2}[r.action], r.logical_id))


def _type(resource: Mapping[str, Any]) -> str:
    return str(resource.get("Type", ""))


def _added(logical_id: str, resource: Mapping[str, Any]) -> ResourcePrediction:
    return ResourcePrediction(logical_id, _type(resource), ADD, "add")


def _exports(
    before: Mapping[str, Any], after: Mapping[str, Any], values: tuple[dict, dict], changed: _Changed,
    types: Mapping[str, str],
) -> list[ExportPrediction]:  # fmt: skip
    old, new = exports_of(before, values[0]), exports_of(after, values[1])
    found = [ExportPrediction(name, "added") for name in sorted(new.keys() - old.keys())]
    gone = sorted(old.keys() - new.keys())
    found += [ExportPrediction(name, "removed", "no output exports it any more") for name in gone]
    for name in sorted(old.keys() & new.keys()):
        was = (before.get("Outputs") or {})[old[name]].get("Value")
        now = (after.get("Outputs") or {})[new[name]].get("Value")
        refs = set(references(now))
        moving = changed.certain.keys() | changed.maybe.keys()
        replaced = tuple(sorted({types[r] for r in refs if r in types and r in moving}))
        if was != now:
            found.append(ExportPrediction(name, "changes", "its output's value expression changed", replaced))
        elif (verdict := changed.why(refs)) is not None:
            found.append(ExportPrediction(name, "changes" if verdict[0] else "may change", verdict[1], replaced))
    return found


def predict(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    before_params: Mapping[str, str] | None = None,
    after_params: Mapping[str, str] | None = None,
    region: str = DEFAULT_REGION,
    exports: Mapping[str, str] | None = None,
) -> StackPrediction:
    """What deploying ``after`` over ``before`` (None: a new stack) does to each resource and export.

    ``exports`` (name -> value, ListExports): what ``Fn::ImportValue`` gives, so a property written as a literal
    on one side and imported on the other compares by value.
    """
    values = (parameter_values(before, before_params), parameter_values(after, after_params))
    new = after.get("Resources") or {}
    if before is None:
        adds = tuple(_added(i, r) for i, r in sorted(new.items()))
        return StackPrediction(adds, tuple(ExportPrediction(n, "added") for n in sorted(exports_of(after, values[1]))))
    changed = _parameters_changed(*values)
    old = before.get("Resources") or {}
    resources = _resources(old, new, region, changed, _Sides(*values, exports or {}))
    types = {i: _type(r) for i, r in old.items()}
    return StackPrediction(tuple(resources), tuple(_exports(before, after, values, changed, types)))
