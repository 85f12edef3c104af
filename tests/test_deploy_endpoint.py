"""Each patch of the local endpoint is still needed: the pinned moto, unpatched, still has the gap.

These run moto in this process (``mock_aws``), where ``tests/moto_patches.py``
is never applied.  When one fails after a moto upgrade, delete that patch.
"""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from deployer.aws.clients import make_clients
from tests.moto_endpoint import go_offline, run_against

moto = pytest.importorskip("moto")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cfn() -> Iterator[Any]:
    """moto in this process; conftest has dropped every AWS_* variable (no endpoint URL, no profile)."""
    with moto.mock_aws():
        yield boto3.client("cloudformation", region_name="eu-west-1")


VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}


def test_gap_1_executing_a_change_set_registers_no_exports(cfn: Any) -> None:
    template = {
        "Resources": {"Vpc": VPC},
        "Outputs": {"Id": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "gap-VpcId"}}},
    }
    made = cfn.create_change_set(
        StackName="gap", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=json.dumps(template)
    )
    cfn.execute_change_set(ChangeSetName=made["Id"])
    assert cfn.list_exports()["Exports"] == [], "moto registers exports now: drop patch_change_set_exports"


def test_gap_1_a_create_change_set_cannot_import_an_existing_export(cfn: Any) -> None:
    """The import side of gap 1 (``_with_region_exports``): the change set's stack never sees the exports."""
    exporter = {
        "Resources": {"Vpc": VPC},
        "Outputs": {"Id": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "gap-VpcId"}}},
    }
    cfn.create_stack(StackName="exporter", TemplateBody=json.dumps(exporter))
    assert [e["Name"] for e in cfn.list_exports()["Exports"]] == ["gap-VpcId"]  # create_stack registers it
    group = {"GroupDescription": "d", "VpcId": {"Fn::ImportValue": "gap-VpcId"}}
    importer = {"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": group}}}
    made = cfn.create_change_set(
        StackName="importer", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=json.dumps(importer)
    )
    # If this stops raising: drop _with_region_exports from patch_change_set_exports.
    with pytest.raises(ClientError, match="No export named gap-VpcId found"):
        cfn.execute_change_set(ChangeSetName=made["Id"])


def test_gap_4_list_change_sets_ignores_the_stack_name(cfn: Any) -> None:
    for name in ("one", "two"):
        cfn.create_change_set(
            StackName=name,
            ChangeSetName="c1",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps({"Resources": {"Vpc": VPC}}),
        )
    stacks = {s["StackName"] for s in cfn.list_change_sets(StackName="one")["Summaries"]}
    assert stacks == {"one", "two"}, "moto filters by StackName now: drop patch_list_change_sets_stack_name"


WAIT_HANDLE = json.dumps({"Resources": {"Marker": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})


def test_gap_7_a_change_set_name_can_be_taken_twice_on_one_stack(cfn: Any) -> None:
    kwargs = {"StackName": "gap7", "ChangeSetName": "taken", "ChangeSetType": "CREATE", "TemplateBody": WAIT_HANDLE}
    first = cfn.create_change_set(**kwargs)
    second = cfn.create_change_set(**kwargs)  # CloudFormation: AlreadyExistsException
    assert first["Id"] != second["Id"], "moto refuses a taken change-set name now: drop patch_change_set_names"
    assert first["StackId"] != second["StackId"]  # and a second stack of the same name


def test_gap_8_deleting_a_deleted_change_set_is_an_internal_error(cfn: Any) -> None:
    made = cfn.create_change_set(
        StackName="gap8", ChangeSetName="once", ChangeSetType="CREATE", TemplateBody=WAIT_HANDLE
    )
    cfn.delete_change_set(ChangeSetName=made["Id"])
    with pytest.raises(Exception) as raised:  # CloudFormation: ChangeSetNotFound
        cfn.delete_change_set(ChangeSetName=made["Id"])
    assert not isinstance(raised.value, ClientError) or "ChangeSetNotFound" not in str(raised.value), (
        "moto answers ChangeSetNotFound now: drop patch_delete_missing_change_set"
    )


def test_gap_9_get_template_ignores_the_change_set(cfn: Any) -> None:
    made = cfn.create_change_set(StackName="gap9", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=WAIT_HANDLE)
    with pytest.raises(ClientError, match="Stack with id None does not exist"):  # CloudFormation: the template
        cfn.get_template(ChangeSetName=made["Id"], TemplateStage="Original")


@pytest.mark.filterwarnings("ignore::UserWarning")  # moto has no model for a wait condition handle
def test_gap_10_executing_a_change_set_keeps_the_others(cfn: Any) -> None:
    cfn.create_stack(StackName="gap10", TemplateBody=WAIT_HANDLE)
    other = json.dumps({"Resources": {"Other": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
    # ChangeSetType as the deployer gives it: without it moto makes each change set a new stack of that name
    first = cfn.create_change_set(StackName="gap10", ChangeSetName="a", ChangeSetType="UPDATE", TemplateBody=other)
    second = cfn.create_change_set(StackName="gap10", ChangeSetName="b", ChangeSetType="UPDATE", TemplateBody=other)
    cfn.execute_change_set(ChangeSetName=first["Id"])
    statuses = {s["ChangeSetName"]: s["ExecutionStatus"] for s in cfn.list_change_sets(StackName="gap10")["Summaries"]}
    assert statuses.get("b") == "AVAILABLE", "moto discards the other change sets now: drop the gap 10 patch"
    assert second["StackId"] == first["StackId"]  # both of the one stack: the gap, not two stacks


def test_gap_5_list_imports_is_not_implemented(cfn: Any) -> None:
    with pytest.raises(NotImplementedError, match="list_imports"):  # if this stops raising: drop patch_list_imports
        cfn.list_imports(ExportName="gap-VpcId")


@pytest.mark.filterwarnings("ignore:Exception\\(DependencyViolationError\\):UserWarning")  # moto's own noise about it
def test_gap_6_deleting_a_stack_leaves_its_route_tables_so_the_vpc_stays(cfn: Any) -> None:
    table = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}
    cfn.create_stack(StackName="gap", TemplateBody=json.dumps({"Resources": {"Vpc": VPC, "Table": table}}))
    with pytest.raises(ClientError, match="has dependencies"):  # if this stops raising: drop patch_network_deletes
        cfn.delete_stack(StackName="gap")


def test_gap_11_an_unimplemented_action_is_a_server_error(cfn: Any) -> None:
    with pytest.raises(NotImplementedError):  # the server turns this into HTTP 500 with a text traceback
        cfn.detect_stack_drift(StackName="gap11")


def test_gap_2_get_azs_does_not_resolve_a_ref(cfn: Any) -> None:
    az = {"Fn::Select": [0, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}
    properties = {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": az}
    subnet = {"Type": "AWS::EC2::Subnet", "Properties": properties}
    template = {"Resources": {"Vpc": VPC, "Subnet": subnet}}
    with pytest.raises(ClientError, match="availabilityZone"):  # if this stops raising: drop patch_get_azs_ref
        cfn.create_stack(StackName="gap", TemplateBody=json.dumps(template))


def test_gap_3_private_dns_namespace_has_no_cloudformation_model() -> None:
    from moto.cloudformation.parsing import get_model_map

    # When moto gains the model: drop patch_private_dns_namespace and tests/moto_namespace.py.
    assert "AWS::ServiceDiscovery::PrivateDnsNamespace" not in get_model_map()


def test_gap_12_update_stack_leaves_the_change_sets_available(cfn: Any) -> None:
    cfn.create_stack(StackName="gap12", TemplateBody=json.dumps({"Resources": {"Vpc": VPC}}))
    other = {"Resources": {"Vpc": VPC, "Other": VPC}}
    made = cfn.create_change_set(
        StackName="gap12", ChangeSetName="a", ChangeSetType="UPDATE", TemplateBody=json.dumps(other)
    )
    cfn.update_stack(StackName="gap12", TemplateBody=json.dumps({"Resources": {"Vpc": VPC, "Third": VPC}}))
    status = cfn.describe_change_set(ChangeSetName=made["Id"])["ExecutionStatus"]
    assert status == "AVAILABLE", "moto makes change sets OBSOLETE now: drop patch_update_stack_obsoletes_change_sets"


def _listener(region: str) -> tuple[str, str]:
    """A VPC id and an HTTP listener ARN, made with boto3 (moto in this process)."""
    ec2, elbv2 = boto3.client("ec2", region_name=region), boto3.client("elbv2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(zones)
    ]
    (lb,) = elbv2.create_load_balancer(Name="gap13", Subnets=subnets)["LoadBalancers"]
    not_found = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=not_found
    )["Listeners"][0]["ListenerArn"]
    return vpc, listener


def test_gap_13_deleting_a_stack_leaves_its_listener_rule_target_group_and_endpoint(cfn: Any) -> None:
    vpc, listener = _listener("eu-west-1")
    group = {"Port": 80, "Protocol": "HTTP", "VpcId": vpc, "TargetType": "ip"}
    rule = {
        "ListenerArn": listener,
        "Priority": 7,
        "Conditions": [{"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com"]}}],
        "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Group"}}],
    }
    endpoint = {
        "VpcId": vpc,
        "ServiceName": "com.amazonaws.eu-west-1.s3",
        "VpcEndpointType": "Gateway",
        "RouteTableIds": [],
    }
    resources = {
        "Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": group},
        "Rule": {"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": rule},
        "Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": endpoint},
    }
    cfn.create_stack(StackName="gap13", TemplateBody=json.dumps({"Resources": resources}))
    cfn.delete_stack(StackName="gap13")
    elbv2 = boto3.client("elbv2", region_name="eu-west-1")
    left = [r for r in elbv2.describe_rules(ListenerArn=listener)["Rules"] if not r["IsDefault"]]
    endpoints = boto3.client("ec2", region_name="eu-west-1").describe_vpc_endpoints()["VpcEndpoints"]
    # When these stop holding: drop patch_listener_rule_and_target_group_deletes.
    assert len(left) == 1 and len(elbv2.describe_target_groups()["TargetGroups"]) == 1
    assert [e["State"].lower() for e in endpoints] == ["available"]


def test_gap_14_a_failing_resource_fails_the_execute_call_and_nothing_rolls_back(cfn: Any) -> None:
    boto3.client("logs", region_name="eu-west-1").create_log_group(logGroupName="/gap14/taken")
    group = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/gap14/taken"}, "DependsOn": "Vpc"}
    made = cfn.create_change_set(
        StackName="gap14",
        ChangeSetName="c",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps({"Resources": {"Vpc": VPC, "Group": group}}),
    )
    with pytest.raises(Exception, match="already exists"):  # CloudFormation: accepted, then ROLLBACK_COMPLETE
        cfn.execute_change_set(ChangeSetName=made["Id"])
    (stack,) = cfn.describe_stacks(StackName="gap14")["Stacks"]
    assert stack["StackStatus"] == "REVIEW_IN_PROGRESS", "moto rolls back now: drop patch_failed_resource_rolls_back"
    assert len(boto3.client("ec2", region_name="eu-west-1").describe_vpcs()["Vpcs"]) == 2  # default + the stack's


def test_gap_15_an_action_unknown_to_the_service_escapes_as_a_server_error() -> None:
    from botocore.model import OperationNotFoundError
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import Client

    client = Client(DomainDispatcherApplication(create_backend_app))
    signed = "AWS4-HMAC-SHA256 Credential=testing/20240101/eu-west-1/cloudformation/aws4_request, Signature=x"
    headers = {"Authorization": signed, "Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/", data="Action=ListStacks&Version=2010-05-15", headers=headers).status_code == 200
    with pytest.raises(
        OperationNotFoundError
    ):  # the server answers HTTP 500; if this stops: drop patch_unknown_actions
        client.post("/", data="Action=NoSuchAction&Version=2010-05-15", headers=headers)


def test_gap_16_describing_a_deleted_stack_creates_its_resources_again(cfn: Any) -> None:
    template = {"Resources": {"Vpc": VPC}, "Outputs": {"Id": {"Value": {"Ref": "Vpc"}}}}
    stack_id = cfn.create_stack(StackName="gap16", TemplateBody=json.dumps(template))["StackId"]
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    cfn.delete_stack(StackName="gap16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # the default VPC: the stack's went with it
    cfn.describe_stacks(StackName=stack_id)  # how a deletion is followed
    assert len(ec2.describe_vpcs()["Vpcs"]) == 2, "moto no longer re-creates: drop patch_deleted_stack_outputs"


def test_gap_17_capacity_providers_have_no_cloudformation_model() -> None:
    from moto.cloudformation.parsing import get_model_map

    # When moto gains them: drop patch_capacity_providers and tests/moto_capacity.py.
    missing = {"AWS::ECS::CapacityProvider", "AWS::ECS::ClusterCapacityProviderAssociations"} - set(get_model_map())
    assert missing == {"AWS::ECS::CapacityProvider", "AWS::ECS::ClusterCapacityProviderAssociations"}


def test_gap_18_alb_hosted_zone_is_a_placeholder() -> None:
    from moto.elbv2.models import FakeLoadBalancer

    # When moto answers the region's zone: drop patch_alb_hosted_zone (and brownfield_world's own zone).
    moto_init = inspect.unwrap(FakeLoadBalancer.__init__)  # moto's own, patched in this process or not
    balancer = FakeLoadBalancer.__new__(FakeLoadBalancer)
    moto_init(balancer, "x", [], [], "vpc-1", "arn:aws:elasticloadbalancing:eu-west-1:1:lb", "d", "active")
    assert balancer.canonical_hosted_zone_id == "Z2P70J7EXAMPLE"


# --- the test and demo environments reach loopback only ---------------------------------------------

LEAKS = [
    {"AWS_ENDPOINT_URL_CLOUDFORMATION": "https://cloudformation.eu-west-1.amazonaws.com"},
    {"AWS_ENDPOINT_URL_S3": "https://s3.eu-west-1.amazonaws.com", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "x"},
    {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
]
LOCAL = "http://127.0.0.1:9"
PRINT_ENDPOINTS = (
    f"import sys; sys.path.insert(0, {str(ROOT)!r}); from deployer.aws.clients import make_clients; "
    "c = make_clients(None, 'eu-west-1'); print(c.cloudformation.meta.endpoint_url, c.s3.meta.endpoint_url, "
    "c.elbv2.meta.endpoint_url)"
)


@pytest.mark.parametrize("leak", LEAKS)
def test_the_test_fixtures_keep_every_client_on_loopback(monkeypatch: pytest.MonkeyPatch, leak: dict[str, str]) -> None:
    for name, value in leak.items():  # a developer's shell
        monkeypatch.setenv(name, value)

    go_offline(monkeypatch, LOCAL)  # what the e2e fixtures do

    clients = make_clients(None, "eu-west-1")
    assert [c.meta.endpoint_url for c in (clients.cloudformation, clients.s3, clients.elbv2)] == [LOCAL] * 3


@pytest.mark.parametrize("leak", LEAKS)
def test_a_command_run_against_the_endpoint_reaches_loopback_only(
    capfd: pytest.CaptureFixture[str], leak: dict[str, str]
) -> None:
    """What ``make demo`` gives deploy.py, from a shell with those variables set."""
    assert run_against([sys.executable, "-c", PRINT_ENDPOINTS], LOCAL, {**os.environ, **leak}) == 0
    assert capfd.readouterr().out.split() == [LOCAL] * 3


CHILD = """
import sys, time
try:
    print("ready", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    time.sleep(0.5)  # cleaning up, as deploy.py does when it writes its review files
    print("child: cleaned up after Ctrl-C", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_during_make_demo_lets_the_command_finish_then_stops_the_endpoint(tmp_path: Path) -> None:
    """What a terminal does: SIGINT to the whole process group (endpoint and the command it runs)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    demo = subprocess.Popen(
        [sys.executable, "-m", "tests.moto_endpoint", "--", sys.executable, str(script)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = []
        while not lines or lines[-1].strip() != "ready":
            line = demo.stdout.readline() if demo.stdout else ""
            assert line, f"the demo ended before its command started: {lines}"
            lines.append(line)
        os.killpg(demo.pid, signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    assert demo.returncode == 130, rest
    assert "child: cleaned up after Ctrl-C\nlocal AWS endpoint stopped\n" in rest, rest
