"""AWS's Guard rules registry over the generated prod templates: every rule passes, or is suppressed with a reason.

Security teams gate CloudFormation with cfn-guard and the registry's rule
packs (also behind CloudFormation Hooks and Control Tower's proactive
controls).  The registry's rules for the services we use are vendored in
``tests/guard_registry`` and run with AWS's own engine (``tests.guard_engine``,
installed by ``make test``).  A deliberate exception is suppressed in the
resource's ``Metadata.guard`` with its reason, and docs/security.md lists
each, rule by rule.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.guard_engine import ENGINE, ENGINE_VERSION, RULES, reports

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("amazon_ec2", "amazon_ecs", "aws_kms", "cloudwatch", "elastic_load_balancing_v2", "iam", "secrets_manager")


@pytest.fixture(scope="module", autouse=True)
def _engine() -> None:
    if not ENGINE.exists():
        pytest.fail(f"{ENGINE} missing: run `make guard` (make test does it)")


def _failures(found: list[dict[str, Any]]) -> list[str]:
    return sorted(
        f"{Path(report['name']).name}: {clause['Rule']['name']}"
        for report in found
        for clause in report.get("not_compliant") or []
        if "Rule" in clause
    )


def _suppressions(folder: Path) -> list[tuple[str, str, str, str]]:
    """(file, logical id, rule, reason) of every Guard suppression in the folder's templates."""
    out = []
    for path in sorted(folder.glob("*.json")):
        for logical_id, resource in (json.loads(path.read_text()).get("Resources") or {}).items():
            guard = (resource.get("Metadata") or {}).get("guard") or {}
            for rule in guard.get("SuppressedRules") or []:
                out.append((path.name, logical_id, rule, (guard.get("Reasons") or {}).get(rule, "")))
    return out


def test_the_engine_is_the_pinned_one() -> None:
    version = subprocess.run([str(ENGINE), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.split() == ["cfn-guard", ENGINE_VERSION]


def test_the_registry_rules_are_vendored_with_their_license() -> None:
    assert sorted(p.name for p in RULES.iterdir()) == list(SERVICES)
    assert len(list(RULES.rglob("*.guard"))) == 60
    notes = (RULES.parent / "README.md").read_text()
    assert re.search(r"\b[0-9a-f]{40}\b", notes), "the source commit is noted"
    assert "Apache License" in (RULES.parent / "LICENSE").read_text()


def test_prod_passes_every_registry_rule(shipped_outputs: dict[str, Path]) -> None:
    found = reports(shipped_outputs["prod"])
    assert _failures(found) == []
    # Every rule file ran over every file (3 of the 60 hold only comments: checks Guard cannot express).
    with_rules = [p for p in RULES.rglob("*.guard") if re.search(r"^rule ", p.read_text(), re.M)]
    assert len(with_rules) == 57
    assert len(found) == len(with_rules) * len(list(shipped_outputs["prod"].glob("*.json")))
    assert sum(len(r.get("compliant") or []) for r in found) >= 100  # ... and judged them


def test_a_template_breaking_a_rule_fails(shipped_outputs: dict[str, Path], tmp_path: Path) -> None:
    """The check can fail: prod's ALB security group without its suppression is open to the world."""
    alb = json.loads((shipped_outputs["prod"] / "alb.json").read_text())
    del alb["Resources"]["AlbSecurityGroup"]["Metadata"]["guard"]
    (tmp_path / "alb.json").write_text(json.dumps(alb))
    assert _failures(reports(tmp_path)) == [
        "alb.json: EC2_SECURITY_GROUP_INGRESS_OPEN_TO_WORLD_RULE",
        "alb.json: SECURITY_GROUP_INGRESS_CIDR_NON_32_RULE",
    ]


def test_every_suppression_says_why_and_is_documented(shipped_outputs: dict[str, Path]) -> None:
    suppressed = _suppressions(shipped_outputs["prod"])
    assert suppressed, "prod has deliberate exceptions; they must be found"
    for file, logical_id, rule, reason in suppressed:
        assert len(reason) > 60, f"{file} {logical_id}: {rule} suppressed without a reason"
        assert any(f"rule {rule} " in p.read_text() for p in RULES.rglob("*.guard")), f"{rule}: no such rule"
    page = (ROOT / "docs" / "security.md").read_text().split("## Guard rules registry", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", page, re.M))
    assert documented == {rule for _file, _id, rule, _reason in suppressed}
