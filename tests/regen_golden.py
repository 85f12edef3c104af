"""Regenerate golden files and the params reference page: ``make golden``.

Run after a deliberate change to templates, params models or rules, then
review ``git diff tests/golden docs/`` before committing (the params
reference, docs/checks.md and docs/limits.md are generated too).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from templates.params.reference import params_reference
from templates.params.route_lock import is_lock_file
from templates.pipeline import build_all, load
from templates.rules.reference import GENERATED_BLOCKS, with_generated_block
from templates.writer import render

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
PARAMS = ROOT / "params"
DOCS = ROOT / "docs"
REFERENCE_PAGE = DOCS / "params-reference.md"
REFERENCE_BLOCK = re.compile(r"(<!-- params-reference:start -->\n).*?(<!-- params-reference:end -->)", re.S)


def golden_envs() -> list[Path]:
    return sorted(p for p in PARAMS.glob("*.yaml") if not is_lock_file(p))


def rendered(params: Path) -> dict[str, str]:
    """As ``make templates`` writes them: with the committed route lock."""
    loaded = load(params)
    templates = build_all(loaded.env, loaded.plan)
    return {f"{key}.json": render(t) for key, t in templates.items()}


def page_with_reference(text: str) -> str:
    """The page with its marked block replaced by the reference the models give now."""
    return REFERENCE_BLOCK.sub(lambda m: m.group(1) + params_reference() + "\n" + m.group(2), text)


def main() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for params in golden_envs():
        folder = GOLDEN / params.stem
        folder.mkdir(parents=True)
        for name, text in rendered(params).items():
            (folder / name).write_text(text)
        print(f"wrote {folder.relative_to(ROOT)}")
    REFERENCE_PAGE.write_text(page_with_reference(REFERENCE_PAGE.read_text()))
    print(f"updated {REFERENCE_PAGE.relative_to(ROOT)}")
    for name, text in rule_pages().items():
        (DOCS / name).write_text(text)
        print(f"updated docs/{name}")


def rule_pages() -> dict[str, str]:
    """docs/checks.md and docs/limits.md with their tables generated from the rules' registry."""
    return {
        name: with_generated_block((DOCS / name).read_text(), marker, generate())
        for name, (marker, generate) in GENERATED_BLOCKS.items()
    }


if __name__ == "__main__":
    main()
