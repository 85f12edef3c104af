"""The environment picture as D2 source (https://d2lang.com), laid out by ELK when rendered.

Left to right, the way a request travels: the internet, the ALB's listeners
and their rules in priority order, then the services in the private subnets,
EventBridge for scheduled tasks, and the Cloud Map namespace.  The AZs and
subnets sit in a grid at the top of the VPC.  Node ids are positional
(``s0``, ``r0``); every label is quoted, so no host, path or name can break
the syntax.
"""

from __future__ import annotations

from templates.diagram.model import Picture

_KIND_STYLE = {
    "web": 'style.fill: "#e8f1fb"',
    "worker": 'style.fill: "#eef7ea"',
    "scheduled": 'style.fill: "#fdf3e3"',
}


def quote(text: str) -> str:
    """A D2 double-quoted string: backslash, quote and newline escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_GROUPS = {"web": "Web services (behind the ALB)", "worker": "Workers", "scheduled": "Scheduled tasks"}


def _service_ids(picture: Picture) -> dict[str, str]:
    return {box.name: f"vpc.cluster.{box.kind}.s{i}" for i, box in enumerate(picture.boxes)}


def _cluster(picture: Picture) -> list[str]:
    """Services grouped by kind, so workers and scheduled tasks do not scatter among the web services."""
    lines = [f"  cluster: {quote('ECS cluster - tasks in the private subnets')} {{"]
    for kind, label in _GROUPS.items():
        first_rule = {}
        for rule in reversed(picture.rules):
            first_rule[rule.service] = rule.priority
        members = [(i, box) for i, box in enumerate(picture.boxes) if box.kind == kind]
        # Web services in the order of their rules: the rule -> service edges run parallel.
        members.sort(key=lambda member: first_rule.get(member[1].name, 0))
        if not members:
            continue
        lines.append(f"    {kind}: {quote(label)} {{")
        lines += [f"      s{i}: {quote(chr(10).join(box.lines))} {{ {_KIND_STYLE[kind]} }}" for i, box in members]
        lines.append("    }")
    if picture.groups:
        lines.append(f"    capacity: {quote('EC2 capacity groups (private subnets)')} {{")
        lines += [
            f"      g{i}: {quote(chr(10).join(g.lines))} {{ shape: stored_data }}" for i, g in enumerate(picture.groups)
        ]
        lines.append("    }")
    lines.append("  }")
    return lines


def _group_edges(picture: Picture, ids: dict[str, str]) -> list[str]:
    """Each service on EC2 to the group(s) it runs on (dashed: placement, not traffic)."""
    return [
        f"{ids[name]} -> vpc.cluster.capacity.g{i}: {quote('runs on')} {{ style.stroke-dash: 2 }}"
        for i, group in enumerate(picture.groups)
        for name in group.services
    ]


def _zones(picture: Picture) -> list[str]:
    lines = [
        f"  zones: {quote('Availability zones, subnets and egress')} {{",
        f"    grid-columns: {len(picture.zones)}",
    ]
    for i, zone in enumerate(picture.zones):
        lines.append(f"    z{i}: {quote(zone.name)} {{")
        lines.append("      grid-columns: 1")
        lines.append(f"      public: {quote('public ' + zone.public_cidr)}")
        lines.append(f"      private: {quote('private ' + zone.private_cidr)}")
        if zone.nat:
            lines.append(f"      nat: {quote('NAT gateway')} {{ shape: hexagon }}")
        lines.append("    }")
    if picture.endpoints:
        text = "VPC endpoints\n" + "\n".join(picture.endpoints)
        lines.append(f"    endpoints: {quote(text)} {{ shape: hexagon }}")
    lines.append("  }")
    return lines


def _alb(picture: Picture) -> list[str]:
    lines = [f"  alb: {quote(picture.alb)} {{"]
    for i, listener in enumerate(picture.listeners):
        if listener != picture.rules_listener:
            lines.append(f"    l{i}: {quote(listener)}")
            continue
        lines.append(f"    l{i}: {quote(listener)} {{")
        for j, rule in enumerate(picture.rules):
            text = f"{rule.priority}  {rule.match}"
            if rule.test_header:
                text += f"\n+ header {rule.test_header}: new revision while deploying"
            style = " { style.stroke-dash: 4 }" if rule.test_header else ""
            lines.append(f"      r{j}: {quote(text)}{style}")
        lines.append("    }")
    lines.append("  }")
    return lines


def to_d2(picture: Picture) -> str:
    """D2 source of the picture; deterministic, so the SVG changes only when the environment does."""
    ids = _service_ids(picture)
    rules_at = f"vpc.alb.l{picture.listeners.index(picture.rules_listener)}"
    lines = [
        "direction: right",
        f"title: {quote(picture.title)} {{ near: top-center; shape: text; style.font-size: 24 }}",
        f"internet: {quote('Internet')} {{ shape: cloud }}",
        f"vpc: {quote(picture.vpc + ' - ' + picture.egress)} {{",
        *_zones(picture),
        *_alb(picture),
        *_cluster(picture),
        "}",
    ]
    lines.append(f"internet -> {rules_at}")
    for j, rule in enumerate(picture.rules):
        dash = " { style.stroke-dash: 4 }" if rule.test_header else ""
        lines.append(f"{rules_at}.r{j} -> {ids[rule.service]}{dash}")
    if any(box.kind == "scheduled" for box in picture.boxes):
        lines.append(f"events: {quote('EventBridge rules (schedule in each task)')} {{ shape: oval }}")
        lines.append(f"events -> vpc.cluster.scheduled: {quote('starts tasks')}")
    lines += _group_edges(picture, ids)
    if picture.links:
        lines.append(f"namespace: {quote(picture.namespace)} {{ shape: cylinder }}")
        for link in picture.links:
            lines.append(f"{ids[link.source]} -> namespace: {quote(link.label)} {{ style.stroke-dash: 3 }}")
    return "\n".join(lines) + "\n"
