"""How a template reaches CloudFormation: inline, or from S3 when it is over the inline limit.

The S3 key is the content's SHA-256, so an unchanged template is the same
object on every run and two environments never overwrite each other's file.
Sizes were checked before any AWS call (``inputs.check_sizes``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from deployer.aws import s3
from deployer.run.inputs import MAX_BODY_BYTES, StackInput

KEY_PREFIX = "fargate-stacks/templates"


def template_source(s3_client: Any, stack: StackInput, bucket: str | None, region: str) -> dict[str, str]:
    """``{"TemplateBody": ...}`` or, after uploading, ``{"TemplateURL": ...}``.

    ``bucket`` is there whenever it is needed: ``inputs.check_sizes`` stopped
    the run before any AWS call otherwise.
    """
    if stack.size <= MAX_BODY_BYTES:
        return {"TemplateBody": stack.body}
    key = f"{KEY_PREFIX}/{hashlib.sha256(stack.body.encode()).hexdigest()}.json"
    s3.put_object(s3_client, bucket, key, stack.body.encode(), "application/json")
    return {"TemplateURL": template_url(bucket, key, region)}


def template_url(bucket: str, key: str, region: str) -> str:
    """The virtual-hosted S3 URL CloudFormation documents for TemplateURL."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{bucket}.s3.{region}.{suffix}/{key}"
