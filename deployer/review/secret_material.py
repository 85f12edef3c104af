"""Secret material never reaches the review: masked in the data, so the terminal, review.md and review.json agree.

What is secret: a parameter declared ``NoEcho`` or named like a secret; an
environment variable (``{"Name", "Value"}`` of a container definition) named
like a secret or holding a credential-shaped value; a property the template
fills from ``{{resolve:secretsmanager:...}}`` or ``{{resolve:ssm-secure:...}}``
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html);
any value shaped like a known credential.  The definition of "named like a
secret" and "credential-shaped" is the generator's (``templates.contract.secret_values``).

A masked value still says whether it changed: ``(secret)`` before,
``(secret, changed)`` or ``(secret, unchanged)`` after.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from deployer.review.property_values import PropertyValue, Row
from deployer.review.stack_review import ParameterChange
from templates.contract.secret_values import credential_shape, is_secret, secret_name_word

MASKED = "(secret)"
MASKED_CHANGED = "(secret, changed)"
MASKED_UNCHANGED = "(secret, unchanged)"
SECRET_REFERENCES = ("{{resolve:secretsmanager:", "{{resolve:ssm-secure:")


def secret_parameters(template: Mapping[str, Any]) -> frozenset[str]:
    """The template's parameters whose values are secret: NoEcho, or named like a secret."""
    specs = template.get("Parameters") or {}
    return frozenset(
        name
        for name, spec in specs.items()
        if str((spec or {}).get("NoEcho", "")).lower() == "true" or secret_name_word(name) is not None
    )


def masked_parameters(values: Mapping[str, str], template: Mapping[str, Any]) -> dict[str, str]:
    """Parameter values as the review (and review.json's plan) may keep them."""
    secret = secret_parameters(template)
    return {name: MASKED if name in secret else value for name, value in values.items()}


def mask_parameter_changes(changes: Iterable[ParameterChange], template: Mapping[str, Any]) -> None:
    """Secret parameters keep their row (it changed) but lose their values."""
    secret = secret_parameters(template)
    for change in changes:
        if change.name in secret:
            change.deployed = None if change.deployed is None else MASKED
            change.new = None if change.new is None else MASKED_CHANGED


def _after(before: Any, after: Any) -> str:
    return MASKED_UNCHANGED if before == after else MASKED_CHANGED


def _is_reference(written: Any) -> bool:
    """A template value CloudFormation fills from a secret (a dynamic reference to Secrets Manager or SecureString)."""
    return isinstance(written, str) and any(reference in written for reference in SECRET_REFERENCES)


def _at(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and key < len(value):
        return value[key]
    return None


def _masked_json(value: Any, before: Any = None, written: Any = None) -> Any:
    """A property value (parsed) with every secret inside masked.

    ``before`` (parsed) says what changed; ``written`` is the template's value at the same place, which
    says what CloudFormation resolved from a secret.
    """
    if _is_reference(written):
        return MASKED if before is None else _after(before, value)
    if isinstance(value, dict):
        name, inner = value.get("Name"), value.get("Value")
        if isinstance(name, str) and isinstance(inner, str) and is_secret(name, inner):
            old = before.get("Value") if isinstance(before, dict) and before.get("Name") == name else None
            return {**value, "Value": MASKED if before is None else _after(old, inner)}
        return {k: _masked_json(v, _at(before, k), _at(written, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_json(v, _at(before, i), _at(written, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and credential_shape(value) is not None:
        return MASKED if before is None else _after(before, value)
    return value


def _parse(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _pointer(document: Any, path: str) -> Any:
    """The value at a JSON pointer (``/Properties/ContainerDefinitions/0/Environment/1/Value``), or None."""
    for part in (p for p in path.split("/") if p):
        if isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        elif isinstance(document, dict) and part in document:
            document = document[part]
        else:
            return None
    return document


def _is_secret_entry(path: str, contexts: Iterable[Any]) -> bool:
    """A scalar at ``.../<i>/Value`` whose sibling Name (before or after) is named like a secret."""
    if not path.endswith("/Value"):
        return False
    for context in contexts:
        entry = _pointer(context, path.removesuffix("/Value"))
        if isinstance(entry, dict) and isinstance(entry.get("Name"), str) and secret_name_word(entry["Name"]):
            return True
    return False


def _masked_text(text: str, before_text: str | None = None, written: Any = None) -> str:
    """``text`` with the secrets inside masked; unchanged text (not re-serialised) when there are none."""
    parsed = _parse(text)
    masked = _masked_json(parsed, None if before_text is None else _parse(before_text), written)
    return text if masked == parsed else _text(masked)


def mask_value(value: PropertyValue, resource: Mapping[str, Any], contexts: Iterable[Any]) -> None:
    """One property value with its secret material masked, in place."""
    written = _pointer(resource, value.path)
    if _is_reference(written) or _is_secret_entry(value.path, contexts):
        before = value.before
        value.before = None if value.before is None else MASKED
        value.after = None if value.after is None else (MASKED if before is None else _after(before, value.after))
        return
    before = value.before
    if value.before is not None:
        value.before = _masked_text(value.before, None, written)
    if value.after is not None:
        value.after = _masked_text(value.after, before, written)


def mask_values(rows: Iterable[Row], template: Mapping[str, Any], described: Mapping[str, Any]) -> None:
    """Every property value of the rows, masked; the contexts of the described change set name env entries."""
    changes = {
        c["ResourceChange"].get("LogicalResourceId"): c["ResourceChange"]
        for c in described.get("Changes", [])
        if "ResourceChange" in c
    }
    resources = template.get("Resources") or {}
    for row in rows:
        change = changes.get(row.logical_id, {})
        contexts = [_parse(change.get("BeforeContext")), _parse(change.get("AfterContext"))]
        contexts = [c if isinstance(c, dict) and "Properties" in c else {"Properties": c} for c in contexts]
        for value in row.values:
            mask_value(value, resources.get(row.logical_id) or {}, contexts)
