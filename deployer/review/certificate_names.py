"""Whether a certificate's names cover a host, as TLS clients judge it: plain strings in, answers out.

An HTTPS listener answers each connection with the certificate whose names
match the host the client asks for (SNI), and with its default certificate
when none does; a browser then refuses a certificate that does not name the
host.  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html

A certificate name covers a host when it is that host (case-insensitively),
or a wildcard ``*.`` in the leftmost label that stands for exactly one label:
``*.example.com`` covers ``api.example.com`` but neither ``example.com`` nor
``api.staging.example.com``.
https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate-characteristics.html (wildcard names)
"""

from __future__ import annotations

from collections.abc import Iterable


def covers(name: str, host: str) -> bool:
    """Whether the certificate name ``name`` covers ``host``."""
    name, host = name.lower().rstrip("."), host.lower().rstrip(".")
    if name.startswith("*."):
        label, _, parent = host.partition(".")
        return bool(label) and parent == name[2:]
    return name == host


def example_host(pattern: str) -> str:
    """A host an ALB host pattern matches, to ask certificates about: each wildcard read as one letter.

    A rule for ``*.example.org`` serves ``a.example.org``; whether a certificate
    names ``*.example.org`` (or that very host) is what a client will see.
    """
    return pattern.replace("*", "a").replace("?", "a")


def uncovered(hosts: Iterable[str], names: Iterable[str]) -> list[str]:
    """The hosts (ALB host patterns) no certificate name covers, sorted."""
    names = list(names)
    return sorted({host for host in hosts if not any(covers(name, example_host(host)) for name in names)})
