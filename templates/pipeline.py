"""Every template of one environment, keyed by stack key, in one call."""

from __future__ import annotations

from troposphere import Template

from templates import naming
from templates.params.environment import Environment
from templates.routing import plan_rules
from templates.stacks.alb import build_alb
from templates.stacks.cluster import build_cluster
from templates.stacks.network import build_network
from templates.stacks.service.stack import build_service


def build_all(env: Environment) -> dict[str, Template]:
    rules = plan_rules(env)
    stacks = {
        naming.NETWORK: build_network(env),
        naming.ALB: build_alb(env),
        naming.CLUSTER: build_cluster(env),
    }
    for name, svc in sorted(env.services.items()):
        stacks[naming.service_stack_key(name)] = build_service(env, svc, [r for r in rules if r.service == name])
    return stacks
