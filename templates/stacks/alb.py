"""ALB stack: the shared load balancer, its security group and listeners.

Service stacks attach their own listener rules to the HTTPS listener when a
certificate is given, else to the HTTP one, importing ``HttpsListenerArn`` or
``HttpListenerArn`` directly (``rules_listener``).  There is deliberately no
"whichever listener carries the rules" export: adding a certificate would
change its value while every web service imports it, and CloudFormation
refuses to update an export in use.  Each listener export keeps one value for
the listener's lifetime.  Both listeners answer 404 to anything no rule
claims, instead of forwarding to a dummy target group.

Hardening lives here too: invalid header fields dropped, deletion protection
and access logs from params, and egress only on the target ports of the
services behind it, to the service-clients group every task joins (one rule
per port, ``_egress``), nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from troposphere import GetAtt, Ref, Split, Template, ec2
from troposphere import elasticloadbalancingv2 as elb

from templates.naming import ExportKey, alb_access_logs_prefix, import_value
from templates.params.environment import Environment
from templates.plan.network import listener_ports, target_ports
from templates.stacks.bridge import add_bridge_ingress, bridge_egress
from templates.stacks.common import add_export, new_template, no_egress, tags
from templates.stacks.existing_alb import build_existing_alb
from templates.stacks.metadata import checkov_skip, guard_suppressions, metadata_kwargs

# Port 80 stays open to the world on an HTTPS ALB so browsers typing http:// get
# the 301; the listener on it has no rules and forwards nothing.
REDIRECT_ONLY_REASON = (
    "Port 80 only answers with a 301 redirect to HTTPS (HttpListener default action, no rules); "
    "a public ALB must accept it so plain-http clients are sent to 443."
)


# Guard registry rules a public ALB breaks by design (docs/security.md lists each with its reason).
PUBLIC_ALB_REASON = (
    "A public ALB is the one door from the internet: it admits alb.ingress_cidrs (the whole internet for a "
    "public site) on 80/443 only; tasks admit only this security group (guardrail H002)."
)
HTTP_REDIRECT_LISTENER_REASON = (
    "This HTTP listener only answers with a 301 redirect to the HTTPS listener (no rules, nothing forwarded): "
    "plain HTTP carries no content here and a listener without TLS has no SSL policy."
)


def rules_listener(env: Environment) -> ExportKey:
    """The export of the listener that carries the services' rules: HTTPS with a certificate, else HTTP."""
    return ExportKey.HTTPS_LISTENER_ARN if env.https else ExportKey.HTTP_LISTENER_ARN


def _not_found() -> elb.Action:
    return elb.Action(
        Type="fixed-response",
        FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not found"
        ),
    )


def _redirect_to_https() -> elb.Action:
    return elb.Action(
        Type="redirect",
        RedirectConfig=elb.RedirectConfig(Protocol="HTTPS", Port="443", StatusCode="HTTP_301"),
    )


def _attributes(env: Environment) -> list[elb.LoadBalancerAttributes]:
    alb = env.alb
    values = {
        "idle_timeout.timeout_seconds": str(alb.idle_timeout),
        "deletion_protection.enabled": str(alb.deletion_protection).lower(),
        # Requests with malformed headers are a classic smuggling vector; never pass them on.
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "access_logs.s3.enabled": str(alb.access_logs_bucket is not None).lower(),
    }
    if alb.access_logs_bucket is not None:
        values["access_logs.s3.bucket"] = alb.access_logs_bucket
        values["access_logs.s3.prefix"] = alb_access_logs_prefix(env.project, env.environment)
    return [elb.LoadBalancerAttributes(Key=key, Value=value) for key, value in values.items()]


def _egress(env: Environment, bridge_groups: Sequence[str] = ()) -> list[ec2.SecurityGroupRule]:
    """One rule per distinct target port of the services on this ALB, to the service-clients group every task
    joins: the ALB's outbound rules grow with the ports, never with the number of services (a security group
    holds 60 by default; 100 services on 8080 need one rule).  Each task's own group admits only this ALB's
    group on its target port, so the ALB still reaches exactly the tasks behind it.

    Without web services a dead-end rule keeps AWS's default allow-all egress off.
    ``alb.egress_to_vpc_cidr`` adds the older rule (target ports to the VPC CIDR) beside them.
    Bridge-mode targets add one rule per capacity group they run on (``stacks/bridge.py``).
    """
    ports = target_ports(env)
    if not ports and not bridge_groups:
        return no_egress("placeholder so the default allow-all egress is not added: no targets yet")
    rules = [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            DestinationSecurityGroupId=import_value(ExportKey.SERVICE_CLIENTS_SECURITY_GROUP),
            Description=f"to the tasks on port {port} (each task admits only this ALB on its target port)",
        )
        for port in ports
    ]
    if env.alb.egress_to_vpc_cidr:
        rules += [
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=port,
                ToPort=port,
                CidrIp=import_value(ExportKey.VPC_CIDR),
                Description=f"to targets on port {port} inside the VPC only",
            )
            for port in ports
        ]
    return rules + bridge_egress(bridge_groups)


def add_security_group(t: Template, env: Environment, bridge_groups: Sequence[str] = ()) -> ec2.SecurityGroup:
    alb = env.alb
    ports = listener_ports(env)
    world_on_redirect = env.https and any(cidr.prefixlen == 0 for cidr in alb.ingress_cidrs)
    guard = []
    if any(cidr.prefixlen == 0 for cidr in alb.ingress_cidrs):
        guard.append(("EC2_SECURITY_GROUP_INGRESS_OPEN_TO_WORLD_RULE", PUBLIC_ALB_REASON))
    if any(cidr.prefixlen < cidr.max_prefixlen for cidr in alb.ingress_cidrs):
        guard.append(("SECURITY_GROUP_INGRESS_CIDR_NON_32_RULE", PUBLIC_ALB_REASON))
    optional = metadata_kwargs(
        checkov_skip(("CKV_AWS_260", REDIRECT_ONLY_REASON)) if world_on_redirect else {},
        guard_suppressions(*guard) if guard else {},
    )
    return t.add_resource(
        ec2.SecurityGroup(
            "AlbSecurityGroup",
            GroupDescription=f"{env.project}-{env.environment} ALB: HTTP(S) from allowed CIDRs",
            VpcId=import_value(ExportKey.VPC_ID),
            SecurityGroupIngress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=port,
                    ToPort=port,
                    CidrIp=str(cidr),
                    Description=f"port {port} from {cidr}",
                )
                for cidr in alb.ingress_cidrs
                for port in ports
            ],
            SecurityGroupEgress=_egress(env, bridge_groups),
            Tags=tags(env),
            **optional,
        )
    )


def build_alb(env: Environment, bridge_groups: Sequence[str] = ()) -> Template:
    """``bridge_groups``: the EC2 capacity groups whose bridge-mode tasks this ALB reaches (``plan.compute``)."""
    if env.alb.existing is not None:
        return build_existing_alb(env)
    alb = env.alb
    t = new_template(env, f"{alb.scheme} Application Load Balancer shared by all services")
    security_group = add_security_group(t, env, bridge_groups)
    add_bridge_ingress(t, security_group, bridge_groups)
    subnets = ExportKey.PUBLIC_SUBNETS if alb.scheme == "internet-facing" else ExportKey.PRIVATE_SUBNETS
    load_balancer = t.add_resource(
        elb.LoadBalancer(
            "LoadBalancer",
            Type="application",
            Scheme=alb.scheme,
            Subnets=Split(",", import_value(subnets)),
            SecurityGroups=[Ref(security_group)],
            LoadBalancerAttributes=_attributes(env),
            Tags=tags(env),
        )
    )
    http = t.add_resource(
        elb.Listener(
            "HttpListener",
            LoadBalancerArn=Ref(load_balancer),
            Port=80,
            Protocol="HTTP",
            DefaultActions=[_redirect_to_https() if env.https else _not_found()],
            Tags=tags(env),
            **metadata_kwargs(
                guard_suppressions(
                    ("ELBV2_LISTENER_PROTOCOL_RULE", HTTP_REDIRECT_LISTENER_REASON),
                    ("ELBV2_LISTENER_SSL_POLICY_RULE", HTTP_REDIRECT_LISTENER_REASON),
                )
                if env.https
                else {}
            ),
        )
    )
    if env.https:
        https = t.add_resource(
            elb.Listener(
                "HttpsListener",
                LoadBalancerArn=Ref(load_balancer),
                Port=443,
                Protocol="HTTPS",
                SslPolicy=alb.ssl_policy,
                Certificates=[elb.Certificate(CertificateArn=alb.certificate_arn)],
                DefaultActions=[_not_found()],
                Tags=tags(env),
            )
        )
        add_export(t, ExportKey.HTTPS_LISTENER_ARN, Ref(https), "HTTPS listener ARN")
    add_export(t, ExportKey.HTTP_LISTENER_ARN, Ref(http), "HTTP listener ARN")
    add_export(t, ExportKey.ALB_SECURITY_GROUP, Ref(security_group), "ALB security group id")
    add_export(t, ExportKey.ALB_DNS_NAME, GetAtt(load_balancer, "DNSName"), "ALB DNS name")
    add_export(
        t, ExportKey.ALB_HOSTED_ZONE_ID, GetAtt(load_balancer, "CanonicalHostedZoneID"), "ALB hosted zone (for aliases)"
    )
    add_export(t, ExportKey.ALB_FULL_NAME, GetAtt(load_balancer, "LoadBalancerFullName"), "ALB full name (metrics)")
    return t
