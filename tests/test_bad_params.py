"""The bad-input corpus: one params file per mistake a person makes.

Each file in ``tests/bad_params/`` states in its header comments what it gets
wrong and what the error must say::

    # mistake: typo in a top-level key
    # path: servics                      (key path of the problem; empty = top level)
    # check: P006                        (stable check id)
    # expect: allowed keys here: ...     (one or more snippets: what is allowed)

Every case runs the real CLI entry point and must exit 2 with one message
naming the file, the key path and what is allowed, no traceback, and the
output folder byte-for-byte as it was.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import generate
from tests.conftest import snapshot

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_params"
GOOD_PARAMS = ROOT / "params" / "dev.yaml"


@dataclass(frozen=True)
class Case:
    file: Path
    mistake: str
    path: str
    check: str
    expect: tuple[str, ...]


def _read_case(file: Path) -> Case:
    fields: dict[str, list[str]] = {}
    for raw in file.read_bytes().splitlines():
        line = raw.decode("ascii", errors="replace")
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(":")
        fields.setdefault(key, []).append(value.strip())
    return Case(
        file=file,
        mistake=fields["mistake"][0],
        path=fields["path"][0],
        check=fields["check"][0],
        expect=tuple(fields.get("expect", [])),
    )


CASES = [_read_case(f) for f in sorted(CORPUS.glob("*.yaml"))]


def test_corpus_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    mistakes = [c.mistake for c in CASES]
    assert len(set(mistakes)) == len(mistakes), "each case is one distinct mistake"
    assert all(c.expect for c in CASES), "each case says what the message must contain"


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real, previously generated output folder the bad runs must leave alone."""
    out = tmp_path_factory.mktemp("good") / "out"
    assert generate.main(["--params", str(GOOD_PARAMS), "--out", str(out), "--no-validate"]) == 0
    return out


@pytest.fixture
def output(good_output: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in snapshot(good_output).items():
        (out / name).write_bytes(data)
    return out


def _problem_line(case: Case) -> str:
    return f"  {case.path or '(top level)'}: "


@pytest.mark.parametrize("case", CASES, ids=[c.file.stem for c in CASES])
def test_bad_params_exit_2_with_a_useful_message(case: Case, output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(output)
    status = generate.main(["--params", str(case.file), "--out", str(output)])
    captured = capsys.readouterr()
    err = captured.err
    assert status == 2, err
    assert "Traceback" not in err + captured.out
    assert err.startswith(f"error: {case.file}: invalid params"), err
    assert _problem_line(case) in err, f"key path {case.path!r} not named:\n{err}"
    assert f"[{case.check}]" in err, err
    for snippet in case.expect:
        assert snippet in err, f"{snippet!r} missing from:\n{err}"
    assert snapshot(output) == before
    assert sorted(p.name for p in output.parent.iterdir()) == ["out"], "no staging or rejected folders"


def test_zero_byte_file(output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = output.parent / "empty.yaml"
    empty.write_bytes(b"")
    before = snapshot(output)
    assert generate.main(["--params", str(empty), "--out", str(output)]) == 2
    assert "file is empty" in capsys.readouterr().err
    assert snapshot(output) == before


def test_missing_file(output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate.main(["--params", str(output.parent / "nope.yaml"), "--out", str(output)]) == 2
    assert "file not found [P001]" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["non-utf8", "tabs", "typo-container", "duplicate-service"])
def test_real_cli_in_a_subprocess(name: str, output: Path) -> None:
    """The same contract through ``python generate.py``: exit 2, stderr only, no traceback."""
    case = next(c for c in CASES if c.file.stem == name)
    before = snapshot(output)
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "--params", str(case.file), "--out", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert _problem_line(case) in result.stderr
    assert snapshot(output) == before
