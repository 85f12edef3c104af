"""A rendered template's property values as they will be once deployed, from what is already known.

Resource import compares a live resource with the resource a generated
template describes, before anything runs: ``ServiceName`` or ``Cluster``
differing on a live ECS service means replacing it.  The template writes
those values with intrinsic functions (``Ref`` of a parameter, ``Fn::Sub``
of the export prefix, ``Fn::ImportValue`` of another stack's export), so
they are resolved here with what is known: parameter values, the physical
ids of the resources being imported, exports that exist or that this run's
templates will add.  What only CloudFormation can know (a resource not made
yet) stays an ``Unknown`` that says what it stands for.

Intrinsic functions: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class Unknown:
    """A value CloudFormation decides while it deploys (a new resource's id), or one not resolvable here."""

    what: str

    def __str__(self) -> str:
        return self.what


@dataclass(frozen=True)
class Known:
    """What a template's values are resolved with."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    pseudo: Mapping[str, str] = field(default_factory=dict)  # AWS::Region, AWS::AccountId, AWS::Partition, ...
    refs: Mapping[str, str] = field(default_factory=dict)  # logical id -> physical id (what Ref answers)
    attributes: Mapping[str, str] = field(default_factory=dict)  # "LogicalId.Attribute" -> value
    exports: Mapping[str, str] = field(default_factory=dict)  # export name -> value


def resolve(node: Any, known: Known) -> Any:
    """``node`` with every intrinsic function it can resolve replaced by its value (``Unknown`` for the rest)."""
    if isinstance(node, list):
        return [resolve(item, known) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((name, argument),) = node.items()
        handler = _FUNCTIONS.get(name)
        if handler is not None:
            return handler(argument, known)
        if name.startswith("Fn::"):
            return Unknown(f"({name})")
    return {key: resolve(value, known) for key, value in node.items()}


def _ref(name: Any, known: Known) -> Any:
    for table in (known.parameters, known.pseudo, known.refs):
        if name in table:
            return table[name]
    return Unknown(f"(new {name})")


def _get_att(argument: Any, known: Known) -> Any:
    logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
    key = f"{logical_id}.{resolve(attribute, known)}"
    return known.attributes.get(key, Unknown(f"({key} of the new {logical_id})"))


def _sub(argument: Any, known: Known) -> Any:
    text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
    local = {name: resolve(value, known) for name, value in variables.items()}
    unknown = False

    def value(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match[1]
        found = local[name] if name in local else _get_att(name, known) if "." in name else _ref(name, known)
        unknown = unknown or isinstance(found, Unknown)
        return str(found)

    resolved = _SUB.sub(value, text)
    return Unknown(resolved) if unknown else resolved


def _import_value(argument: Any, known: Known) -> Any:
    name = resolve(argument, known)
    if isinstance(name, Unknown):
        return Unknown(f"(export {name})")
    return known.exports.get(name, Unknown(f"(export {name})"))


def _join(argument: Any, known: Known) -> Any:
    delimiter, items = argument[0], resolve(argument[1], known)
    if isinstance(items, list) and not any(isinstance(item, Unknown) for item in items):
        return delimiter.join(str(item) for item in items)
    return Unknown(f"(Fn::Join of {items})")


def _split(argument: Any, known: Known) -> Any:
    delimiter, text = argument[0], resolve(argument[1], known)
    return text.split(delimiter) if isinstance(text, str) else Unknown(f"(Fn::Split of {text})")


def _select(argument: Any, known: Known) -> Any:
    index, items = resolve(argument[0], known), resolve(argument[1], known)
    if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
        return items[int(index)]
    return Unknown(f"(Fn::Select of {items})")


_FUNCTIONS = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::ImportValue": _import_value,
    "Fn::Join": _join,
    "Fn::Split": _split,
    "Fn::Select": _select,
}


def has_unknown(value: Any) -> bool:
    """Whether anything in ``value`` is still ``Unknown``."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def export_values(template: Mapping[str, Any], known: Known) -> dict[str, Any]:
    """Export name -> value of a template's outputs, resolved with ``known`` (``Unknown`` where it must be)."""
    found = {}
    for output in (template.get("Outputs") or {}).values():
        export = output.get("Export")
        if not export:
            continue
        name = resolve(export.get("Name"), known)
        if isinstance(name, str):
            found[name] = resolve(output.get("Value"), known)
    return found
