"""Where a deployed service answers and where its logs go, read from its template: what a deploy prints at the end.

A service's URLs are its listener rules' hosts and paths (``https`` when the
rule sits on the HTTPS listener); a rule without a host answers on its ALB's
DNS name, which only the live ALB knows, so the caller passes it in.  Its log
group is the ``AWS::Logs::LogGroup`` the template names (``Fn::Sub`` of its
parameters, e.g. ``/ecs/${ExportPrefix}-auth``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from templates.contract.graph import resolve_name
from templates.contract.template import listener_rules, resources_of_type
from templates.naming import ExportKey

LOG_GROUP = "AWS::Logs::LogGroup"
HTTPS_LISTENER = str(ExportKey.HTTPS_LISTENER_ARN)  # the ALB stack's export of its HTTPS listener


def log_group_names(template: Mapping[str, Any], parameters: Mapping[str, str]) -> list[str]:
    """The names of the template's log groups, resolved with the stack's parameter values."""
    names = []
    for _logical_id, props in resources_of_type(template, LOG_GROUP):
        name = resolve_name(props.get("LogGroupName"), parameters)
        if name:
            names.append(name)
    return names


def route_urls(template: Mapping[str, Any], prefix: str, dns_names: Mapping[str, str]) -> list[str]:
    """One URL per host of each listener rule: scheme from its listener, its first exact path (or the part of
    its first pattern before a wildcard: ``/auth*`` answers at ``/auth``, ``/*`` at ``/``).

    ``dns_names``: ALB stack key -> DNS name, for rules without a host.
    """
    urls: list[str] = []
    for rule in listener_rules(template, prefix):
        scheme = "https" if (rule.listener_export or "").endswith(HTTPS_LISTENER) else "http"
        exact = next((p for p in rule.paths if "*" not in p and "?" not in p), None)
        path = exact or next((re.split(r"[*?]", p, maxsplit=1)[0] for p in rule.paths), "") or "/"
        hosts = rule.hosts or ((dns_names.get(rule.alb or ""),) if dns_names.get(rule.alb or "") else ())
        urls += [f"{scheme}://{host}{path}" for host in hosts if f"{scheme}://{host}{path}" not in urls]
    return urls
