"""Every AWS Certificate Manager call: one function per API action, named after it; no decisions.

The deployer only reads certificates: the names a shared HTTPS listener's
certificates cover, to warn before our hosts go behind one that covers none.
"""

from __future__ import annotations

from typing import Any


def describe_certificate(acm: Any, arn: str) -> dict[str, Any]:
    """DescribeCertificate: the certificate's domain name and subject alternative names (and status, ...)."""
    return acm.describe_certificate(CertificateArn=arn)["Certificate"]
