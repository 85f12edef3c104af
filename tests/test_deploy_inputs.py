"""Flags and folders: every mistake is exit code 2 and one line, before any AWS call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import deploy
from deployer.errors import UsageError
from deployer.run.inputs import MAX_BODY_BYTES, check_sizes, load_deployment
from deployer.run.stack_state import decide

ROOT = Path(__file__).resolve().parent.parent


def test_set_takes_a_service_name_or_a_stack_key(dev: Path) -> None:
    deployment = load_deployment(dev, sets=["auth.ImageTag=1.2.3", "svc-web.DesiredCount=3"])
    auth, web = deployment.stacks["svc-auth"], deployment.stacks["svc-web"]
    assert (auth.parameters["ImageTag"], auth.overrides) == ("1.2.3", frozenset({"ImageTag"}))
    assert (web.parameters["DesiredCount"], web.parameters["ImageTag"]) == ("3", "2.3.1")  # others keep defaults
    assert deployment.stacks["network"].parameters == {"ExportPrefix": "shop-dev"}


def test_stacks_selects_and_keeps_dependency_order(dev: Path) -> None:
    deployment = load_deployment(dev, selection=["svc-auth", "alb"])
    assert deployment.order() == ["alb", "svc-auth"]
    assert deployment.depends_on() == {"alb": set(), "svc-auth": {"alb"}}


@pytest.mark.parametrize(
    ("selection", "sets", "message"),
    [
        (["nope"], [], "--stacks: unknown stack nope"),
        ([], ["auth=1"], "expected SERVICE.PARAM=VALUE"),
        ([], ["billing.ImageTag=1"], "no service or stack named 'billing'; services: auth, "),
        ([], ["auth.Tag=1"], "svc-auth has no parameter Tag; it has DesiredCount, ExportPrefix, ImageTag"),
        ([], ["auth.ImageTag=bad tag"], "does not match the parameter's AllowedPattern"),
        ([], ["auth.DesiredCount=-1"], "must be at least 0"),
        ([], ["auth.DesiredCount=two"], "must be a number"),
        (["alb"], ["auth.ImageTag=1"], "stack svc-auth is not among --stacks alb"),
    ],
)
def test_bad_flags_are_usage_errors(dev: Path, selection: list[str], sets: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        load_deployment(dev, selection, sets)
    assert message in str(caught.value)


def test_a_folder_without_manifest_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"manifest.json not found: generate the templates first"):
        load_deployment(tmp_path)


def test_the_lock_template_is_read_from_the_folder_generate_wrote(dev: Path) -> None:
    """The deployer never builds a template: the lock's is the file the manifest names."""
    (dev / "deploy-lock.json").write_text(
        '{"Resources": {"Marker": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}'
    )
    deployment = load_deployment(dev)
    assert deployment.lock.stack_name == "shop-dev-deploy-lock"
    assert json.loads(deployment.lock.body) == {
        "Resources": {"Marker": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}
    }


def test_a_folder_from_before_the_lock_template_is_regenerated(dev: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.loads((dev / "manifest.json").read_text())
    del manifest["lock"]
    (dev / "manifest.json").write_text(json.dumps(manifest))
    assert deploy.main(["--env", "dev", "--dir", str(dev)]) == 2  # before any AWS call
    assert "names no deploy-lock template" in capsys.readouterr().err


def test_template_sizes_are_checked_against_cloudformation_limits(dev: Path) -> None:
    web = json.loads((dev / "svc-web.json").read_text())
    web["Metadata"] = {"Padding": "x" * MAX_BODY_BYTES}
    (dev / "svc-web.json").write_text(json.dumps(web))
    stacks = load_deployment(dev).stacks.values()
    with pytest.raises(UsageError, match=r"svc-web: template is .* pass --bucket BUCKET .*nothing was changed"):
        check_sizes(stacks, bucket=None)
    check_sizes(stacks, bucket="templates")  # fine with a bucket
    web["Metadata"] = {"Padding": "x" * 1_100_000}
    (dev / "svc-web.json").write_text(json.dumps(web))
    with pytest.raises(UsageError, match=r"at most 1,048,576 even from S3"):
        check_sizes(load_deployment(dev).stacks.values(), bucket="templates")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (None, "CREATE"),
        ("REVIEW_IN_PROGRESS", "CREATE"),
        ("CREATE_COMPLETE", "UPDATE"),
        ("UPDATE_ROLLBACK_COMPLETE", "UPDATE"),
        ("UPDATE_FAILED", "UPDATE"),
        ("CREATE_FAILED", "UPDATE"),  # rollback disabled: its resources are live, never recreated
        ("ROLLBACK_COMPLETE", "RECREATE"),
    ],
)
def test_create_or_update_follows_the_stack_status(status: str | None, action: str) -> None:
    stack = None if status is None else {"StackName": "s", "StackStatus": status}
    assert decide(stack, recreate_failed=True).action == action


def test_the_cli_prints_one_line_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing may be called; if it were, it would fail here
    done = subprocess.run(
        [sys.executable, "deploy.py", "--env", "nope", "--dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_argparse_errors_are_one_line_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        deploy.main(["--env", "dev", "--parallel", "0"])
    assert caught.value.code == 2
    assert capsys.readouterr().err == "error: --parallel must be at least 1 (see --help)\n"


def test_yes_without_execute_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        deploy.main(["--env", "dev", "--yes"])
    assert caught.value.code == 2
    assert "--yes confirms --execute, which is missing" in capsys.readouterr().err


def test_the_folder_must_hold_the_environment_named(dev: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy.main(["--env", "prod", "--dir", str(dev)]) == 2
    assert "holds environment 'dev', not 'prod'" in capsys.readouterr().err
