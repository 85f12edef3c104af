"""What must hold in every environment's rendered templates for them to work in AWS (issue 17).

cfn-lint and moto accept each of these breaking; AWS does not:

* an ELB alarm's ``LoadBalancer`` dimension is the ALB its target group's rules sit on (ELB publishes a
  target group's metrics only under its own load balancer);
* a target group is forwarded to from one ALB only, and its logical id names that ALB, so a host moving
  to another ALB gets a new target group (a target group belongs to one load balancer);
* every VPC endpoint's service name is a PrivateLink name of ``templates/aws/privatelink.py``;
* an ALB's security group has one outbound rule per distinct target port of the services on it, and no
  service stack adds another (a group holds 60).

Each function returns the violations as lines (empty: the invariant holds), so a test can show them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from templates.aws.instances import EPHEMERAL_PORTS
from templates.aws.privatelink import ENDPOINT_SERVICES, GATEWAY_SERVICES, SERVICE_NAME_PREFIX
from templates.contract.template import listener_rules, resources_of_type
from templates.naming import ExportKey, alb_import_value, target_group_logical_id

Templates = Mapping[str, Mapping[str, Any]]
ALARM = "AWS::CloudWatch::Alarm"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"


def _services(templates: Templates) -> dict[str, Mapping[str, Any]]:
    return {key: doc for key, doc in templates.items() if key.startswith("svc-")}


def _json(node: Any) -> Any:
    return json.loads(json.dumps(node, default=lambda value: value.to_dict()))


def target_group_albs(doc: Mapping[str, Any]) -> dict[str, set[str]]:
    """Target group logical id -> the ALBs of the listener rules forwarding to it."""
    found: dict[str, set[str]] = {lid: set() for lid, _ in resources_of_type(doc, TARGET_GROUP)}
    for rule in listener_rules(doc):
        for group in rule.target_groups:
            found.setdefault(group, set()).add(rule.alb or "?")
    return found


def alarms_off_their_alb(templates: Templates) -> list[str]:
    """ELB alarms whose LoadBalancer dimension is not the ALB of the service's rules."""
    wrong = []
    for key, doc in _services(templates).items():
        albs = {rule.alb for rule in listener_rules(doc)}
        expected = [_json(alb_import_value(alb, ExportKey.ALB_FULL_NAME)) for alb in albs]
        for lid, props in resources_of_type(doc, ALARM):
            for query in props.get("Metrics") or []:
                metric = ((query.get("MetricStat") or {}).get("Metric")) or {}
                for dimension in metric.get("Dimensions") or []:
                    if dimension["Name"] == "LoadBalancer" and (len(albs) != 1 or dimension["Value"] not in expected):
                        wrong.append(f"{key}.{lid} watches {dimension['Value']}, its rules are on {sorted(albs)}")
    return wrong


def target_groups_off_their_alb(templates: Templates) -> list[str]:
    """Target groups forwarded to from no ALB or several, or whose logical id does not name their ALB."""
    wrong = []
    for key, doc in _services(templates).items():
        for group, albs in target_group_albs(doc).items():
            if len(albs) != 1:
                wrong.append(f"{key}.{group} is forwarded to from {sorted(albs) or 'no ALB'}")
                continue
            (alb,) = albs
            if group not in (target_group_logical_id(alb), target_group_logical_id(alb, alternate=True)):
                wrong.append(f"{key}.{group} is on {alb}: its id must name that ALB")
    return wrong


def target_groups_moved(before: Templates, after: Templates) -> list[str]:
    """Target groups (by logical id) that one deploy would take from one ALB to another: AWS refuses it."""
    moved = []
    for key, doc in _services(after).items():
        old = target_group_albs(before.get(key) or {})
        for group, albs in target_group_albs(doc).items():
            if group in old and old[group] != albs:
                moved.append(f"{key}.{group} moves from {sorted(old[group])} to {sorted(albs)}")
    return moved


def unknown_endpoint_names(templates: Templates) -> list[str]:
    """VPC endpoints whose service name is not in the PrivateLink table."""
    known = ENDPOINT_SERVICES | set(GATEWAY_SERVICES)
    wrong = []
    for key, doc in templates.items():
        for lid, props in resources_of_type(doc, "AWS::EC2::VPCEndpoint"):
            name = props["ServiceName"]["Fn::Sub"].removeprefix(SERVICE_NAME_PREFIX + "${AWS::Region}.")
            if name not in known:
                wrong.append(f"{key}.{lid}: {name}")
    return wrong


def alb_egress_rules(templates: Templates) -> dict[str, int]:
    """ALB stack key -> outbound rules of its security group (inline, plus any added by another stack)."""
    counts = {}
    for key, doc in templates.items():
        for _, props in resources_of_type(doc, "AWS::EC2::SecurityGroup"):
            if key.startswith("alb"):
                counts[key] = len(props.get("SecurityGroupEgress") or [])
    return counts


def alb_egress_beyond_ports(templates: Templates) -> list[str]:
    """ALB security groups with outbound rules other than one per distinct target port of their services,
    and egress added to an ALB's group by another stack (it would grow with the number of services)."""
    ports: dict[str, set[int]] = {}
    for doc in _services(templates).values():
        albs = {rule.alb for rule in listener_rules(doc) if rule.alb}
        for _, props in resources_of_type(doc, TARGET_GROUP):
            if props.get("TargetType") == "instance":
                continue  # bridge mode: reached on the instances' ephemeral range, one rule per capacity group
            for alb in albs:
                ports.setdefault(alb, set()).add(int(props["Port"]))
    wrong = []
    for key, doc in templates.items():
        wrong += [f"{key}.{lid} adds egress to another stack's group" for lid, _ in
                  resources_of_type(doc, "AWS::EC2::SecurityGroupEgress")]  # fmt: skip
        for _, props in resources_of_type(doc, "AWS::EC2::SecurityGroup") if key.startswith("alb") else []:
            rules = props.get("SecurityGroupEgress") or []
            to_tasks = sorted(
                int(r["FromPort"])
                for r in rules
                if "DestinationSecurityGroupId" in r and (r["FromPort"], r["ToPort"]) != EPHEMERAL_PORTS
            )
            listening = sorted(ports.get(key, set()))
            if to_tasks != listening:
                wrong.append(f"{key}: egress to the tasks on {to_tasks}, its services listen on {listening}")
    return wrong
