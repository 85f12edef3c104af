"""ALB stack over a load balancer that already exists: no resources of its own, the same exports.

Service stacks import the rules listener, the ALB's security group, DNS name
and hosted zone by export name; this stack exports the params' values under
those names, so service templates do not change.  Its only resource is a
``AWS::CloudFormation::WaitConditionHandle`` (free, no IAM, inert; see
``existing_network``).  Their rules on the same listener are checked by the
deployer before any change (``deployer/run/shared_listener.py``), which finds
the listener through these exports.

We deliberately add nothing to the foreign ALB or its security group: its
owners keep control of its listeners, certificates and egress.
"""

from __future__ import annotations

from troposphere import Template, cloudformation

from templates.naming import ExportKey
from templates.params.brownfield import load_balancer_full_name
from templates.params.environment import Environment
from templates.stacks.common import add_export, new_template


def build_existing_alb(env: Environment) -> Template:
    existing = env.alb.existing
    assert existing is not None, "only for alb.existing"
    full_name = load_balancer_full_name(existing.rules_listener_arn)
    t = new_template(env, f"existing load balancer {full_name}: exports only, rules live in the service stacks")
    t.add_resource(cloudformation.WaitConditionHandle("ExistingAlbPlaceholder"))
    if existing.https_listener_arn is not None:
        add_export(t, ExportKey.HTTPS_LISTENER_ARN, existing.https_listener_arn, "HTTPS listener ARN (existing)")
    if existing.http_listener_arn is not None:
        add_export(t, ExportKey.HTTP_LISTENER_ARN, existing.http_listener_arn, "HTTP listener ARN (existing)")
    add_export(t, ExportKey.ALB_SECURITY_GROUP, existing.security_group, "ALB security group id (existing)")
    add_export(t, ExportKey.ALB_DNS_NAME, existing.dns_name, "ALB DNS name (existing)")
    add_export(t, ExportKey.ALB_HOSTED_ZONE_ID, existing.hosted_zone_id, "ALB hosted zone (for aliases)")
    add_export(t, ExportKey.ALB_FULL_NAME, full_name, "ALB full name (metrics)")
    return t
