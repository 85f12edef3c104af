"""Route 53 alias records: the service's hosts point at the shared ALB (S3).

Alias (not CNAME) records work at a zone apex and cost no queries; they read
the ALB's DNS name and canonical zone from the ALB stack's exports, so a
replaced ALB moves every alias with it.
"""

from __future__ import annotations

from troposphere import Template, route53

from templates import naming
from templates.naming import ExportKey, alb_import_value, alias_logical_id
from templates.params.service import Service


def add_alias_records(t: Template, svc: Service, alb: str = naming.ALB) -> list[route53.RecordSetType]:
    """Aliases to ``alb`` (stack key), the ALB carrying the service's routes: DNS follows the host's ALB."""
    if svc.dns is None:
        return []
    return [
        t.add_resource(
            route53.RecordSetType(
                alias_logical_id(host),
                HostedZoneId=svc.dns.hosted_zone_id,
                Name=host,
                Type="A",
                AliasTarget=route53.AliasTarget(
                    HostedZoneId=alb_import_value(alb, ExportKey.ALB_HOSTED_ZONE_ID),
                    DNSName=alb_import_value(alb, ExportKey.ALB_DNS_NAME),
                    EvaluateTargetHealth=True,
                ),
            )
        )
        for host in svc.alias_hosts
    ]
