"""Property values in the review: what each changed property is now and what it becomes.

A reviewer who reads "ContainerDefinitions (replaces)" still has to guess
which image goes out; ``DescribeChangeSet`` with ``IncludePropertyValues``
answers it (each detail's ``Target`` gets ``Path``, ``BeforeValue`` and
``AfterValue``; the resource gets ``BeforeContext`` / ``AfterContext``).
Endpoints that do not know the flag answer without values: the review then
says so in one note instead of showing empty cells.

The values are kept whole here, in ``review.json`` and ``review.md``; only
the terminal shortens them (``view.value_rows``).

https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceTargetDefinition.html
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

NOT_KNOWN = "(known after execution)"  # a value CloudFormation resolves only while it runs the change set
KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"  # how CloudFormation writes such a value
NO_VALUES_NOTE = (
    "The endpoint answered DescribeChangeSet without property values (IncludePropertyValues): "
    "only the names of the changed properties are shown."
)


@dataclass
class PropertyValue:
    """One changed property's value before and after, as the change set gives it (never shortened here)."""

    path: str  # "/Properties/ContainerDefinitions/0/Image", or the property's name when no path was given
    before: str | None
    after: str | None
    change: str = ""  # Add | Remove | Modify (AttributeChangeType)
    label: str = ""  # what the review calls it: "image (container app)", "ContainerDefinitions[0].Cpu"


class Row(Protocol):
    """What of a review row this module reads and fills (``stack_review.ResourceChange``, which imports us)."""

    action: str
    logical_id: str
    values: list[PropertyValue]


def attach_values(rows: Iterable[Row], described: Mapping[str, Any]) -> list[str]:
    """Fill ``row.values`` from the described change set; the notes the review needs (none when values came)."""
    by_id = {
        change["ResourceChange"].get("LogicalResourceId"): change["ResourceChange"]
        for change in described.get("Changes", [])
        if "ResourceChange" in change
    }
    missing = False
    for row in rows:
        if row.action != "Modify":
            continue  # an added or removed resource is all-new or all-gone: its values add nothing
        values = property_values(by_id.get(row.logical_id, {}))
        row.values = values or []
        missing = missing or values is None
    return [NO_VALUES_NOTE] if missing else []


def property_values(change: Mapping[str, Any]) -> list[PropertyValue] | None:
    """Before/after of each changed property; None when the answer carries no values at all."""
    details = change.get("Details", [])
    if not any(_has_values(d.get("Target", {})) for d in details) and "BeforeContext" not in change:
        return None
    context = _properties(change.get("AfterContext")) or _properties(change.get("BeforeContext"))
    values = []
    seen = set()
    for detail in details:
        target = detail.get("Target", {})
        path = target.get("Path") or target.get("Name") or target.get("Attribute", "")
        if not _has_values(target) or path in seen:
            continue
        seen.add(path)
        after = target.get("AfterValue")
        if (after is None and detail.get("Evaluation") == "Dynamic") or KNOWN_AFTER_APPLY in (after or ""):
            after = NOT_KNOWN
        before = target.get("BeforeValue")
        values.append(PropertyValue(path, before, after, target.get("AttributeChangeType", ""), label(path, context)))
    return values


def _has_values(target: Mapping[str, Any]) -> bool:
    return "BeforeValue" in target or "AfterValue" in target


def _properties(context: Any) -> dict[str, Any]:
    """The resource's properties from a Before/AfterContext (a JSON string, ``{"Properties": {...}}``)."""
    try:
        data = json.loads(context) if isinstance(context, str) else context
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    inner = data.get("Properties", data)
    return inner if isinstance(inner, dict) else {}


def label(path: str, properties: Mapping[str, Any]) -> str:
    """``/Properties/ContainerDefinitions/0/Image`` -> ``image (container app)``; other paths read as dotted names."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["Properties"]:
        parts = parts[1:]
    if len(parts) == 3 and parts[0] == "ContainerDefinitions" and parts[2] == "Image" and parts[1].isdigit():
        containers = properties.get("ContainerDefinitions") or []
        index = int(parts[1])
        name = (
            containers[index].get("Name") if index < len(containers) and isinstance(containers[index], dict) else None
        )
        return f"image (container {name})" if name else f"image (container #{index})"
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text or path
