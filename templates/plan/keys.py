"""A route's identity: the path patterns of its rule and its (host, patterns) key.

Shared by routing (priorities) and shards (which ALB), so neither imports the other's stage.
"""

from __future__ import annotations

from templates.params.service import Route


def path_patterns(path: str | None) -> tuple[str, ...]:
    """``/auth`` -> (``/auth``, ``/auth/*``); ``/`` -> (``/*``,); ``/x*`` kept as written."""
    if path is None:
        return ()
    if path.endswith("*"):
        return (path,)
    trimmed = path.rstrip("/")
    if not trimmed:
        return ("/*",)
    return (trimmed, trimmed + "/*")


def route_key(route: Route) -> tuple[str, tuple[str, ...]]:
    return (route.host or "", path_patterns(route.path))
