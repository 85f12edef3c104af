"""The environment picture as a Mermaid flowchart, for review.md (pull requests render it inline).

A pure function of the picture: ``generate`` writes it to
``output/<env>/diagram.mmd`` so the deployer can embed the file in its
review without importing the generator.  Same content as the SVG, drawn
by whatever renders the Markdown.
"""

from __future__ import annotations

from templates.diagram.model import Picture


def label(*lines: str) -> str:
    """A quoted Mermaid node label; quotes become #quot; and lines are joined with <br/>."""
    return '"' + "<br/>".join(line.replace('"', "#quot;") for line in lines) + '"'


def to_mermaid(picture: Picture) -> str:
    rules_listener = picture.rules_listener
    lines = [
        "flowchart LR",
        f"  internet(({label('Internet')}))",
        f"  subgraph vpc[{label(picture.vpc + ' - ' + picture.egress)}]",
        "    direction LR",
        f"    subgraph zones[{label('Availability zones')}]",
    ]
    for i, zone in enumerate(picture.zones):
        parts = [zone.name, f"public {zone.public_cidr}", f"private {zone.private_cidr}"]
        lines.append(f"      z{i}[{label(*parts, *(['NAT gateway'] if zone.nat else []))}]")
    if picture.endpoints:
        lines.append(f"      endpoints{{{{{label('VPC endpoints', *picture.endpoints)}}}}}")
    lines += ["    end", f"    subgraph alb[{label(picture.alb + ' - ' + rules_listener)}]"]
    for j, rule in enumerate(picture.rules):
        extra = [f"+ {rule.test_header}: new revision while deploying"] if rule.test_header else []
        lines.append(f"      r{j}[{label(f'{rule.priority} {rule.match}', *extra)}]")
    lines += ["    end", f"    subgraph cluster[{label('ECS cluster')}]"]
    lines += [f"      s{i}[{label(*box.lines)}]" for i, box in enumerate(picture.boxes)]
    lines += [f"      g{i}[({label(*group.lines)})]" for i, group in enumerate(picture.groups)]
    lines += ["    end", "  end", "  internet --> alb"]
    ids = {box.name: f"s{i}" for i, box in enumerate(picture.boxes)}
    lines += [f"  {ids[name]} -.->|runs on| g{i}" for i, group in enumerate(picture.groups) for name in group.services]
    for j, rule in enumerate(picture.rules):
        lines.append(f"  r{j} {'-.->' if rule.test_header else '-->'} {ids[rule.service]}")
    scheduled = [box for box in picture.boxes if box.kind == "scheduled"]
    if scheduled:
        lines.append(f"  events([{label('EventBridge schedules')}])")
        lines += [f"  events --> {ids[box.name]}" for box in scheduled]
    if picture.links:
        lines.append(f"  namespace[({label(picture.namespace)})]")
        lines += [f"  {ids[link.source]} -.->|{label(link.label)}| namespace" for link in picture.links]
    return "\n".join(lines) + "\n"
