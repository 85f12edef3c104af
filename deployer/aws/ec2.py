"""Every EC2 call: one function per API action, named after it; no decisions.

Only the brownfield pre-check reads EC2: whether the existing VPC, subnets and
route tables the params name exist, belong together and have a way out, and
which gateway endpoints their route tables already carry.
"""

from __future__ import annotations

from typing import Any


def describe_vpcs(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    """DescribeVpcs filtered on one id: the VPC (its CIDR blocks), or [] when there is none."""
    return ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]


def describe_vpc_attribute(ec2: Any, vpc_id: str, attribute: str) -> bool:
    """DescribeVpcAttribute: whether ``attribute`` (``enableDnsSupport``, ``enableDnsHostnames``) is on."""
    answer = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
    return bool(answer[attribute[0].upper() + attribute[1:]]["Value"])


def describe_subnets(ec2: Any, subnet_ids: list[str]) -> list[dict[str, Any]]:
    """DescribeSubnets filtered on these ids, every page (a missing id is simply not in the answer)."""
    pages = ec2.get_paginator("describe_subnets").paginate(Filters=[{"Name": "subnet-id", "Values": subnet_ids}])
    return [subnet for page in pages for subnet in page["Subnets"]]


def describe_route_tables(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    """DescribeRouteTables of one VPC, every page: routes and subnet associations (the main table's too)."""
    pages = ec2.get_paginator("describe_route_tables").paginate(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return [table for page in pages for table in page["RouteTables"]]


def describe_vpc_endpoints(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    """DescribeVpcEndpoints of one VPC, gateway endpoints only, every page: service name and route tables."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "vpc-endpoint-type", "Values": ["Gateway"]}]
    pages = ec2.get_paginator("describe_vpc_endpoints").paginate(Filters=filters)
    return [endpoint for page in pages for endpoint in page["VpcEndpoints"]]


def describe_security_groups(ec2: Any, group_ids: list[str]) -> list[dict[str, Any]]:
    """DescribeSecurityGroups filtered on these ids, every page: their rules (a missing id is not listed)."""
    pages = ec2.get_paginator("describe_security_groups").paginate(Filters=[{"Name": "group-id", "Values": group_ids}])
    return [group for page in pages for group in page["SecurityGroups"]]
