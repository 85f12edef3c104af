"""The service stack's parameters: what CI and ops change without touching the template.

``ImageTag`` ships a new image, ``DesiredCount`` sets the count of an
unscaled service, ``RedeployNonce`` rolls every task (after a secret
rotation) as a parameter-only change set.  Each constrained parameter says
in words what it accepts (``ConstraintDescription``), so the console shows
that instead of the raw pattern.
"""

from __future__ import annotations

from troposphere import Parameter, Template

from templates.naming import EXPORT_PREFIX_PARAM
from templates.params.formats import IMAGE_TAG
from templates.params.service import Service
from templates.stacks.common import add_parameter_groups
from templates.stacks.service.task import IMAGE_TAG_PARAM, REDEPLOY_NONCE_PARAM, uses_image_tag

DESIRED_COUNT_PARAM = "DesiredCount"
NONCE_PATTERN = r"^[A-Za-z0-9._:+-]{1,64}$"
LABELS = {
    IMAGE_TAG_PARAM: "Image tag",
    DESIRED_COUNT_PARAM: "Task count",
    REDEPLOY_NONCE_PARAM: "Redeploy nonce (change to roll every task)",
    EXPORT_PREFIX_PARAM: "Export prefix of the environment",
}


def add_parameters(t: Template, svc: Service) -> None:
    deploy_params = []
    if uses_image_tag(svc):
        t.add_parameter(
            Parameter(
                IMAGE_TAG_PARAM,
                Type="String",
                Default=svc.image_tag,
                AllowedPattern=f"^{IMAGE_TAG}$",
                ConstraintDescription="1-128 letters, digits, _ . - ; not starting with . or -",
                Description="Image tag for containers whose image has no fixed tag (CI sets this).",
            )
        )
        deploy_params.append(IMAGE_TAG_PARAM)
    if svc.has_service and svc.scaling is None and not svc.capacity.daemon:  # a daemon: one per instance
        t.add_parameter(
            Parameter(
                DESIRED_COUNT_PARAM,
                Type="Number",
                Default=svc.desired_count,
                MinValue=0,
                ConstraintDescription="a whole number of tasks, 0 or more",
                Description="Number of tasks to run.",
            )
        )
        deploy_params.append(DESIRED_COUNT_PARAM)
    if svc.has_service:
        t.add_parameter(
            Parameter(
                REDEPLOY_NONCE_PARAM,
                Type="String",
                Default="initial",
                AllowedPattern=NONCE_PATTERN,
                ConstraintDescription="1-64 letters, digits and . _ : + - (e.g. a date: 2026-12-01T10.00)",
                Description="Any new value starts a new deployment of every task, e.g. after a secret rotation "
                "(containers see it as REDEPLOY_NONCE).",
            )
        )
        deploy_params.append(REDEPLOY_NONCE_PARAM)
    groups = {"Deployment": deploy_params, "Wiring": [EXPORT_PREFIX_PARAM]}
    add_parameter_groups(
        t,
        {label: names for label, names in groups.items() if names},
        {name: text for name, text in LABELS.items() if name in t.parameters},
    )
