"""One ALB stack per load balancer the plan spread the routes over (``plan.albs``).

Each ALB is the shared ALB of ``stacks.alb`` built for the services it
carries: ``build_alb`` gets the environment narrowed to those services (its
egress opens only their ports) and to the ALB's scheme, and every ALB but the
first exports under its own names (``naming.alb_export_key``), which the
service stacks on it import.  An environment whose routes fit one ALB gets
exactly the ``alb`` stack it always had.

An internal ALB that is not the environment's own scheme (``alb.scheme``)
admits only the VPC's CIDR; ``alb.ingress_cidrs`` describe the one facing
the clients the environment was set up for.
"""

from __future__ import annotations

from troposphere import Export, Sub, Template

from templates import naming
from templates.params.environment import Environment
from templates.plan.model import AlbPlan, EnvironmentPlan
from templates.stacks.alb import build_alb
from templates.stacks.bridge import bridge_groups


def shard_environment(env: Environment, shard: AlbPlan) -> Environment:
    """``env`` as the ALB ``shard`` sees it: only its services, its scheme (and, if internal by exception, the VPC)."""
    scheme = shard.scheme
    alb_update: dict[str, object] = {"scheme": scheme}
    if shard.key != naming.ALB:
        alb_update["existing"] = None  # only the first ALB can be an existing one (routing keeps it single)
    if scheme != env.alb.scheme and scheme == "internal":
        vpc = env.network.existing
        alb_update["ingress_cidrs"] = [vpc.cidr if vpc is not None else env.network.cidr]
    return env.model_copy(
        update={
            "services": {name: svc for name, svc in env.services.items() if name in shard.services},
            "alb": env.alb.model_copy(update=alb_update),
        }
    )


def _rename_exports(t: Template, shard: str) -> None:
    for key, output in t.outputs.items():
        export_key = naming.ExportKey(key)
        output.Export = Export(Sub(f"${{{naming.EXPORT_PREFIX_PARAM}}}-{naming.alb_export_key(shard, export_key)}"))


def build_alb_shards(env: Environment, plan: EnvironmentPlan) -> dict[str, Template]:
    """Stack key -> ALB template: ``alb`` always (as before), then every further ALB the plan has."""
    if len(plan.albs) == 1:
        return {naming.ALB: build_alb(env, bridge_groups(plan, naming.ALB))}
    built = {}
    for shard in plan.albs:
        t = build_alb(shard_environment(env, shard), bridge_groups(plan, shard.key))
        if shard.key != naming.ALB:
            _rename_exports(t, shard.key)
        built[shard.key] = t
    return built
