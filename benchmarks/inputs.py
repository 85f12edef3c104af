"""Synthetic environments the benchmarks measure, shared by every benchmark module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from templates.errors import ParamsError
from templates.params.environment import Environment
from templates.params.loader import apply_defaults
from templates.plan.build import build_plan
from templates.rules.run import params_problems

ROUTED_LIMIT = 90  # web services on one host (one port, 8080: a single ALB outbound rule, D005); the rest workers


def environment(services: int) -> Environment:
    data: dict[str, Any] = {"project": "bench", "environment": "b", "region": "eu-west-1", "services": {}}
    for i in range(services):
        svc: dict[str, Any] = {
            "image_tag": "1.0.0",
            "containers": [{"name": "app", "image": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/s{i}"}],
        }
        if i < ROUTED_LIMIT:
            svc["containers"][0]["port"] = 8080
            # 90 same-length paths on one host share one band: the allocator places them, no pins.
            svc["routes"] = [{"host": "api.example.com", "path": f"/s{i}"}]
        data["services"][f"s{i}"] = svc
    env = Environment.model_validate(apply_defaults(Path("<bench>"), data))
    # The bench measures routes the allocator places without conflicts (R001-R003).
    problems = [p for p in params_problems(env, build_plan(env)) if p.check_id in ("R001", "R002", "R003")]
    if problems:
        raise ParamsError("<bench>", problems)
    return env
