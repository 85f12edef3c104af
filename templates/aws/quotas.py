"""AWS's default quotas that the plan and the rules count against (the adjustable ones say so).

Application Load Balancer:
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
VPC security groups:
https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
CloudFormation:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
"""

from __future__ import annotations

ALB_QUOTAS_URL = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
VPC_QUOTAS_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups"
CLOUDFORMATION_QUOTAS_URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"

# Application Load Balancer
RULES_PER_LISTENER = 100  # adjustable: params alb.rules_per_listener
CONDITION_VALUES_PER_RULE = 5
TARGET_GROUPS_PER_ALB = 100
# Security groups: inbound and outbound rules, each direction (adjustable)
RULES_PER_SECURITY_GROUP = 60
# CloudFormation, per template
RESOURCES_PER_TEMPLATE = 500
PARAMETERS_PER_TEMPLATE = 200
OUTPUTS_PER_TEMPLATE = 200
INLINE_TEMPLATE_BYTES = 51_200
S3_TEMPLATE_BYTES = 1_000_000
EXPORT_NAME_LENGTH = 255
