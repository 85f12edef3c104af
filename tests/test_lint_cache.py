"""cfn-lint's content cache and process pool, with the real cfn-lint on generated templates.

Stale findings are the failure that matters: each invalidation test plants a
finding cfn-lint never makes (``E9999``) into every cache entry, shows it is
served while nothing changed, and then that changing one input of the key
(template bytes, linter version, region, configuration) lints for real again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import generate
from templates.contract.files import cloudformation_templates
from templates.rules.rendered.lint import LintWorkers, lint_findings
from templates.rules.rendered.lint_cache import LintCache

PLANTED = "E9999"


@pytest.fixture
def folder(shipped_outputs: dict[str, Path], tmp_path: Path) -> Path:
    """Two real templates of the dev environment (a service and the cluster): small enough to lint often."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("svc-auth.json", "cluster.json"):
        shutil.copy(shipped_outputs["dev"] / name, out / name)
    return out


def _plant(cache: Path) -> int:
    """Replace every entry's matches by one finding cfn-lint never reports; returns the entry count."""
    entries = [p for p in cache.rglob("*.json")]
    for entry in entries:
        entry.write_text(json.dumps({"matches": [[PLANTED, 1, "planted by the test"]]}))
    return len(entries)


def _ids(findings: list) -> set[str]:
    return {f.check_id for f in findings}


def _bad_memory(folder: Path) -> None:
    path = folder / "svc-auth.json"
    template = json.loads(path.read_text())
    template["Resources"]["TaskDefinition"]["Properties"]["Memory"] = "700"
    path.write_text(json.dumps(template, indent=2))


def test_cache_serves_unchanged_templates(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert lint_findings(folder, "eu-west-1", cache_dir=cache) == []
    assert _plant(cache) == 2
    assert _ids(lint_findings(folder, "eu-west-1", cache_dir=cache)) == {PLANTED}
    assert (cache / ".gitignore").read_text().strip().endswith("*")


def test_edited_template_is_linted_again(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lint_findings(folder, "eu-west-1", cache_dir=cache)
    _plant(cache)
    _bad_memory(folder)
    findings = lint_findings(folder, "eu-west-1", cache_dir=cache)
    by_file = {f.file.split(":")[0]: f.check_id for f in findings}
    assert by_file["svc-auth.json"] == "E3047"  # edited: linted for real
    assert by_file["cluster.json"] == PLANTED  # untouched: served from the cache


def test_other_linter_version_lints_everything(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lint_findings(folder, "eu-west-1", cache_dir=cache, version="1.0.0")
    _plant(cache)
    assert _ids(lint_findings(folder, "eu-west-1", cache_dir=cache, version="1.0.0")) == {PLANTED}
    assert lint_findings(folder, "eu-west-1", cache_dir=cache, version="1.0.1") == []


def test_other_region_lints_everything(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lint_findings(folder, "eu-west-1", cache_dir=cache)
    _plant(cache)
    assert lint_findings(folder, "us-east-1", cache_dir=cache) == []


def test_new_cfnlintrc_lints_everything(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """cfn-lint reads .cfnlintrc from the current folder on its own: its text is part of the key."""
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    cache = tmp_path / "cache"
    lint_findings(folder, "eu-west-1", cache_dir=cache)
    _plant(cache)
    (project / ".cfnlintrc").write_text("ignore_checks:\n  - W3005\n")
    assert lint_findings(folder, "eu-west-1", cache_dir=cache) == []


def test_unreadable_entry_is_linted_again(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _bad_memory(folder)
    lint_findings(folder, "eu-west-1", cache_dir=cache)
    for entry in cache.rglob("*.json"):
        entry.write_text("{not json")
    assert "E3047" in _ids(lint_findings(folder, "eu-west-1", cache_dir=cache))
    assert LintCache(cache).get("0" * 64) is None


def test_pool_finds_what_one_process_finds(shipped_outputs: dict[str, Path], clean_copy) -> None:
    """Batches over workers lose no finding and attach each to its own file."""
    out = clean_copy(shipped_outputs["dev"])
    _bad_memory(out)
    serial = lint_findings(out, "eu-west-1", workers=1)
    pooled = lint_findings(out, "eu-west-1", workers=3)
    with LintWorkers(2) as linters:
        early = lint_findings(out, "eu-west-1", linters=linters)
    assert serial == pooled == early
    assert {f.file.split(":")[0] for f in pooled} == {"svc-auth.json"}


def test_generate_fills_the_cache_and_reuses_it(tmp_path: Path, shipped_outputs: dict[str, Path]) -> None:
    """The command line lints through the cache: a second run with nothing changed lints nothing."""
    params = generate.PARAMS_DIR / "dev.yaml"
    cache = tmp_path / "cache"
    out = tmp_path / "dev"
    args = ["--params", str(params), "--out", str(out), "--lint-cache", str(cache)]
    assert generate.main(args) == 0
    templates = len(cloudformation_templates(out))
    assert _plant(cache) == templates
    assert generate.main(args) == 1  # the planted finding is served, so the output is refused
    assert generate.main([*args, "--no-lint-cache"]) == 0
