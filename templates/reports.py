"""Files beside the templates that describe the environment: its diagram (SVG and Mermaid).

Written into the staging folder before the checks run, so they are swapped
in together with the templates or not at all (the writer's "nothing
half-written" rule).  A diagram that cannot be drawn is a warning: the
picture must never block a deploy.
"""

from __future__ import annotations

from pathlib import Path

from templates.checks.findings import Finding
from templates.diagram.d2 import to_d2
from templates.diagram.mermaid import to_mermaid
from templates.diagram.model import build_picture
from templates.diagram.render import RenderError, render_svg
from templates.params.environment import Environment

DIAGRAM_SVG = "diagram.svg"
DIAGRAM_MERMAID = "diagram.mmd"


def write_reports(folder: Path, env: Environment) -> list[Finding]:
    picture = build_picture(env)
    (folder / DIAGRAM_MERMAID).write_text(to_mermaid(picture))
    try:
        (folder / DIAGRAM_SVG).write_bytes(render_svg(to_d2(picture)))
    except RenderError as exc:
        return [Finding("G001", DIAGRAM_SVG, f"diagram not drawn: {exc}", severity="warning")]
    return []
