"""What the CloudFormation registry says about a resource type, for resource import: identifiers, create-only.

Read from the registry schemas cfn-lint ships (the same ones CloudFormation
publishes), never from a hand list: ``primaryIdentifier`` names the
properties an import's ``ResourceIdentifier`` takes, ``createOnlyProperties``
the ones that cannot change without replacing the resource.
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html
"""

from __future__ import annotations

from functools import cache

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

_REGION = "us-east-1"  # every type we import is in the schemas of the first region


@cache
def _schema(resource_type: str) -> dict[str, object]:
    return dict(PROVIDER_SCHEMA_MANAGER.get_resource_schema(_REGION, resource_type).schema)


def _top_level(pointers: object) -> list[str]:
    """``/properties/Name`` -> ``Name``; nested pointers name their top-level property."""
    names = []
    for pointer in pointers if isinstance(pointers, list) else []:
        parts = str(pointer).split("/")
        if len(parts) >= 3 and parts[1] == "properties" and parts[2] not in names:
            names.append(parts[2])
    return names


def identifier_keys(resource_type: str) -> list[str]:
    """The properties that identify a resource to import (``primaryIdentifier``), in the schema's order."""
    return _top_level(_schema(resource_type).get("primaryIdentifier"))


def create_only(resource_type: str) -> frozenset[str]:
    """Top-level properties that replace the resource when they change (``createOnlyProperties``)."""
    return frozenset(_top_level(_schema(resource_type).get("createOnlyProperties")))
