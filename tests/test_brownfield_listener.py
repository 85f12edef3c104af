"""The existing ALB and VPC as AWS would treat them, on the local endpoint, through deploy.py's real flows.

Overlaps with other teams' rules judged the way ALB evaluates rules, the same
pre-checks before ``--apply-plan``, certificates that cover none of our hosts,
the existing ALB's DNS name in the summary, and an S3 gateway endpoint someone
else already routes through.  Each test builds its "existing" account in a
region of its own (``tests/brownfield_world.py``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest
import yaml

import deploy
from templates.pipeline import build_all, load_environment
from templates.writer import write_folder
from tests.brownfield_world import World, add_foreign_rule, make_alb, make_vpc
from tests.fault_proxy import FaultProxy
from tests.moto_endpoint import go_offline
from tests.test_brownfield_deploy import STAGING, deploy_staging, planned_rules, stacks

pytestmark = pytest.mark.e2e


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, endpoint)
    return endpoint


def shared(region: str, nat: bool = False) -> World:
    world = make_vpc(region, nat=nat)
    make_alb(world)
    return world


def staging(world: World, tmp_path: Path, **network: object) -> Path:
    """params/staging.yaml over the world (``network`` keys merged into its network section), generated."""
    data = yaml.safe_load(STAGING.read_text().replace("eu-west-1", world.region))
    data["network"]["existing"] = world.existing_vpc()
    data["network"].update(network)
    data["alb"]["existing"] = dict(world.alb)
    params = tmp_path / "staging.yaml"
    params.write_text(yaml.safe_dump(data, sort_keys=False))
    env = load_environment(params)
    folder = tmp_path / "staging"
    shutil.rmtree(folder, ignore_errors=True)
    write_folder(folder, env, build_all(env))
    return folder


def one_line(out: str) -> str:
    return " ".join(out.split())


def test_a_foreign_catch_all_at_a_better_priority_swallowing_our_route_is_refused(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their ``/*`` on our host at priority 1 serves /auth before our rule is ever asked: refused before any change."""
    world = shared("eu-central-1")
    catch_all = add_foreign_rule(world, 1, "api.staging.example.com", ["/*"])
    folder = staging(world, tmp_path)
    (auth,) = planned_rules(folder, "svc-auth")

    code, out = deploy_staging(folder, world.region, capsys)

    assert code == 1, out
    assert (
        f"services.auth route host api.staging.example.com path /auth,/auth/* (priority {auth['Priority']}): "
        f"a request for api.staging.example.com/auth would go to rule {catch_all} (not ours: priority 1, "
        "host api.staging.example.com path /*) instead"
    ) in one_line(out)
    assert f"--allow-route-overlap {catch_all} deploys it as it is" in one_line(out)
    assert stacks(world.region) == []


def test_our_broader_route_taking_their_traffic_is_refused_then_deployed_once_agreed(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Our web route (www.staging.example.com, every path) sits before their /legacy/* at 50000: it would take it."""
    world = shared("ap-northeast-1")
    legacy = add_foreign_rule(world, 50000, "www.staging.example.com", ["/legacy/*"])
    folder = staging(world, tmp_path)

    code, out = deploy_staging(folder, world.region, capsys)

    assert code == 1, out
    assert (
        f"would take a request for www.staging.example.com/legacy/ from rule {legacy} (not ours: priority 50000, "
        "host www.staging.example.com path /legacy/*), which serves it today"
    ) in one_line(out)
    assert stacks(world.region) == []

    code = deploy.main(
        ["--env", "staging", "--dir", str(folder), "--region", world.region, "--execute", "--yes",
         "--allow-route-overlap", legacy]
    )  # fmt: skip
    out = capsys.readouterr().out

    assert code == 0, out
    assert "warning: services.web route host www.staging.example.com" in one_line(out)
    assert "(accepted with --allow-route-overlap)" in one_line(out)


def test_hosts_no_certificate_of_the_shared_listener_covers_are_a_warning_and_the_dns_name_is_known(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their listener has ``*.example.com`` only: one label, so neither staging host is covered. Warn, deploy."""
    world = shared("ca-central-1")
    folder = staging(world, tmp_path)

    code, out = deploy_staging(folder, world.region, capsys)

    assert code == 0, out
    text = one_line(out)
    for host in ("api.staging.example.com", "www.staging.example.com"):
        assert (
            f"warning: host {host}: no certificate of the shared HTTPS listener {world.alb['https_listener_arn']} "
            "covers it (they cover *.example.com)"
        ) in text
    assert f"ALB DNS name: {world.alb['dns_name']}" in text
    assert "(not found)" not in text


def test_a_certificate_added_for_our_hosts_silences_the_warning(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = shared("eu-north-1")
    certificate = boto3.client("acm", region_name=world.region).request_certificate(DomainName="*.staging.example.com")[
        "CertificateArn"
    ]
    boto3.client("elbv2", region_name=world.region).add_listener_certificates(
        ListenerArn=world.alb["https_listener_arn"], Certificates=[{"CertificateArn": certificate}]
    )
    folder = staging(world, tmp_path)

    code, out = deploy_staging(folder, world.region, capsys)

    assert code == 0, out
    assert "no certificate of the shared HTTPS listener" not in one_line(out)
    assert f"ALB DNS name: {world.alb['dns_name']}" in one_line(out)  # theirs, from the templates


def test_an_s3_gateway_endpoint_already_on_our_route_tables_is_refused_naming_the_switch(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their VPC has a NAT gateway (nat: single) and their own S3 gateway endpoint on one of our route tables."""
    world = shared("eu-west-2", nat=True)
    ec2 = boto3.client("ec2", region_name=world.region)
    theirs = ec2.create_vpc_endpoint(
        VpcId=world.vpc_id,
        ServiceName=f"com.amazonaws.{world.region}.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[world.private_route_tables[1]],
    )["VpcEndpoint"]["VpcEndpointId"]

    code, out = deploy_staging(staging(world, tmp_path, nat="single"), world.region, capsys)

    assert code == 1, out
    assert (
        f"route table {world.private_route_tables[1]} already routes s3 through gateway endpoint {theirs}, made "
        "outside these stacks; ours would fail mid-deploy (one route per service and table). Set "
        "network.endpoints.s3_gateway: false"
    ) in one_line(out)
    assert world.private_route_tables[0] not in out
    assert stacks(world.region) == []

    endpoints = {"s3_gateway": False, "extra": ["sqs"]}
    code, out = deploy_staging(staging(world, tmp_path, nat="single", endpoints=endpoints), world.region, capsys)
    assert code == 0, out


def test_our_own_gateway_endpoint_is_not_someone_elses_on_the_next_deploy(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = shared("us-east-2")
    folder = staging(world, tmp_path)
    assert deploy_staging(folder, world.region, capsys)[0] == 0

    code, out = deploy_staging(folder, world.region, capsys)

    assert code == 0, out
    assert "already routes s3" not in out


def test_apply_plan_runs_the_account_pre_check_a_rule_taken_since_the_review_refuses_it(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another team's rule at our priority, created after the review: refused before anything is executed."""
    world = shared("sa-east-1")
    folder = staging(world, tmp_path)
    assert deploy.main(["--env", "staging", "--dir", str(folder), "--region", world.region]) == 0
    plan = tmp_path / "plan.json"
    shutil.copy(folder / "review.json", plan)
    (auth,) = planned_rules(folder, "svc-auth")
    taken = add_foreign_rule(world, int(auth["Priority"]), "other.example.com", [])
    capsys.readouterr()
    proxy.clear()

    code = deploy.main(["--env", "staging", "--dir", str(folder), "--apply-plan", str(plan), "--yes"])

    out = one_line(capsys.readouterr().out)
    assert code == 1, out
    assert f"that priority is taken on the shared listener by rule {taken}" in out
    assert "nothing was planned or changed" in out
    assert proxy.count("ExecuteChangeSet") == 0
    cfn = boto3.client("cloudformation", region_name=world.region)
    statuses = {s["StackStatus"] for s in cfn.describe_stacks()["Stacks"]}
    assert statuses <= {"REVIEW_IN_PROGRESS"}, statuses  # the reviewed change sets, never executed
    assert json.loads(plan.read_text())["exit_code"] == 0
