"""What every check returns: a ``Finding`` with a stable id, and the templates of a written folder.

Each finding carries a stable id (C0xx, Q1xx, H0xx ours, cfn-lint's own ids
otherwise) and says what to fix.
"""

from __future__ import annotations

import json
from pathlib import Path

from templates.errors import Finding

__all__ = ["NON_TEMPLATE_FILES", "Finding", "load_templates"]


def load_templates(folder: Path) -> dict[str, dict]:
    """Stack key -> template dict for every template JSON in ``folder``."""
    return {
        p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p.name not in NON_TEMPLATE_FILES
    }


NON_TEMPLATE_FILES = frozenset({"manifest.json", "review.json", "cost.json"})
