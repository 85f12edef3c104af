"""How problems are reported: ``Problem`` (a key of the params file), ``Finding`` (a written template),
and ``ParamsError``, the one error a user sees for bad input: file, key path, what is allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is (dotted key path) and how to fix it."""

    path: str
    message: str
    check_id: str
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        where = self.path or "(top level)"
        return f"{where}: {self.message} [{self.check_id}]"


@dataclass(frozen=True)
class Finding:
    """One problem in the written templates (or a warning about the params); a warning does not stop writing."""

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


@dataclass
class ParamsError(Exception):
    """Bad params input; generate.py turns it into exit code 2 and one message."""

    file: Path | str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.file}: invalid params ({len(self.problems)} problem(s))"]
        lines += [f"  {p.render()}" for p in self.problems]
        return "\n".join(lines)


def single(file: Path | str, path: str, message: str, check_id: str) -> ParamsError:
    return ParamsError(file, [Problem(path, message, check_id)])
