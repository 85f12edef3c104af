"""What a template is billed for by the hour, counted the way ``cost.json`` counts an environment.

The deployer prices a deploy from the template diff: each stack's fixed units before and after
(``bill``), priced with cost.json's ``unit_prices``.  The counting is the cost model's
(``templates/cost/model.py``), read from the resources instead of the params, so a first deploy's
delta is cost.json's total:

- NAT gateways, application load balancers: one unit each;
- public IPv4 addresses: each Elastic IP, and one per subnet (AZ) of an internet-facing load balancer,
  which holds a public address per AZ (https://aws.amazon.com/vpc/pricing/, "public IPv4 address");
- interface VPC endpoints: one unit per subnet (AZ); gateway endpoints are free
  (https://aws.amazon.com/privatelink/pricing/);
- CloudWatch alarm metrics: one per metric an alarm reads, and two per target-tracking policy, whose
  high and low alarms Application Auto Scaling creates itself
  (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html);
- Fargate tasks: each ECS service's desired count (a scaling minimum wins), split between Fargate and
  Fargate Spot the way ECS places them (the on-demand base first, the rest by weight:
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html), at its
  task definition's size and architecture; services on EC2 capacity cost nothing per task;
- EC2 capacity groups: each Auto Scaling group's first instance type (On-Demand launches follow the
  overrides' order) and the size it keeps at rest (desired, else minimum).  The instances ECS managed
  scaling adds for the tasks are in cost.json's ``ec2:<group>`` line, not in the template.

What cannot be counted (a value only known at deploy time) is returned as a reason, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from templates.contract.graph import exports_of
from templates.contract.template import capacity_group_of, runs_on_ec2, sub_name
from templates.contract.template_diff import filled, parameter_values

# cost.json's unit_prices keys
NAT, ALB, IPV4 = "nat_gateway", "load_balancer", "public_ipv4_address"
ENDPOINT_AZ, ALARM = "interface_endpoint_az", "alarm_metric"


@dataclass(frozen=True)
class Tasks:
    """One ECS service's tasks at rest: how many, how many on Spot, and their size."""

    service: str  # the service's logical id
    count: int
    spot: int
    cpu: int  # CPU units (1024 = 1 vCPU)
    memory: int  # MiB
    architecture: str  # x86_64 | arm64

    def describe(self) -> str:
        spot = f", {self.spot} on Spot" if self.spot else ""
        return f"{self.count} x {self.cpu / 1024:g} vCPU / {self.memory / 1024:g} GiB {self.architecture}{spot}"


@dataclass(frozen=True)
class Instances:
    """One EC2 capacity group's Auto Scaling group: the instance type it launches first, its size at rest."""

    logical_id: str
    instance_type: str | None
    floor: int | None  # DesiredCapacity, else MinSize


@dataclass
class Bill:
    """A template's fixed units (cost.json's ``unit_prices`` keys), its services' tasks, what was not counted."""

    units: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, Tasks] = field(default_factory=dict)  # by service logical id
    groups: dict[str, Instances] = field(default_factory=dict)  # by capacity group name
    not_counted: list[str] = field(default_factory=list)
    usage: list[str] = field(default_factory=list)  # what costs by use, not by the hour (scheduled task runs)

    def add(self, unit: str, quantity: int) -> None:
        self.units[unit] = self.units.get(unit, 0) + quantity


def list_lengths(templates: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Export name -> number of items, for exports of comma-separated lists (the subnet ids of each tier)."""
    lengths = {}
    for template in templates.values():
        for name, output in exports_of(template).items():
            value = ((template.get("Outputs") or {}).get(output) or {}).get("Value")
            if isinstance(value, dict) and isinstance(value.get("Fn::Join"), list) and len(value["Fn::Join"]) == 2:
                items = value["Fn::Join"][1]
                if value["Fn::Join"][0] == "," and isinstance(items, list):
                    lengths[name] = len(items)
            elif isinstance(value, str):
                lengths[name] = len([v for v in value.split(",") if v])
    return lengths


def _count(value: Any, lists: Mapping[str, int], prefix: str) -> int | None:
    """How many items a list property holds: a literal list, or ``Fn::Split`` of an imported list."""
    if isinstance(value, list):
        return len(value)
    split = value.get("Fn::Split") if isinstance(value, dict) else None
    if isinstance(split, list) and len(split) == 2 and isinstance(split[1], dict) and "Fn::ImportValue" in split[1]:
        name = sub_name(split[1]["Fn::ImportValue"], prefix)
        return lists.get(name) if name is not None else None
    return None


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _load_balancer(
    logical_id: str, props: Mapping[str, Any], bill: Bill, lists: Mapping[str, int], prefix: str
) -> None:
    if props.get("Type", "application") != "application":
        bill.not_counted.append(f"load balancer {logical_id}: type {props.get('Type')} has no price in cost.json")
        return
    bill.add(ALB, 1)
    if props.get("Scheme", "internet-facing") == "internet-facing":
        zones = _count(props.get("Subnets") or props.get("SubnetMappings"), lists, prefix)
        if zones is None:
            bill.not_counted.append(f"load balancer {logical_id}: its subnets (public IPv4 addresses) not countable")
        else:
            bill.add(IPV4, zones)


def _endpoint(logical_id: str, props: Mapping[str, Any], bill: Bill) -> None:
    kind = props.get("VpcEndpointType", "Gateway")
    if kind == "Gateway":
        return
    subnets = props.get("SubnetIds")
    if kind == "Interface" and isinstance(subnets, list):
        bill.add(ENDPOINT_AZ, len(subnets))
    else:
        bill.not_counted.append(f"VPC endpoint {logical_id}: {kind} endpoint whose AZs are not countable")


def _alarm_metrics(props: Mapping[str, Any]) -> int:
    if "MetricName" in props:
        return 1
    return sum(1 for metric in props.get("Metrics") or [] if "MetricStat" in metric)


def _scaling_minimums(resources: Mapping[str, Any]) -> dict[str, int]:
    """Service logical id -> its scalable target's MinCapacity (the tasks it runs at rest)."""
    found = {}
    for resource in resources.values():
        props = resource.get("Properties") or {}
        if resource.get("Type") != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        targets = [name for name in _getatt_names(props.get("ResourceId")) if name in resources]
        minimum = _number(props.get("MinCapacity"))
        for service in targets:
            if minimum is not None:
                found[service] = minimum
    return found


def _getatt_names(node: Any) -> list[str]:
    if isinstance(node, dict):
        if "Fn::GetAtt" in node:
            value = node["Fn::GetAtt"]
            return [value.split(".")[0] if isinstance(value, str) else value[0]]
        return [n for v in node.values() for n in _getatt_names(v)]
    if isinstance(node, list):
        return [n for v in node for n in _getatt_names(v)]
    return []


def _spot(count: int, strategy: list[Any]) -> int:
    """Tasks ECS places on Fargate Spot: the on-demand base first, the rest split by weight, rounded down."""
    base = sum(_number(s.get("Base")) or 0 for s in strategy if s.get("CapacityProvider") == "FARGATE")
    on_demand = sum(_number(s.get("Weight")) or 0 for s in strategy if s.get("CapacityProvider") == "FARGATE")
    spot = sum(_number(s.get("Weight")) or 0 for s in strategy if s.get("CapacityProvider") == "FARGATE_SPOT")
    if not spot:
        return 0
    return max(0, count - base) * spot // (on_demand + spot)


def _tasks(logical_id: str, props: Mapping[str, Any], resources: Mapping[str, Any], minimums: Mapping[str, int],
           bill: Bill) -> None:  # fmt: skip
    count = minimums.get(logical_id, _number(props.get("DesiredCount", 1)))
    ref = props.get("TaskDefinition")
    task = resources.get(ref["Ref"]) if isinstance(ref, dict) and isinstance(ref.get("Ref"), str) else None
    size = (task or {}).get("Properties") or {}
    cpu, memory = _number(size.get("Cpu")), _number(size.get("Memory"))
    if count is None or cpu is None or memory is None:
        bill.not_counted.append(f"ECS service {logical_id}: its task count or size is not known before deploying")
        return
    arch = str((size.get("RuntimePlatform") or {}).get("CpuArchitecture", "X86_64")).lower()
    strategy = props.get("CapacityProviderStrategy") or []
    bill.tasks[logical_id] = Tasks(logical_id, count, _spot(count, strategy), cpu, memory, arch)


def _instances(logical_id: str, resource: Mapping[str, Any], bill: Bill) -> None:
    props = resource.get("Properties") or {}
    overrides = ((props.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("Overrides") or [{}]
    first = overrides[0].get("InstanceType")
    floor = _number(props.get("DesiredCapacity", props.get("MinSize")))
    group = capacity_group_of(resource) or logical_id
    bill.groups[group] = Instances(logical_id, first if isinstance(first, str) else None, floor)


def bill(template: Mapping[str, Any] | None, params: Mapping[str, str] | None, lists: Mapping[str, int]) -> Bill:
    """The fixed units ``template`` (with these parameter values) is billed for; ``lists``: ``list_lengths``."""
    found = Bill()
    if not template:
        return found
    values = parameter_values(template, params)
    prefix = values.get("ExportPrefix", "")
    resources = filled(template.get("Resources") or {}, values)
    minimums = _scaling_minimums(resources)
    for logical_id, resource in sorted(resources.items()):
        kind, props = resource.get("Type"), resource.get("Properties") or {}
        if kind == "AWS::EC2::NatGateway":
            found.add(NAT, 1)
        elif kind == "AWS::EC2::EIP":
            found.add(IPV4, 1)
        elif kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            _load_balancer(logical_id, props, found, lists, prefix)
        elif kind == "AWS::EC2::VPCEndpoint":
            _endpoint(logical_id, props, found)
        elif kind == "AWS::CloudWatch::Alarm":
            found.add(ALARM, _alarm_metrics(props))
        elif (
            kind == "AWS::ApplicationAutoScaling::ScalingPolicy" and "TargetTrackingScalingPolicyConfiguration" in props
        ):
            found.add(ALARM, 2)
        elif kind == "AWS::ECS::Service" and not runs_on_ec2(resource):  # EC2: its group's instances carry it
            _tasks(logical_id, props, resources, minimums, found)
        elif kind == "AWS::AutoScaling::AutoScalingGroup":
            _instances(logical_id, resource, found)
        elif kind == "AWS::Events::Rule" and any("EcsParameters" in t for t in props.get("Targets") or []):
            found.usage.append(f"scheduled task {logical_id}: Fargate billed per run (usage-based, as in cost.json)")
    return found
