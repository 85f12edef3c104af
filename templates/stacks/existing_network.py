"""Network stack over a VPC that already exists: no VPC resources, the same exports.

ALB, cluster and service templates import ``VpcId``, ``VpcCidr``,
``PublicSubnets`` and ``PrivateSubnets`` and must not care who made the VPC,
so this stack exports the params' ids under the same names.  It creates the
VPC endpoints when asked; otherwise its only resource is a
``AWS::CloudFormation::WaitConditionHandle``.  A stack needs at least one
resource, and that one is the harmless choice: it is free, needs no IAM
permission, touches no service outside CloudFormation and nothing ever waits
on it (a WaitCondition would; the handle alone is inert).

The template's Metadata records the ids and the egress the params promise
(NAT route or endpoints), which the deployer's pre-check verifies against the
account before any change (``deployer/run/account_precheck.py``).
"""

from __future__ import annotations

from troposphere import Template, cloudformation

from templates.naming import EXISTING_VPC_METADATA, ExportKey
from templates.params.environment import Environment
from templates.plan.model import NetworkPlan
from templates.stacks.common import add_export, new_template
from templates.stacks.endpoints import add_endpoints


def build_existing_network(env: Environment, network: NetworkPlan) -> Template:
    existing = env.network.existing
    assert existing is not None, "only for network.existing"
    t = new_template(env, f"existing VPC {existing.vpc_id} ({existing.cidr}), NAT {env.network.nat}: exports only")
    t.set_metadata(
        {
            EXISTING_VPC_METADATA: {
                "VpcId": existing.vpc_id,
                "Cidr": str(existing.cidr),
                "PublicSubnets": list(existing.public_subnets),
                "PrivateSubnets": list(existing.private_subnets),
                "PrivateRouteTables": list(existing.private_route_tables),
                "Egress": "endpoints" if env.network.nat == "none" else "nat",
            }
        }
    )
    add_endpoints(
        t,
        env,
        network,
        existing.vpc_id,
        str(existing.cidr),
        list(existing.private_subnets),
        list(existing.private_route_tables),
    )
    if not t.resources:
        t.add_resource(cloudformation.WaitConditionHandle("ExistingVpcPlaceholder"))
    add_export(t, ExportKey.VPC_ID, existing.vpc_id, "VPC id (existing VPC)")
    add_export(t, ExportKey.VPC_CIDR, str(existing.cidr), "VPC CIDR block (existing VPC)")
    add_export(t, ExportKey.PUBLIC_SUBNETS, ",".join(existing.public_subnets), "Public subnet ids, comma-separated")
    add_export(t, ExportKey.PRIVATE_SUBNETS, ",".join(existing.private_subnets), "Private subnet ids, comma-separated")
    return t
