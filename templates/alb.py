"""ALB stack: the shared load balancer, its security group and listeners.

Service stacks attach their own listener rules to ``RoutingListenerArn``
(HTTPS when a certificate is given, else HTTP); both listeners answer 404
to anything no rule claims, instead of forwarding to a dummy target group.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Split, Template, ec2
from troposphere import elasticloadbalancingv2 as elb

from templates.common import add_export, new_template, tags
from templates.naming import ExportKey, import_value
from templates.params import Environment


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


def build_alb(env: Environment) -> Template:
    alb = env.alb
    t = new_template(env, f"{alb.scheme} Application Load Balancer shared by all services")
    ports = [80, 443] if env.https else [80]
    security_group = t.add_resource(
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
            SecurityGroupEgress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=0,
                    ToPort=65535,
                    CidrIp=import_value(ExportKey.VPC_CIDR),
                    Description="to targets inside the VPC only",
                )
            ],
            Tags=tags(env),
        )
    )
    subnets = ExportKey.PUBLIC_SUBNETS if alb.scheme == "internet-facing" else ExportKey.PRIVATE_SUBNETS
    load_balancer = t.add_resource(
        elb.LoadBalancer(
            "LoadBalancer",
            Type="application",
            Scheme=alb.scheme,
            Subnets=Split(",", import_value(subnets)),
            SecurityGroups=[Ref(security_group)],
            LoadBalancerAttributes=[
                elb.LoadBalancerAttributes(Key="idle_timeout.timeout_seconds", Value=str(alb.idle_timeout)),
                elb.LoadBalancerAttributes(
                    Key="deletion_protection.enabled", Value=str(alb.deletion_protection).lower()
                ),
                elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
            ],
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
        )
    )
    routing = http
    if env.https:
        routing = t.add_resource(
            elb.Listener(
                "HttpsListener",
                LoadBalancerArn=Ref(load_balancer),
                Port=443,
                Protocol="HTTPS",
                SslPolicy=alb.ssl_policy,
                Certificates=[elb.Certificate(CertificateArn=alb.certificate_arn)],
                DefaultActions=[_not_found()],
            )
        )
        add_export(t, ExportKey.HTTPS_LISTENER_ARN, Ref(routing), "HTTPS listener ARN")
    add_export(t, ExportKey.HTTP_LISTENER_ARN, Ref(http), "HTTP listener ARN")
    add_export(t, ExportKey.ROUTING_LISTENER_ARN, Ref(routing), "Listener that carries the service rules")
    add_export(t, ExportKey.ALB_SECURITY_GROUP, Ref(security_group), "ALB security group id")
    add_export(t, ExportKey.ALB_DNS_NAME, GetAtt(load_balancer, "DNSName"), "ALB DNS name")
    add_export(
        t, ExportKey.ALB_HOSTED_ZONE_ID, GetAtt(load_balancer, "CanonicalHostedZoneID"), "ALB hosted zone (for aliases)"
    )
    add_export(t, ExportKey.ALB_FULL_NAME, GetAtt(load_balancer, "LoadBalancerFullName"), "ALB full name (metrics)")
    return t
