"""Deploys against the slow endpoint: change sets and stack operations take time, the account has a rate limit.

The endpoint (``tests/slow_endpoint.py``) is scaled to a tenth of the issue's
figures (change sets 0.2 s, the network 0.6 s, ALB and cluster 0.4 s,
services 0.8 s) with a tight token bucket (20 calls a second, bursts of 5),
so the ordering, the batching and the throttling show in a few seconds.  The
endpoint's own record (its timeline and request counts) is the evidence;
nothing here is timed: the speed targets are ``make bench``'s.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from rich.console import Console

from deployer.run.deploy import Options, deploy
from deployer.run.inputs import load_deployment
from tests.moto_endpoint import endpoint_process, go_offline
from tests.slow_endpoint import Slowness, stats

pytestmark = pytest.mark.e2e
SLOW = Slowness(rate=20, burst=5).scaled(0.1)


@pytest.fixture(scope="module")
def slow_url() -> Iterator[str]:
    with endpoint_process(slow=SLOW) as url:
        yield url


@pytest.fixture
def slow(slow_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, slow_url)
    return slow_url


def times(timeline: list[dict[str, Any]], stack: str, *what: str) -> list[float]:
    return [entry["t"] for entry in timeline if entry["stack"] == stack and entry["what"] in what]


STARTED = ("change set created", "stack created")  # a stack's first call: its change set, or CreateStack


def test_a_first_deploy_follows_the_graph_at_the_endpoint_s_pace(slow: str, dev: Path) -> None:
    """Each stack starts once what it imports from is done; every service at once; throttling costs no call.

    The service stacks, previewed from their templates, are created directly (CreateStack, no change set).
    """
    out = io.StringIO()
    before = stats(slow)

    code = deploy(Options(dev, region="eu-west-3", execute=True, yes=True), Console(file=out, width=200), _yes)

    assert code == 0, out.getvalue()[-3000:]
    after = stats(slow)
    timeline = after["timeline"][len(before["timeline"]) :]
    deployment = load_deployment(dev)
    names = deployment.stack_names
    for key, needs in deployment.depends_on().items():
        for dependency in needs:  # its change set is made after each stack it imports from is done
            assert min(times(timeline, names[key], *STARTED)) >= max(times(timeline, names[dependency], "done")), (
                key,
                dependency,
            )
    waited = {  # from the end of the last stack it imports from to its change set, per service stack
        key: min(times(timeline, names[key], *STARTED))
        - max(t for dependency in needs for t in times(timeline, names[dependency], "done"))
        for key, needs in deployment.depends_on().items()
        if key.startswith("svc-")
    }
    created = {e["stack"] for e in timeline if e["what"] == "stack created"}
    assert {names[key] for key in waited} <= created  # previewed new stacks: CreateStack, not a change set
    # No service waited for another's end: each was started within one service operation of what the
    # stack needs being done (that every ready stack runs at once is test_deploy_executor's).
    assert len(waited) > 4 and max(waited.values()) < SLOW.operation_seconds("shop-dev-svc-x"), waited
    throttled = sum(after["throttled"].values()) - sum(before["throttled"].values())
    assert throttled > 0  # the bursts were throttled, and the run slowed down instead of failing
    assert {s["result"] for s in json.loads((dev / "review.json").read_text())["stacks"]} == {"executed"}
    requests = {a: n - before["requests"].get(a, 0) for a, n in after["requests"].items()}
    assert requests.get("DetectStackDrift", 0) == 0  # never on a stack the run creates
    assert requests["ListStacks"] > 0  # several stacks in flight: one ListStacks for all of them
    assert "aws logs tail /ecs/shop-dev-auth --follow --region eu-west-3" in out.getvalue()


@pytest.fixture
def holding(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An endpoint whose holds are long enough to be seen on a busy machine (and no rate limit)."""
    with endpoint_process(slow=Slowness(change_set=1.5, operations=((".", 2.5),), rate=0)) as url:
        go_offline(monkeypatch, url)
        yield url


def test_the_endpoint_holds_change_sets_and_operations_as_aws_does(holding: str) -> None:
    """CREATE_IN_PROGRESS until computed (ExecuteChangeSet refused meanwhile), then in progress for its time."""
    cfn = boto3.client("cloudformation", region_name="sa-east-1")
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {"Arn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "held-topic"}}}}  # fmt: skip
    made = cfn.create_change_set(StackName="held-network", ChangeSetName="c1", ChangeSetType="CREATE",
                                 TemplateBody=json.dumps(template))  # fmt: skip
    assert cfn.describe_change_set(ChangeSetName=made["Id"])["Status"] == "CREATE_IN_PROGRESS"
    with pytest.raises(ClientError) as refused:
        cfn.execute_change_set(ChangeSetName=made["Id"])
    assert refused.value.response["Error"]["Code"] == "InvalidChangeSetStatus"
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=made["Id"], WaiterConfig={"Delay": 0.1})
    cfn.execute_change_set(ChangeSetName=made["Id"])
    stack = cfn.describe_stacks(StackName="held-network")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_IN_PROGRESS" and not stack.get("Outputs")
    assert "held-topic" not in {e["Name"] for e in cfn.list_exports()["Exports"]}  # nothing can import it yet
    cfn.get_waiter("stack_create_complete").wait(StackName="held-network", WaiterConfig={"Delay": 0.2})
    assert "held-topic" in {e["Name"] for e in cfn.list_exports()["Exports"]}
    assert os.environ["AWS_ENDPOINT_URL"] == holding


def _yes(_question: str) -> bool:
    return True
