"""Read one params YAML file into a validated ``Environment``.

Every failure becomes a ``ParamsError`` naming the file and key path; nothing
here may raise anything else for any input bytes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from templates.errors import ParamsError, Problem, single
from templates.params import reading
from templates.params.environment import Environment, service_field_names
from templates.params.messages import hidden_characters, validate, visible
from templates.params.service import Service
from templates.params.source import Source

# Expanded size (aliases counted at every use) above which a file is refused:
# a real params file has a few thousand values; an alias "bomb" has billions.
MAX_EXPANDED_NODES = 200_000
MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping names the same key twice; carries the nodes so the key path can be reported."""

    def __init__(self, mapping: yaml.MappingNode, key_node: yaml.Node, first: yaml.Node, key: Any) -> None:
        super().__init__(
            "while constructing a mapping", mapping.start_mark, f"found duplicate key {key!r}", key_node.start_mark
        )
        self.key_node = key_node
        self.first = first
        self.key = key


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    # Only keys written in this mapping can be duplicates: a key that overrides one
    # brought in by a merge (<<: *anchor) is how YAML merges are meant to be used.
    seen: list[tuple[Any, yaml.Node]] = []  # a list, not a dict: YAML keys may be unhashable
    for key_node, _ in node.value:
        if key_node.tag == MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=deep)
        for other, first in seen:
            if type(other) is type(key) and other == key:
                raise DuplicateKeyError(node, key_node, first, key)
        seen.append((key, key_node))
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class ParamsDocument:
    """One params file as read: ``defaults`` folded into every service, and the text as written."""

    path: Path
    merged: dict[str, Any]
    source: Source


def read_params(path: Path | str) -> ParamsDocument:
    """Read one params file; a file that does not load as YAML mapping raises ``ParamsError`` (P001-P006, P009)."""
    path = Path(path)
    raw, root = read_yaml_nodes(path)
    return ParamsDocument(path, apply_defaults(path, raw), Source.of(raw, root))


def validate_params(document: ParamsDocument) -> tuple[Environment | None, list[Problem]]:
    """The validated model, or None and every schema problem (P006-P008)."""
    return validate(document.merged, document.source)


def services_alone(document: ParamsDocument) -> dict[str, Service]:
    """Every service whose own keys validate, whatever the rest of the file: its rules can still run."""
    services = document.merged.get("services")
    valid = {}
    for name, data in services.items() if isinstance(services, dict) else []:
        try:
            valid[str(name)] = Service.model_validate(data)
        except ValidationError:
            continue
    return valid


def read_yaml(path: Path) -> dict[str, Any]:
    return read_yaml_nodes(path)[0]


def read_yaml_nodes(path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    """The document and its composed node tree (for quoting values as written)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise single(path, "", "file not found", reading.FILE.id) from None
    except OSError as exc:
        raise single(path, "", f"cannot read file: {exc.strerror}", reading.FILE.id) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise single(
            path, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", reading.ENCODING.id
        ) from None
    doc, root = _parse(path, text)
    if doc is None:
        raise single(
            path,
            "",
            "file is empty; expected a mapping with project, environment, region, services",
            reading.TOP_LEVEL.id,
        )
    if not isinstance(doc, dict):
        raise single(path, "", f"top level must be a mapping of keys, not {type(doc).__name__}", reading.TOP_LEVEL.id)
    problems = [Problem(where, message, reading.KEY_NOT_TEXT.id) for where, message in _non_text_keys(doc, "")]
    if problems:
        raise ParamsError(path, problems)
    return doc, root


def _parse(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    loader = None
    root = None
    try:
        loader = _UniqueKeyLoader(text)  # the reader already refuses some characters here
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_expansion(path, root)
        return loader.construct_document(root), root
    except DuplicateKeyError as exc:
        where = _node_path(root, exc.key_node) if root is not None else ""
        raise single(
            path,
            where,
            f"duplicate key {exc.key!r} (line {exc.key_node.start_mark.line + 1}, first at line "
            f"{exc.first.start_mark.line + 1}); YAML would keep only one: rename or merge them",
            reading.YAML.id,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "found another document" in problem:
            problem = "found a second YAML document ('---'); a params file holds one: remove it or merge the two"
        hint = ""
        if "'\\t'" in problem:
            hint = " (indent with spaces; YAML forbids tabs)"
        elif "<block end>" in problem or "mapping values are not allowed" in problem:
            hint = " (check this line's indentation against the lines above)"
        raise single(path, "", f"YAML syntax error at {where}{problem}{hint}", reading.YAML.id) from None
    except RecursionError:
        raise single(path, "", "YAML nests too deeply", reading.YAML.id) from None
    finally:
        if loader is not None:
            loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(path: Path, root: yaml.Node) -> None:
    """Refuse anchors used inside themselves and alias chains that expand past any real file."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise single(
                path,
                "",
                f"line {node.start_mark.line + 1}: an anchor is used inside itself (endless value)",
                reading.YAML.id,
            )
        active.add(key)
        total = 1 + sum(size(child) for child in _children(node))
        active.discard(key)
        sizes[key] = total
        if total > MAX_EXPANDED_NODES:
            raise single(
                path,
                "",
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} values (line {node.start_mark.line + 1}); "
                "check that anchors (&name) and aliases (*name) point where you meant",
                reading.YAML.id,
            )
        return total

    size(root)


def _node_path(root: yaml.Node, target: yaml.Node) -> str:
    """Dotted key path of ``target`` (a mapping key node) in the composed document."""
    seen: set[int] = set()

    def walk(node: yaml.Node, prefix: str) -> str | None:
        if id(node) in seen:
            return None
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                here = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                if key_node is target:
                    return here
                if (found := walk(value_node, here)) is not None:
                    return found
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                if (found := walk(item, f"{prefix}[{i}]")) is not None:
                    return found
        return None

    return walk(root, "") or ""


def _non_text_keys(node: Any, prefix: str) -> list[tuple[str, str]]:
    """Every mapping key that YAML read as something other than text."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{prefix}.{key}" if prefix else str(key)
            if not isinstance(key, str):
                found.append(
                    (
                        here,
                        f"key {key!r} was read as {type(key).__name__}, not text; quote it "
                        "(YAML reads numbers, dates and yes/no/on/off/true/false as non-text)",
                    )
                )
            found += _non_text_keys(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _non_text_keys(item, f"{prefix}[{i}]")
    return found


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
        raise single(path, "defaults", "must be a mapping of service settings", reading.DEFAULTS.id)
    allowed = service_field_names()
    unknown = sorted(str(k) for k in defaults if k not in allowed)
    if unknown:
        raise single(
            path, f"defaults.{visible(unknown[0])}",
            f"unknown key; allowed keys: {', '.join(allowed)}{hidden_characters(unknown[0])}", reading.UNKNOWN_KEY.id,
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
