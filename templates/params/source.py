"""The params file as written: the text of each plain scalar, by key path.

YAML converts plain scalars while loading (``0755`` -> 493, ``1.10`` -> 1.1,
``1:30`` -> 90, ``2024-01-01`` -> a date).  Messages about such values must
quote what the user typed, so the loader keeps the composed node tree and
this index answers "what was written at ``services.auth.image_tag``?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass
class Source:
    """Constructed document (``raw``) and the source text of its plain scalars by key path."""

    raw: dict[str, Any]
    plain: dict[tuple[Any, ...], str] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any], root: yaml.Node | None) -> Source:
        source = cls(raw)
        if root is not None:
            source._index(root, (), set())
        return source

    def _index(self, node: yaml.Node, path: tuple[Any, ...], active: set[int]) -> None:
        # Merges (<<) were flattened into the mapping nodes while constructing;
        # the last pair for a key is the one the document keeps.
        if id(node) in active:
            return
        active.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.style is None:  # plain: YAML may have converted it
                self.plain[path] = node.value
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    self.plain.pop((*path, key_node.value), None)
                    self._index(value_node, (*path, key_node.value), active)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, (*path, i), active)
        active.discard(id(node))

    def plain_text(self, loc: tuple[Any, ...]) -> str | None:
        """The text written at ``loc`` when it was a plain (unquoted) scalar, else None."""
        return self.plain.get(tuple(p for p in loc if p != "[key]"))
