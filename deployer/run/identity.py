"""Who and where a run acts, asked once at its start (STS, IAM) and checked against ``--expect-account``.

GetCallerIdentity needs no permission; ListAccountAliases needs
``iam:ListAccountAliases``, which a deploy role may lack: then the review says
the alias is not readable instead of failing.
"""

from __future__ import annotations

from deployer.aws import iam, sts
from deployer.aws.clients import AWS_ERRORS, Clients, one_line
from deployer.review.identity import Identity, account_mismatch, is_aws_endpoint


class WrongAccount(Exception):
    """``--expect-account`` names another account than the credentials': exit 1 before anything is made."""


def who_and_where(clients: Clients, region: str) -> Identity:
    """The account, alias, caller, profile and endpoint of the run's clients."""
    caller = sts.get_caller_identity(clients.sts)
    alias, note = "", ""
    try:
        aliases = iam.list_account_aliases(clients.iam)
        alias = aliases[0] if aliases else ""
    except AWS_ERRORS as exc:
        note = f"alias not readable ({one_line(exc)[:120]})"
    endpoint = clients.endpoint
    return Identity(
        account=caller["Account"],
        arn=caller["Arn"],
        region=region,
        alias=alias,
        alias_note=note,
        profile=clients.profile,
        credentials=clients.credentials,
        endpoint="" if is_aws_endpoint(endpoint) else endpoint,
    )


def checked(clients: Clients, region: str, expected: str | None) -> Identity:
    """``who_and_where``, refusing (``WrongAccount``) when ``--expect-account`` names another account."""
    identity = who_and_where(clients, region)
    refusal = account_mismatch(identity, expected)
    if refusal:
        raise WrongAccount(refusal)
    return identity
