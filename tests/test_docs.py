"""The params examples in README.md and docs/ are files the generator accepts, so they cannot rot silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import generate
from tests.conftest import ROOT

YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = [
    pytest.param(block, id=f"{page.relative_to(ROOT)}#{n}")
    for page in PAGES
    for n, block in enumerate(YAML_BLOCK.findall(page.read_text()), 1)
]


def test_the_readme_has_a_params_example() -> None:
    assert any(str(p.id).startswith("README.md#") for p in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_params_example_in_the_docs_generates_cleanly(example: str, tmp_path: Path) -> None:
    params = tmp_path / "example.yaml"
    params.write_text(example)
    assert generate.main(["--params", str(params), "--out", str(tmp_path / "out")]) == 0
