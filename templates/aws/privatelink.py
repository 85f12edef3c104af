"""VPC endpoint service names, and which ones carry the API of an IAM action prefix.

A task role's ``cloudwatch:PutMetricData`` is not served by an endpoint named
``cloudwatch``: PrivateLink names are the service's endpoint names, not its
IAM prefix (CloudWatch metrics = ``monitoring``, Kinesis Data Streams =
``kinesis-streams``, SES = ``email`` / ``email-smtp``, Bedrock's model calls
= ``bedrock-runtime``).  One table, read by the plan (which endpoints a
NAT-free VPC needs, ``templates/plan/endpoints.py``) and by the rule that
checks ``network.endpoints.extra`` (L027).

Names come from AWS's list of services that integrate with PrivateLink
(``com.amazonaws.<region>.<name>``):
https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
Gateway endpoints (free, attached to route tables) exist for S3 and DynamoDB only:
https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
IAM prefixes: https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

PRIVATELINK_SERVICES_URL = "https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html"
GATEWAY_ENDPOINTS_URL = "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html"
SERVICE_NAME_PREFIX = "com.amazonaws."

# Services with a free gateway endpoint (the route tables' way to them); both have interface endpoints too.
GATEWAY_SERVICES: tuple[str, ...] = ("s3", "dynamodb")

# IAM action prefix -> interface endpoint service names that serve its API; any one of them carries the calls
# (SES: the API is ``email``, SMTP is ``email-smtp``; Bedrock: ``bedrock-runtime`` for model calls).
ENDPOINTS_BY_IAM_PREFIX: dict[str, tuple[str, ...]] = {
    "acm-pca": ("acm-pca",),
    "apigateway": ("apigateway",),
    "appconfig": ("appconfigdata", "appconfig"),
    "application-autoscaling": ("application-autoscaling",),
    "athena": ("athena",),
    "autoscaling": ("autoscaling",),
    "backup": ("backup",),
    "batch": ("batch",),
    "bedrock": ("bedrock-runtime", "bedrock", "bedrock-agent-runtime", "bedrock-agent"),
    "cloudformation": ("cloudformation",),
    "cloudtrail": ("cloudtrail",),
    "cloudwatch": ("monitoring",),
    "codeartifact": ("codeartifact.api", "codeartifact.repositories"),
    "codebuild": ("codebuild",),
    "codecommit": ("git-codecommit", "codecommit"),
    "codedeploy": ("codedeploy", "codedeploy-commands-secure"),
    "codepipeline": ("codepipeline",),
    "cognito-idp": ("cognito-idp",),
    "comprehend": ("comprehend",),
    "config": ("config",),
    "dynamodb": ("dynamodb",),
    "ec2": ("ec2",),
    "ec2messages": ("ec2messages",),
    "ecr": ("ecr.api", "ecr.dkr"),
    "ecs": ("ecs", "ecs-agent", "ecs-telemetry"),
    "elasticache": ("elasticache",),
    "elasticfilesystem": ("elasticfilesystem",),
    "elasticloadbalancing": ("elasticloadbalancing",),
    "events": ("events",),
    "execute-api": ("execute-api",),
    "firehose": ("kinesis-firehose",),
    "glue": ("glue",),
    "kafka": ("kafka",),
    "kinesis": ("kinesis-streams",),
    "kms": ("kms",),
    "lambda": ("lambda",),
    "logs": ("logs",),
    "polly": ("polly",),
    "rds": ("rds",),
    "rds-data": ("rds-data",),
    "rekognition": ("rekognition",),
    "s3": ("s3",),
    "sagemaker": ("sagemaker.runtime", "sagemaker.api"),
    "secretsmanager": ("secretsmanager",),
    "servicediscovery": ("data-servicediscovery", "servicediscovery"),
    "ses": ("email", "email-smtp"),
    "sns": ("sns",),
    "sqs": ("sqs",),
    "ssm": ("ssm",),
    "ssmmessages": ("ssmmessages",),
    "states": ("states",),
    "sts": ("sts",),
    "textract": ("textract",),
    "translate": ("translate",),
    "xray": ("xray",),
}

# IAM prefixes whose actions make no API call from the task: IAM only authorises them (``iam:PassRole``),
# or the client signs a token locally (``rds-db:connect``, then it talks to the database itself).
NO_API_CALL: frozenset[str] = frozenset({"iam", "rds-db"})

# Every interface endpoint service name this project knows (``network.endpoints.extra`` is checked against it).
ENDPOINT_SERVICES: frozenset[str] = frozenset(name for names in ENDPOINTS_BY_IAM_PREFIX.values() for name in names)


def endpoints_for(prefix: str) -> tuple[str, ...]:
    """The interface endpoints serving an IAM prefix's API; the prefix itself when the table does not know it."""
    return ENDPOINTS_BY_IAM_PREFIX.get(prefix, (prefix,))


def full_service_name(name: str, region: str) -> str:
    """``sqs`` -> ``com.amazonaws.eu-west-1.sqs``: the ``ServiceName`` of a VPC endpoint."""
    return f"{SERVICE_NAME_PREFIX}{region}.{name}"
