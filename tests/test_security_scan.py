"""checkov over the generated templates: prod has no failed check, dev only listed relaxations.

checkov runs from its own venv (``.venv-checkov``, made by ``make checkov``,
which ``make test`` depends on) as a subprocess with JSON output; it would
downgrade this project's packages if installed beside them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

import generate

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
PINNED = re.search(r"^checkov==(\S+)$", (ROOT / "requirements-checkov.txt").read_text(), re.M)

# What dev may fail, and why: each is something that costs money (or a domain
# dev does not have). docs/security.md lists the same.
DEV_RELAXATIONS = {
    "CKV_AWS_2": "no certificate in dev: the listener serves plain HTTP",
    "CKV_AWS_103": "no certificate in dev: no TLS policy on an HTTP listener",
    "CKV_AWS_260": "no certificate in dev: port 80 serves traffic instead of redirecting",
    "CKV_AWS_91": "no ALB access-log bucket in dev (S3 storage)",
    "CKV_AWS_158": "no KMS key for log groups in dev (a key costs per month and per request)",
    "CKV_AWS_65": "no Container Insights in dev (billed per metric)",
}


def _scan(folder: Path) -> dict[str, Any]:
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} missing: run `make checkov` (make test does it)")
    command = [str(CHECKOV), "--directory", str(folder), "--framework", "cloudformation", "--output", "json"]
    result = subprocess.run(
        [*command, "--skip-download"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr  # 1 = some check failed; anything else is a crash
    report = json.loads(result.stdout)
    assert isinstance(report, dict) and report["check_type"] == "cloudformation", result.stdout[:500]
    return report


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for env in ("dev", "prod", "hybrid"):
        folder = tmp_path_factory.mktemp("scan") / env
        assert generate.main(["--params", str(ROOT / "params" / f"{env}.yaml"), "--out", str(folder)]) == 0
        out[env] = _scan(folder)
    return out


def _failed(report: dict[str, Any]) -> list[str]:
    return sorted(f"{c['check_id']} {c['file_path']} {c['resource']}" for c in report["results"]["failed_checks"])


def test_checkov_is_the_pinned_version() -> None:
    assert PINNED is not None
    version = subprocess.run([str(CHECKOV), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version == PINNED.group(1)


def test_prod_has_no_failed_checks(reports: dict[str, dict[str, Any]]) -> None:
    summary = reports["prod"]["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["failed"] == 0, _failed(reports["prod"])
    assert summary["passed"] >= 80  # the scan really ran over every template


def test_the_ec2_example_is_as_clean_as_prod(reports: dict[str, dict[str, Any]]) -> None:
    """hybrid.yaml (EC2 capacity groups beside Fargate) is held to prod's bar, and checkov really looked at
    its container instances: IMDSv2 and no public IP on every launch template."""
    report = reports["hybrid"]
    assert report["summary"]["failed"] == 0, _failed(report)
    assert report["summary"]["parsing_errors"] == 0
    passed = {(c["check_id"], c["resource"]) for c in report["results"]["passed_checks"]}
    templates = [r for _, r in passed if r.startswith("AWS::EC2::LaunchTemplate.")]
    assert templates, "no launch template scanned"
    for template in templates:
        assert {("CKV_AWS_79", template), ("CKV_AWS_88", template)} <= passed, template


def test_every_suppression_says_why(reports: dict[str, dict[str, Any]]) -> None:
    for env, report in reports.items():
        for check in report["results"]["skipped_checks"]:
            comment = check["check_result"].get("suppress_comment", "")
            assert len(comment) > 40 and comment != "No comment provided", (env, check["check_id"])


def test_prod_suppressions_are_only_the_reviewed_ones(reports: dict[str, dict[str, Any]]) -> None:
    skipped = sorted(
        (c["check_id"], c["file_path"], c["resource"]) for c in reports["prod"]["results"]["skipped_checks"]
    )
    assert skipped == [("CKV_AWS_260", "/alb.json", "AWS::EC2::SecurityGroup.AlbSecurityGroup")]


def test_dev_fails_only_documented_relaxations(reports: dict[str, dict[str, Any]]) -> None:
    failed = {c["check_id"] for c in reports["dev"]["results"]["failed_checks"]}
    assert failed <= set(DEV_RELAXATIONS), _failed(reports["dev"])
    assert reports["dev"]["summary"]["parsing_errors"] == 0


def test_security_docs_list_every_dev_relaxation() -> None:
    page = (ROOT / "docs" / "security.md").read_text()
    relaxations = page.split("**Dev relaxations**", 1)[1]
    for check_id in DEV_RELAXATIONS:
        assert check_id in relaxations, f"docs/security.md 'Dev relaxations' does not list {check_id}"
