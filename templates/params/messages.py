"""Pydantic's validation errors turned into the messages a person can act on.

Three promises, each a place people got lost:

* **Values as written.** YAML 1.1 turns some plain scalars into something
  else before we see them: ``0755`` is the octal number 493, ``1:30`` the
  base-60 number 90, ``1.10`` the float 1.1, ``2024-01-01`` a date.  A message
  about such a value quotes the text of the file (kept by ``source``), says
  what YAML made of it, and never advises quoting the mangled value.
* **One report per mistake in ``defaults``.**  A bad value under ``defaults``
  breaks every service that inherits it; it is reported once, at
  ``defaults.<key>``, naming those services.
* **Keys shown as they are.**  Invisible characters (zero-width space,
  non-breaking space) are escaped, so ``cpu\\u200b`` never reads like ``cpu``.

Coercion rule (one for every key): YAML decides a value's type, and the
models do not convert between text and numbers.  A number is written without
quotes (``cpu: 512``, not ``"512"`` or ``512.0``); text that YAML would read
as something else is quoted (``matcher: "200"``, ``image_tag: "1.10"``).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from templates.errors import Problem
from templates.params import reading
from templates.params.environment import Environment, nested_model
from templates.params.service import Service
from templates.params.source import Source

_NUMBER_TYPES = ("int_type", "int_parsing", "int_from_float", "float_type", "float_parsing")
_TEXT_TYPES = ("string_type",)


def visible(text: str) -> str:
    """``text`` with control, format and unusual space characters escaped (``\\u200b``)."""
    out = []
    for ch in text:
        hidden = ch != " " and unicodedata.category(ch)[0] in "CZ"
        out.append((f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}") if hidden else ch)
    return "".join(out)


def hidden_characters(text: str) -> str:
    """``; the key contains U+200B ZERO WIDTH SPACE ...`` when ``text`` has invisible characters, else ''."""
    names = sorted({f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in text if visible(ch) != ch})
    if not names:
        return ""
    return f"; the key contains invisible character(s) {', '.join(names)}: delete and retype it"


def loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself is invalid"
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + visible(str(part))
    return out


def _is_mapping(annotation: Any) -> bool:
    if get_origin(annotation) is dict:
        return True
    return any(_is_mapping(arg) for arg in get_args(annotation) if arg is not type(None))


def schema_at(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model whose keys live at ``loc`` and the last field on the way.

    List indexes and the keys of free-form mappings (service names, env var
    names) are stepped over, so a service called ``cpu`` is not taken for the
    ``cpu`` field.
    """
    model: type[BaseModel] | None = Environment
    field: FieldInfo | None = None
    skip_key = False
    for part in loc:
        if skip_key or isinstance(part, int):
            skip_key = False
            continue
        found = model.model_fields.get(part) if model is not None and isinstance(part, str) else None
        if found is None:
            return None, field
        field = found
        model = nested_model(found.annotation)
        skip_key = _is_mapping(found.annotation)
    if skip_key:  # ``loc`` is a free-form mapping itself (e.g. ``services``), not one of its values
        model = None
    return model, field


def allowed_keys(model_loc: tuple[Any, ...]) -> str:
    """Keys allowed in the mapping at ``model_loc``."""
    model = schema_at(model_loc)[0] or Environment
    return ", ".join(n for n in model.model_fields if not (model is Service and n == "name"))


def _expected(loc: tuple[Any, ...]) -> str:
    field = schema_at(loc)[1]
    return f"; expected: {field.description}" if field is not None and field.description else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def yaml_reading(value: Any, text: str | None) -> str:
    """What YAML made of the plain scalar ``text``, e.g. ``the number 493 (a leading 0 reads as octal)``."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads yes/no/on/off/true/false as booleans)"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"a date/time ({value.isoformat()})"
    if value is None:
        return "an empty value (null)"
    if isinstance(value, (int, float)):
        why = ""
        if text is not None and text.replace("_", "") != str(value):
            if re.fullmatch(r"[-+]?\d+(:[0-5]?\d)+(\.\d*)?", text):
                why = " (digits separated by : read as base 60)"
            elif re.fullmatch(r"[-+]?0[0-7_]+", text):
                why = " (a leading 0 reads as octal)"
            elif re.fullmatch(r"[-+]?0x[0-9a-fA-F_]+", text) or re.fullmatch(r"[-+]?0b[01_]+", text):
                why = " (read as hexadecimal/binary)"
            elif isinstance(value, float):
                why = " (a number keeps no trailing zeros)"
            else:
                why = " (a number keeps no formatting)"
        return f"the number {value!r}{why}"
    return f"{type(value).__name__} {_short(value)}"


def _type_hint(kind: str, value: Any, source: Source, raw_loc: tuple[Any, ...]) -> str:
    """The ``(YAML read ... )`` part of a wrong-type message, quoting the file's text."""
    text = source.plain_text(raw_loc)
    shown = text if text is not None else _short(value)
    if kind in _TEXT_TYPES and not isinstance(value, (str, dict, list)):
        if text is None:
            return f" (got {yaml_reading(value, None)})"
        return f' (YAML read {text} as {yaml_reading(value, text)}, not text; put it in quotes as written: "{text}")'
    if kind in _NUMBER_TYPES and isinstance(value, str):
        quoted = re.fullmatch(r"-?\d+(\.\d+)?", value.strip()) is not None
        advice = f"; numbers are written without quotes: {value.strip()}" if quoted else ""
        return f" (got text {value!r}{advice})"
    if kind in _NUMBER_TYPES and isinstance(value, float) and value.is_integer():
        return f" (YAML read {shown} as a decimal number; write a whole number without the point: {int(value)})"
    if kind in _NUMBER_TYPES and isinstance(value, float):
        return f" (YAML read {shown} as a number with a fractional part)"
    if kind == "bool_type" and not isinstance(value, bool):
        return f" (got {yaml_reading(value, text)}; write true or false)"
    return ""


def _inherited_loc(loc: tuple[Any, ...], raw: dict[str, Any]) -> tuple[Any, ...] | None:
    """``("defaults", ...)`` when the value at the merged ``loc`` came from ``defaults``, else None.

    Walks the service as written: the first key the service lacks but
    ``defaults`` has marks an inherited value.  Lists are not merged, so an
    index below a key the service wrote is the service's own.
    """
    if len(loc) < 3 or loc[0] != "services" or not isinstance(raw.get("defaults"), dict):
        return None
    services = raw.get("services")
    node = services.get(loc[1]) if isinstance(services, dict) else None
    node = {} if node is None else node
    default: Any = raw["defaults"]
    rest = tuple(p for p in loc[2:] if p != "[key]")
    for part in rest:
        if not isinstance(node, dict) or isinstance(part, int):
            return None
        if part not in node:
            found = isinstance(default, dict) and part in default
            return ("defaults", *rest) if found else None
        node = node[part]
        default = default.get(part) if isinstance(default, dict) else None
    return None


def _problem(err: dict[str, Any], source: Source) -> Problem:
    loc = tuple(err["loc"])
    path = loc_to_path(loc)
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        hint = hidden_characters(str(loc[-1]))
        return Problem(
            path, f"unknown key (typo?); allowed keys here: {allowed_keys(loc[:-1])}{hint}", reading.UNKNOWN_KEY.id
        )
    if kind == "missing":
        return Problem(path, "required key is missing" + _expected(loc), reading.MISSING_KEY.id)
    if len(loc) == 3 and loc[0] == "services" and loc[2] == "name":
        return Problem(
            loc_to_path(loc[:2]),
            f"service name {value!r} not allowed: lowercase letters, digits and single hyphens, "
            "starting with a letter, at most 24 characters",
            reading.SCHEMA.id,
        )
    message = err["msg"].removeprefix("Value error, ")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        model = schema_at(loc)[0]
        keys = f" with keys {allowed_keys(loc)}" if model is not None else ""
        message = f"expected a mapping{keys}, got {type(value).__name__} {_short(value)}"
        if model is None:
            message += _expected(loc)
    elif kind != "value_error":  # our own validators already say what is allowed
        if kind == "string_pattern_mismatch":
            message = f"{message} (got {visible(repr(value))})"
        message += _type_hint(kind, value, source, _inherited_loc(loc, source.raw) or loc)
        if loc and loc[-1] == "[key]":
            message = "key not allowed: " + message
        message += _expected(loc)
    return Problem(path, message, reading.SCHEMA.id)


def problems_of(errors: list[dict[str, Any]], source: Source) -> list[Problem]:
    """One problem per mistake: the same inherited mistake in several services becomes one at defaults."""
    located = [(tuple(err["loc"]), _problem(err, source)) for err in errors]
    return _one_per_default(located, source.raw)


def path_to_loc(path: str) -> tuple[Any, ...]:
    """``services.a.containers[0].image`` -> ``("services", "a", "containers", 0, "image")``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"\.|\[|\]\.?", path) if p)


def attribute_to_defaults(problems: list[Problem], raw: dict[str, Any]) -> list[Problem]:
    """Problems the rules found after validation, moved to ``defaults`` when inherited from there (once each)."""
    return _one_per_default([(path_to_loc(p.path), p) for p in problems], raw)


def _one_per_default(located: list[tuple[tuple[Any, ...], Problem]], raw: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    inherited: dict[tuple[str, str, str], list[str]] = {}
    for loc, problem in located:
        from_defaults = _inherited_loc(loc, raw)
        if from_defaults is None:
            problems.append(problem)
            continue
        key = (loc_to_path(from_defaults), problem.message, problem.check_id)
        if key not in inherited:
            problems.append(Problem(*key, problem.severity))
            inherited[key] = []
        inherited[key].append(str(loc[1]))
    return [_with_heirs(p, inherited.get((p.path, p.message, p.check_id))) for p in problems]


def _with_heirs(problem: Problem, services: list[str] | None) -> Problem:
    if services is None:
        return problem
    heirs = ", ".join(sorted(set(services)))
    message = f"{problem.message} (set under defaults; inherited by services: {heirs})"
    return Problem(problem.path, message, problem.check_id, problem.severity)


def validate(merged: dict[str, Any], source: Source) -> tuple[Environment | None, list[Problem]]:
    """The model, or None and every schema problem (one per mistake, inherited ones at ``defaults``)."""
    try:
        return Environment.model_validate(merged), []
    except ValidationError as exc:
        return None, problems_of(exc.errors(include_url=False), source)
