"""Which property changes replace a resource, and what identifies it, as the registry schemas cfn-lint ships say.

Every resource type's registry schema lists ``createOnlyProperties`` ("properties that can only be
specified by the customer when creating a resource": changing one makes CloudFormation create a new
resource and delete the old) and ``conditionalCreateOnlyProperties`` (an update that "may or may not"
replace, depending on the value).  A type whose schema has handlers but no ``update`` handler cannot be
updated at all: any property change replaces it.
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html

The schemas are read from the pinned cfn-lint package's data (``cfnlint/data/schemas``: a provider
file per region maps a type to its schema file), never from a list kept here, so the rules are
AWS's own and move with the cfn-lint pin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SCHEMAS_PACKAGE = "cfnlint.data.schemas"
DEFAULT_REGION = "us-east-1"  # the region whose schemas are used when a template's region has none
PROPERTIES = "properties"

Path = tuple[str, ...]  # a property path below /properties: ("CidrBlock",), ("DnsOptions", "PrivateDnsPreference")


@dataclass(frozen=True)
class ReplacementRules:
    """What one resource type's schema says about updates: the properties that replace it, always or maybe."""

    resource_type: str
    create_only: tuple[Path, ...] = ()
    conditional: tuple[Path, ...] = ()
    updatable: bool = True  # False: no update handler, so any property change replaces
    known: bool = True  # False: cfn-lint ships no schema for the type (custom resources, new types)

    def paths_under(self, name: str) -> list[tuple[Path, str]]:
        """The create-only paths (and what they force) inside top-level property ``name``."""
        found = [(rule, "replace") for rule in self.create_only if rule[0] == name]
        return found + [(rule, "may replace") for rule in self.conditional if rule[0] == name]


def _path(pointer: str) -> Path | None:
    """``/properties/DnsOptions/PrivateDnsPreference`` -> ``("DnsOptions", "PrivateDnsPreference")``."""
    parts = pointer.strip("/").split("/")
    return tuple(parts[1:]) if len(parts) > 1 and parts[0] == PROPERTIES else None


@cache
def _provider(region: str) -> dict[str, str]:
    """Resource type -> schema file id for one region (cfn-lint's ``providers/<region>.json``)."""
    try:
        text = resources.files(SCHEMAS_PACKAGE).joinpath("providers", f"{region}.json").read_text()
    except (FileNotFoundError, OSError):
        return {} if region == DEFAULT_REGION else _provider(DEFAULT_REGION)
    return json.loads(text)


@cache
def _schema(schema_id: str) -> dict[str, Any]:
    return json.loads(resources.files(SCHEMAS_PACKAGE).joinpath("resources", f"{schema_id}.json").read_text())


def _type_schema(resource_type: str, region: str) -> dict[str, Any] | None:
    """``resource_type``'s registry schema in ``region`` (us-east-1's when the region has none); None: unknown."""
    schema_id = _provider(region).get(resource_type) or _provider(DEFAULT_REGION).get(resource_type)
    return None if schema_id is None else _schema(schema_id)


@cache
def replacement_rules(resource_type: str, region: str = DEFAULT_REGION) -> ReplacementRules:
    """The schema's replacement rules for ``resource_type`` in ``region`` (us-east-1's when the region has none)."""
    schema = _type_schema(resource_type, region)
    if schema is None:
        return ReplacementRules(resource_type, known=False)
    handlers = schema.get("handlers")
    return ReplacementRules(
        resource_type,
        create_only=tuple(p for p in map(_path, schema.get("createOnlyProperties", [])) if p),
        conditional=tuple(p for p in map(_path, schema.get("conditionalCreateOnlyProperties", [])) if p),
        updatable=handlers is None or "update" in handlers,
    )


@cache
def identifier_keys(resource_type: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The properties a resource import identifies the resource by (``primaryIdentifier``), in the schema's order.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html
    """
    schema = _type_schema(resource_type, region) or {}
    return tuple(dict.fromkeys(p[0] for p in map(_path, schema.get("primaryIdentifier", [])) if p))


def create_only_names(resource_type: str, region: str = DEFAULT_REGION) -> frozenset[str]:
    """Top-level properties holding a create-only path: changing them replaces the resource."""
    return frozenset(path[0] for path in replacement_rules(resource_type, region).create_only)


def handler_permissions(resource_type: str, handler: str, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The IAM actions CloudFormation calls, as the caller, to run ``handler`` (create, update, delete, ...)."""
    handlers = (_type_schema(resource_type, region) or {}).get("handlers") or {}
    return tuple((handlers.get(handler) or {}).get("permissions") or ())
