"""The route lock: the allocator's promise under any history, and the lock file itself.

The property: after any sequence of route additions and removals, each run
fed the lock of the run before, every surviving route keeps its priority and
ALB, priorities are unique per ALB, and every route sits in its own
specificity band (so a more specific route always has a lower priority).
Bands are made tiny here so that collisions and full bands happen often.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generate
from templates.errors import ParamsError
from templates.params.route_lock import LockedRoute, RouteLock, read_lock, render_lock
from templates.plan.build import build_plan
from templates.plan.priorities import Request, Slot, allocate_slots, band_bounds
from templates.plan.routes import band
from tests.conftest import make_env, minimal_params, placed, write_params

BAND_WIDTH = 6
BANDS = 3
ALBS = ("alb", "alb-2")


def request_for(number: int) -> Request:
    """Route ``number``'s fixed traits: band, preferred slot and ALB depend on it alone, as in routing."""
    key = (f"h{number % 4}.example.com", (f"/r{number}",))
    route_band = number % BANDS
    preferred = band_bounds(route_band, BAND_WIDTH)[(number * 7) % 3]  # few preferred slots: many collisions
    return Request(key, route_band, preferred, ALBS[number % 2])


history = st.lists(
    st.tuples(st.booleans(), st.integers(0, 40)), min_size=1, max_size=40
)  # (add?, route number): add it, or remove it if present


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history)
def test_any_history_keeps_surviving_rules_and_the_specificity_order(steps: list[tuple[bool, int]]) -> None:
    present: set[int] = set()
    lock: dict[tuple[str, tuple[str, ...]], Slot] = {}
    for add, number in steps:
        if add:
            present.add(number)
        else:
            present.discard(number)
        requests = [request_for(n) for n in sorted(present)]
        slots, full = allocate_slots(requests, lock, BAND_WIDTH)
        for request in requests:
            if request.key in lock and request.key in slots:
                assert slots[request.key] == lock[request.key], "a surviving rule moved"
        for request in full:
            assert request.key not in lock, "a placed rule lost its slot"
            same_band = [r for r in requests if r.alb == request.alb and r.band == request.band]
            assert len(same_band) > BAND_WIDTH, "refused while its band had a free slot"
        placed = [(slots[r.key], r) for r in requests if r.key in slots]
        per_alb = [(slot.alb, slot.priority) for slot, _ in placed]
        assert len(per_alb) == len(set(per_alb)), "two rules share a priority on one ALB"
        for slot, request in placed:
            assert slot.alb == request.alb
            assert slot.priority in band_bounds(request.band, BAND_WIDTH), "a rule left its specificity band"
        lock = {r.key: slots[r.key] for r in requests if r.key in slots}


def test_removed_route_frees_its_slot_for_the_next_one_of_its_band() -> None:
    first, second = request_for(0), request_for(3)  # same band, same preferred slot
    assert (first.band, first.preferred) == (second.band, second.preferred)
    slots, _ = allocate_slots([first], {}, BAND_WIDTH)
    freed, _ = allocate_slots([second], {}, BAND_WIDTH)
    assert freed[second.key].priority == slots[first.key].priority


def svc(*routes: dict) -> dict:
    return {"image_tag": "1", "containers": [{"name": "app", "image": "repo", "port": 80}], "routes": list(routes)}


def test_three_hundred_routes_on_one_host_family_need_no_pin() -> None:
    """The issue's goal on the real bands: 300 same-shape routes, no pin, no problem, all distinct."""
    env = make_env(services={f"s{i}": svc({"host": f"h{i % 10}.example.com", "path": f"/s{i}"}) for i in range(300)})
    lock, problems = placed(env)
    assert problems == []
    rules = build_plan(env, lock).routes
    assert len({(r.alb, r.priority) for r in rules}) == 300
    by_service = {r.service: r for r in rules}
    for name, service in env.services.items():
        assert (by_service[name].priority - 1) // 260 == band(service.routes[0])


def test_lock_file_round_trip(tmp_path: Path) -> None:
    lock = RouteLock.of(
        [
            LockedRoute(host="api.example.com", paths=["/a", "/a/*"], alb="alb", priority=5),
            LockedRoute(host=None, paths=["/*"], alb="alb-2", priority=49684),
        ]
    )
    path = tmp_path / "x.lock.yaml"
    path.write_text(render_lock(lock, "x.yaml"))
    assert read_lock(path) == lock
    assert read_lock(tmp_path / "missing.lock.yaml") == RouteLock()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 1\nroutes:\n<<<<<<< HEAD\n- {priority: 3, paths: [/a]}\n", ""),
        ("version: 1\nroutes:\n- {priority: 0, paths: [/a]}\n", "routes.0.priority"),
        ("version: 1\nroutes:\n- {priority: 3, paths: [/a]}\n- {priority: 4, paths: [/a]}\n", "routes[1]"),
    ],
)
def test_bad_lock_file_is_exit_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    params = write_params(tmp_path, minimal_params(services={"a": svc({"path": "/a"})}))
    (tmp_path / "test.lock.yaml").write_text(text)
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert "test.lock.yaml" in err and "[R007]" in err and f"  {where}" in err and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(ParamsError):
        read_lock(tmp_path / "test.lock.yaml")


def test_two_branches_on_one_slot_merge_into_a_lock_that_still_loads(tmp_path: Path) -> None:
    """Both sides of a merge took the same free slot: the lock loads and one of them moves."""
    env = make_env(services={"a": svc({"path": "/aa"}), "b": svc({"path": "/bb"})})
    fresh, _ = placed(env)
    merged = RouteLock(routes=[r.model_copy(update={"priority": fresh.routes[0].priority}) for r in fresh.routes])
    after, problems = placed(env, merged)
    assert problems == []
    assert len({r.priority for r in after.routes}) == 2
    assert fresh.routes[0] in after.routes


def test_committed_locks_are_current() -> None:
    """What ``make templates LOCK=check`` checks in CI: each shipped lock is what generating would write."""
    from templates.params.route_lock import is_lock_file
    from templates.pipeline import load

    shipped = sorted(p for p in generate.PARAMS_DIR.glob("*.yaml") if not is_lock_file(p))
    assert shipped
    for params in shipped:
        loaded = load(params)
        assert loaded.lock.routes, f"{params.name} has routes but no committed lock"
        assert loaded.plan.lock == RouteLock.of(loaded.lock.routes), params.name
