"""The rules room: every check a record, listed once, documented from the records."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from templates.errors import ParamsError
from templates.pipeline import load
from templates.rules.registry import rules
from tests.conftest import minimal_params, write_params
from tests.regen_golden import DOCS, rule_pages

ROOT = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"^[A-Z]\d{3}$")
# Where an id may be written: the rule records, and the checks made while reading the file.
ID_HOMES = (ROOT / "templates" / "rules", ROOT / "templates" / "params" / "reading.py")


def test_docs_checks_and_limits_are_generated_from_the_registry() -> None:
    """docs/checks.md and docs/limits.md list exactly the registry's records (``make golden`` writes them)."""
    for name, text in rule_pages().items():
        assert (DOCS / name).read_text() == text, f"docs/{name} is stale: run make golden"


def test_every_record_has_an_id_a_summary_and_what_it_reads() -> None:
    records = rules()
    assert len({r.id for r in records}) == len(records)
    for record in records:
        assert RULE_ID.match(record.id) or record.id == "cfn-lint", record.id
        assert record.summary and record.summary == record.summary.strip() and "\n" not in record.summary
        assert all(url.startswith("https://") for url in record.docs), record.id


def test_aws_limits_cite_their_documentation() -> None:
    """An L rule encodes an AWS limit, so it names the page (L006 is a design rule of this tool)."""
    undocumented = [r.id for r in rules() if r.id.startswith("L") and not r.docs and r.id != "L006"]
    assert undocumented == []


def _id_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.match(node.value)
    ]


def test_rule_ids_are_written_only_where_the_rule_is_declared() -> None:
    """No module outside the rules room (and the reader's own checks) spells a rule id."""
    stray = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "templates").rglob("*.py"))
        if not any(path == home or home in path.parents for home in ID_HOMES)
        if (found := _id_literals(path))
    }
    assert stray == {}


def test_an_id_is_declared_once() -> None:
    """Each id appears as a literal in exactly one declaration across the rules room."""
    seen: dict[str, list[str]] = {}
    for home in ID_HOMES:
        for path in [home] if home.is_file() else sorted(home.rglob("*.py")):
            for rule_id in _id_literals(path):
                seen.setdefault(rule_id, []).append(str(path.relative_to(ROOT)))
    assert {rule_id: files for rule_id, files in seen.items() if len(files) > 1} == {}


def _problems(tmp_path: Path, doc: dict) -> list[tuple[str, str]]:
    with pytest.raises(ParamsError) as raised:
        load(write_params(tmp_path, doc))
    return [(p.path, p.check_id) for p in raised.value.problems]


APP = {"image_tag": "1", "containers": [{"name": "app", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x",
                                         "port": 80}]}  # fmt: skip


def test_every_problem_of_a_file_is_reported_once_at_the_key_it_was_written(tmp_path: Path) -> None:
    """A negative defaults.cpu is one problem at defaults.cpu naming its heirs; a service's own mistakes all
    come in the same run (pydantic validators used to stop at a service's first, as a catch-all P008)."""
    doc = minimal_params(
        defaults={"cpu": -256, **APP},
        services={
            "a": {"routes": [{"host": "a.example.com"}]},
            "b": {"routes": [{"host": "b.example.com"}]},
            "c": {
                "routes": [{"host": "c.example.com"}],
                "health_check": {"timeout": 40, "interval": 10, "matcher": "600"},
                "capacity": {"spot_weight": 1},
                "architecture": "arm64",
            },
        },
    )
    assert _problems(tmp_path, doc) == [
        ("defaults.cpu", "L022"),
        ("services.c.health_check.matcher", "L018"),
        ("services.c.health_check.timeout", "L019"),
        ("services.c.capacity.spot_weight", "S001"),
    ]


def test_a_schema_problem_does_not_hide_another_services_rules(tmp_path: Path) -> None:
    doc = minimal_params(
        services={
            "a": {**APP, "cpu": "512", "routes": [{"host": "a.example.com"}]},  # text, not a number: the schema's
            "b": {**APP, "cpu": 300, "routes": [{"host": "b.example.com"}]},  # a number, but no Fargate size
        }
    )
    assert _problems(tmp_path, doc) == [("services.a.cpu", "P008"), ("services.b.cpu", "L022")]
