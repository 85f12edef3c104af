"""Params reference in Markdown, generated from the pydantic models.

docs/params-reference.md is this output, so docs cannot drift from
the schema (a test compares them).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from templates.params.environment import Environment, nested_model
from templates.params.service import Service


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        return "" if isinstance(value, BaseModel) else f"`{_plain(value)}`"
    if field.default is PydanticUndefined:
        return "**required**"
    return f"`{_plain(field.default)}`"


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _rows(model: type[BaseModel], prefix: str, seen: set[type[BaseModel]]) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        if model is Service and name == "name":
            continue
        key = f"{prefix}{name}"
        nested = nested_model(field.annotation)
        rows.append(f"| `{key}` | {_default(field)} | {(field.description or '').replace('|', '/')} |")
        if nested is not None and nested not in seen:
            shape = str(field.annotation)
            sub = f"{key}.<name>." if shape.startswith("dict") else f"{key}[]." if "list" in shape else f"{key}."
            rows += _rows(nested, sub, seen | {nested})
    return rows


def params_reference() -> str:
    header = ["| key | default | meaning |", "|---|---|---|"]
    top = [f for f in Environment.model_fields if f != "services"]
    env_rows = []
    for name in top:
        field = Environment.model_fields[name]
        nested = nested_model(field.annotation)
        if nested is None:
            env_rows.append(f"| `{name}` | {_default(field)} | {field.description or ''} |")
        else:
            env_rows += _rows(nested, f"{name}.", {nested})
    service_rows = _rows(Service, "services.<name>.", {Service})
    return "\n".join(
        [
            "### Environment",
            "",
            *header,
            *env_rows,
            "",
            "### Services (`services.<name>`; every key may also be set under `defaults`)",
            "",
            *header,
            *service_rows,
        ]
    )
