"""Template invariants over every environment: the shipped params files and the test fixture environments.

``tests/template_invariants.py`` says what each invariant is and why AWS needs it.  The fixture
``tests/fixtures/fidelity.yaml`` exercises ALB shards, an internal ALB, a NAT-free VPC and blue/green on
a shard other than the first; the shipped files cover HTTPS, an existing VPC and ALB, and more.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from templates.naming import alb_shard_key
from templates.params.environment import Environment
from templates.params.route_lock import RouteLock, is_lock_file
from templates.pipeline import Loaded, build_all, load
from templates.plan.build import build_plan
from templates.plan.shards import alb_scheme
from templates.writer import render
from tests import template_invariants as invariants

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ENVIRONMENTS = sorted(p for p in (ROOT / "params").glob("*.yaml") if not is_lock_file(p)) + sorted(
    FIXTURES.glob("*.yaml")
)


def _rendered(loaded: Loaded) -> dict[str, dict[str, Any]]:
    return {key: json.loads(render(t)) for key, t in build_all(loaded.env, loaded.plan).items()}


@pytest.fixture(scope="module", params=ENVIRONMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def environment(request: pytest.FixtureRequest) -> tuple[Loaded, dict[str, dict[str, Any]]]:
    loaded = load(request.param)
    return loaded, _rendered(loaded)


def test_the_fixture_environment_has_what_it_exists_for() -> None:
    """Shards, an internal ALB, no NAT, and blue/green on a shard other than the first."""
    plan = load(FIXTURES / "fidelity.yaml").plan
    assert {a.key for a in plan.albs} >= {"alb", "alb-2", "alb-internal"}
    assert plan.network.nat_gateways == 0 and plan.network.interface_endpoints
    assert {r.alb for r in plan.test_routes} == {"alb-2"}


def test_each_elb_alarm_watches_the_alb_its_rules_sit_on(environment: tuple[Loaded, Any]) -> None:
    assert invariants.alarms_off_their_alb(environment[1]) == []


def test_each_target_group_belongs_to_one_alb_and_names_it(environment: tuple[Loaded, Any]) -> None:
    assert invariants.target_groups_off_their_alb(environment[1]) == []


def _moved_lock(env: Environment, lock: RouteLock) -> RouteLock:
    """Every route to another ALB of its scheme: the ALBs of a scheme rotate, a lone one moves to its second."""
    by_scheme: dict[str, list[str]] = {}
    for key in sorted({r.alb for r in lock.routes}):
        by_scheme.setdefault(alb_scheme(env, key), []).append(key)
    moves = {}
    for scheme, keys in by_scheme.items():
        others = keys[1:] + keys[:1] if len(keys) > 1 else [alb_shard_key(scheme == env.alb.scheme, scheme, 2)]
        moves.update(zip(keys, others, strict=True))
    return RouteLock(routes=[r.model_copy(update={"alb": moves[r.alb]}) for r in lock.routes])


def test_no_target_group_changes_alb_when_its_host_moves(environment: tuple[Loaded, Any]) -> None:
    loaded, before = environment
    if loaded.env.alb.existing is not None or not loaded.plan.lock.routes:
        pytest.skip("one ALB that is not ours: routes cannot move")
    moved = build_plan(loaded.env, _moved_lock(loaded.env, loaded.plan.lock))
    assert {(r.service, r.index, r.alb) for r in moved.routes}.isdisjoint(
        {(r.service, r.index, r.alb) for r in loaded.plan.routes}
    ), "every route moved"
    after = {key: json.loads(render(t)) for key, t in build_all(loaded.env, moved).items()}
    assert invariants.target_groups_moved(before, after) == []


def test_every_endpoint_service_name_is_in_the_privatelink_table(environment: tuple[Loaded, Any]) -> None:
    assert invariants.unknown_endpoint_names(environment[1]) == []


def test_alb_outbound_rules_follow_the_ports_not_the_services(environment: tuple[Loaded, Any]) -> None:
    assert invariants.alb_egress_beyond_ports(environment[1]) == []


def test_alb_outbound_rules_do_not_grow_with_the_service_count(environment: tuple[Loaded, Any]) -> None:
    """Ten more services copying a routed one (same port, new paths): no ALB security group gets a rule more."""
    loaded, before = environment
    web = next((svc for svc in loaded.env.services.values() if svc.alb_port is not None and svc.routes), None)
    if web is None or loaded.env.alb.existing is not None:
        pytest.skip("no routed service, or an ALB that is not ours")
    clones = {
        f"clone{i}": web.model_copy(
            update={
                "name": f"clone{i}",
                "blue_green": None,
                "routes": [web.routes[0].model_copy(update={"path": f"/clone-{i}", "priority": None})],
            }
        )
        for i in range(10)
    }
    grown = loaded.env.model_copy(update={"services": {**loaded.env.services, **clones}})
    after = {key: json.loads(render(t)) for key, t in build_all(grown, build_plan(grown, loaded.plan.lock)).items()}
    assert max(invariants.alb_egress_rules(after).values()) == max(invariants.alb_egress_rules(before).values())
    assert invariants.alb_egress_beyond_ports(after) == []
