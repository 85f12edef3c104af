"""Listener-rule priorities: specific first, deterministic, stable under add/remove."""

from __future__ import annotations

import pytest

from templates.errors import ParamsError
from templates.routing import check_routes, path_patterns, plan_rules
from tests.conftest import make_env


def svc(*routes: dict) -> dict:
    return {"image_tag": "1", "containers": [{"name": "app", "image": "repo", "port": 80}], "routes": list(routes)}


def priorities(env) -> dict[str, int]:
    return {p.service: p.priority for p in plan_rules(env)}


def test_path_patterns() -> None:
    assert path_patterns("/auth") == ("/auth", "/auth/*")
    assert path_patterns("/auth/") == ("/auth", "/auth/*")
    assert path_patterns("/") == ("/*",)
    assert path_patterns("/img*") == ("/img*",)
    assert path_patterns(None) == ()


def test_more_specific_routes_come_first() -> None:
    env = make_env(
        services={
            "catchall": svc({"path": "/"}),
            "hostonly": svc({"host": "api.example.com"}),
            "users": svc({"host": "api.example.com", "path": "/users"}),
            "usersadmin": svc({"host": "api.example.com", "path": "/users/admin"}),
            "anyhostusers": svc({"path": "/users"}),
            "wild": svc({"host": "*.example.com", "path": "/users"}),
        }
    )
    p = priorities(env)
    assert p["usersadmin"] < p["users"] < p["wild"] < p["anyhostusers"] < p["hostonly"]
    assert p["users"] < p["catchall"]
    assert len(set(p.values())) == len(p)


def test_priorities_are_stable_when_services_are_added_or_removed() -> None:
    base = {f"s{i}": svc({"host": "api.example.com", "path": f"/p{i}"}) for i in range(20)}
    before = priorities(make_env(services=base))
    more = dict(base, extra=svc({"host": "api.example.com", "path": "/extra"}), root=svc({"path": "/"}))
    after_add = priorities(make_env(services=more))
    fewer = {k: v for k, v in base.items() if k not in {"s3", "s7"}}
    after_remove = priorities(make_env(services=fewer))
    assert {k: after_add[k] for k in before} == before
    assert after_remove == {k: v for k, v in before.items() if k in fewer}


def test_priorities_are_deterministic() -> None:
    services = {f"s{i}": svc({"path": f"/x{i}"}) for i in range(30)}
    assert priorities(make_env(services=services)) == priorities(make_env(services=dict(reversed(services.items()))))


def test_pinned_priority_is_kept() -> None:
    env = make_env(services={"a": svc({"path": "/a", "priority": 7}), "b": svc({"path": "/b"})})
    assert priorities(env)["a"] == 7


def test_two_services_claiming_the_same_route_is_an_error() -> None:
    env = make_env(
        services={
            "a": svc({"host": "api.example.com", "path": "/x"}),
            "b": svc({"host": "api.example.com", "path": "/x/"}),
        }
    )
    with pytest.raises(ParamsError) as info:
        check_routes("f.yaml", env)
    (problem,) = info.value.problems
    assert problem.path == "services.b.routes[0]" and problem.check_id == "R001"
    assert "services.a.routes[0]" in problem.message
