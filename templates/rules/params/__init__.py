"""Rules that read the params: one service at a time, or the whole file.

containers  ECS task definitions: Fargate size, containers, images, ports, start order (L001-L006, L021-L023,
            L026, S011-S015, S021, S027, S032)
traffic     what each kind allows, routes, target and health check on the ALB (S002-S004, S008, S009, S017,
            S019, S031, S033, S034, L008, L009, L018-L020)
scaling     capacity split, auto scaling, rolling deployments, schedules (S001, S005-S007, S010, S020, S022-S024,
            S028, L010, L011, L017)
releases    deployment alarms and blue/green (D001-D003, D007-D009)
iam         the task role, secrets and KMS keys (S029, S030, L007, L015, L016, L029, L030)
secrets     secrets in plain environment variables: refused in prod, warned elsewhere (S040-S042)
discovery   Route 53 aliases and Cloud Map names (S016, S018, S025, S026, L012)
platform    VPC, ALB, existing ones, names, regions (B001-B005, L013, L024, L025, N001, P010, P012)
capacity    where one service runs: what Fargate refuses, what ECS strategies and daemons accept (K013-K023)
capacity_groups   EC2 capacity groups and whether tasks fit them; cluster quotas (K001-K012, L040, L041, L043)
endpoints   VPC endpoints asked for by PrivateLink name (L027, P013)
existing_alb  an existing ALB's region, partition and scheme (B006, B007)
schedule_expressions   the cron/rate/at grammar S005 checks
"""

from templates.rules.params import (
    capacity,
    capacity_groups,
    containers,
    discovery,
    endpoints,
    existing_alb,
    iam,
    platform,
    releases,
    scaling,
    secrets,
    traffic,
)

__all__ = [
    "capacity",
    "capacity_groups",
    "containers",
    "discovery",
    "endpoints",
    "existing_alb",
    "iam",
    "platform",
    "releases",
    "scaling",
    "secrets",
    "traffic",
]
