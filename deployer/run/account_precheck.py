"""Pre-check of what the generated stacks take from the account as given: an existing VPC and ALB.

Templates over an existing VPC only re-export ids from params
(``templates/stacks/existing_network.py``); whether those ids exist, belong
together and have a way out, only the account can say.  A wrong id would
otherwise surface mid-deploy, as a failed ALB or ECS service after other
stacks already changed, or worse as tasks that never start.  So this runs
before any change set is made (a plain deploy and ``--apply-plan`` alike), and
refuses with one line per problem that names the subnet or table.  What may
be intended (an overlap accepted with ``--allow-route-overlap``, a host no
certificate of a shared listener covers) is printed as a warning instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError
from rich.console import Console
from rich.text import Text

from deployer.aws import cloudformation, ec2
from deployer.aws.clients import Clients, make_ec2_client
from deployer.run.inputs import Deployment, load_deployment
from deployer.run.listener_certificates import certificate_warnings
from deployer.run.shared_listener import listener_check
from templates.contract.template import NETWORK, existing_vpc, gateway_endpoints

# Route targets that carry a task's traffic out of a private subnet (tasks have no public IP, so an
# internet gateway route does not).  https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html
_WAYS_OUT = ("NatGatewayId", "TransitGatewayId", "NetworkInterfaceId", "InstanceId")


@dataclass
class AccountCheck:
    """What the account says of the params: problems refuse the run, warnings are shown and the run goes on."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_account(
    deployment: Deployment, clients: Clients, profile: str | None, allow_overlap: Collection[str] = ()
) -> AccountCheck:
    """The existing VPC, shared listeners and their certificates the templates rely on, read from the account."""
    # Every stack, whatever --stacks selected; the selected ones keep their --set values.
    loaded = load_deployment(deployment.folder)
    everything = replace(loaded, stacks={**loaded.stacks, **deployment.stacks})
    templates = {key: stack.template for key, stack in everything.stacks.items()}
    check = AccountCheck()
    spec = existing_vpc(templates.get(NETWORK, {}))
    if spec is not None:
        client = make_ec2_client(profile, deployment.region)
        spec = {
            **spec,
            "InternetFacingAlb": _creates_internet_facing_alb(templates),
            "GatewayEndpoints": gateway_endpoints(templates.get(NETWORK, {})),
            "OwnEndpoints": _own_endpoints(clients, everything),
        }
        check.problems += vpc_problems(client, spec, deployment.region)
    listeners = listener_check(clients, everything, allow_overlap)
    check.problems += listeners.problems
    check.warnings += listeners.accepted + certificate_warnings(clients, everything)
    return check


def gate(console: Console, check: AccountCheck) -> int | None:
    """Show the warnings; refuse when there are problems: the exit code of a run that changed nothing, else None."""
    for warning in check.warnings:
        console.print(Text(f"warning: {warning}", "yellow"))
    return refuse(console, check.problems) if check.problems else None


def _own_endpoints(clients: Clients, deployment: Deployment) -> set[str]:
    """VPC endpoint ids our network stack already owns (a redeploy must not count them as someone else's)."""
    stack = deployment.stacks.get(NETWORK)
    if stack is None:
        return set()
    try:
        resources = cloudformation.list_stack_resources(clients.cloudformation, stack.stack_name)
    except ClientError as exc:
        if "does not exist" in str(exc):
            return set()
        raise
    return {r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::EC2::VPCEndpoint"}


def _creates_internet_facing_alb(templates: dict[str, dict[str, Any]]) -> bool:
    """Whether our templates create an internet-facing load balancer (which needs public subnets)."""
    return any(
        r.get("Type") == "AWS::ElasticLoadBalancingV2::LoadBalancer"
        and (r.get("Properties") or {}).get("Scheme", "internet-facing") == "internet-facing"
        for t in templates.values()
        for r in (t.get("Resources") or {}).values()
    )


def refuse(console: Console, problems: Iterable[str]) -> int:
    """Print the problems and the verdict; the exit code of a deploy that changed nothing."""
    for problem in problems:
        console.print(Text(problem, "bold red"))
    console.print(Text("The account does not match the params (see above): nothing was planned or changed.", "red"))
    return 1


def vpc_problems(ec2_client: Any, spec: dict[str, Any], region: str) -> list[str]:
    """The VPC exists with that CIDR; the subnets exist in it, one per AZ and tier; private ones have a way out.

    Subnets: https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html (a subnet lives in one
    AZ; one subnet per AZ and tier is what spreads the tasks and the ALB over AZs).
    """
    vpc_id = spec["VpcId"]
    vpcs = ec2.describe_vpcs(ec2_client, vpc_id)
    if not vpcs:
        return [f"network.existing.vpc_id: VPC {vpc_id} does not exist in {region}"]
    cidrs = {vpcs[0]["CidrBlock"]} | {a["CidrBlock"] for a in vpcs[0].get("CidrBlockAssociationSet", [])}
    problems = []
    if spec["Cidr"] not in cidrs:
        problems.append(f"network.existing.cidr: VPC {vpc_id} has {', '.join(sorted(cidrs))}, not {spec['Cidr']}")
    problems += _dns_problems(ec2_client, vpc_id)
    wanted = spec["PublicSubnets"] + spec["PrivateSubnets"]
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(ec2_client, wanted)}
    for tier in ("public", "private"):
        problems += _subnet_problems(tier, spec[f"{tier.capitalize()}Subnets"], subnets, vpc_id, region)
    tables = ec2.describe_route_tables(ec2_client, vpc_id)
    private = [s for s in spec["PrivateSubnets"] if subnets.get(s, {}).get("VpcId") == vpc_id]
    problems += _egress_problems(private, tables, spec)
    if spec.get("InternetFacingAlb"):
        public = [s for s in spec["PublicSubnets"] if subnets.get(s, {}).get("VpcId") == vpc_id]
        problems += _internet_problems(public, tables)
    if spec.get("GatewayEndpoints"):
        endpoints = [
            e
            for e in ec2.describe_vpc_endpoints(ec2_client, vpc_id)
            if e["VpcEndpointId"] not in spec["OwnEndpoints"] and str(e.get("State", "")).lower() not in _GONE
        ]
        problems += gateway_endpoint_problems(spec["GatewayEndpoints"], endpoints)
    return problems


# Endpoint states that route nothing any more (a deleted endpoint stays listed for a while).
# https://docs.aws.amazon.com/vpc/latest/privatelink/concepts.html#concepts-endpoint-states
_GONE = ("deleting", "deleted", "rejected", "failed", "expired")
# The params key that switches each of our gateway endpoints off.
_GATEWAY_SWITCH = {"s3": "network.endpoints.s3_gateway: false"}


def gateway_endpoint_problems(ours: dict[str, list[str]], existing: list[dict[str, Any]]) -> list[str]:
    """A route table that already routes a service through someone else's gateway endpoint cannot take ours.

    A gateway endpoint adds a route to the service's prefix list in each of its route tables, and a route table
    holds one route per destination: several endpoints of one service serve different route tables.
    https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html ("Routing")
    """
    problems = []
    for endpoint in existing:
        service = str(endpoint.get("ServiceName", "")).split(".", 3)[-1]
        for table in sorted(set(endpoint.get("RouteTableIds", [])) & set(ours.get(service, []))):
            switch = _GATEWAY_SWITCH.get(service, f"no {service} gateway endpoint in network.endpoints")
            problems.append(
                f"network.existing.private_route_tables: route table {table} already routes {service} through "
                f"gateway endpoint {endpoint['VpcEndpointId']}, made outside these stacks; ours would fail "
                f"mid-deploy (one route per service and table). Set {switch}: the existing endpoint serves the tasks"
            )
    return problems


def _dns_problems(ec2_client: Any, vpc_id: str) -> list[str]:
    """DNS resolution and hostnames on: the cluster's Cloud Map namespace and private-DNS endpoints need both.

    https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html (private DNS needs DNS
    hostnames and DNS resolution); https://docs.aws.amazon.com/cloud-map/latest/dg/dns-considerations.html.
    A VPC created through the API has DNS hostnames off unless someone turned them on.
    """
    problems = []
    for attribute, flag in (
        ("enableDnsSupport", "--enable-dns-support"),
        ("enableDnsHostnames", "--enable-dns-hostnames"),
    ):
        if not ec2.describe_vpc_attribute(ec2_client, vpc_id, attribute):
            problems.append(
                f"network.existing.vpc_id: VPC {vpc_id} has {attribute} off; the Cloud Map namespace and the "
                f"endpoints' private DNS need it on (aws ec2 modify-vpc-attribute --vpc-id {vpc_id} {flag})"
            )
    return problems


def _subnet_problems(tier: str, ids: list[str], subnets: dict[str, Any], vpc_id: str, region: str) -> list[str]:
    problems, zones = [], {}
    for i, subnet_id in enumerate(ids):
        where = f"network.existing.{tier}_subnets[{i}]"
        subnet = subnets.get(subnet_id)
        if subnet is None:
            problems.append(f"{where}: subnet {subnet_id} does not exist in {region}")
        elif subnet["VpcId"] != vpc_id:
            problems.append(f"{where}: subnet {subnet_id} belongs to {subnet['VpcId']}, not {vpc_id}")
        elif (zone := subnet["AvailabilityZone"]) in zones:
            problems.append(
                f"{where}: {tier} subnets {zones[zone]} and {subnet_id} both sit in {zone}; give one {tier} "
                "subnet per AZ, so losing an AZ does not take every task (or the ALB) with it"
            )
        else:
            zones[zone] = subnet_id
    return problems


def _table_of(subnet_id: str, tables: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The route table a subnet uses: its explicit association, else the VPC's main table."""
    for table in tables:
        if any(a.get("SubnetId") == subnet_id for a in table.get("Associations", [])):
            return table
    return next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None)


def has_way_out(table: dict[str, Any]) -> bool:
    """Whether a route table sends 0.0.0.0/0 out through something a task without a public IP can use."""
    return any(
        route.get("DestinationCidrBlock") == "0.0.0.0/0"
        and route.get("State", "active") == "active"
        and any(route.get(target) for target in _WAYS_OUT)
        for route in table.get("Routes", [])
    )


def _internet_problems(public: list[str], tables: list[dict[str, Any]]) -> list[str]:
    """An internet-facing ALB answers only from subnets whose default route is an internet gateway.

    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer
    """
    problems = []
    for subnet_id in public:
        table = _table_of(subnet_id, tables)
        routes = table.get("Routes", []) if table else []
        if not any(
            r.get("DestinationCidrBlock") == "0.0.0.0/0" and str(r.get("GatewayId", "")).startswith("igw-")
            for r in routes
        ):
            problems.append(
                f"public subnet {subnet_id} (route table {table['RouteTableId'] if table else '(none)'}) has no "
                "route to 0.0.0.0/0 through an internet gateway: the internet-facing ALB could not be reached there"
            )
    return problems


def _egress_problems(private: list[str], tables: list[dict[str, Any]], spec: dict[str, Any]) -> list[str]:
    """Egress "nat": every private subnet routes 0.0.0.0/0 out.  Listed route tables: the subnets use them."""
    problems = []
    listed = spec.get("PrivateRouteTables") or []
    for subnet_id in private:
        table = _table_of(subnet_id, tables)
        table_id = table["RouteTableId"] if table else "(none)"
        if spec["Egress"] == "nat" and (table is None or not has_way_out(table)):
            problems.append(
                f"private subnet {subnet_id} (route table {table_id}) has no route to 0.0.0.0/0 through a NAT "
                "gateway, transit gateway or instance: its tasks could not pull images or write logs. Add that "
                "route, or set network.nat: none with network.endpoints"
            )
        if listed and table_id not in listed:
            problems.append(
                f"private subnet {subnet_id} uses route table {table_id}, which network.existing."
                f"private_route_tables ({', '.join(listed)}) does not list: the S3 gateway endpoint would not "
                "serve it, and image layers come from S3"
            )
    return problems
