"""What every check returns: a ``Finding`` with a stable id, and the templates of a written folder.

Each finding carries a stable id (C0xx, Q1xx, H0xx ours, cfn-lint's own ids
otherwise) and says what to fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


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


NON_TEMPLATE_FILES = frozenset({"manifest.json", "review.json", "cost.json"})
