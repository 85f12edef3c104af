"""What the tasks must reach in AWS, and which VPC endpoints the network stack creates for it.

Under ``network.nat: none`` private subnets have no way to the internet, so
every AWS API a task needs must have a VPC endpoint, and anything outside AWS
(Docker Hub, public.ecr.aws, another region's ECR) cannot be reached at all.
This module answers the first question from the service params, so the
network stack creates exactly the endpoints needed; the rule P011
(``rules/plan/network.py``) refuses ``nat: none`` with what is still missing.

Endpoint needs follow the Fargate documentation:
https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html (ecr.api, ecr.dkr, and the S3
gateway for image layers), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
(logs, secretsmanager, ssm, and ssmmessages for ECS Exec).  What the task role
calls is mapped from its IAM prefix to PrivateLink names through
``templates.aws.privatelink`` (``cloudwatch:`` is served by ``monitoring``).

``network.endpoints.interface: false`` means no interface endpoint at all:
neither the ones the services need nor ``extra`` (rule P013 refuses ``extra``
beside it, and P011 names the switch as the cause of what is missing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from templates.aws.privatelink import GATEWAY_SERVICES, NO_API_CALL, endpoints_for
from templates.params.brownfield import EndpointParams
from templates.params.service import Service
from templates.plan.model import EndpointNeed

# Interface endpoints in creation order; values say why a task needs each.
ECR_API, ECR_DKR, LOGS = "ecr.api", "ecr.dkr", "logs"
SECRETS, SSM, SSM_MESSAGES = "secretsmanager", "ssm", "ssmmessages"
FIXED = (ECR_API, ECR_DKR, LOGS, SECRETS, SSM, SSM_MESSAGES)


def regional_ecr(image: str, region: str) -> bool:
    """A private ECR image in ``region``: the only registry an endpoint can reach."""
    return re.match(rf"^\d{{12}}\.dkr\.ecr\.{re.escape(region)}\.amazonaws\.com/", image) is not None


def _container_needs(name: str, svc: Service, region: str, needs: dict[str, EndpointNeed]) -> None:
    for i, container in enumerate(svc.containers):
        where = f"services.{name}.containers[{i}]"
        if regional_ecr(container.image, region):
            needs.setdefault(ECR_API, EndpointNeed(f"{where}.image is in ECR", (ECR_API,)))
            needs.setdefault(ECR_DKR, EndpointNeed(f"{where}.image is in ECR", (ECR_DKR,)))
        for arn in container.secrets.values():
            kind = SECRETS if ":secretsmanager:" in arn else SSM
            needs.setdefault(kind, EndpointNeed(f"{where}.secrets reads {kind}", (kind,)))


def endpoint_needs(services: Mapping[str, Service], region: str) -> dict[str, EndpointNeed]:
    """What the tasks call, keyed by the first endpoint that carries it (``logs`` whenever there are tasks)."""
    needs: dict[str, EndpointNeed] = {}
    for name, svc in sorted(services.items()):
        _container_needs(name, svc, region, needs)
        needs.setdefault(LOGS, EndpointNeed(f"services.{name} writes logs to CloudWatch Logs", (LOGS,)))
        if svc.ecs_exec:
            needs.setdefault(
                SSM_MESSAGES, EndpointNeed(f"services.{name}.ecs_exec opens the ECS Exec channel", (SSM_MESSAGES,))
            )
        for prefix in task_role_prefixes(svc):
            endpoints = endpoints_for(prefix)
            gateway = prefix if prefix in GATEWAY_SERVICES else None
            needs.setdefault(
                endpoints[0], EndpointNeed(f"services.{name}.task_role calls {prefix}", endpoints, gateway)
            )
    return needs


def task_role_prefixes(svc: Service) -> list[str]:
    """IAM prefixes the application's own role calls an API of (``sqs:ReceiveMessage`` -> sqs)."""
    if svc.task_role is None:
        return []
    actions = [a for s in svc.task_role.statements for a in s.actions]
    return sorted({a.split(":", 1)[0].lower() for a in actions if ":" in a} - NO_API_CALL)


def endpoints_to_create(services: Mapping[str, Service], region: str, endpoints: EndpointParams) -> list[str]:
    """Interface endpoints the network stack creates: the fixed ones the services need, then ``extra``.

    None at all with ``interface: false`` (the switch for every billed endpoint).
    """
    if not endpoints.interface:
        return []
    needs = endpoint_needs(services, region)
    fixed = [n for n in FIXED if n in needs]
    return fixed + [n for n in endpoints.extra if n not in fixed]


def gateways_to_create(endpoints: EndpointParams) -> tuple[str, ...]:
    """The free gateway endpoints asked for, in ``GATEWAY_SERVICES`` order."""
    wanted = {"s3": endpoints.s3_gateway, "dynamodb": endpoints.dynamodb_gateway}
    return tuple(name for name in GATEWAY_SERVICES if wanted[name])
