"""The CLI end to end: what lands in the output folder, and what does not."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import generate
from tests.conftest import ROOT, minimal_params, write_params


def test_generate_writes_templates_and_manifest(tmp_path: Path) -> None:
    params = write_params(tmp_path, minimal_params())
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "alb.json", "cluster.json", "cost.json", "deploy-lock.json", "diagram.mmd", "diagram.svg", "manifest.json",
        "network.json", "svc-api.json",
    ]  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["region"] == "eu-west-1"
    assert manifest["stacks"]["svc-api"] == {"stack_name": "demo-test-svc-api", "template": "svc-api.json"}
    # The lock's template is for the deployer (it never builds one): its own key, not a stack to deploy.
    assert manifest["lock"] == {"stack_name": "demo-test-deploy-lock", "template": "deploy-lock.json"}
    assert "deploy-lock" not in manifest["stacks"]
    assert list(json.loads((out / "deploy-lock.json").read_text())["Resources"].values()) == [
        {"Type": "AWS::CloudFormation::WaitConditionHandle"}
    ]


def test_cfn_lint_checks_the_lock_template_like_the_stacks(tmp_path: Path) -> None:
    from templates.pipeline import check_folder

    out = tmp_path / "out"
    assert generate.main(["--params", str(write_params(tmp_path, minimal_params())), "--out", str(out)]) == 0
    broken = json.loads((out / "deploy-lock.json").read_text())
    broken["Resources"]["DeployLockMarker"]["Type"] = "AWS::CloudFormation::NoSuchThing"
    (out / "deploy-lock.json").write_text(json.dumps(broken, indent=2))
    assert [f.file.split(":")[0] for f in check_folder(out, "eu-west-1")] == ["deploy-lock.json"]


def test_output_folder_follows_the_umask(tmp_path: Path) -> None:
    """output/<env> gets the mode any folder gets (0755 under umask 022), not mkdtemp's 0700: CI artifact
    uploaders and other users of a runner read it; a stricter umask is still honoured."""
    params = write_params(tmp_path, minimal_params())
    modes = {}
    for mask in (0o022, 0o027):
        previous = os.umask(mask)
        try:
            out = tmp_path / f"out-{mask:o}"
            assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 0
        finally:
            os.umask(previous)
        modes[mask] = (stat.S_IMODE(out.stat().st_mode), stat.S_IMODE((out / "alb.json").stat().st_mode))
    assert modes == {0o022: (0o755, 0o644), 0o027: (0o750, 0o640)}


def test_regeneration_replaces_the_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    two = minimal_params()
    two["services"]["extra"] = {"image_tag": "1", "containers": [{"name": "x", "image": "repo"}]}
    assert generate.main(["--params", str(write_params(tmp_path, two)), "--out", str(out), "--no-validate"]) == 0
    assert (out / "svc-extra.json").exists()
    one = write_params(tmp_path, minimal_params())
    assert generate.main(["--params", str(one), "--out", str(out), "--no-validate"]) == 0
    assert not (out / "svc-extra.json").exists(), "a removed service's template must not linger"


def test_failed_checks_leave_output_unchanged(tmp_path: Path) -> None:
    from templates.pipeline import build_all, check_folder
    from templates.writer import write_folder
    from tests.conftest import make_env

    out = tmp_path / "out"
    params = write_params(tmp_path, minimal_params())
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 0
    before = {p.name: p.read_text() for p in out.iterdir()}
    env = make_env()
    broken = build_all(env)
    del broken["network"]  # every other stack now imports exports nobody provides
    findings = []

    def accept(folder: Path) -> bool:
        findings.extend(check_folder(folder, env.region))
        return not findings

    accepted = write_folder(out, env, broken, accept)
    assert not accepted
    assert {f.check_id for f in findings} == {"C001"}
    assert {p.name: p.read_text() for p in out.iterdir()} == before
    assert (tmp_path / "out.rejected" / "svc-api.json").exists()


def test_cli_bad_input_has_no_traceback_as_a_process(tmp_path: Path) -> None:
    bad = write_params(tmp_path, "project: [\n")
    proc = subprocess.run(
        [sys.executable, "generate.py", "--params", str(bad), "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") <= 3 and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_docs_params_reference_is_current() -> None:
    from tests.regen_golden import REFERENCE_PAGE, page_with_reference

    text = REFERENCE_PAGE.read_text()
    assert "<!-- params-reference:start -->" in text
    assert page_with_reference(text) == text, f"{REFERENCE_PAGE.name} is stale: run `make golden`"
