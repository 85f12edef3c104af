"""Params files that load, lint and scan clean, and that AWS would then refuse mid-deploy.

Each file in ``tests/aws_refuses/`` names, in its header, the AWS error or
limit it would hit and the documentation of that limit::

    # aws: ECS RegisterTaskDefinition: ClientException, ...   (what AWS would do)
    # doc: https://docs.aws.amazon.com/...                     (where AWS documents it)
    # check: L001                                              (our check that now refuses it)
    # exit: 2                                                  (2: params; 1: template-level limit)

Before these checks each file generated cleanly (exit 0, cfn-lint clean).
Now each is refused before anything changes: exit 2 for a params mistake,
exit 1 for a limit measured on the rendered templates; the output folder is
byte-for-byte as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import generate
from tests.conftest import snapshot

CORPUS = Path(__file__).resolve().parent / "aws_refuses"
GOOD_PARAMS = Path(__file__).resolve().parent.parent / "params" / "dev.yaml"


@dataclass(frozen=True)
class Refusal:
    file: Path
    aws: str
    doc: str
    check: str
    exit_code: int


def _read(file: Path) -> Refusal:
    fields = {}
    for line in file.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        fields[key] = value.strip()
    return Refusal(file, fields["aws"], fields["doc"], fields["check"], int(fields["exit"]))


CASES = [_read(f) for f in sorted(CORPUS.glob("*.yaml"))]


def test_each_case_cites_the_aws_limit_it_would_hit() -> None:
    assert len(CASES) >= 10
    assert all(c.doc.startswith("https://docs.aws.amazon.com/") for c in CASES)
    assert len({c.check for c in CASES}) == len(CASES), "one case per check"
    assert {c.exit_code for c in CASES} == {1, 2}


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("good") / "out"
    assert generate.main(["--params", str(GOOD_PARAMS), "--out", str(out), "--no-validate"]) == 0
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.file.stem for c in CASES])
def test_refused_before_anything_is_written(
    case: Refusal, good_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in snapshot(good_output).items():
        (out / name).write_bytes(data)
    before = snapshot(out)
    # --no-validate: the refusal must not depend on cfn-lint (which passes these files).
    status = generate.main(["--params", str(case.file), "--out", str(out), "--no-validate"])
    err = capsys.readouterr().err
    assert status == case.exit_code, err
    assert f"[{case.check}]" in err, err
    assert "Traceback" not in err
    if case.exit_code == 2:
        assert err.startswith(f"error: {case.file}: invalid params"), err
    else:
        assert "NOT written" in err, err
    assert snapshot(out) == before
