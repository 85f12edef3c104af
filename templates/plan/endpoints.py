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
(logs, secretsmanager, ssm, and ssmmessages for ECS Exec).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from templates.params.brownfield import EndpointParams
from templates.params.service import Service

# Interface endpoints in creation order; values say why a task needs each.
ECR_API, ECR_DKR, LOGS = "ecr.api", "ecr.dkr", "logs"
SECRETS, SSM, SSM_MESSAGES = "secretsmanager", "ssm", "ssmmessages"


def regional_ecr(image: str, region: str) -> bool:
    """A private ECR image in ``region``: the only registry an endpoint can reach."""
    return re.match(rf"^\d{{12}}\.dkr\.ecr\.{re.escape(region)}\.amazonaws\.com/", image) is not None


def interface_needs(services: Mapping[str, Service], region: str) -> dict[str, str]:
    """Interface endpoint name -> the first reason a service needs it (``logs`` whenever there are tasks)."""
    needs: dict[str, str] = {}
    for name, svc in sorted(services.items()):
        for i, container in enumerate(svc.containers):
            where = f"services.{name}.containers[{i}]"
            if regional_ecr(container.image, region):
                needs.setdefault(ECR_API, f"{where}.image is in ECR")
                needs.setdefault(ECR_DKR, f"{where}.image is in ECR")
            for arn in container.secrets.values():
                kind = SECRETS if ":secretsmanager:" in arn else SSM
                needs.setdefault(kind, f"{where}.secrets reads {kind}")
        needs.setdefault(LOGS, f"services.{name} writes logs to CloudWatch Logs")
        if svc.ecs_exec:
            needs.setdefault(SSM_MESSAGES, f"services.{name}.ecs_exec opens the ECS Exec channel")
        for prefix in _task_role_services(svc):
            needs.setdefault(prefix, f"services.{name}.task_role calls {prefix}")
    return needs


def _task_role_services(svc: Service) -> list[str]:
    """IAM service prefixes the application's own role calls (``sqs:ReceiveMessage`` -> sqs)."""
    if svc.task_role is None:
        return []
    actions = [a for s in svc.task_role.statements for a in s.actions]
    return sorted({a.split(":", 1)[0] for a in actions if ":" in a})


def endpoints_to_create(services: Mapping[str, Service], region: str, endpoints: EndpointParams) -> list[str]:
    """Interface endpoints the network stack creates: the fixed ones the services need, then ``extra``."""
    if not endpoints.interface:
        return []
    fixed = [n for n in (ECR_API, ECR_DKR, LOGS, SECRETS, SSM, SSM_MESSAGES) if n in interface_needs(services, region)]
    return fixed + [n for n in endpoints.extra if n not in fixed]
