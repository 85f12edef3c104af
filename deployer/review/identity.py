"""Who and where: the account, its alias, the caller, region, profile and endpoint a run acts on.

With several accounts, deploying to the wrong one is one keystroke away when
the prompt only names a region.  The review's header, review.md, review.json
and every confirmation name the account (and its alias when the caller may
read it), and ``--expect-account`` turns a mismatch into a refusal for CI.
"""

from __future__ import annotations

from dataclasses import dataclass

AWS_ENDPOINT_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov")


@dataclass(frozen=True)
class Identity:
    """Where a run acts, as STS and the client configuration say."""

    account: str
    arn: str  # the user or assumed role the credentials belong to
    region: str
    alias: str = ""  # the account alias; "" when it has none
    alias_note: str = ""  # why the alias is not shown (ListAccountAliases refused)
    profile: str = ""  # the named profile, "" for the default chain
    credentials: str = ""  # where botocore found them: env, shared-credentials-file, sso, assume-role, ...
    endpoint: str = ""  # the endpoint URL when it is not AWS's own (AWS_ENDPOINT_URL), else ""

    @property
    def account_text(self) -> str:
        """``123456789012 (shop-prod)``."""
        return f"{self.account} ({self.alias})" if self.alias else self.account

    @property
    def caller(self) -> str:
        """``assumed-role/Deployer/ci`` of ``arn:aws:sts::123456789012:assumed-role/Deployer/ci``."""
        return self.arn.split(":", 5)[-1] if self.arn.count(":") >= 5 else self.arn

    def short(self) -> str:
        """``account 123456789012 (shop-prod), eu-west-1``: the header's title."""
        return f"account {self.account_text}, {self.region}"

    def details(self) -> str:
        """``as assumed-role/Deployer/ci, profile prod, endpoint http://127.0.0.1:5000``."""
        parts = [f"as {self.caller}"]
        if self.profile:
            parts.append(f"profile {self.profile}")
        elif self.credentials:
            parts.append(f"credentials from {self.credentials}")
        if self.endpoint:
            parts.append(f"endpoint {self.endpoint}")
        if self.alias_note:
            parts.append(self.alias_note)
        return ", ".join(parts)

    def where(self) -> str:
        """One line for a question: account, region, caller, profile, endpoint."""
        return f"{self.short()}, {self.details()}"


def is_aws_endpoint(url: str) -> bool:
    """True for AWS's own endpoints (``https://cloudformation.eu-west-1.amazonaws.com``)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return not host or host.endswith(AWS_ENDPOINT_SUFFIXES)


def account_mismatch(identity: Identity, expected: str | None) -> str | None:
    """Why the run must not go on (``--expect-account`` names another account), or None."""
    if expected is None or identity.account == expected:
        return None
    return (
        f"the credentials are for account {identity.account_text} ({identity.caller}), not --expect-account "
        f"{expected}: nothing was done; use the profile or role of account {expected}"
    )
