"""G001: the environment diagram could not be drawn: a warning, since the picture must never block a deploy.

Made while the files beside the templates are drawn (``environment_files``),
not by reading the written folder: the record is here so the registry and
the docs list it with every other check.
"""

from __future__ import annotations

from templates.rules.registry import Rule, register

DIAGRAM_NOT_DRAWN = register(
    Rule("G001", "diagram.svg could not be drawn (a warning: the picture never blocks a deploy)", "rendered", None)
)
