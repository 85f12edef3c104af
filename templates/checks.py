"""Checks over an environment's generated templates: cross-stack wiring and cfn-lint.

Each finding carries a stable id (C0xx ours, cfn-lint's own ids otherwise)
and says what to fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from templates.graph import build_graph


@dataclass(frozen=True)
class Finding:
    """One check result; a warning is printed but does not stop the output being written."""

    check_id: str
    file: str
    message: str
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{prefix}{self.file}: {self.message} [{self.check_id}]"


def load_templates(folder: Path) -> dict[str, dict]:
    """Stack key -> template dict for every template JSON in ``folder``."""
    return {
        p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p.name not in NON_TEMPLATE_FILES
    }


NON_TEMPLATE_FILES = frozenset({"manifest.json", "review.json"})


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


def lint_findings(folder: Path, region: str) -> list[Finding]:
    """cfn-lint over all templates of the folder in this one process."""
    from cfnlint.api import ManualArgs, lint_by_config

    files = [str(p) for p in sorted(folder.glob("*.json")) if p.name not in NON_TEMPLATE_FILES]
    matches = lint_by_config(ManualArgs(templates=files, regions=[region]))
    return [
        Finding(m.rule.id, f"{Path(m.filename).name}:{m.linenumber}", m.message)
        for m in matches
        if m.rule.id[0] in "EW"
    ]


def check_folder(folder: Path, region: str) -> list[Finding]:
    return cross_stack_findings(load_templates(folder)) + lint_findings(folder, region)
