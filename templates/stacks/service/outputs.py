"""What a service stack tells the console: where its routes answer, and the ALB's way in.

``RouteUrls`` lists the URL of each route; a route without a host answers on
every name of the ALB, shown as ``<alb-dns-name>`` (cfn-lint refuses an
output made of another stack's export, W6001).  A blue/green service adds ``GreenTestRequest``: the request
that reaches the new revision during the bake, before traffic shifts.

The ALB's egress to this service's tasks lives here too, as a rule on the
ALB's security group (``AWS::EC2::SecurityGroupEgress``) towards this stack's
task security group on the target port: the ALB reaches exactly the tasks
behind it, and a service on a new port never edits the ALB stack.
"""

from __future__ import annotations

from troposphere import Join, Output, Ref, Template, ec2

from templates import naming
from templates.naming import ExportKey
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.routes import RulePlan


def _url(env: Environment, rule: RulePlan, path: str | None) -> str:
    scheme = "https://" if env.https else "http://"
    shown = path or "/"
    return f"{scheme}{rule.hosts[0] if rule.hosts else '<alb-dns-name>'}{shown}"


def add_route_outputs(
    t: Template, env: Environment, svc: Service, rules: list[RulePlan], green_rules: list[RulePlan]
) -> None:
    if not rules:
        return
    urls = [_url(env, rule, svc.routes[rule.index].path) for rule in rules]
    t.add_output(Output("RouteUrls", Description="URLs this service's routes answer on", Value=Join(" ", urls)))
    if green_rules and svc.blue_green is not None:
        header = svc.blue_green.test_header
        first = green_rules[0]
        t.add_output(
            Output(
                "GreenTestRequest",
                Description="During a blue/green bake this request reaches the new revision",
                Value=f"curl -H '{header.name}: {header.value}' {_url(env, first, svc.routes[first.index].path)}",
            )
        )


def add_alb_egress(
    t: Template, env: Environment, svc: Service, task_security_group: ec2.SecurityGroup, alb: str = naming.ALB
) -> None:
    """The ALB may open connections to this service's tasks on its target port, and nowhere else.

    Not on an existing ALB: its security group belongs to its owners, and we
    change nothing of theirs (docs/brownfield.md); they allow the target ports.
    """
    port = svc.alb_port
    if port is None or env.alb.existing is not None:
        return
    t.add_resource(
        ec2.SecurityGroupEgress(
            "AlbEgressToTasks",
            GroupId=naming.alb_import_value(alb, ExportKey.ALB_SECURITY_GROUP),  # the service's own ALB
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            DestinationSecurityGroupId=Ref(task_security_group),
            Description=f"ALB to {svc.name} tasks on port {port}",
        )
    )
