"""The params of one environment: the root model of a params YAML file.

The models are the schema only (types, ranges, patterns, unknown keys); what
AWS or the tool accepts beyond that is a rule in ``templates/rules/``, run
after the models validate, so every problem of a file is reported at once.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, Field

from templates.naming import default_namespace
from templates.params.formats import REGION_PATTERN, ShortName
from templates.params.platform import AlbParams, ClusterParams, NetworkParams
from templates.params.service import Service
from templates.params.strict import Strict


class Environment(Strict):
    project: ShortName = Field(description="Project name; prefixes stacks and exports.")
    environment: ShortName = Field(description="Environment name (dev, prod, ...).")
    region: str = Field(pattern=REGION_PATTERN, description="AWS region, e.g. eu-west-1.")
    network: NetworkParams = Field(default_factory=NetworkParams, description="VPC.")
    alb: AlbParams = Field(default_factory=AlbParams, description="Shared load balancer.")
    cluster: ClusterParams = Field(default_factory=ClusterParams, description="ECS cluster.")
    enforce_security: bool | None = Field(
        None,
        description="Refuse, instead of warning about, what security forbids in this environment (secrets in "
        "plain environment variables: S040, S041). Default: on for an environment named prod or production.",
    )
    services: dict[str, Service] = Field(min_length=1, description="Services by name.")

    @property
    def namespace(self) -> str:
        return self.cluster.namespace or default_namespace(self.project, self.environment)

    @property
    def https(self) -> bool:
        existing = self.alb.existing
        return self.alb.certificate_arn is not None or (
            existing is not None and existing.https_listener_arn is not None
        )


def service_field_names() -> list[str]:
    """Keys a ``defaults`` section may set (everything a service has but its name)."""
    return [n for n in Service.model_fields if n != "name"]


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The params model inside a field's type (``list[Route]`` -> ``Route``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := nested_model(arg)) is not None:
            return found
    return None
