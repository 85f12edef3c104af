"""Rules that combine several keys of a service, or several services.

Each rule has a stable id and raises at the key the user has to change, with
what to do instead.  Rules about one block alone (``min_count`` above
``max_count``, a bad cron field) live beside that block in
``capabilities``.

    S001 Fargate Spot with ARM64            S015 no essential container
    S002 web service without routes         S016 DNS alias for a host the service doesn't route
    S003 routes on a worker/scheduled task  S017 discovery on a scheduled task
    S004 schedule missing or misplaced      S018 discovery container missing or portless
    S005 bad cron/rate/at expression        S019 target_port not a port of the target container
    S006 min_count above max_count          S020 deployment max_percent <= min_healthy_percent
    S007 scaling with nothing to drive it   S021 ECS Exec with a read-only root filesystem
    S008 scaling on a scheduled task        S022 step scale_in threshold >= scale_out threshold
    S009 requests_per_target without ALB    S023 alarm period not a multiple of 60
    S010 step and target tracking, 1 metric S024 scheduled scaling action incomplete or duplicate
    S011 depends_on unknown or itself       S025 discovery name used by two services
    S012 HEALTHY on a container w/o check   S026 DNS host aliased twice
    S013 COMPLETE/SUCCESS on essential      S027 container ports repeated or without main port
    S014 depends_on cycle                   S028 capacity weights both 0
    S029 task-role Allow on * without reason S030 task-role statement id used twice
"""

from __future__ import annotations

from collections.abc import Mapping
from graphlib import CycleError, TopologicalSorter

from templates.errors import rule_violation
from templates.params.release_rules import check_release
from templates.params.service import Service


def check_service(svc: Service) -> Service:
    """Raise the first broken rule of ``svc`` (pydantic reports one error per validator); else return it."""
    _check_kind(svc)
    _check_capacity(svc)
    _check_scaling(svc)
    _check_containers(svc)
    _check_target(svc)
    _check_discovery(svc)
    _check_dns(svc)
    _check_operations(svc)
    check_release(svc)
    return svc


def check_services(services: Mapping[str, Service]) -> None:
    """Names that must be unique across the services of one environment."""
    published: dict[str, str] = {}
    aliased: dict[str, str] = {}
    for name, svc in sorted(services.items()):
        discovery_name = svc.discovery_name
        if discovery_name is not None:
            if discovery_name in published:
                raise rule_violation(
                    "S025",
                    f"{discovery_name!r} is already published in the namespace by service {published[discovery_name]}; "
                    "set discovery.name",
                    f"services.{name}.discovery.name",
                )
            published[discovery_name] = name
        for i, host in enumerate(svc.alias_hosts):
            if host in aliased:
                where = f"services.{name}.dns.hosts[{i}]" if svc.dns and svc.dns.hosts else f"services.{name}.dns"
                raise rule_violation(
                    "S026",
                    f"{host} already gets its alias record from service {aliased[host]}; a record has one owner: "
                    "list dns.hosts explicitly",
                    where,
                )
            aliased[host] = name


def _check_kind(svc: Service) -> None:
    if svc.kind == "web" and not svc.routes:
        raise rule_violation(
            "S002", "a web service needs at least one route; use kind: worker for a service without the ALB", "routes"
        )
    if svc.kind != "web" and svc.routes:
        raise rule_violation(
            "S003", f"a {svc.kind} has no listener rule or target group; remove routes or use kind: web", "routes"
        )
    if svc.kind == "scheduled" and svc.schedule is None:
        raise rule_violation("S004", "kind: scheduled needs schedule.expression, e.g. cron(0 3 * * ? *)", "schedule")
    if svc.kind != "scheduled" and svc.schedule is not None:
        raise rule_violation("S004", f"only kind: scheduled runs on a schedule, this is a {svc.kind}", "schedule")
    if svc.kind == "scheduled" and svc.scaling is not None:
        raise rule_violation(
            "S008", "a scheduled task has no service to scale; use schedule.task_count instead", "scaling"
        )
    if svc.kind == "scheduled" and svc.discovery is not None:
        raise rule_violation(
            "S017", "a scheduled task is not a long-running service and cannot be discovered", "discovery"
        )


def _check_capacity(svc: Service) -> None:
    if svc.capacity.uses_spot and svc.architecture == "arm64":
        raise rule_violation(
            "S001",
            "Fargate Spot does not run ARM64 tasks; set spot_weight: 0 or architecture: x86_64",
            "capacity.spot_weight",
        )


def _check_scaling(svc: Service) -> None:
    tracking = svc.scaling.target_tracking if svc.scaling else None
    if tracking is not None and tracking.requests_per_target is not None and svc.kind != "web":
        raise rule_violation(
            "S009",
            f"requests_per_target counts ALB requests; a {svc.kind} has no target group: use cpu or memory",
            "scaling.target_tracking.requests_per_target",
        )


def _check_containers(svc: Service) -> None:
    by_name = {c.name: c for c in svc.containers}
    if not any(c.essential for c in svc.containers):
        raise rule_violation("S015", "ECS needs at least one essential container; set essential: true", "containers")
    for i, container in enumerate(svc.containers):
        for other, condition in container.depends_on.items():
            where = f"containers[{i}].depends_on.{other}"
            if other == container.name or other not in by_name:
                allowed = ", ".join(n for n in by_name if n != container.name) or "(no other container)"
                message = f"{other!r} is not another container of this task; allowed: {allowed}"
                raise rule_violation("S011", message, where)
            if condition == "HEALTHY" and by_name[other].health_check is None:
                raise rule_violation("S012", f"HEALTHY needs a health_check on container {other!r}", where)
            if condition in ("COMPLETE", "SUCCESS") and by_name[other].essential:
                raise rule_violation(
                    "S013",
                    f"{condition} waits for {other!r} to exit, but it is essential (its exit stops the task); "
                    "set essential: false on it",
                    where,
                )
    try:
        TopologicalSorter({c.name: set(c.depends_on) for c in svc.containers}).prepare()
    except CycleError as exc:
        raise rule_violation("S014", "depends_on cycle: " + " -> ".join(exc.args[1]), "containers") from None


def _check_target(svc: Service) -> None:
    target = svc.target
    if svc.target_port is not None and target is not None and svc.target_port not in target.ports:
        raise rule_violation(
            "S019",
            f"target_port {svc.target_port} is not a port of container {target.name!r}; allowed: "
            + ", ".join(str(p) for p in target.ports),
            "target_port",
        )


def _check_discovery(svc: Service) -> None:
    if svc.discovery is None or svc.discovery.mode == "service-connect-client":
        return
    names = [c.name for c in svc.containers]
    wanted = svc.discovery.container
    if wanted is not None and wanted not in names:
        raise rule_violation(
            "S018", f"{wanted!r} is not a container; allowed: {', '.join(names)}", "discovery.container"
        )
    container = svc.discovery_container
    if container is None or container.port is None:
        raise rule_violation(
            "S018",
            "discovery publishes a container's port; give the container a port or name one in discovery.container",
            "discovery.container",
        )


def _check_dns(svc: Service) -> None:
    if svc.dns is None:
        return
    routed = sorted({r.host for r in svc.routes if r.host is not None})
    if not routed:
        raise rule_violation(
            "S016",
            "a DNS alias points a host at the ALB, but this service routes no host; add a route with host "
            "or remove dns",
            "dns",
        )
    listed = svc.dns.hosts or []
    for i, host in enumerate(listed):
        if host not in routed:
            message = f"{host} is not a host of this service's routes; allowed: {', '.join(routed)}"
            raise rule_violation("S016", message, f"dns.hosts[{i}]")
        if host in listed[:i]:
            # Caught here, per service: check_environment would blame the service itself as the other owner.
            raise rule_violation(
                "S026",
                f"{host} is listed twice (also dns.hosts[{listed.index(host)}]); a host has one alias record: "
                "list each host once",
                f"dns.hosts[{i}]",
            )


def _check_operations(svc: Service) -> None:
    if not svc.ecs_exec:
        return
    readonly = [c.name for c in svc.containers if svc.is_readonly(c)]
    if readonly:
        raise rule_violation(
            "S021",
            "ECS Exec needs a writable root filesystem (its agent writes there); read-only in: "
            + ", ".join(readonly)
            + ". Turn off ecs_exec or readonly_root_filesystem",
            "ecs_exec",
        )
