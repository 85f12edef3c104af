"""cfn-lint over an environment's written templates, its matches as findings."""

from __future__ import annotations

from pathlib import Path

from templates.checks.findings import NON_TEMPLATE_FILES, Finding


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
