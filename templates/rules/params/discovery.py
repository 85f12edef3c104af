"""Names in DNS: Route 53 alias records for routed hosts, and Cloud Map names in the namespace."""

from __future__ import annotations

from collections.abc import Iterator

from templates.params.environment import Environment
from templates.params.service import Service
from templates.rules.registry import At, environment_rule, service_rule

DOMAIN_NAME_FORMAT = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html"
CLOUD_MAP_NAMESPACE = "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html"
DNS_LABEL_BYTES = 63
DNS_NAME_BYTES = 253


@service_rule("S016", "a DNS alias for a host the service does not route")
def aliases_of_routed_hosts(svc: Service) -> Iterator[At]:
    if svc.dns is None:
        return
    routed = sorted({r.host for r in svc.routes if r.host is not None})
    if not routed:
        yield At("dns", "a DNS alias points a host at the ALB, but this service routes no host; add a route with host "
                 "or remove dns")  # fmt: skip
        return
    for i, host in enumerate(svc.dns.hosts or []):
        if host not in routed:
            yield At(f"dns.hosts[{i}]", f"{host} is not a host of this service's routes; allowed: {', '.join(routed)}")


@service_rule("S018", "discovery names a missing container, or one without a port")
def discovery_container(svc: Service) -> Iterator[At]:
    if svc.discovery is None or svc.discovery.mode == "service-connect-client":
        return
    names = [c.name for c in svc.containers]
    wanted = svc.discovery.container
    if wanted is not None and wanted not in names:
        yield At("discovery.container", f"{wanted!r} is not a container; allowed: {', '.join(names)}")
        return
    container = svc.discovery_container
    if container is None or container.port is None:
        yield At(
            "discovery.container",
            "discovery publishes a container's port; give the container a port or name one in discovery.container",
        )


@environment_rule("S025", "one discovery name published by two services")
def discovery_names_unique(env: Environment) -> Iterator[At]:
    published: dict[str, str] = {}
    for name, svc in sorted(env.services.items()):
        discovery_name = svc.discovery_name
        if discovery_name is None:
            continue
        if discovery_name in published:
            yield At(
                f"services.{name}.discovery.name",
                f"{discovery_name!r} is already published in the namespace by service {published[discovery_name]}; "
                "set discovery.name",
            )
        else:
            published[discovery_name] = name


@environment_rule("S026", "one DNS host aliased twice (by two services, or listed twice)")
def alias_hosts_unique(env: Environment) -> Iterator[At]:
    aliased: dict[str, str] = {}
    for name, svc in sorted(env.services.items()):
        listed = svc.dns.hosts if svc.dns and svc.dns.hosts else []
        for i, host in enumerate(listed):
            if host in listed[:i]:
                yield At(
                    f"services.{name}.dns.hosts[{i}]",
                    f"{host} is listed twice (also dns.hosts[{listed.index(host)}]); a host has one alias record: "
                    "list each host once",
                )
        for host in dict.fromkeys(svc.alias_hosts):  # a host listed twice is reported above, once
            if host in aliased:
                where = f"services.{name}.dns.hosts[{listed.index(host)}]" if listed else f"services.{name}.dns"
                yield At(
                    where,
                    f"{host} already gets its alias record from service {aliased[host]}; a record has one owner: "
                    "list dns.hosts explicitly",
                )
            aliased.setdefault(host, name)


def dns_name_problem(name: str, what: str) -> str | None:
    """Why ``name`` is no DNS name (a label over 63 bytes, or over 253 in all); None when it is one."""
    for label in name.split("."):
        size = len(label.encode())
        if size > DNS_LABEL_BYTES:
            return f"{what} {name!r}: label {label[:20]!r}... is {size} bytes; DNS allows {DNS_LABEL_BYTES}"
    size = len(name.encode())
    if size > DNS_NAME_BYTES:
        return f"{what} is {size} bytes; a DNS name holds at most {DNS_NAME_BYTES}"
    return None


@environment_rule(
    "L012",
    "a DNS name with a label over 63 bytes or over 253 in all: route hosts, the namespace, published names",
    (DOMAIN_NAME_FORMAT, CLOUD_MAP_NAMESPACE),
    limit=f"{DNS_LABEL_BYTES} / {DNS_NAME_BYTES} bytes",
)
def dns_names(env: Environment) -> Iterator[At]:
    for name, svc in sorted(env.services.items()):
        for i, route in enumerate(svc.routes):
            if route.host is not None and (found := dns_name_problem(route.host, "host")):
                yield At(f"services.{name}.routes[{i}].host", found)
    found = dns_name_problem(env.namespace, "namespace")
    if found is not None:
        yield At("cluster.namespace", found)
        return
    for name, svc in sorted(env.services.items()):
        published = svc.discovery_name
        if published is None or svc.discovery is None:
            continue
        found = dns_name_problem(f"{published}.{env.namespace}", f"published name {published}.<namespace>")
        if found is not None:
            yield At(f"services.{name}.{'discovery.name' if svc.discovery.name else 'discovery'}", found)
