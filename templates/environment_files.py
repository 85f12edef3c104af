"""Files beside the templates that describe the environment: its diagram (SVG and Mermaid) and cost model.

Built in memory and handed to the writer, which puts them into the staging
folder with the templates: they are swapped in together or not at all (the
writer's "nothing half-written" rule).  A diagram that cannot be drawn is a
warning: the picture must never block a deploy.
"""

from __future__ import annotations

import json

from templates.contract.files import COST, DIAGRAM_MERMAID, DIAGRAM_SVG
from templates.cost.model import cost_model
from templates.diagram.d2 import to_d2
from templates.diagram.mermaid import to_mermaid
from templates.diagram.model import build_picture
from templates.diagram.render import RenderError, render_svg
from templates.errors import Finding
from templates.params.environment import Environment
from templates.plan.model import EnvironmentPlan
from templates.rules.rendered.drawing import DIAGRAM_NOT_DRAWN


def environment_files(env: Environment, plan: EnvironmentPlan) -> tuple[dict[str, bytes], list[Finding]]:
    """File name -> content for the output folder, and warnings about what could not be made.

    ``plan`` is the one the templates were built from, so the picture and the
    bill show the ALBs, priorities and endpoints that will be deployed.
    """
    picture = build_picture(env, plan)
    files = {
        DIAGRAM_MERMAID: to_mermaid(picture).encode(),
        COST: (json.dumps(cost_model(env, plan), indent=2) + "\n").encode(),
    }
    try:
        files[DIAGRAM_SVG] = render_svg(to_d2(picture))
    except RenderError as exc:
        return files, [Finding(DIAGRAM_NOT_DRAWN.id, DIAGRAM_SVG, f"diagram not drawn: {exc}", severity="warning")]
    return files, []
