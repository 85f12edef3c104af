"""What Elastic Load Balancing accepts for a service's routes, target and health check; what each kind allows.

ELB takes listener rules and target groups through CloudFormation as
written and refuses bad values mid-deploy; the kind rules keep each service
shaped like what ECS will run (a web service behind the ALB, a worker
without it, a scheduled task started by EventBridge).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from templates.params.formats import MATCHER_HIGH, MATCHER_LOW
from templates.params.service import Service
from templates.rules.registry import At, service_rule

HOST_CONDITIONS = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#host-conditions"
)
PATH_CONDITIONS = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#path-conditions"
)
HEALTH_CHECKS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"
HOST_HEADER_LENGTH = 128
# What ELB documents for a path pattern, less its wildcards: ``?`` and a ``*``
# inside the path are ELB wildcards; this tool keeps only a trailing ``*``.
PATH_CHARACTERS = "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + &"
_PATH_CHAR = re.compile(r"[A-Za-z0-9_\-.$/~\"'@:+&]")
HOST_SHAPE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$")


def _hosts(svc: Service) -> Iterator[tuple[str, str]]:
    for i, route in enumerate(svc.routes):
        if route.host is not None:
            yield f"routes[{i}].host", route.host


# --- kinds ------------------------------------------------------------------------------------


@service_rule("S002", "a web service without routes")
def web_needs_routes(svc: Service) -> Iterator[At]:
    if svc.kind == "web" and not svc.routes:
        yield At("routes", "a web service needs at least one route; use kind: worker for a service without the ALB")


@service_rule("S003", "routes on a worker or scheduled task")
def routes_only_on_web(svc: Service) -> Iterator[At]:
    if svc.kind != "web" and svc.routes:
        yield At("routes", f"a {svc.kind} has no listener rule or target group; remove routes or use kind: web")


@service_rule("S004", "a schedule missing on a scheduled task, or set on another kind")
def schedule_only_on_scheduled(svc: Service) -> Iterator[At]:
    if svc.kind == "scheduled" and svc.schedule is None:
        yield At("schedule", "kind: scheduled needs schedule.expression, e.g. cron(0 3 * * ? *)")
    if svc.kind != "scheduled" and svc.schedule is not None:
        yield At("schedule", f"only kind: scheduled runs on a schedule, this is a {svc.kind}")


@service_rule("S008", "scaling on a scheduled task")
def no_scaling_on_scheduled(svc: Service) -> Iterator[At]:
    if svc.kind == "scheduled" and svc.scaling is not None:
        yield At("scaling", "a scheduled task has no service to scale; use schedule.task_count instead")


@service_rule("S017", "discovery on a scheduled task")
def no_discovery_on_scheduled(svc: Service) -> Iterator[At]:
    if svc.kind == "scheduled" and svc.discovery is not None:
        yield At("discovery", "a scheduled task is not a long-running service and cannot be discovered")


@service_rule("S009", "requests_per_target scaling on a service without an ALB target group")
def requests_need_a_target_group(svc: Service) -> Iterator[At]:
    tracking = svc.scaling.target_tracking if svc.scaling else None
    if tracking is not None and tracking.requests_per_target is not None and svc.kind != "web":
        yield At(
            "scaling.target_tracking.requests_per_target",
            f"requests_per_target counts ALB requests; a {svc.kind} has no target group: use cpu or memory",
        )


# --- routes -----------------------------------------------------------------------------------


@service_rule("S031", "a route with neither host nor path")
def route_host_or_path(svc: Service) -> Iterator[At]:
    for i, route in enumerate(svc.routes):
        if route.host is None and route.path is None:
            yield At(f"routes[{i}]", "a route needs host, path or both")


@service_rule(
    "L008", "a route host over 128 characters", HOST_CONDITIONS, limit=f"{HOST_HEADER_LENGTH} per host-header value"
)
def host_header_length(svc: Service) -> Iterator[At]:
    for where, host in _hosts(svc):
        if len(host) > HOST_HEADER_LENGTH:
            yield At(
                where,
                f"host is {len(host)} characters; an ALB host-header condition value holds at most "
                f"{HOST_HEADER_LENGTH}",
            )


@service_rule("L020", "a route host that is not a host name an ALB host condition matches", HOST_CONDITIONS)
def host_shape(svc: Service) -> Iterator[At]:
    for where, host in _hosts(svc):
        if not HOST_SHAPE.match(host):
            yield At(
                where,
                f"{host!r} is not a host name: lowercase labels of letters, digits and inner hyphens, separated by "
                "dots, ending in a letters-only top-level domain; optionally starting with *.",
            )


@service_rule(
    "L009",
    "a route path with characters outside ELB's path-pattern set",
    PATH_CONDITIONS,
    limit=f"{PATH_CHARACTERS} (and our trailing *)",
)
def path_characters(svc: Service) -> Iterator[At]:
    for i, route in enumerate(svc.routes):
        path = route.path
        if path is None:
            continue
        body = path[:-1] if path.endswith("*") else path
        bad = sorted({ch for ch in body if not _PATH_CHAR.fullmatch(ch)})
        if bad:
            shown = " ".join(repr(ch) for ch in bad)
            yield At(
                f"routes[{i}].path",
                f"path {path!r} has {shown}, outside the characters an ALB path pattern allows ({PATH_CHARACTERS}; "
                "this tool adds a trailing *); ELB would refuse the listener rule",
            )


# --- target and health check ------------------------------------------------------------------


@service_rule("S033", "target_container names no container of the task")
def target_container_exists(svc: Service) -> Iterator[At]:
    names = [c.name for c in svc.containers]
    if svc.target_container is not None and svc.target_container not in names:
        yield At(
            "target_container",
            f"target_container {svc.target_container!r} is not a container; allowed: {', '.join(names)}",
        )


@service_rule("S034", "a web service's routes lead to no container port")
def routes_need_a_port(svc: Service) -> Iterator[At]:
    names = [c.name for c in svc.containers]
    named_unknown = svc.target_container is not None and svc.target_container not in names  # S033's
    if svc.routes and svc.kind == "web" and svc.target is None and not named_unknown:
        where = "target_container" if svc.target_container is not None else "containers"
        yield At(where, "routes need a container with a port (or target_container)")


@service_rule("S019", "target_port is not a port of the target container")
def target_port_of_target(svc: Service) -> Iterator[At]:
    target = svc.target
    if svc.target_port is not None and target is not None and svc.target_port not in target.ports:
        yield At(
            "target_port",
            f"target_port {svc.target_port} is not a port of container {target.name!r}; allowed: "
            + ", ".join(str(p) for p in target.ports),
        )


def matcher_problem(matcher: str) -> str | None:
    """Why ``matcher`` is no ALB HTTP success-code matcher; None when it is one."""
    codes = matcher.split("-") if "-" in matcher else matcher.split(",")
    if ("-" in matcher and "," in matcher) or not all(re.fullmatch(r"\d{3}", code) for code in codes):
        return f"{matcher!r} is not a code (200), a list (200,202) or a range (200-299)"
    outside = [code for code in codes if not MATCHER_LOW <= int(code) <= MATCHER_HIGH]
    if outside:
        return (
            f"{', '.join(outside)} outside {MATCHER_LOW}-{MATCHER_HIGH}, the codes an ALB HTTP health check "
            "accepts; write one code (200), a list (200,202) or a range (200-299) within it"
        )
    if "-" in matcher and (len(codes) != 2 or int(codes[0]) > int(codes[1])):
        return f"range {matcher!r} must be low-high, e.g. 200-299"
    return None


@service_rule(
    "L018",
    "a health-check matcher that is not one code, a list or a range within 200-499",
    HEALTH_CHECKS,
    limit=f"HTTP codes {MATCHER_LOW}-{MATCHER_HIGH}",
)
def health_check_matcher(svc: Service) -> Iterator[At]:
    problem = matcher_problem(svc.health_check.matcher)
    if problem is not None:
        yield At("health_check.matcher", problem)


@service_rule("L019", "a health-check timeout not below its interval", HEALTH_CHECKS)
def health_check_timeout(svc: Service) -> Iterator[At]:
    check = svc.health_check
    if check.timeout >= check.interval:
        yield At("health_check.timeout", f"timeout ({check.timeout}) must be less than interval ({check.interval})")
