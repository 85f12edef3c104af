"""cfn-lint and the cross-stack check over generated templates, with good and bad fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from templates.contract.graph import build_graph
from templates.pipeline import check_folder
from templates.rules.rendered.lint import lint_findings
from tests.conftest import WIRING, rule_findings, written_templates


def test_all_shipped_envs_pass_every_check(shipped_outputs: dict[str, Path]) -> None:
    """cfn-lint (errors and warnings) and the cross-stack checks, over every shipped environment."""
    for name, folder in shipped_outputs.items():
        findings = check_folder(folder, "eu-west-1")
        assert findings == [], name + ":\n" + "\n".join(f.render() for f in findings)


def test_lint_reports_a_bad_fargate_size(shipped_outputs: dict[str, Path], clean_copy) -> None:
    folder = clean_copy(shipped_outputs["dev"])
    path = folder / "svc-auth.json"
    template = json.loads(path.read_text())
    template["Resources"]["TaskDefinition"]["Properties"]["Memory"] = "700"
    path.write_text(json.dumps(template))
    ids = {f.check_id for f in lint_findings(folder, "eu-west-1")}
    assert "E3047" in ids


def test_every_import_resolves_to_another_stack(shipped_outputs: dict[str, Path]) -> None:
    for folder in shipped_outputs.values():
        graph = build_graph(written_templates(folder))
        assert graph.unresolved == {}
        order = graph.order()
        # An existing ALB's stack only re-exports params and imports nothing, so it may come first.
        assert order.index("network") < order.index("alb") or not graph.depends_on["alb"]
        assert order.index("alb") < min(order.index(k) for k in order if k.startswith("svc-"))
        assert order.index("cluster") < min(order.index(k) for k in order if k.startswith("svc-"))


def test_unresolved_import_is_reported(shipped_outputs: dict[str, Path]) -> None:
    templates = written_templates(shipped_outputs["dev"])
    del templates["network"]["Outputs"]["PrivateSubnets"]
    findings = rule_findings(templates, *WIRING)
    assert {f.check_id for f in findings} == {"C001"}
    assert any("shop-dev-PrivateSubnets" in f.message for f in findings)


def test_duplicate_export_is_reported(shipped_outputs: dict[str, Path]) -> None:
    templates = written_templates(shipped_outputs["dev"])
    templates["cluster"]["Outputs"]["Copy"] = templates["network"]["Outputs"]["VpcId"]
    assert "C002" in {f.check_id for f in rule_findings(templates, *WIRING)}


def test_import_cycle_is_reported(shipped_outputs: dict[str, Path]) -> None:
    templates = written_templates(shipped_outputs["dev"])
    # network now imports something the cluster exports, and the cluster imports the VPC id.
    templates["network"]["Resources"]["Vpc"]["Properties"]["Tags"].append(
        {"Key": "cluster", "Value": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterName"}}}
    )
    findings = rule_findings(templates, *WIRING)
    assert [f.check_id for f in findings] == ["C003"]
    assert "network" in findings[0].message and "cluster" in findings[0].message


def test_export_names_do_not_depend_on_stack_name(shipped_outputs: dict[str, Path]) -> None:
    text = "".join(p.read_text() for p in shipped_outputs["prod"].glob("*.json"))
    assert "AWS::StackName}-" not in text
    for template in written_templates(shipped_outputs["prod"]).values():
        for output in template.get("Outputs", {}).values():
            if "Export" in output:
                assert output["Export"]["Name"]["Fn::Sub"].startswith("${ExportPrefix}-")
