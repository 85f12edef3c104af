"""Routes over several ALBs: whole hosts per ALB, stable through the lock, quotas per ALB, public and internal."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import generate
from deployer.review.host_moves import mark_host_moves, rule_albs
from deployer.review.resource_changes import resource_changes
from deployer.review.stack_review import ResourceChange
from templates.errors import ParamsError
from templates.naming import ExportKey, alb_export_key, alb_of_listener_export
from templates.params.route_lock import RouteLock
from templates.pipeline import build_all, load_environment
from templates.plan.build import build_plan
from templates.plan.shards import Capacity, Unit, capacity_of, place_units
from templates.writer import render
from tests.conftest import GUARDRAILS, WIRING, make_env, minimal_params, placed, rule_findings, write_params

LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"


def web(host: str | None, path: str, **extra: Any) -> dict[str, Any]:
    route = {"path": path} | ({"host": host} if host else {})
    return {"image_tag": "1", "containers": [{"name": "app", "image": "repo", "port": 80}], "routes": [route], **extra}


def spread(count: int, hosts: int, per_service: int = 1) -> dict[str, dict[str, Any]]:
    """``count`` services over ``hosts`` hosts (round robin), each with ``per_service`` routes."""
    services = {}
    for i in range(count):
        svc = web(f"h{i % hosts}.example.com", f"/s{i}")
        svc["routes"] += [{"host": f"h{i % hosts}.example.com", "path": f"/s{i}-{j}"} for j in range(1, per_service)]
        services[f"s{i}"] = svc
    return services


def albs_by_host(env: Any, lock: RouteLock) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for rule in build_plan(env, lock).routes:
        found[rule.hosts[0] if rule.hosts else ""].add(rule.alb)
    return found


def docs(env: Any, lock: RouteLock | None = None) -> dict[str, dict[str, Any]]:
    return {key: json.loads(render(t)) for key, t in build_all(env, build_plan(env, lock)).items()}


def test_three_hundred_routes_over_ten_hosts_spread_by_host_within_quota() -> None:
    env = make_env(services=spread(300, 10))
    lock, problems = placed(env)
    assert problems == []
    hosts = albs_by_host(env, lock)
    assert all(len(albs) == 1 for albs in hosts.values()), "a host's routes stay on one ALB"
    rules = Counter(r.alb for r in build_plan(env, lock).routes)
    # 30 routes per host: three hosts per ALB (90 rules); all on port 80, one egress rule per ALB whatever the count
    assert max(rules.values()) <= 100 and len(rules) == 4
    assert capacity_of(env).egress_rules == 60
    built = docs(env, lock)
    assert {"alb", "alb-2", "alb-4"} <= set(built)
    assert rule_findings(built, *WIRING) == [], "every import resolves"
    assert [f for f in rule_findings(built, *GUARDRAILS) if f.is_error] == []
    per_listener = Counter(
        json.dumps(r["Properties"]["ListenerArn"])
        for doc in built.values()
        for r in doc["Resources"].values()
        if r["Type"] == LISTENER_RULE
    )
    assert len(per_listener) == 4 and max(per_listener.values()) <= 100


def test_aliases_follow_their_hosts_alb() -> None:
    services = spread(6, 3, per_service=25)  # 50 rules per host: two hosts on alb, one on alb-2
    lock, _ = placed(make_env(services=services))
    moved = next(host for host, albs in albs_by_host(make_env(services=services), lock).items() if albs == {"alb-2"})
    name = next(n for n, svc in services.items() if svc["routes"][0]["host"] == moved)
    services[name]["dns"] = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}
    built = docs(make_env(services=services), lock)
    resources = built[f"svc-{name}"]["Resources"].values()
    record = next(r for r in resources if r["Type"] == "AWS::Route53::RecordSet")
    rule = next(r for r in resources if r["Type"] == LISTENER_RULE)
    assert record["Properties"]["AliasTarget"]["DNSName"] == {
        "Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-Alb2DnsName"}
    }
    assert rule["Properties"]["ListenerArn"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-Alb2HttpListenerArn"}}
    assert built["alb-2"]["Outputs"]["AlbDnsName"]["Export"] == {"Name": {"Fn::Sub": "${ExportPrefix}-Alb2DnsName"}}
    assert rule_findings(built, *WIRING) == []


def test_adding_hosts_never_moves_a_placed_host_or_rule() -> None:
    env = make_env(services=spread(120, 6))
    lock, _ = placed(env)
    grown = make_env(
        services={**spread(120, 6), **{f"n{i}": web(f"new{i % 4}.example.com", f"/n{i}") for i in range(80)}}
    )
    after, problems = placed(grown, lock)
    assert problems == []
    kept = after.by_key()
    assert all(kept[entry.key] == entry for entry in lock.routes), "a deployed rule moved"


def test_a_grown_host_moves_not_its_neighbours() -> None:
    """alb holds h0..h2 (90 rules); h1 grows past what alb can hold: h1 moves, h0 and h2 stay."""
    services = spread(9, 3, per_service=10)
    env = make_env(services=services)
    lock, _ = placed(env)
    assert {r.alb for r in lock.routes} == {"alb"}
    services |= {f"x{i}": web("h1.example.com", f"/x{i}") for i in range(20)}
    after, problems = placed(make_env(services=services), lock)
    assert problems == []
    where = albs_by_host(make_env(services=services), after)
    assert where["h0.example.com"] == where["h2.example.com"] == {"alb"}
    assert where["h1.example.com"] == {"alb-2"}


def test_quota_setting_decides_when_to_spread() -> None:
    env = make_env(services=spread(40, 4), alb={"rules_per_listener": 20})
    lock, _ = placed(env)
    assert Counter(r.alb for r in lock.routes) == {"alb": 20, "alb-2": 20}


def test_a_host_over_the_quota_names_host_count_and_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = minimal_params(services={f"s{i}": web("big.example.com", f"/s{i}") for i in range(11)})
    doc["alb"] = {"rules_per_listener": 10}
    out = tmp_path / "out"
    assert generate.main(["--params", str(write_params(tmp_path, doc)), "--out", str(out), "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert "host big.example.com needs 11 listener rules" in err
    assert "alb.rules_per_listener" in err and "holds 10" in err and "[Q001]" in err
    assert not out.exists()


def test_internal_services_get_an_internal_alb_in_private_subnets() -> None:
    services = {"pub": web("www.example.com", "/"), "priv": web("intra.example.com", "/", load_balancer="internal")}
    env = make_env(services=services)
    built = docs(env)
    internal = built["alb-internal"]["Resources"]
    assert internal["LoadBalancer"]["Properties"]["Scheme"] == "internal"
    assert "PrivateSubnets" in json.dumps(internal["LoadBalancer"]["Properties"]["Subnets"])
    ingress = internal["AlbSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {rule["CidrIp"] for rule in ingress} == {str(env.network.cidr)}, "internal by exception: the VPC only"
    assert built["alb"]["Resources"]["LoadBalancer"]["Properties"]["Scheme"] == "internet-facing"
    assert "AlbInternalHttpListenerArn" in json.dumps(built["svc-priv"]) and "AlbInternal" not in json.dumps(
        built["svc-pub"]
    )
    assert rule_findings(built, *WIRING) == []


def test_one_host_cannot_be_public_and_internal(tmp_path: Path) -> None:
    services = {"a": web("x.example.com", "/a"), "b": web("x.example.com", "/b", load_balancer="internal")}
    path = write_params(tmp_path, minimal_params(services=services))
    with pytest.raises(ParamsError) as info:
        load_environment(path)
    assert [(p.check_id, p.path) for p in info.value.problems] == [("R006", "services.b.load_balancer")]


def test_lock_records_each_routes_alb_and_check_mode_sees_a_move(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = minimal_params(services=spread(30, 3))
    doc["alb"] = {"rules_per_listener": 20}
    params = write_params(tmp_path, doc)
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 0
    lock = yaml.safe_load((tmp_path / "test.lock.yaml").read_text())
    assert Counter(r["alb"] for r in lock["routes"]) == {"alb": 20, "alb-2": 10}
    assert sorted(p.name for p in out.glob("alb*.json")) == ["alb-2.json", "alb.json"]
    doc["alb"] = {"rules_per_listener": 100}  # a raised quota alone moves nothing
    write_params(tmp_path, doc)
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate", "--check-lock"]) == 0
    capsys.readouterr()


units = st.lists(st.tuples(st.integers(0, 12), st.integers(1, 40)), min_size=1, max_size=30)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(units)
def test_placement_keeps_every_unchanged_host_where_it_was(steps: list[tuple[int, int]]) -> None:
    """Any history of hosts appearing, resizing and vanishing: a host whose routes did not change never moves."""
    capacity = Capacity(rules=60, target_groups=100)
    sizes: dict[int, int] = {}
    previous: dict[tuple[str, tuple[str, ...]], str] = {}

    def shard_key(_scheme: str, n: int) -> str:
        return "alb" if n == 1 else f"alb-{n}"

    for host, size in steps:
        before = dict(sizes)
        sizes[host] = size if sizes.get(host) != size else 0
        sizes = {h: s for h, s in sizes.items() if s}
        current = [
            Unit((f"h{h}",), (f"svc{h}",), tuple((f"h{h}", (f"/r{i}",)) for i in range(s)), "internet-facing")
            for h, s in sorted(sizes.items())
        ]
        placed, too_big = place_units(current, previous, capacity, shard_key)
        assert too_big == []
        load = Counter(placed.values())
        assert max(load.values(), default=0) <= capacity.rules
        for unit in current:
            assert len({placed[k] for k in unit.keys}) == 1, "a host split over ALBs"
        for h in sizes.keys() & before.keys():
            if sizes[h] <= before[h]:  # did not grow: nothing can push it out
                first = (f"h{h}", ("/r0",))
                assert placed[first] == previous[first], f"unchanged host h{h} moved"
        previous = placed


def test_review_flags_a_host_moving_between_albs() -> None:
    described = {
        "Changes": [
            {
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "AliasApiExampleCom0a1b2c3d",
                    "ResourceType": "AWS::Route53::RecordSet",
                    "Replacement": "False",
                    "Scope": ["Properties"],
                    "Details": [
                        {
                            "Target": {"Attribute": "Properties", "Name": "AliasTarget", "RequiresRecreation": "Never"},
                            "ChangeSource": "DirectModification",
                        }
                    ],
                }
            }
        ]
    }
    [row] = resource_changes(described)
    assert row.risk is not None and "another load balancer" in row.risk
    described["Changes"][0]["ResourceChange"]["Details"][0]["Target"]["Name"] = "TTL"
    assert resource_changes(described)[0].risk is None


@pytest.mark.parametrize("shard", ["alb", "alb-2", "alb-12", "alb-internal", "alb-internal-3", "alb-public"])
def test_listener_exports_name_their_alb(shard: str) -> None:
    for key in (ExportKey.HTTP_LISTENER_ARN, ExportKey.HTTPS_LISTENER_ARN):
        assert alb_of_listener_export(alb_export_key(shard, key)) == shard
    assert alb_of_listener_export(alb_export_key(shard, ExportKey.ALB_DNS_NAME)) is None


def test_adding_a_certificate_moves_rules_to_another_listener_but_not_another_alb() -> None:
    """Only a change of ALB is a host move: HTTP -> HTTPS listener on the same ALB is not flagged."""
    env = make_env(services=spread(6, 3, per_service=25))
    lock, _ = placed(env)
    plain = docs(env, lock)
    https = docs(make_env(services=spread(6, 3, per_service=25), alb={"certificate_arn": CERTIFICATE}), lock)
    key = next(k for k in plain if k.startswith("svc-"))
    rows = [ResourceChange("Modify", lid, LISTENER_RULE, "True") for lid in rule_albs(plain[key])]
    mark_host_moves(rows, plain[key], https[key])
    assert rows and all(row.risk is None for row in rows)
    swap = {"alb": "alb-3", "alb-2": "alb"}  # every host to another ALB, each still fitting
    moved = docs(env, RouteLock(routes=[r.model_copy(update={"alb": swap[r.alb]}) for r in lock.routes]))
    old = rule_albs(plain[key])[rows[0].logical_id][0]
    mark_host_moves(rows, plain[key], moved[key])
    assert all(f"from {old} to {swap[old]}" in (row.risk or "") for row in rows)


def test_a_moved_host_gets_a_new_target_group_and_the_review_says_so() -> None:
    """A target group belongs to one load balancer: the move replaces it, and the risk line names both."""
    env = make_env(services=spread(6, 3, per_service=25))
    lock, _ = placed(env)
    plain = docs(env, lock)
    swap = {"alb": "alb-3", "alb-2": "alb"}
    moved = docs(env, RouteLock(routes=[r.model_copy(update={"alb": swap[r.alb]}) for r in lock.routes]))
    for key in [k for k in plain if k.startswith("svc-")]:
        old = rule_albs(plain[key])
        was, now = next(iter(old.values()))[0], swap[next(iter(old.values()))[0]]
        groups = {k for k, r in moved[key]["Resources"].items() if r["Type"].endswith("::TargetGroup")}
        assert groups == {"TargetGroup" if now == "alb" else f"TargetGroup{now.title().replace('-', '')}"}
        rows = [ResourceChange("Modify", lid, LISTENER_RULE, "True") for lid in old]
        mark_host_moves(rows, plain[key], moved[key])
        before = "TargetGroup" if was == "alb" else f"TargetGroup{was.title().replace('-', '')}"
        (after,) = groups
        assert all(f"its target group {before} is replaced by {after} on {now}" in (r.risk or "") for r in rows)


def test_the_review_flags_a_moved_rule_that_keeps_its_target_group() -> None:
    """Templates of an older generator kept the id: the review says the update would fail."""
    env = make_env(services=spread(6, 3, per_service=25))
    lock, _ = placed(env)
    plain = docs(env, lock)
    moved = docs(env, RouteLock(routes=[r.model_copy(update={"alb": "alb-3"}) for r in lock.routes]))
    key = next(k for k in plain if k.startswith("svc-") and "TargetGroup" in plain[k]["Resources"])
    stale = json.loads(json.dumps(moved[key]).replace("TargetGroupAlb3", "TargetGroup"))
    rows = [ResourceChange("Modify", lid, LISTENER_RULE, "True") for lid in rule_albs(plain[key])]
    mark_host_moves(rows, plain[key], stale)
    assert rows and all("still forwards to TargetGroup" in (r.risk or "") for r in rows)


EXISTING_ALB = yaml.safe_load((Path(__file__).resolve().parent.parent / "params" / "staging.yaml").read_text())["alb"]


def test_an_existing_alb_is_never_spread_and_its_quota_still_holds() -> None:
    """alb.existing is not ours: routes cannot go to ALBs we would create, so the quota counts all of them."""
    fits = make_env(services=spread(100, 6), alb=EXISTING_ALB)
    lock, problems = placed(fits)
    assert problems == [] and {r.alb for r in lock.routes} == {"alb"}
    assert [k for k in docs(fits, lock) if k.startswith("alb")] == ["alb"]
    _, problems = placed(make_env(services=spread(101, 6), alb=EXISTING_ALB))
    assert [p.check_id for p in problems] == ["Q001"] and "needs 101 listener rules" in problems[0].message


def test_an_existing_alb_takes_no_service_of_the_other_scheme() -> None:
    services = {"a": web("a.example.com", "/"), "b": web("b.example.com", "/", load_balancer="internal")}
    _, problems = placed(make_env(services=services, alb=EXISTING_ALB))
    assert [(p.check_id, p.path) for p in problems] == [("R006", "services.b.load_balancer")]


def test_the_cost_model_counts_every_alb() -> None:
    from templates.cost.model import cost_model

    def albs(env: Any) -> int:
        return next(line["quantity"] for line in cost_model(env, build_plan(env))["components"] if line["key"] == "alb")

    assert albs(make_env(services=spread(4, 2))) == 1
    assert albs(make_env(services=spread(40, 4), alb={"rules_per_listener": 20})) == 2


def test_the_diagram_and_the_bill_follow_the_lock_not_a_fresh_allocation() -> None:
    """Hosts the lock keeps on alb-2 are drawn and billed there, though a fresh allocation would fit one ALB."""
    from templates.cost.model import cost_model
    from templates.diagram.model import build_picture

    grown = make_env(services=spread(40, 4), alb={"rules_per_listener": 20})
    grown_lock, _ = placed(grown)
    shrunk = make_env(services=spread(8, 4), alb={"rules_per_listener": 20})
    lock, problems = placed(shrunk, grown_lock)
    assert problems == [] and {r.alb for r in lock.routes} == {"alb", "alb-2"}

    def albs(model: dict[str, Any]) -> int:
        return next(line["quantity"] for line in model["components"] if line["key"] == "alb")

    assert albs(cost_model(shrunk, build_plan(shrunk))) == 1 and albs(cost_model(shrunk, build_plan(shrunk, lock))) == 2
    picture = build_picture(shrunk, build_plan(shrunk, lock))
    assert picture.alb == "2 ALBs: alb, alb-2"
    on_second = {r.service for r in build_plan(shrunk, lock).routes if r.alb == "alb-2"}
    assert on_second and all(r.match.startswith("[alb-2] ") for r in picture.rules if r.service in on_second)
    assert {r.priority for r in picture.rules} == {r.priority for r in build_plan(shrunk, lock).routes}


def test_deployment_alarms_watch_the_alb_their_service_is_on() -> None:
    """ELB publishes a target group's metrics only under its own load balancer: alb-2's services watch alb-2."""
    env = make_env(services=spread(6, 3, per_service=25))
    lock, _ = placed(env)
    built = docs(env, lock)
    seen = set()
    for key, doc in built.items():
        if not key.startswith("svc-"):
            continue
        (alb,) = {shard for shard, _ in rule_albs(doc).values()}
        expected = {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-" + alb_export_key(alb, ExportKey.ALB_FULL_NAME)}}
        for resource in doc["Resources"].values():
            for query in (
                resource["Properties"].get("Metrics", []) if resource["Type"] == "AWS::CloudWatch::Alarm" else []
            ):
                dimensions = {
                    d["Name"]: d["Value"] for d in query.get("MetricStat", {}).get("Metric", {}).get("Dimensions", [])
                }
                if "LoadBalancer" in dimensions:
                    assert dimensions["LoadBalancer"] == expected, key
                    seen.add(alb)
    assert seen == {"alb", "alb-2"}
