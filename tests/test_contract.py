"""The output contract: the files of output/<env>/, the manifest, and what a reader learns from a template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from templates.contract.files import COST, LOCK_TEMPLATE, MANIFEST, cloudformation_templates, stack_templates
from templates.contract.manifest import Manifest, ManifestError
from templates.contract.template import listener_rules, literal_exports
from tests.conftest import PARAMS_DIR

GOLDEN = Path(__file__).resolve().parent / "golden"


def test_the_manifest_reads_back_what_the_writer_wrote(shipped_outputs: dict[str, Path]) -> None:
    for folder in shipped_outputs.values():
        manifest = Manifest.read(folder)
        assert manifest.to_json() == (folder / MANIFEST).read_text()
        assert sorted(manifest.stacks) == [p.stem for p in stack_templates(folder)]
        assert manifest.lock.template == LOCK_TEMPLATE and manifest.lock.stack_name.endswith("-deploy-lock")


@pytest.mark.parametrize(
    ("text", "reason"),
    [(None, "not found"), ("{", "not a manifest"), ('{"project": "x"}', "not a manifest")],
)
def test_a_folder_without_a_readable_manifest_says_why(tmp_path: Path, text: str | None, reason: str) -> None:
    if text is not None:
        (tmp_path / MANIFEST).write_text(text)
    with pytest.raises(ManifestError, match=reason):
        Manifest.read(tmp_path)


def test_the_cost_model_and_manifest_are_not_templates(shipped_outputs: dict[str, Path]) -> None:
    names = {p.name for p in cloudformation_templates(shipped_outputs["dev"])}
    assert LOCK_TEMPLATE in names and MANIFEST not in names and COST not in names


def test_listener_rules_name_their_alb_and_what_they_match() -> None:
    template = json.loads((GOLDEN / "prod" / "svc-auth.json").read_text())
    [rule] = listener_rules(template)
    assert rule.alb == "alb" and rule.listener_export == "shop-prod-HttpsListenerArn"
    assert rule.hosts == ("api.example.com",) and rule.paths == ("/auth", "/auth/*") and rule.priority


def test_literal_exports_are_the_ids_of_what_already_exists() -> None:
    """staging builds on an existing VPC and ALB listener: their ids are exported as written."""
    import yaml

    staging = yaml.safe_load((PARAMS_DIR / "staging.yaml").read_text())
    network = json.loads((GOLDEN / "staging" / "network.json").read_text())
    exports = literal_exports(network, "shop-staging")
    assert exports["shop-staging-VpcId"] == staging["network"]["existing"]["vpc_id"]
