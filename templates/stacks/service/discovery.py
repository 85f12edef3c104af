"""Service discovery: Cloud Map DNS records or ECS Service Connect.

Both publish ``<name>.<namespace>`` in the cluster's namespace, so switching
modes does not change what clients call.  Cloud Map registers each task's IP
as an A record (any client in the VPC resolves it); Service Connect puts a
proxy beside each task and only Service Connect clients resolve the name,
with retries and per-request load balancing in return.  Who may connect is
decided by security groups: every task joins the environment's
service-clients group, and a published port accepts traffic from it.
"""

from __future__ import annotations

from troposphere import GetAtt, Template, ecs
from troposphere import logs as cwlogs
from troposphere import servicediscovery as sd

from templates.naming import ExportKey, import_value
from templates.params.environment import Environment
from templates.params.service import Container, Service
from templates.stacks.common import tags
from templates.stacks.service.logs import awslogs

DNS_TTL_SECONDS = 10  # short: tasks come and go with deploys and scaling


def published_port(svc: Service) -> int | None:
    """The port other services connect to; None when the service publishes nothing."""
    if svc.discovery_name is None:
        return None
    container = svc.discovery_container
    return container.port if container is not None else None


def published_host(env: Environment, svc: Service) -> str | None:
    """``<name>.<namespace>``: what clients call in either mode (None when nothing is published)."""
    if svc.discovery_name is None:
        return None
    return f"{svc.discovery_name}.{env.namespace}"


def endpoint(env: Environment, svc: Service) -> str | None:
    port, host = published_port(svc), published_host(env, svc)
    if port is None or host is None:
        return None
    return f"{host}:{port}"


def port_mapping_name(svc: Service, container: Container, port: int) -> str | None:
    """Service Connect refers to a port mapping by name; only the published one gets a name."""
    if svc.discovery is None or svc.discovery.mode != "service-connect":
        return None
    published = svc.discovery_container
    if published is None or published.name != container.name or port != published.port:
        return None
    return svc.discovery_name


def add_discovery(t: Template, env: Environment, svc: Service, log_group: cwlogs.LogGroup) -> dict[str, object]:
    """ECS service properties that register the service (adding the Cloud Map service it needs)."""
    if svc.discovery is None:
        return {}
    if svc.discovery.mode == "cloud-map":
        return {
            "ServiceRegistries": [ecs.ServiceRegistry(RegistryArn=GetAtt(_add_cloud_map_service(t, env, svc), "Arn"))]
        }
    return {"ServiceConnectConfiguration": _service_connect(env, svc, log_group)}


def _add_cloud_map_service(t: Template, env: Environment, svc: Service) -> sd.Service:
    return t.add_resource(
        sd.Service(
            "DiscoveryService",
            Name=svc.discovery_name,
            NamespaceId=import_value(ExportKey.NAMESPACE_ID),
            Description=f"{svc.name} tasks (A records)",
            DnsConfig=sd.DnsConfig(
                DnsRecords=[sd.DnsRecord(Type="A", TTL=DNS_TTL_SECONDS)],
                RoutingPolicy="MULTIVALUE",
            ),
            # ECS reports task health to Cloud Map; unhealthy tasks leave DNS.
            HealthCheckCustomConfig=sd.HealthCheckCustomConfig(FailureThreshold=1),
            Tags=tags(env, svc.name),
        )
    )


def _service_connect(env: Environment, svc: Service, log_group: cwlogs.LogGroup) -> ecs.ServiceConnectConfiguration:
    optional: dict[str, object] = {}
    port, name, host = published_port(svc), svc.discovery_name, published_host(env, svc)
    if port is not None and name is not None and host is not None:
        optional["Services"] = [
            ecs.ServiceConnectService(
                PortName=name,
                DiscoveryName=name,
                ClientAliases=[ecs.ServiceConnectClientAlias(Port=port, DnsName=host)],
            )
        ]
    return ecs.ServiceConnectConfiguration(
        Enabled=True,
        # By ARN, not name: a name can belong to several namespaces (another VPC, an HTTP
        # namespace of the same name), and ECS would have to guess which one is meant.
        Namespace=import_value(ExportKey.NAMESPACE_ARN),
        LogConfiguration=awslogs(log_group, "service-connect"),
        **optional,
    )
