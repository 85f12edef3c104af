"""Listener-rule priorities: specific first, deterministic, stable under add/remove."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import generate
from templates.errors import ParamsError
from templates.params.service import Route
from templates.routing import band, band_of_priority, check_routes, computed_priority, path_patterns, plan_rules
from tests.conftest import make_env, minimal_params, write_params


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


# Two routes whose computed priorities collide (both 44615): the reviewer's repro.
COLLIDING = ({"host": "api.example.com", "path": "/s0012"}, {"host": "api.example.com", "path": "/s0023"})


def test_colliding_pair_really_collides() -> None:
    """Guards the tests below: if the hash or bands change, pick a new pair."""
    first, second = (Route.model_validate(r) for r in COLLIDING)
    assert computed_priority(first) == computed_priority(second)


def test_a_rules_priority_never_changes_when_other_routes_come_or_go() -> None:
    """Every route's planned priority equals the one it has alone, whatever else is in the environment.

    Includes the colliding pair: with the old linear probing, adding ``alpha``
    (sorted first) moved the existing ``zeta`` from 44615 to 44616.
    """
    pool = {f"s{i}": svc({"host": "api.example.com", "path": f"/p{i}"}) for i in range(20)}
    pool |= {
        "zeta": svc(COLLIDING[1]),
        "alpha": svc(COLLIDING[0]),
        "root": svc({"path": "/"}),
        "wild": svc({"host": "*.example.com", "path": "/p1"}),
        "pinned": svc({"path": "/pinned", "priority": 7}),
    }
    alone = {name: priorities(make_env(services={name: spec}))[name] for name, spec in pool.items()}
    assert alone["alpha"] == alone["zeta"] == 44615 and alone["pinned"] == 7
    for removed in [None, *pool]:
        services = {name: spec for name, spec in pool.items() if name != removed}
        assert priorities(make_env(services=services)) == {name: alone[name] for name in services}, removed


R004_SUGGESTION = re.compile(r"pin this route with priority: (\d+)")


def _generate(tmp_path: Path, services: dict, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    params = write_params(tmp_path, minimal_params(services=services))
    out = tmp_path / "out"
    code = generate.main(["--params", str(params), "--out", str(out), "--no-validate"])
    return code, capsys.readouterr().err, out


def _rule_priorities(out: Path, service: str) -> list[int]:
    doc = json.loads((out / f"svc-{service}.json").read_text())
    return [
        r["Properties"]["Priority"]
        for r in doc["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    ]


def test_computed_collision_is_r004_with_a_priority_that_works_when_pinned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """zeta is deployed; alpha, appended, computes zeta's priority: R004 at alpha, pin it, zeta keeps 44615."""
    services = {"zeta": svc(COLLIDING[1]), "other": svc({"host": "api.example.com", "path": "/other"})}
    code, err, out = _generate(tmp_path, services, capsys)
    assert code == 0, err
    assert _rule_priorities(out, "zeta") == [44615]
    before = {name: _rule_priorities(out, name) for name in services}

    services["alpha"] = svc(COLLIDING[0])
    code, err, _ = _generate(tmp_path, services, capsys)
    assert code == 2 and "Traceback" not in err
    assert "services.alpha.routes[0]: computed listener-rule priority 44615" in err and "[R004]" in err
    assert "services.zeta.routes[0] (host api.example.com + path /s0023)" in err
    suggested = int(R004_SUGGESTION.search(err).group(1))
    alpha = Route.model_validate(COLLIDING[0])
    assert band_of_priority(suggested) == band(alpha), "the suggestion keeps alpha's specificity"

    services["alpha"] = svc({**COLLIDING[0], "priority": suggested})
    code, err, out = _generate(tmp_path, services, capsys)
    assert code == 0, err
    assert {name: _rule_priorities(out, name) for name in before} == before
    assert _rule_priorities(out, "alpha") == [suggested]


def test_pin_on_a_computed_priority_is_r004_at_the_unpinned_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = {"zeta": svc(COLLIDING[1]), "pinner": svc({"path": "/pinned", "priority": 44615})}
    code, err, _ = _generate(tmp_path, services, capsys)
    assert code == 2
    assert "services.zeta.routes[0]: computed listener-rule priority 44615" in err
    assert "is pinned by services.pinner.routes[0]" in err and "[R004]" in err
    suggested = int(R004_SUGGESTION.search(err).group(1))
    services["zeta"] = svc({**COLLIDING[1], "priority": suggested})
    code, err, out = _generate(tmp_path, services, capsys)
    assert code == 0, err
    assert _rule_priorities(out, "pinner") == [44615] and _rule_priorities(out, "zeta") == [suggested]


def test_every_suggestion_is_distinct_when_several_routes_collide() -> None:
    """Three routes on one computed priority: two R004s whose suggestions can both be pinned at once."""
    services = {"zeta": svc(COLLIDING[1]), "alpha": svc(COLLIDING[0])}
    third = next(
        f"/{n:04d}x"
        for n in range(100000)
        if computed_priority(Route(host="api.example.com", path=f"/{n:04d}x")) == 44615
    )
    services["third"] = svc({"host": "api.example.com", "path": third})
    with pytest.raises(ParamsError) as info:
        check_routes("f.yaml", make_env(services=services))
    problems = [p for p in info.value.problems if p.check_id == "R004"]
    assert [p.path for p in problems] == ["services.alpha.routes[0]", "services.third.routes[0]"]
    pins = [int(R004_SUGGESTION.search(p.message).group(1)) for p in problems]
    assert len(set(pins)) == 2
    for name, pin in zip(["alpha", "third"], pins, strict=True):
        services[name] = svc({**services[name]["routes"][0], "priority": pin})
    check_routes("f.yaml", make_env(services=services))


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


def _r003(services: dict) -> list[tuple[str, str]]:
    try:
        check_routes("f.yaml", make_env(services=services))
    except ParamsError as exc:
        return [(p.path, p.message) for p in exc.problems if p.check_id == "R003"]
    return []


API = "api.example.com"


@pytest.mark.parametrize(
    ("first", "second", "request_shown"),
    [
        ({"host": API, "path": "/api"}, {"host": API, "path": "/api*"}, "/api"),  # reviewer's repro
        ({"host": API, "path": "/api*"}, {"host": API, "path": "/api/*"}, "/api/"),
        ({"host": API}, {"host": API, "path": "/"}, "/"),  # host-only matches every path, like /
        ({"host": API, "path": "/" + "a" * 70}, {"host": API, "path": "/" + "a" * 70 + "/b"}, "/" + "a" * 70 + "/b"),
        ({"host": "*.example.com", "path": "/api"}, {"host": "*.b.example.com", "path": "/api"}, "/api"),
    ],
)
def test_routes_of_two_services_matching_one_request_at_one_specificity_are_r003(
    first: dict, second: dict, request_shown: str
) -> None:
    ((path, message),) = _r003({"a": svc(first), "b": svc(second)})
    assert path == "services.b.routes[0]" and "services.a.routes[0]" in message
    assert f"a request for {request_shown} on host" in message


def test_shared_pattern_keeps_its_message() -> None:
    ((_, message),) = _r003({"a": svc({"host": API, "path": "/api"}), "b": svc({"host": API, "path": "/api/*"})})
    assert message.startswith(f"path pattern /api/* on host {API} is also routed to a by services.a.routes[0]")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"host": API, "path": "/api*"}, {"host": API, "path": "/api/v1"}),  # longer literal wins by design
        ({"host": API, "path": "/"}, {"host": API, "path": "/api"}),
        ({"host": API, "path": "/abcd*"}, {"host": API, "path": "/abce"}),  # same band, no common request
        ({"host": API, "path": "/api"}, {"host": "*.example.com", "path": "/api*"}),  # exact host first
        ({"host": API, "path": "/api"}, {"path": "/api*"}),
        ({"host": API, "path": "/api"}, {"host": "www.example.com", "path": "/api*"}),
        ({"host": "*.a.example.com", "path": "/api"}, {"host": "*.b.example.com", "path": "/api*"}),
    ],
)
def test_overlaps_with_a_defined_winner_are_allowed(first: dict, second: dict) -> None:
    assert _r003({"a": svc(first), "b": svc(second)}) == []


def test_overlapping_routes_of_one_service_are_allowed() -> None:
    assert _r003({"a": svc({"host": API, "path": "/api"}, {"host": API, "path": "/api*"})}) == []
