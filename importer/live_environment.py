"""A cluster as it runs (``deployer.run.discover``'s snapshot) -> a params file, its route lock, an adoption file.

The environment around the services is what already exists, and stays
theirs: the VPC and subnets the tasks run in become ``network.existing``, the
load balancer listener the rules sit on ``alb.existing``, and the cluster is
named (``cluster.name``) so the cluster stack imports it instead of making
another.  Each service becomes an entry (``importer.live_service``) whose
names equal the live ones and whose routes keep their live priorities
(pinned, and recorded in the route lock).  The adoption file lists, per
stack, what ``deploy.py --adopt`` must import and what stays outside the
stacks; the deploy refuses when any of it is gone or changed by then.

Subnets and NAT routes: https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from importer.live_service import LiveService, convert_service
from importer.task_definition import service_name
from templates import naming
from templates.params.route_lock import LockedRoute, RouteLock
from templates.plan.keys import path_patterns

ADOPTION_VERSION = 1


@dataclass
class Adoption:
    """Everything adopt.py writes, and what it has to say about it."""

    params: dict[str, Any]
    lock: RouteLock
    record: dict[str, Any]
    losses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def adopt(snapshot: dict[str, Any], project: str, environment: str) -> Adoption:
    """The params, route lock and adoption file for a discovered cluster."""
    cluster = snapshot["cluster"]
    services = _services(snapshot, cluster["clusterName"])
    losses = [loss for s in services for loss in s.losses]
    notes = [note for s in services for note in s.notes]
    params: dict[str, Any] = {"project": project, "environment": environment, "region": snapshot["region"]}
    network, lost = _network(snapshot)
    params["network"] = network
    losses += lost
    alb, lost = _alb(snapshot, services)
    losses += lost
    if alb:
        params["alb"] = {"existing": alb}
    params["cluster"] = _cluster(cluster)
    params["services"] = {s.name: s.entry for s in services}
    lock = RouteLock.of(
        LockedRoute(host=route.get("host"), paths=list(path_patterns(route.get("path"))), priority=route["priority"])
        for s in services
        for route, _listener in s.routes
    )
    return Adoption(params, lock, _record(snapshot, services), losses, notes)


def _services(snapshot: dict[str, Any], cluster: str) -> list[LiveService]:
    alb_groups = frozenset(g for lb in snapshot.get("load_balancers", []) for g in lb.get("SecurityGroups", []))
    taken: set[str] = set()
    converted = []
    for live in snapshot["services"]:
        name = service_name(live["service"]["serviceName"])
        while name in taken:  # two live names that read alike: number the later one
            name = f"{name[:21]}-{len(taken)}"
        taken.add(name)
        converted.append(convert_service(live, name, cluster, alb_groups))
    return converted


def _cluster(cluster: dict[str, Any]) -> dict[str, Any]:
    settings = {s["name"]: s["value"] for s in cluster.get("settings", [])}
    out: dict[str, Any] = {"name": cluster["clusterName"]}
    if settings.get("containerInsights") in ("enabled", "enhanced"):
        out["container_insights"] = True
    return out


def _network(snapshot: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``network.existing`` from the tasks' subnets and the load balancer's; ``nat`` from their routes."""
    network = snapshot.get("network") or {}
    if not network:
        return {}, ["network: no service runs in a VPC (awsvpc); write network.existing yourself"]
    subnets = {s["SubnetId"]: s for s in network["subnets"]}
    private = sorted(subnets, key=lambda s: subnets[s].get("AvailabilityZone", ""))
    public = sorted(
        {z["SubnetId"] for lb in snapshot.get("load_balancers", []) for z in lb.get("AvailabilityZones", [])}
    )
    tables = [_table_of(network["route_tables"], subnet) for subnet in private]
    nat_gateways = {route.get("NatGatewayId") for table in tables if table for route in table.get("Routes", [])
                    if route.get("DestinationCidrBlock") == "0.0.0.0/0" and route.get("NatGatewayId")}  # fmt: skip
    existing: dict[str, Any] = {
        "vpc_id": network["vpc"]["VpcId"],
        "cidr": network["vpc"]["CidrBlock"],
        "public_subnets": public or private,
        "private_subnets": private,
        "private_route_tables": sorted({t["RouteTableId"] for t in tables if t}),
    }
    nat = "none" if not nat_gateways else "single" if len(nat_gateways) == 1 else "per-az"
    losses = []
    if nat == "none":
        losses.append(
            "network: the tasks' subnets have no route through a NAT gateway (nat: none); VPC endpoints must carry "
            "everything the tasks need, or give them NAT"
        )
    # Endpoints are left to the VPC as it is: the tasks reach AWS as they do today.
    return {"existing": existing, "nat": nat, "endpoints": {"s3_gateway": False, "interface": nat == "none"}}, losses


def _table_of(tables: list[dict[str, Any]], subnet: str) -> dict[str, Any] | None:
    """The subnet's route table, or the VPC's main table when none is associated with it."""
    for table in tables:
        if any(a.get("SubnetId") == subnet for a in table.get("Associations", [])):
            return table
    return next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None)


def _alb(snapshot: dict[str, Any], services: list[LiveService]) -> tuple[dict[str, Any], list[str]]:
    """``alb.existing``: the one listener every route sits on, its load balancer's security group and DNS."""
    listeners = sorted({listener for s in services for _route, listener in s.routes})
    if not listeners:
        return {}, []
    losses = []
    if len(listeners) > 1:
        losses.append(f"alb: routes sit on {len(listeners)} listeners {listeners} (one here; the first is kept)")
    listener_arn = listeners[0]
    for lb in snapshot.get("load_balancers", []):
        listener = next((ln for ln in lb.get("Listeners", []) if ln["ListenerArn"] == listener_arn), None)
        if listener is None:
            continue
        key = "https_listener_arn" if listener.get("Protocol") == "HTTPS" else "http_listener_arn"
        alb = {key: listener_arn, "security_group": (lb.get("SecurityGroups") or [""])[0],
               "dns_name": lb["DNSName"], "hosted_zone_id": lb["CanonicalHostedZoneId"]}  # fmt: skip
        return alb, losses
    return {}, [*losses, f"alb: the load balancer of listener {listener_arn} was not found"]


def _cluster_entry(name: str) -> dict[str, Any]:
    return {"type": "AWS::ECS::Cluster", "name": name, "identifier": {"ClusterName": name}}


def _record(snapshot: dict[str, Any], services: list[LiveService]) -> dict[str, Any]:
    """The adoption file: per stack, what deploy.py --adopt imports and what stays outside."""
    cluster = snapshot["cluster"]
    stacks: dict[str, Any] = {
        naming.CLUSTER: {
            "import": [_cluster_entry(cluster["clusterName"])],
            "left_alone": [],
        }
    }
    for service in services:
        stacks[naming.service_stack_key(service.name)] = {"import": service.imports, "left_alone": service.left_alone}
    return {
        "version": ADOPTION_VERSION,
        "region": snapshot["region"],
        "cluster": cluster["clusterName"],
        "stacks": stacks,
    }
