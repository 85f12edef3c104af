"""Faults and signals, through a real fault-injecting proxy on loopback in front of the local endpoint.

botocore parses exactly the bytes a misbehaving load balancer or proxy would
send (``tests/fault_proxy.py``); signals go to a real ``deploy.py`` process.
Where botocore's own backoff would make a test slow, its sleep is recorded
instead of slept (botocore's, never ours).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from rich.console import Console

import deploy
from deployer.aws.clients import Timing
from deployer.review.stack_review import Result
from deployer.run.deploy import Options
from deployer.run.deploy import deploy as run_deploy
from deployer.run.execute_stack import execute_stack
from tests.changeset_fixtures import stack
from tests.fault_proxy import HTML_502, THROTTLING, FaultProxy, fault_proxy
from tests.moto_endpoint import go_offline, offline_env
from tests.signals import sigterm_after
from tests.test_deploy_failures import Recorder, context, executed, ready

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
FAST = Timing(change_set_delay=0, busy_delay=0, busy_timeout=3, delete_delay=0, poll_min=0.05, poll_max=0.2)


@pytest.fixture
def proxy(unslept_proxy: FaultProxy) -> FaultProxy:
    """Every test here talks to the proxy with botocore's backoff unslept."""
    return unslept_proxy


def review_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "review.json").read_text())


def results(folder: Path) -> dict[str, str]:
    return {s["key"]: s["result"] for s in review_of(folder)["stacks"]}


def test_5xx_answers_that_are_not_xml_are_retried_like_any_5xx(
    proxy: FaultProxy, dev: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A load balancer's plain-text 503 and a proxy's HTML 502 (botocore: ResponseParserError) are retried."""
    proxy.add("DescribeStacks", "status", times=2)  # plain text
    proxy.add("CreateChangeSet", "status", times=1, status=502, body=HTML_502, content_type="text/html")
    proxy.add("ExecuteChangeSet", "status", times=1, status=503, body=b"")

    code = deploy.main(["--env", "dev", "--dir", str(dev), "--region", "eu-north-1", "--execute", "--yes"])

    out = capsys.readouterr()
    assert code == 0, out.err
    assert set(results(dev).values()) == {"executed"}
    assert proxy.count("DescribeStacks", "status") == 2 and proxy.count("CreateChangeSet", "status") == 1
    assert "retrying DescribeStacks after HTTP 503" in out.out  # the retries are shown, not silent
    assert "Traceback" not in out.err + out.out


def test_an_endpoint_that_only_answers_garbage_ends_in_one_line_and_no_traceback(
    endpoint: str, dev: Path, tmp_path: Path
) -> None:
    """After botocore's last attempt: exit 1, one line naming what came back; no ResponseParserError traceback."""
    with fault_proxy(endpoint) as proxy:
        proxy.add("*", "status", times=1000, status=502, body=HTML_502, content_type="text/html")
        env = {**offline_env(os.environ, proxy.url), "AWS_MAX_ATTEMPTS": "2"}
        done = subprocess.run(
            [sys.executable, "deploy.py", "--env", "dev", "--dir", str(dev), "--region", "eu-north-1"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "HTTP502" in line and "Bad Gateway" in line and "GetCallerIdentity" in line, line  # the run's first call
    assert [action for action, _ in proxy.log] == ["GetCallerIdentity"] * 2  # AWS_MAX_ATTEMPTS is honoured


def test_a_throttled_poll_while_following_a_stack_is_not_a_verdict(
    proxy: FaultProxy, dev: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polls that fail even after botocore's retries (here: no retries) are asked again; the stack decides.

    Today's main reported the network stack as failed ("stack is now Throttling") and skipped
    every stack depending on it, though CloudFormation had created it.
    """
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    proxy.add("DescribeStacks", "status", times=3, status=400, body=THROTTLING, armed_by="ExecuteChangeSet")
    proxy.add("DescribeStackEvents", "status", times=1, armed_by="ExecuteChangeSet")  # events are not a verdict
    lines = io.StringIO()
    options = Options(dev, execute=True, yes=True, region="eu-south-1", workers=1, timing=FAST)

    code = run_deploy(options, Console(file=lines, width=200), lambda _question: True)

    assert proxy.count("DescribeStacks", "status") == 3
    assert code == 0, lines.getvalue()
    assert set(results(dev).values()) == {"executed"}
    assert "reading its status failed (Throttling: Rate exceeded); asking again" in lines.getvalue()


def test_sigterm_stops_like_ctrl_c_and_the_review_says_what_really_happened(endpoint: str, dev: Path) -> None:
    """A cancelled CI job: 143, a message, and review.json with each stack's true result (not exit code 0)."""
    with fault_proxy(endpoint) as proxy:
        # The first poll after the first execute hangs for a while: the run is following the network stack.
        proxy.add("DescribeStacks", "delay", seconds=3, armed_by="ExecuteChangeSet")
        args = ["--env", "dev", "--dir", str(dev), "--region", "ap-south-1", "--execute", "--yes"]
        returncode, err = sigterm_after(proxy, "ExecuteChangeSet", args)
    assert returncode == 143, err
    assert "terminated (SIGTERM): nothing new was started" in err and "Traceback" not in err
    review = review_of(dev)
    assert review["exit_code"] == 143
    found = results(dev)
    assert found["network"] == "executed"  # it was executed and had finished: its true result
    assert {found[key] for key in found if key != "network"} == {"interrupted"}
    assert proxy.count("ExecuteChangeSet") == 1  # nothing new was started after SIGTERM


@pytest.mark.parametrize(
    "failure",
    ["no credentials", "endpoint unreachable", "bad flag"],
)
def test_an_early_failure_leaves_no_earlier_review_for_ci_to_read(
    failure: str, dev: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = {"exit_code": 0, "stacks": []}
    (dev / "review.json").write_text(json.dumps(old))
    (dev / "review.md").write_text("# all good\n")
    args = ["--env", "dev", "--dir", str(dev), "--region", "eu-west-3"]
    if failure == "no credentials":
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name)
    elif failure == "endpoint unreachable":
        go_offline(monkeypatch, "http://127.0.0.1:9")  # discard port: connection refused
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    if failure == "bad flag":
        with pytest.raises(SystemExit) as exit_info:
            deploy.main([*args, "--parallel", "0"])
        code = exit_info.value.code
    else:
        code = deploy.main(args)

    assert code == (2 if failure == "bad flag" else 1)
    assert not (dev / "review.json").exists() and not (dev / "review.md").exists()
    assert "Traceback" not in capsys.readouterr().err


def test_an_unwritable_review_file_is_exit_2_before_any_aws_call(
    proxy: FaultProxy, dev: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (dev / "review.md").mkdir()

    code = deploy.main(["--env", "dev", "--dir", str(dev)])

    assert code == 2
    assert proxy.log == []
    err = capsys.readouterr().err
    assert "review.md is not a file" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("region", ["eu west 1", "EU-WEST-1", "eu-west-1/", "europe"])
def test_a_malformed_region_is_a_bad_flag(region: str, dev: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        deploy.main(["--env", "dev", "--dir", str(dev), "--region", region])
    assert exit_info.value.code == 2
    assert "is not an AWS region name" in capsys.readouterr().err


def test_the_prompt_shows_the_choices_and_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich read "[y/N]" as a markup tag and printed nothing of it."""
    screen = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    answer = deploy.ask(Console(file=screen, force_terminal=False))("Execute these change sets in eu-west-1?")
    assert answer is True
    assert screen.getvalue() == "Execute these change sets in eu-west-1? [y/N] "


def test_results_after_a_stop_are_failures_for_the_exit_code() -> None:
    """A stack still running or whose outcome is unknown is not deployed: its dependents must not go on."""
    for result in (Result.RUNNING, Result.UNKNOWN):
        assert result.is_failure and result.holds_back_dependents


@pytest.mark.parametrize(
    ("last_look", "expected"), [("UPDATE_COMPLETE", "executed"), ("UPDATE_IN_PROGRESS", "running")]
)
def test_a_stack_executed_before_a_stop_gets_its_true_result(dev: Path, last_look: str, expected: str) -> None:
    """moto finishes every operation at once, so "still in progress when the run stopped" needs Stubber."""
    client = boto3.client("cloudformation", region_name="eu-west-1")
    name = "shop-dev-svc-auth"
    with Stubber(client) as stub:
        stub.add_response("execute_change_set", {}, executed(name))
        stub.add_response("describe_stacks", stack(name, "UPDATE_IN_PROGRESS"))
        stub.add_response("describe_stack_events", {"StackEvents": []})
        stub.add_response("describe_stacks", stack(name, last_look))  # the one read after the stop
        ctx = context(dev, client)
        gate = Recorder().gate()
        gate.on_events = lambda _name: lambda _events: ctx.stop.set()  # SIGTERM lands while following

        done = execute_stack(ctx, ready("svc-auth", name), gate)

        stub.assert_no_pending_responses()
    assert done.result is (Result.EXECUTED if expected == "executed" else Result.RUNNING)
    if expected == "running":
        assert done.message.startswith("executed; stopped following; CloudFormation goes on")


def test_an_endpoint_without_drift_is_believed_the_first_time(proxy: FaultProxy, dev: Path) -> None:
    """Drift is optional: one answer that it is not supported (readable or not) is enough for the whole run.

    Asked only of deployed stacks (the first deploy creates every stack: none), and never retried when the
    answer is unreadable: botocore would otherwise retry a 500 ten times, seconds before the first change set.
    """
    args = ["--env", "dev", "--dir", str(dev), "--region", "ca-central-1"]
    assert deploy.main([*args, "--execute", "--yes"]) == 0
    assert proxy.count("DetectStackDrift") == 0  # every stack was created by the run
    assert deploy.main(args) == 0
    assert proxy.count("DetectStackDrift") == 1  # moto: InvalidAction, for the first stack; no other is asked
    proxy.clear()
    proxy.add("DetectStackDrift", "status", times=10, status=500, body=HTML_502, content_type="text/html")

    assert deploy.main(args) == 0

    assert [action for action, _ in proxy.log].count("DetectStackDrift") == 1  # not retried
    note = review_of(dev)["drift_note"]
    assert note.startswith("not checked: DetectStackDrift on shop-dev-network answered HTTP500: unreadable answer from")
