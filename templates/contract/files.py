"""The files of ``output/<env>/``: one name each, for the writer that makes them and everyone who reads them."""

from __future__ import annotations

from pathlib import Path

TEMPLATE_SUFFIX = ".json"
MANIFEST = "manifest.json"  # stack names, templates and the region: what the deployer starts from
LOCK_TEMPLATE = "deploy-lock.json"  # the environment lock's template (the deployer never builds one)
COST = "cost.json"  # the monthly fixed cost, and the unit prices the deployer prices change sets with
DIAGRAM_SVG = "diagram.svg"
DIAGRAM_MERMAID = "diagram.mmd"  # the same picture for review.md
REVIEW_MD = "review.md"  # written by the deployer
REVIEW_JSON = "review.json"  # written by the deployer; CI gates and --apply-plan read it

# JSON files of the folder that are data, not CloudFormation templates.
NOT_TEMPLATES = frozenset({MANIFEST, COST, REVIEW_JSON})


def template_file(key: str) -> str:
    """``svc-auth`` -> ``svc-auth.json``."""
    return key + TEMPLATE_SUFFIX


def cloudformation_templates(folder: Path) -> list[Path]:
    """Every template CloudFormation will get from the folder, the lock's included (the rules check them all)."""
    return sorted(p for p in folder.glob("*" + TEMPLATE_SUFFIX) if p.name not in NOT_TEMPLATES)


def stack_templates(folder: Path) -> list[Path]:
    """The environment's stacks: every template but the lock's, by name."""
    return [p for p in cloudformation_templates(folder) if p.name != LOCK_TEMPLATE]
