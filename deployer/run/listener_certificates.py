"""Before deploying onto an existing HTTPS listener: do its certificates cover our hosts?

Our rules on another team's listener (``alb.existing``) are served with that
listener's certificates; we add none.  A host no certificate names gets the
listener's default certificate, which browsers and most clients refuse, and
nothing in CloudFormation fails.  So this warns, naming the host and the
names the listener's certificates do cover; it never refuses (a certificate
may be on its way, or the host reached only over HTTP).  The listener's
certificates are read with DescribeListenerCertificates (the default one and
every one added for SNI), their names with ACM's DescribeCertificate.
"""

from __future__ import annotations

from collections import defaultdict

from botocore.exceptions import ClientError

from deployer.aws import acm, elbv2
from deployer.aws.clients import Clients
from deployer.review.certificate_names import uncovered
from deployer.run.inputs import Deployment
from deployer.run.shared_listener import our_rules


def certificate_warnings(clients: Clients, deployment: Deployment) -> list[str]:
    """One line per host of ours on an existing HTTPS listener that none of its certificates covers."""
    hosts: dict[str, set[str]] = defaultdict(set)
    for rule in our_rules(deployment):
        hosts[rule.listener_arn] |= rule.hosts
    if not any(hosts.values()):
        return []
    try:
        listeners = elbv2.describe_listeners(clients.elbv2, sorted(hosts))
    except ClientError as exc:
        return [f"alb.existing: cannot read the listeners {', '.join(sorted(hosts))} to check certificates: {exc}"]
    warnings = []
    for listener in listeners:
        if listener.get("Protocol") != "HTTPS" or not hosts[listener["ListenerArn"]]:
            continue
        names, unread = _certificate_names(clients, listener["ListenerArn"])
        warnings += [f"alb.existing: cannot read the names of certificate {arn}: {why}" for arn, why in unread]
        if unread:
            continue
        for host in uncovered(hosts[listener["ListenerArn"]], names):
            warnings.append(
                f"host {host}: no certificate of the shared HTTPS listener {listener['ListenerArn']} covers it "
                f"(they cover {', '.join(sorted(names)) or 'nothing'}), so clients get its default certificate and "
                "refuse the connection. Ask its owners to add one for the host (aws elbv2 add-listener-certificates)"
            )
    return warnings


def _certificate_names(clients: Clients, listener_arn: str) -> tuple[set[str], list[tuple[str, str]]]:
    """Every name the listener's certificates cover, and the certificates whose names could not be read."""
    names: set[str] = set()
    unread = []
    for certificate in elbv2.describe_listener_certificates(clients.elbv2, listener_arn):
        arn = certificate["CertificateArn"]
        if ":acm:" not in arn:
            unread.append((arn, "not an ACM certificate (an IAM server certificate?); check it by hand"))
            continue
        try:
            described = acm.describe_certificate(clients.acm, arn)
        except ClientError as exc:
            unread.append((arn, str(exc)))
            continue
        names |= {described.get("DomainName", ""), *described.get("SubjectAlternativeNames", [])} - {""}
    return names, unread
