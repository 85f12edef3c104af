"""Property: whatever params the loader accepts build into templates that pass our checks.

The loader fuzz (test_loader_fuzz) proves bad params end in a ParamsError.
This is the other half: generated *routing* params (hosts with wildcards,
hyphens and dots that read alike, overlapping and colliding paths, pins,
DNS aliases, several services) either give a clean ParamsError or go through
``build_all`` without an exception, and then

* the rendered templates pass the template quotas, the security guardrails
  and the cross-stack checks, as ``generate.py`` runs them (cfn-lint is left
  to the golden and capability tests: too slow per example);
* every listener rule has its own priority, and every request a rule could
  match goes to the service of the most specific matching route (longer
  literal path, then exact host, wildcard host, no host), never to one that
  only wins by hash: checked by simulating ALB's matching, not with routing.py;
* removing any one route, with the route lock of the full environment, leaves
  every other rule's logical id, priority and conditions exactly as they were;
* colliding hashed slots need no pin: they build (the allocator takes a free
  slot of the band).

Each of these caught a real bug: alias ids colliding into a troposphere
traceback, positional rule ids, priorities moved by linear probing, and
``/api`` beside ``/api*`` being accepted.  Settings are derandomized and
bounded so CI is stable and fast.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from templates.errors import ParamsError
from templates.params.environment import Environment
from templates.params.route_lock import RouteLock
from templates.params.service import Route
from templates.pipeline import build_all, load_environment
from templates.plan.build import build_plan
from templates.plan.routes import computed_priority
from templates.writer import render
from tests.conftest import placed, rule_findings

PROPERTY = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
RECORD_SET = "AWS::Route53::RecordSet"
ZONE = "Z0123456789ABCDEFGHIJ"

# Hosts that sanitise alike (a-b / a.b, * / wildcard), wildcards covering each other, plain ones.
HOSTS = [
    "api.example.com",
    "a-b.example.com",
    "a.b.example.com",
    "*.example.com",
    "wildcard.example.com",
    "*.b.example.com",
    "shop-1.example.org",
]
# Prefixes, their wildcard and slash variants, the reviewer's colliding pair (/s0012, /s0023), the root.
PATHS = ["/", "/api", "/api/", "/api*", "/api/*", "/api/v1", "/apix", "/s0012", "/s0023", "/a-b", "/a.b", "/img*"]

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,5}[a-z0-9])?", fullmatch=True)
generated_host = st.builds(
    lambda wildcard, labels, tld: ("*." if wildcard else "") + ".".join([*labels, tld]),
    st.booleans(),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["com", "org", "io"]),
)
segment = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,5}", fullmatch=True)
generated_path = st.builds(
    lambda parts, slash, star: "/" + "/".join(parts) + ("/" if slash else "") + ("*" if star else ""),
    st.lists(segment, min_size=0, max_size=3),
    st.booleans(),
    st.booleans(),
)
hosts = st.sampled_from(HOSTS) | generated_host
paths = st.sampled_from(PATHS) | generated_path


# Pairs whose hashed slots collide (checked in test_colliding_pairs_collide): the allocator separates them.
COLLIDING = [
    ({"host": "api.example.com", "path": "/s0012"}, {"host": "api.example.com", "path": "/s0023"}),
    ({"path": "/v10"}, {"path": "/v16"}),
    ({"host": "*.example.com", "path": "/v36"}, {"host": "*.example.com", "path": "/v40"}),
]
# Every colliding pair in one environment, one route per service: always among the examples.
COLLIDING_ENVIRONMENT: dict[str, Any] = {
    "project": "prop",
    "environment": "test",
    "region": "eu-west-1",
    "services": {
        f"c{i}": {
            "image_tag": "1",
            "containers": [{"name": "app", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "port": 8080}],
            "routes": [route],
        }
        for i, route in enumerate(route for pair in COLLIDING for route in pair)
    },
}
# Pairs that match a common request at one specificity: R003 when two services hold them.
OVERLAPPING = [
    ({"host": "api.example.com", "path": "/api"}, {"host": "api.example.com", "path": "/api*"}),
    ({"host": "api.example.com"}, {"host": "api.example.com", "path": "/"}),
    ({"host": "*.example.com", "path": "/api"}, {"host": "*.b.example.com", "path": "/api"}),
]
PAIRED = [route for pair in COLLIDING + OVERLAPPING for route in pair]
# Pins: the colliding pair's hashed 44615 (a pin displacing it), its neighbours, and anything else.
PINS = st.sampled_from([44615, 44616, 7, 100]) | st.integers(1, 50000)


@st.composite
def routes(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 9)) == 0:
        return dict(draw(st.sampled_from(PAIRED)))
    route: dict[str, Any] = {}
    shape = draw(st.sampled_from(["host+path", "host+path", "path", "host"]))
    if "host" in shape:
        route["host"] = draw(hosts)
    if "path" in shape:
        route["path"] = draw(paths)
    if draw(st.integers(0, 9)) == 0:
        route["priority"] = draw(PINS)
    return route


# Hosts whose sanitised names read alike; one service routing (and aliasing) both reaches the alias ids.
ALIKE_HOSTS = [
    ("a-b.example.com", "a.b.example.com"),
    ("*.example.com", "wildcard.example.com"),
    ("a1.example.com", "a.1.example.com"),
]


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 5)) == 0:
        service_routes = [{"host": host} for host in draw(st.sampled_from(ALIKE_HOSTS))]
    else:
        service_routes = draw(st.lists(routes(), min_size=1, max_size=3))
    svc: dict[str, Any] = {
        "image_tag": "1",
        "containers": [{"name": "app", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "port": 8080}],
        "routes": service_routes,
    }
    route_hosts = sorted({r["host"] for r in svc["routes"] if "host" in r})
    if route_hosts and draw(st.booleans()):
        svc["dns"] = {"hosted_zone_id": ZONE}
        if draw(st.booleans()):
            listed = st.lists(st.sampled_from(route_hosts), min_size=1, max_size=3, unique=draw(st.integers(0, 4)) > 0)
            svc["dns"]["hosts"] = draw(listed)
    return svc


@st.composite
def environments(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(
        st.lists(st.sampled_from(["api", "web", "users", "orders", "a-b", "zeta"]), min_size=1, max_size=5, unique=True)
    )
    doc: dict[str, Any] = {
        "project": "prop",
        "environment": "test",
        "region": "eu-west-1",
        "services": {name: draw(services()) for name in names},
    }
    if draw(st.booleans()):
        doc["alb"] = {"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"}
    return doc


# --------------------------------------------------------------------------- checks


def _load(path: Path, doc: dict[str, Any]) -> Environment:
    path.write_text(yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False))
    return load_environment(path)


def _built(env: Environment, lock: RouteLock) -> dict[str, dict[str, Any]]:
    """Build and render exactly as generate.py does, and run its checks on the result."""
    texts = {key: render(template) for key, template in build_all(env, build_plan(env, lock)).items()}
    docs = {key: json.loads(text) for key, text in texts.items()}
    findings = rule_findings(texts)
    assert not [f.render() for f in findings if f.is_error]
    return docs


def _rules(docs: dict[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(stack key, logical id) -> listener rule properties, for every rule of the environment."""
    return {
        (key, logical_id): resource["Properties"]
        for key, doc in docs.items()
        for logical_id, resource in doc["Resources"].items()
        if resource["Type"] == LISTENER_RULE
    }


def _values(rule: dict[str, Any], field: str) -> list[str]:
    config = {"host-header": "HostHeaderConfig", "path-pattern": "PathPatternConfig"}[field]
    return [v for c in rule["Conditions"] if c["Field"] == field for v in c[config]["Values"]]


def _glob(pattern: str, text: str, ignore_case: bool) -> bool:
    """ALB condition matching: ``*`` any run of characters, ``?`` one; host case-insensitive."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, text, re.IGNORECASE if ignore_case else 0) is not None


def _matches(rule: dict[str, Any], host: str, path: str) -> bool:
    host_values, path_values = _values(rule, "host-header"), _values(rule, "path-pattern")
    return (not host_values or any(_glob(h, host, True) for h in host_values)) and (
        not path_values or any(_glob(p, path, False) for p in path_values)
    )


def _specificity(rule: dict[str, Any]) -> tuple[int, int]:
    """docs/routing.md's order: longer literal path first, then exact host, wildcard host, no host."""
    path_values, host_values = _values(rule, "path-pattern"), _values(rule, "host-header")
    literal = path_values[0].rstrip("*").rstrip("/") if path_values else ""
    host_rank = 0 if not host_values else (1 if host_values[0].startswith("*") else 2)
    return (len(literal), host_rank)


def _requests(rules: list[dict[str, Any]]) -> set[tuple[str, str]]:
    hosts = {"unrouted.example.net"} | {h.replace("*", "x") for r in rules for h in _values(r, "host-header")}
    literals = {p.rstrip("*") for r in rules for p in _values(r, "path-pattern")} | {"/"}
    paths = {variant for literal in literals for variant in (literal, literal + "x", literal.rstrip("/") + "/x")}
    return {(host, path) for host in hosts for path in paths if path.startswith("/")}


def _check_routing(env: Environment, docs: dict[str, dict[str, Any]]) -> None:
    rules = _rules(docs)
    priorities = [r["Priority"] for r in rules.values()]
    assert len(priorities) == len(set(priorities)), "two listener rules share a priority"
    assert len(rules) == sum(len(svc.routes) for svc in env.services.values())
    for key, doc in docs.items():
        names = [r["Properties"]["Name"] for r in doc["Resources"].values() if r["Type"] == RECORD_SET]
        assert len(names) == len(set(names)), f"{key}: one host aliased twice"
    pinned = {route.priority for svc in env.services.values() for route in svc.routes if route.priority}
    owner = {rule["Priority"]: key for (key, _), rule in rules.items()}
    for host, path in _requests(list(rules.values())):
        matching = [r for r in rules.values() if _matches(r, host, path)]
        if not matching or any(r["Priority"] in pinned for r in matching):
            continue  # nothing routed, or a pin that overrides specificity by design
        best = max(_specificity(r) for r in matching)
        expected = {owner[r["Priority"]] for r in matching if _specificity(r) == best}
        assert len(expected) == 1, f"{host}{path}: {sorted(expected)} tie on specificity; only the hash decides"
        winner = min(matching, key=lambda r: r["Priority"])
        assert owner[winner["Priority"]] in expected, f"{host}{path} goes to a less specific route"


def _without_route(doc: dict[str, Any], service: str, index: int) -> dict[str, Any] | None:
    """The doc minus one route (and its service, if that was its last), or None if nothing would be left."""
    smaller = copy.deepcopy(doc)
    svc = smaller["services"][service]
    del svc["routes"][index]
    svc.pop("dns", None)  # dns.hosts may name the removed route's host (S016); rules don't depend on it
    if not svc["routes"]:
        del smaller["services"][service]
    return smaller if smaller["services"] else None


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property") / "params.yaml"


def test_colliding_pairs_collide() -> None:
    for first, second in COLLIDING:
        assert computed_priority(Route(**first)) == computed_priority(Route(**second))


def test_accepted_params_build_clean_route_by_specificity_and_stay_stable(scratch: Path) -> None:
    outcomes: Counter[str] = Counter()

    @PROPERTY
    @given(doc=environments())
    @example(doc=COLLIDING_ENVIRONMENT)
    def check(doc: dict[str, Any]) -> None:
        try:
            env = _load(scratch, doc)
        except ParamsError as exc:
            assert str(exc).startswith(f"{scratch}: invalid params")
            outcomes.update(p.check_id for p in exc.problems)
            return
        lock, problems = placed(env)
        assert problems == []
        docs = _built(env, lock)
        _check_routing(env, docs)
        outcomes["built"] += 1
        hashed = [computed_priority(r) for svc in env.services.values() for r in svc.routes if r.priority is None]
        if len(hashed) != len(set(hashed)):
            outcomes["colliding slots built"] += 1
        if any(set(pair) <= set(svc.alias_hosts) for svc in env.services.values() for pair in ALIKE_HOSTS):
            outcomes["alike hosts aliased"] += 1

        before = _rules(docs)
        for service, svc in doc["services"].items():
            for index in range(len(svc["routes"])):
                smaller = _without_route(doc, service, index)
                if smaller is None:
                    continue
                smaller_env = _load(scratch, smaller)
                after = _rules(
                    {key: t.to_dict() for key, t in build_all(smaller_env, build_plan(smaller_env, lock)).items()}
                )
                changed = {
                    rule: (before.get(rule), props) for rule, props in after.items() if before.get(rule) != props
                }
                assert not changed, f"removing {service}.routes[{index}] changed other rules (before, after): {changed}"
                assert len(after) == len(before) - 1
                outcomes["removal checked"] += 1

    check()
    # The property is only as good as its examples: most must build, and the error paths must be reached.
    assert outcomes["built"] >= 60, outcomes
    assert outcomes["removal checked"] >= 150, outcomes
    assert {"R001", "R003", "colliding slots built", "alike hosts aliased"} <= set(outcomes), outcomes
