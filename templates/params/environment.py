"""The params of one environment: the root model of a params YAML file.

The service models know nothing of the rules that combine their keys
(``rules``); this module applies those rules to every service, so models and
rules import in one direction.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    model_validator,
)

from templates.naming import default_namespace
from templates.params import name_overrides, rules
from templates.params.formats import REGION_PATTERN, ShortName, arn_region
from templates.params.platform import AlbParams, ClusterParams, NetworkParams
from templates.params.service import Service
from templates.params.strict import Strict

# A service as the environment takes it: the model's own validators first, then
# the rules over several of its keys (S0xx), which need the whole model.
CheckedService = Annotated[Service, AfterValidator(rules.check_service)]


class Environment(Strict):
    project: ShortName = Field(description="Project name; prefixes stacks and exports.")
    environment: ShortName = Field(description="Environment name (dev, prod, ...).")
    region: str = Field(pattern=REGION_PATTERN, description="AWS region, e.g. eu-west-1.")
    network: NetworkParams = Field(default_factory=NetworkParams, description="VPC.")
    alb: AlbParams = Field(default_factory=AlbParams, description="Shared load balancer.")
    cluster: ClusterParams = Field(default_factory=ClusterParams, description="ECS cluster.")
    services: dict[str, CheckedService] = Field(min_length=1, description="Services by name.")

    @model_validator(mode="after")
    def _across_services(self) -> Environment:
        rules.check_services(self.services)
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Environment:
        name_overrides.check_unique(self.project, self.environment, self.services)
        return self

    @property
    def namespace(self) -> str:
        return self.cluster.namespace or default_namespace(self.project, self.environment)

    @property
    def https(self) -> bool:
        existing = self.alb.existing
        return self.alb.certificate_arn is not None or (
            existing is not None and existing.https_listener_arn is not None
        )


def region_mismatches(env: Environment) -> list[tuple[str, str]]:
    """(key path, message) for ARNs outside the environment's region.

    ACM certificates and the KMS keys of log groups only work in the region
    that uses them; CloudFormation would fail late, mid-deploy.
    """
    arns = [("alb.certificate_arn", env.alb.certificate_arn)]
    if env.alb.existing is not None:
        arns += [
            (f"alb.existing.{key}", getattr(env.alb.existing, key))
            for key in ("https_listener_arn", "http_listener_arn")
        ]
    if env.network.flow_logs is not None:
        arns.append(("network.flow_logs.kms_key_arn", env.network.flow_logs.kms_key_arn))
    arns += [(f"services.{name}.log_kms_key_arn", svc.log_kms_key_arn) for name, svc in sorted(env.services.items())]
    return [
        (where, f"ARN is in region {arn_region(arn)}, but this environment's region is {env.region}; they must match")
        for where, arn in arns
        if arn is not None and arn_region(arn) != env.region
    ]


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
