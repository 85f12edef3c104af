"""Generated templates for the shipped environments match the reviewed golden files."""

from __future__ import annotations

import pytest

from tests.regen_golden import GOLDEN, golden_envs, rendered


@pytest.mark.parametrize("params", golden_envs(), ids=lambda p: p.stem)
def test_templates_match_golden(params) -> None:
    actual = rendered(params)
    folder = GOLDEN / params.stem
    expected_names = sorted(p.name for p in folder.glob("*.json"))
    assert sorted(actual) == expected_names, "stack set changed: run `make golden` and review the diff"
    for name, text in actual.items():
        assert text == (folder / name).read_text(), f"{params.stem}/{name} differs: run `make golden`, review git diff"


def test_every_shipped_env_has_the_four_stack_kinds() -> None:
    for params in golden_envs():
        names = set(rendered(params))
        assert {"network.json", "alb.json", "cluster.json"} <= names
        assert len([n for n in names if n.startswith("svc-")]) >= 3, params.stem
