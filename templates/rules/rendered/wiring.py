"""Cross-stack wiring of one environment (C001-C003): every import resolves, exports are unique, no cycles."""

from __future__ import annotations

from collections.abc import Iterator

from templates.contract.files import template_file
from templates.contract.graph import build_graph
from templates.contract.rendered import RenderedFolder
from templates.rules.registry import Found, rendered_rule

IMPORT_VALUE = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html"
)


@rendered_rule("C001", "an Fn::ImportValue no other template of the environment exports", IMPORT_VALUE)
def imports_resolve(folder: RenderedFolder) -> Iterator[Found]:
    graph = build_graph(folder.docs())
    for key, names in sorted(graph.unresolved.items()):
        for name in sorted(names):
            yield Found(
                template_file(key), f"Fn::ImportValue {name!r} is exported by no other template of this environment"
            )


@rendered_rule("C002", "one export name exported by two templates (names are unique per account and region)",
               IMPORT_VALUE)  # fmt: skip
def exports_unique(folder: RenderedFolder) -> Iterator[Found]:
    graph = build_graph(folder.docs())
    for name, keys in sorted(graph.duplicate_exports.items()):
        yield Found(
            template_file(keys[0]),
            f"export {name!r} is also exported by {', '.join(keys[1:])}; export names must be unique",
        )


@rendered_rule("C003", "stacks importing from each other in a cycle (none could be created first)")
def no_import_cycle(folder: RenderedFolder) -> Iterator[Found]:
    cycle = build_graph(folder.docs()).cycle()
    if cycle:
        yield Found(template_file(cycle[0]), "import cycle: " + " -> ".join(cycle))
