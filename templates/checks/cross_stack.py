"""Cross-stack wiring of one environment: every import resolves, exports are unique, no cycles."""

from __future__ import annotations

from templates.checks.findings import Finding
from templates.stack_graph import build_graph


def cross_stack_findings(templates: dict[str, dict]) -> list[Finding]:
    """Every Fn::ImportValue resolves to another stack's export; no cycles; exports unique."""
    graph = build_graph(templates)
    findings = [
        Finding("C001", f"{key}.json", f"Fn::ImportValue {name!r} is exported by no other template of this environment")
        for key, names in sorted(graph.unresolved.items())
        for name in sorted(names)
    ]
    findings += [
        Finding(
            "C002",
            f"{keys[0]}.json",
            f"export {name!r} is also exported by {', '.join(keys[1:])}; export names must be unique",
        )
        for name, keys in sorted(graph.duplicate_exports.items())
    ]
    cycle = graph.cycle()
    if cycle:
        findings.append(Finding("C003", f"{cycle[0]}.json", "import cycle: " + " -> ".join(cycle)))
    return findings
