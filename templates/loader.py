"""Read one params YAML file into a validated ``Environment``.

Every failure becomes a ``ParamsError`` naming the file and key path; nothing
here may raise anything else for any input bytes.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from templates import routing
from templates.errors import RULE_ERROR_TYPE, ParamsError, Problem, single
from templates.params import Environment, Service, nested_model, service_field_names


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    loader.flatten_mapping(node)
    seen: list[Any] = []  # a list, not a set: YAML keys may be unhashable
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        seen.append(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_environment(path: Path | str) -> Environment:
    path = Path(path)
    raw = read_yaml(path)
    merged = apply_defaults(path, raw)
    env = validate(path, merged, raw)
    routing.check_routes(path, env)
    return env


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise single(path, "", "file not found", "P001") from None
    except OSError as exc:
        raise single(path, "", f"cannot read file: {exc.strerror}", "P001") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise single(path, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", "P002") from None
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise single(path, "", f"YAML syntax error at {where}{problem}", "P003") from None
    except RecursionError:
        raise single(path, "", "YAML nests too deeply", "P003") from None
    if doc is None:
        raise single(path, "", "file is empty; expected a mapping with project, environment, region, services", "P004")
    if not isinstance(doc, dict):
        raise single(path, "", f"top level must be a mapping of keys, not {type(doc).__name__}", "P004")
    return doc


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_defaults(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    """Fold ``defaults`` into every service and give each service its name."""
    doc = dict(raw)
    defaults = doc.pop("defaults", None) or {}
    if not isinstance(defaults, dict):
        raise single(path, "defaults", "must be a mapping of service settings", "P005")
    allowed = service_field_names()
    unknown = sorted(str(k) for k in defaults if k not in allowed)
    if unknown:
        raise single(
            path, f"defaults.{unknown[0]}",
            f"unknown key; allowed keys: {', '.join(allowed)}", "P006",
        )  # fmt: skip
    services = doc.get("services")
    if isinstance(services, dict):
        merged = {}
        for name, svc in services.items():
            if svc is None:
                svc = {}
            if isinstance(svc, dict):
                svc = _deep_merge(defaults, svc)
                svc["name"] = name
            merged[name] = svc
        doc["services"] = merged
    return doc


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _allowed_keys(model_loc: tuple[Any, ...]) -> str:
    """Keys allowed in the mapping at ``model_loc``; dict keys and list indexes are skipped."""
    model: Any = Environment
    for part in model_loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is not None:
            model = nested_model(field.annotation) or model
    return ", ".join(n for n in model.model_fields if not (model is Service and n == "name"))


def _problem(err: dict[str, Any], raw: dict[str, Any]) -> Problem:
    loc = tuple(err["loc"])
    path = _loc_to_path(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return Problem(path, f"unknown key (typo?); allowed keys here: {allowed}", "P006")
    if kind == "missing":
        return Problem(path, "required key is missing", "P007")
    if kind == RULE_ERROR_TYPE:
        return _rule_problem(err, loc, path, raw)
    message = err["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        message = f"{message} (got {err.get('input')!r})"
    inherited = _inherited_from_defaults(loc, raw)
    if inherited:
        message += f" (value inherited from {inherited})"
    return Problem(path, message, "P008")


def _rule_problem(err: dict[str, Any], loc: tuple[Any, ...], path: str, raw: dict[str, Any]) -> Problem:
    """A combination rule (``errors.rule_violation``): its own id, and the key it names."""
    ctx = err.get("ctx") or {}
    at = str(ctx.get("at") or "")
    if at:
        path = f"{path}.{at}" if path else at
        loc = loc + tuple(re.sub(r"\[\d+\]", "", part) for part in at.split("."))
    message = str(ctx.get("message") or err["msg"])
    inherited = _inherited_from_defaults(loc, raw)
    if inherited:
        message += f" (value inherited from {inherited})"
    return Problem(path, message, str(ctx.get("check_id") or "P008"))


def _inherited_from_defaults(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    if len(loc) < 3 or loc[0] != "services":
        return ""
    svc = (raw.get("services") or {}).get(loc[1])
    defaults = raw.get("defaults")
    if isinstance(svc, dict) and loc[2] not in svc and isinstance(defaults, dict) and loc[2] in defaults:
        return f"defaults.{loc[2]}"
    return ""


def validate(path: Path, merged: dict[str, Any], raw: dict[str, Any]) -> Environment:
    try:
        return Environment.model_validate(merged)
    except ValidationError as exc:
        problems = [_problem(e, raw) for e in exc.errors(include_url=False)]
        raise ParamsError(path, problems) from None
