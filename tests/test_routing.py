"""Listener-rule priorities: specific first, deterministic, stable under add/remove."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import generate
from templates.params.service import Route
from templates.plan.build import build_plan
from templates.plan.keys import path_patterns
from templates.plan.routes import band, band_of_priority, computed_priority
from tests.conftest import make_env, minimal_params, placed, rule_problems, write_params

CONFLICTS = ("R001", "R002", "R003")


def svc(*routes: dict) -> dict:
    return {"image_tag": "1", "containers": [{"name": "app", "image": "repo", "port": 80}], "routes": list(routes)}


def priorities(env, lock=None) -> dict[str, int]:
    return {p.service: p.priority for p in build_plan(env, lock).routes}


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
    """With the lock of the full environment, removing any one route keeps every other rule's priority.

    Includes the colliding pair: allocated afresh, the second of them would
    take the first's slot once the first is gone; the lock keeps it where it is.
    """
    pool = {f"s{i}": svc({"host": "api.example.com", "path": f"/p{i}"}) for i in range(20)}
    pool |= {
        "zeta": svc(COLLIDING[1]),
        "alpha": svc(COLLIDING[0]),
        "root": svc({"path": "/"}),
        "wild": svc({"host": "*.example.com", "path": "/p1"}),
        "pinned": svc({"path": "/pinned", "priority": 7}),
    }
    full = make_env(services=pool)
    lock, problems = placed(full)
    assert problems == []
    everything = priorities(full, lock)
    assert everything["pinned"] == 7 and 44615 in (everything["alpha"], everything["zeta"])
    for removed in pool:
        services = {name: spec for name, spec in pool.items() if name != removed}
        assert priorities(make_env(services=services), lock) == {name: everything[name] for name in services}, removed


def _generate(tmp_path: Path, services: dict, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, Path]:
    params = write_params(tmp_path, minimal_params(services=services))
    out = tmp_path / "out"
    code = generate.main(["--params", str(params), "--out", str(out), "--no-validate", *extra])
    return code, capsys.readouterr().err, out


def _rule_priorities(out: Path, service: str) -> list[int]:
    doc = json.loads((out / f"svc-{service}.json").read_text())
    return [
        r["Properties"]["Priority"]
        for r in doc["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    ]


def test_colliding_route_takes_a_free_slot_of_its_band_and_the_deployed_rule_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """zeta is deployed on 44615; alpha, added later, hashes to 44615 too: no pin needed, zeta keeps it."""
    services = {"zeta": svc(COLLIDING[1]), "other": svc({"host": "api.example.com", "path": "/other"})}
    code, err, out = _generate(tmp_path, services, capsys)
    assert code == 0, err
    assert _rule_priorities(out, "zeta") == [44615]
    before = {name: _rule_priorities(out, name) for name in services}

    services["alpha"] = svc(COLLIDING[0])
    code, err, out = _generate(tmp_path, services, capsys)
    assert code == 0, err
    assert {name: _rule_priorities(out, name) for name in before} == before
    (alpha_priority,) = _rule_priorities(out, "alpha")
    assert alpha_priority != 44615
    assert band_of_priority(alpha_priority) == band(Route.model_validate(COLLIDING[0])), "alpha keeps its specificity"


def test_a_pin_wins_over_the_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pinned priorities in params still win; the locked route they displace moves inside its own band."""
    services = {"zeta": svc(COLLIDING[1])}
    assert _generate(tmp_path, services, capsys)[0] == 0
    services["pinner"] = svc({"path": "/pinned", "priority": 44615})
    code, err, out = _generate(tmp_path, services, capsys)
    assert code == 0, err
    assert _rule_priorities(out, "pinner") == [44615]
    (zeta_priority,) = _rule_priorities(out, "zeta")
    assert zeta_priority != 44615 and band_of_priority(zeta_priority) == band(Route.model_validate(COLLIDING[1]))


def test_check_lock_fails_when_the_lock_would_change_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = {"zeta": svc(COLLIDING[1])}
    assert _generate(tmp_path, services, capsys)[0] == 0
    lock_file = tmp_path / "test.lock.yaml"
    committed = lock_file.read_text()
    assert _generate(tmp_path, services, capsys, "--check-lock")[0] == 0

    services["alpha"] = svc(COLLIDING[0])
    code, err, out = _generate(tmp_path, services, capsys, "--check-lock")
    assert code == 1
    assert "test.lock.yaml is out of date (1 new, 0 removed, 0 moved)" in err
    assert lock_file.read_text() == committed
    assert not (out / "svc-alpha.json").exists()


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
    (problem,) = rule_problems(env, *CONFLICTS)
    assert problem.path == "services.b.routes[0]" and problem.check_id == "R001"
    assert "services.a.routes[0]" in problem.message


def _r003(services: dict) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in rule_problems(make_env(services=services), "R003")]


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
