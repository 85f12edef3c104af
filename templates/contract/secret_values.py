"""What counts as secret material: names that say so and values shaped like a known credential.

Shared by the generator (rules S040-S042 refuse or warn about such plain
environment variables) and the deployer (the review masks their values),
which reads nothing of the generator but the contract.  Both must agree on
what is secret, so the one definition lives here.

ECS: "Environment variables specified in the task definition are readable by
all users and roles that are allowed the DescribeTaskDefinition action";
secrets belong in Secrets Manager or Parameter Store, referenced under
``secrets`` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html).
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

# Words (of a name split at "_", "-", "." and camelCase) that say the value is secret.
SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS",
     "APIKEY", "PRIVATEKEY", "PASSCODE"}
)  # fmt: skip
# ... and pairs of adjacent words that do.
SECRET_PAIRS = frozenset(
    {("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY"), ("SECRET", "KEY"), ("SIGNING", "KEY"),
     ("ENCRYPTION", "KEY"), ("AUTH", "KEY"), ("CLIENT", "KEY"), ("MASTER", "KEY"), ("SESSION", "KEY")}
)  # fmt: skip
# A last word that makes the variable a pointer to or a property of a secret, not the secret itself.
NOT_MATERIAL = frozenset(
    {"ARN", "FILE", "PATH", "URL", "URI", "ENDPOINT", "NAME", "LENGTH", "TTL", "HEADER", "TYPE", "ROTATION"}
)  # fmt: skip


class Shape(NamedTuple):
    """A credential format its issuer documents, by which a value is recognised whatever its name."""

    what: str
    pattern: re.Pattern[str]
    docs: str


CREDENTIAL_SHAPES = (
    Shape("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
          "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids"),
    Shape("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
          "https://www.rfc-editor.org/rfc/rfc7468#section-10"),
    Shape("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
          "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats"),
    Shape("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"),
          "https://docs.gitlab.com/ee/security/tokens/#token-prefixes"),
    Shape("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
          "https://api.slack.com/concepts/token-types"),
    Shape("a Stripe secret key", re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}"),
          "https://docs.stripe.com/keys"),
    Shape("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
          "https://cloud.google.com/docs/authentication/api-keys"),
    Shape("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}"),
          "https://docs.npmjs.com/about-access-tokens"),
    Shape("a password in a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
          "https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1"),
)  # fmt: skip


def name_words(name: str) -> list[str]:
    """``dbPassword`` -> ``["DB", "PASSWORD"]``; ``STRIPE_API_KEY`` -> ``["STRIPE", "API", "KEY"]``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [word.upper() for word in re.split(r"[_\-.\s]+", spaced) if word]


def secret_name_word(name: str) -> str | None:
    """The word(s) of ``name`` that say its value is secret (``PASSWORD``, ``API KEY``), or None."""
    words = name_words(name)
    if not words or words[-1] in NOT_MATERIAL:
        return None
    for word in words:
        if word in SECRET_WORDS:
            return word
    for pair in itertools.pairwise(words):
        if pair in SECRET_PAIRS:
            return " ".join(pair)
    return None


def credential_shape(value: str) -> Shape | None:
    """The known credential format ``value`` contains, or None."""
    return next((shape for shape in CREDENTIAL_SHAPES if shape.pattern.search(value)), None)


def is_secret(name: str, value: str = "") -> bool:
    """Whether a variable's value is secret material: its name says so or its value has a credential's shape."""
    return secret_name_word(name) is not None or credential_shape(value) is not None
