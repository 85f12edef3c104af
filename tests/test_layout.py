"""The house rules of the layout, read from the code's own imports.

The folder list of ``templates/`` is the pipeline (params -> stacks -> checks
-> files); these tests keep the imports pointing the same way, keep the
package free of import circles, and keep every module readable in one sitting.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("templates", "deployer", "importer")
MAX_MODULE_LINES = 400

# A stage may import from earlier stages, never from later ones.  Shared
# modules (naming, errors, stack_graph) sit outside the stages.
LATER_STAGES = {
    "templates.params": (
        "templates.plan",
        "templates.rules",
        "templates.stacks",
        "templates.checks",
        "templates.pipeline",
    ),
    "templates.plan": ("templates.rules", "templates.stacks", "templates.checks", "templates.pipeline"),
    "templates.rules": ("templates.pipeline", "templates.writer"),
    "templates.stacks": ("templates.rules", "templates.checks", "templates.pipeline", "templates.writer"),
    "templates.checks": ("templates.pipeline", "templates.writer"),
}
# What the deployer may read of the generator: names and the graph of written templates.  Every template it
# sends, the environment lock's included (deploy-lock.json), is one generate.py wrote.
DEPLOYER_MAY_IMPORT = ("templates.naming", "templates.stack_graph", "templates.contract.graph")


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of our packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Our modules that ``path`` imports (``from a.b import c`` counts a.b, or a.b.c when c is a module)."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            targets |= submodules or ({node.module} & known)
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names} & known
    return targets


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = module_files(root)
    known = set(files)
    return {name: imports_of(path, known) - {name} for name, path in files.items()}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return list(exc.args[1])
    return None


def test_no_import_cycle() -> None:
    assert cycle_in(import_graph()) is None


def test_cycle_finder_finds_a_cycle(tmp_path: Path) -> None:
    """The scan itself can fail: two modules importing each other form a cycle."""
    package = tmp_path / "templates"
    package.mkdir()
    (tmp_path / "deployer").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from templates.b import thing\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from templates import a\n")
    assert cycle_in(import_graph(tmp_path)) is not None


@pytest.mark.parametrize("stage", sorted(LATER_STAGES))
def test_stages_import_only_earlier_stages(stage: str) -> None:
    graph = import_graph()
    backwards = {
        (module, target)
        for module, targets in graph.items()
        if module == stage or module.startswith(stage + ".")
        for target in targets
        if target.startswith(LATER_STAGES[stage])
    }
    assert not backwards, f"{stage} imports a later stage: {sorted(backwards)}"


def test_deployer_reads_only_names_and_the_stack_graph() -> None:
    """The deployer never builds templates: it deploys what generate.py wrote."""
    graph = import_graph()
    reached = {
        t for m, targets in graph.items() if m.startswith("deployer") for t in targets if t.startswith("templates")
    }
    assert reached <= set(DEPLOYER_MAY_IMPORT), sorted(reached - set(DEPLOYER_MAY_IMPORT))


def test_every_module_fits_one_sitting() -> None:
    sources = [*module_files().values(), *ROOT.glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    too_long = {
        str(p.relative_to(ROOT)): n for p in sources if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"over {MAX_MODULE_LINES} lines: {too_long}"


def test_readme_is_a_front_door() -> None:
    """The README says what, who, how to start and where to read on; the rest lives in docs/."""
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= 300, f"README.md has {lines} lines; move detail to docs/"
