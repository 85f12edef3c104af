"""The stack graph of an environment, read from templates' exports and imports.

Works on plain template dicts (as written to disk) so the generator's checks
and the deployer share one definition of "stack A depends on stack B".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

Templates = Mapping[str, Mapping[str, Any]]


def _defaults(template: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: str(spec["Default"]) for name, spec in (template.get("Parameters") or {}).items() if "Default" in spec
    }


def resolve_name(value: Any, params: Mapping[str, str]) -> str | None:
    """Resolve an export-name expression (string or Fn::Sub of parameters); None if it can't."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        for name, default in params.items():
            text = text.replace("${" + name + "}", default)
        return None if "${" in text else text
    return None


def _walk_imports(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::ImportValue":
                yield value
            else:
                yield from _walk_imports(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_imports(item)


def exports_of(template: Mapping[str, Any], params: Mapping[str, str] | None = None) -> dict[str, str]:
    """Export name -> output key."""
    values = {**_defaults(template), **(params or {})}
    out = {}
    for key, output in (template.get("Outputs") or {}).items():
        if "Export" in output:
            name = resolve_name(output["Export"].get("Name"), values)
            out[name or f"<unresolved {key}>"] = key
    return out


def imports_of(template: Mapping[str, Any], params: Mapping[str, str] | None = None) -> set[str]:
    values = {**_defaults(template), **(params or {})}
    return {resolve_name(v, values) or f"<unresolved {v!r}>" for v in _walk_imports(template.get("Resources", {}))}


@dataclass(frozen=True)
class StackGraph:
    exporters: dict[str, str]  # export name -> stack key
    depends_on: dict[str, set[str]]  # stack key -> stack keys it imports from
    unresolved: dict[str, set[str]]  # stack key -> import names nobody exports
    duplicate_exports: dict[str, list[str]]  # export name -> stack keys exporting it

    def order(self) -> list[str]:
        """Stacks in dependency order; raises ``graphlib.CycleError`` on a cycle."""
        return list(TopologicalSorter(self.depends_on).static_order())

    def cycle(self) -> list[str] | None:
        try:
            self.order()
        except CycleError as exc:
            return list(exc.args[1])
        return None


def build_graph(templates: Templates) -> StackGraph:
    exporters: dict[str, str] = {}
    duplicates: dict[str, list[str]] = {}
    for key, template in sorted(templates.items()):
        for name in exports_of(template):
            if name in exporters:
                duplicates.setdefault(name, [exporters[name]]).append(key)
            exporters[name] = key
    depends_on: dict[str, set[str]] = {}
    unresolved: dict[str, set[str]] = {}
    for key, template in sorted(templates.items()):
        depends_on[key] = set()
        for name in imports_of(template):
            source = exporters.get(name)
            if source is None or source == key:
                unresolved.setdefault(key, set()).add(name)
            else:
                depends_on[key].add(source)
    return StackGraph(exporters, depends_on, unresolved, duplicates)
