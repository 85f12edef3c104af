"""Progress while a run works: plain timestamped lines in CI logs, a live table per stack in a terminal."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from rich.console import Console

from deployer.aws.clients import Timing
from deployer.review.stack_review import Result
from deployer.run.deploy import Options
from deployer.run.deploy import deploy as run_deploy
from deployer.run.plan_stack import plan_stack
from deployer.view.progress import Progress
from tests.changeset_fixtures import stack
from tests.fault_proxy import THROTTLING, FaultProxy
from tests.test_deploy_failures import context

STAMPED = re.compile(r"^\d\d:\d\d:\d\dZ ")


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture
def proxy(unslept_proxy: FaultProxy) -> FaultProxy:
    """Every test here talks to the proxy with botocore's backoff unslept."""
    return unslept_proxy


def test_waiting_for_a_busy_stack_is_a_timestamped_line_per_poll_with_the_time_waited(
    dev: Path, stubbed: tuple[Any, Stubber]
) -> None:
    """A stack another operation is changing (moto never has one: Stubber)."""
    client, stub = stubbed
    name = "shop-dev-network"
    stub.add_response("describe_stacks", stack(name, "UPDATE_IN_PROGRESS"))
    stub.add_response("describe_stacks", stack(name, "UPDATE_IN_PROGRESS"))  # the settle waiter's polls
    stub.add_response("describe_stacks", stack(name, "UPDATE_IN_PROGRESS"))
    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
    stub.add_response("describe_stacks", stack(name, "UPDATE_COMPLETE"))
    stub.add_response("list_change_sets", {"Summaries": []})
    stub.add_response("get_template", {"TemplateBody": (dev / "network.json").read_text()})
    stub.add_client_error("create_change_set", "ValidationError", "No updates are to be performed.", 400)
    screen = io.StringIO()
    progress = Progress(Console(file=screen, width=200), {"network": name}, live=False)
    timing = Timing(busy_delay=0, busy_timeout=60)

    assert plan_stack(context(dev, client, timing=timing, progress=progress), "network").result is Result.NO_CHANGES

    lines = screen.getvalue().splitlines()
    assert all(STAMPED.match(line) for line in lines), lines
    waits = [line for line in lines if "busy (UPDATE_IN_PROGRESS): waiting up to 60s" in line]
    assert len(waits) == 3 and waits[-1].endswith("s so far)"), lines  # the first report, then one per poll
    assert lines[-1].endswith(f"{name}: creating its change set")


def test_a_terminal_gets_a_live_table_of_stacks_and_what_each_is_doing(proxy: FaultProxy, dev: Path) -> None:
    proxy.add("CreateChangeSet", "delay", seconds=1.5, after=1)  # not the lock: the network stack's change set
    proxy.add("DescribeStacks", "status", times=1, status=400, body=THROTTLING)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, force_interactive=True, width=160)

    code = run_deploy(Options(dev, region="us-east-2", timing=Timing(change_set_delay=0)), console, lambda _q: False)

    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())  # the text, without the terminal's codes
    assert code == 0
    assert "Stack" in shown and "Status" in shown and "For" in shown
    assert "shop-dev-network" in shown and "creating its change set" in shown, (proxy.log[:8], shown[:1500])
    assert re.search(r"creating its change set\s+1s", shown), (proxy.log[:12], shown[:1200])
    assert "retrying DescribeStacks after Throttling (attempt 2)" in shown
