"""The house rules of the layout, read from the code's own imports.

The folder list of ``templates/`` is the pipeline (params -> plan -> rules ->
stacks -> files); these tests keep the imports pointing the same way, keep
the packages free of import circles, keep builders pure, let the deployer read
only the output contract, and keep every module readable in one sitting and
every function on one screen.  The deployer's own rooms: test_layout_deployer.py.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("templates", "deployer", "importer")
MAX_MODULE_LINES = 400

# The generator's stages in the order data flows; a stage may import from earlier stages, never from later
# ones.  Shared by every stage (outside the order): naming, errors, aws/ (AWS's facts) and contract/.
STAGES = (
    "templates.params",
    "templates.plan",
    "templates.rules",
    "templates.stacks",
    "templates.writer",
    "templates.diagram",
    "templates.cost",
    "templates.environment_files",
    "templates.pipeline",
)
LATER_STAGES = {stage: STAGES[i + 1 :] for i, stage in enumerate(STAGES[:-1])}
SHARED = ("templates.naming", "templates.errors", "templates.aws", "templates.contract")
# The only part of the generator the deployer reads: what generate.py wrote, through the contract.
DEPLOYER_MAY_IMPORT = ("templates.contract",)
# Pure functions of the params and the plan: no files, no environment variables.
BUILDERS = ("templates.stacks", "templates.plan")
MAX_FUNCTION_LINES = 60


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


def within(module: str, *packages: str) -> bool:
    """``module`` is one of ``packages`` or inside one (``deployer.run.walk`` is within ``deployer.run``)."""
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_deployer_reads_only_the_contract() -> None:
    """The deployer never builds templates: it deploys what generate.py wrote, read through the contract."""
    graph = import_graph()
    reached = {
        t for m, targets in graph.items() if m.startswith("deployer") for t in targets if t.startswith("templates")
    }
    assert {t for t in reached if not within(t, *DEPLOYER_MAY_IMPORT)} == set()


def test_shared_modules_import_no_stage() -> None:
    """naming, errors, aws/ and contract/ sit under every stage: importing one would make a circle of stages."""
    graph = import_graph()
    upward = {(m, t) for m, targets in graph.items() if within(m, *SHARED) for t in targets if within(t, *STAGES)}
    assert upward == set()


def test_the_generator_never_imports_the_deployer() -> None:
    """Checks and builders judge and build templates; deploying is the deployer's, which reads their output."""
    graph = import_graph()
    found = {
        (m, t) for m, targets in graph.items() if m.startswith("templates") for t in targets if t.startswith("deployer")
    }
    assert found == set()


def reads_outside(path: Path) -> list[str]:
    """What in ``path`` reads a file or the environment: open(), Path reads, os.environ / getenv, glob."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            found.append(f"line {node.lineno}: open()")
        elif isinstance(node, ast.Attribute) and node.attr in (
            "read_text",
            "read_bytes",
            "open",
            "glob",
            "rglob",
            "iterdir",
            "environ",
            "getenv",
            "exists",
            "is_file",
        ):
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            found += [f"line {node.lineno}: imports {n}" for n in names if n in ("os", "pathlib", "io", "shutil")]
    return found


def test_builders_read_no_files_or_environment() -> None:
    files = module_files()
    found = {name: r for name, path in files.items() if within(name, *BUILDERS) and (r := reads_outside(path))}
    assert found == {}


def test_the_read_scan_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom pathlib import Path\nx = os.environ['HOME'] + Path('p').read_text() + open('f').read()\n"
    )
    assert len(reads_outside(bad)) == 5


def our_sources() -> list[Path]:
    return [*module_files().values(), *ROOT.glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]


def test_every_module_fits_one_sitting() -> None:
    too_long = {
        str(p.relative_to(ROOT)): n for p in our_sources() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"over {MAX_MODULE_LINES} lines: {too_long}"


def long_functions(path: Path, name: str) -> dict[str, int]:
    """``name.function`` -> its lines, for each function of the file over one screen.

    A nested function counts on its own and within the function around it.
    """
    found = {}
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found[f"{name}.{node.name}"] = lines
    return found


def test_every_function_fits_one_screen() -> None:
    """Every package, the command lines and the benchmarks: no function over MAX_FUNCTION_LINES."""
    too_long = {f: n for path in our_sources() for f, n in long_functions(path, path.stem).items()}
    assert not too_long, f"over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_the_function_length_check_finds_a_long_function(tmp_path: Path) -> None:
    """The scan itself can fail: a planted function one line over the limit is reported, one at the limit is not."""
    body = "    x = 1\n"
    planted = tmp_path / "long.py"
    planted.write_text(f"def fits():\n{body * (MAX_FUNCTION_LINES - 1)}\ndef over():\n{body * MAX_FUNCTION_LINES}")
    assert long_functions(planted, "long") == {"long.over": MAX_FUNCTION_LINES + 1}


def test_readme_is_a_front_door() -> None:
    """The README says what, who, how to start and where to read on; the rest lives in docs/."""
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= 300, f"README.md has {lines} lines; move detail to docs/"
