"""Every S3 call: one function per API action, named after it; no decisions.

S3 only holds templates over CloudFormation's inline limit (``--bucket``).
"""

from __future__ import annotations

from typing import Any


def put_object(s3: Any, bucket: str, key: str, body: bytes, content_type: str) -> None:
    """PutObject."""
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
