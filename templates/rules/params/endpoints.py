"""VPC endpoints asked for by name: PrivateLink service names, not IAM prefixes (L027, P013).

The names and what serves which IAM prefix live in ``templates/aws/privatelink.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.aws.privatelink import (
    ENDPOINT_SERVICES,
    ENDPOINTS_BY_IAM_PREFIX,
    GATEWAY_SERVICES,
    PRIVATELINK_SERVICES_URL,
    SERVICE_NAME_PREFIX,
)
from templates.params.environment import Environment
from templates.rules.registry import At, environment_rule

WHERE = "network.endpoints.extra"


def extra_name_problem(name: str, region: str) -> tuple[str, bool] | None:
    """(what is wrong with one ``extra`` name, whether only a warning); None when it is a PrivateLink name."""
    if name.startswith(SERVICE_NAME_PREFIX):
        short = name.removeprefix(SERVICE_NAME_PREFIX).split(".", 1)[-1]
        return (
            f"{name!r} is a full service name; write {short!r}: the template adds {SERVICE_NAME_PREFIX}<region>. "
            f"itself (this would ask for {SERVICE_NAME_PREFIX}{region}.{name})",
            False,
        )
    if name in ENDPOINTS_BY_IAM_PREFIX and name not in ENDPOINT_SERVICES:
        names = " or ".join(ENDPOINTS_BY_IAM_PREFIX[name])
        return f"{name!r} is an IAM action prefix, not a VPC endpoint: {name}: calls go to the {names} endpoint", False
    if name in GATEWAY_SERVICES:
        return (
            f"{name!r} makes a billed interface endpoint; the free {name} gateway endpoint "
            f"(network.endpoints.{name}_gateway: true) carries the same calls from the tasks",
            True,
        )
    if name not in ENDPOINT_SERVICES:
        return (
            f"{name!r} is not a PrivateLink service name this tool knows (templates/aws/privatelink.py); "
            "check it against AWS's list, or CloudFormation fails creating the endpoint",
            True,
        )
    return None


@environment_rule(
    "L027",
    "network.endpoints.extra naming an IAM prefix or a full com.amazonaws name instead of a PrivateLink service "
    "name (an unknown name or a gateway service: warning)",
    PRIVATELINK_SERVICES_URL,
    limit="PrivateLink service names (monitoring for cloudwatch:, kinesis-streams for kinesis:, email for ses:, ...)",
)
def extra_endpoint_names(env: Environment) -> Iterator[At]:
    endpoints = env.network.endpoints
    for i, name in enumerate(endpoints.extra if endpoints is not None else []):
        problem = extra_name_problem(name, env.region)
        if problem is not None:
            yield At(f"{WHERE}[{i}]", problem[0], warning=problem[1])


@environment_rule("P013", "network.endpoints.extra beside interface: false (no interface endpoint is created)")
def extra_needs_interface_endpoints(env: Environment) -> Iterator[At]:
    """``interface: false`` switches every billed endpoint off; names in ``extra`` would be silently ignored."""
    endpoints = env.network.endpoints
    if endpoints is not None and not endpoints.interface and endpoints.extra:
        yield At(
            WHERE,
            f"interface: false creates no interface endpoint, so extra ({', '.join(endpoints.extra)}) would not "
            "be created: remove extra, or set interface: true",
        )
