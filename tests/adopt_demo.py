"""``make adopt-demo``: adopt a console-built cluster on the local endpoint, start to end, no AWS account.

Run inside the endpoint (``python -m tests.moto_endpoint -- python -m tests.adopt_demo``): builds the
tutorial's world (``tests/console_world.py``), runs adopt.py on it, generates the stacks with generate.py
(every rule, cfn-lint), reviews the import-then-update deploy, executes it, and shows that every service
and rule is where it was.  Writes under output/adopt-demo/.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import adopt
import deploy
import generate
from tests import console_world

REGION = "eu-west-1"
ROOT = Path(__file__).resolve().parent.parent / "output" / "adopt-demo"


def main() -> int:
    shutil.rmtree(ROOT, ignore_errors=True)
    console_world.build(REGION)
    before = console_world.live(REGION)
    params, folder = ROOT / "params" / "demo.yaml", ROOT / "demo"
    record = params.with_name("demo.adopt.yaml")
    steps = [
        lambda: adopt.main(["--cluster", console_world.CLUSTER, "--project", "shop", "--environment", "demo",
                            "--region", REGION, "--out", str(params)]),
        lambda: generate.main(["--params", str(params), "--out", str(folder)]),
        lambda: deploy.main(["--env", "demo", "--dir", str(folder), "--adopt", str(record), "--no-drift"]),
        lambda: deploy.main(["--env", "demo", "--dir", str(folder), "--adopt", str(record), "--no-drift",
                             "--execute", "--yes"]),
    ]  # fmt: skip
    for step in steps:
        if code := step():
            return code
    after = console_world.live(REGION)
    for name, (arn, desired, running, _status) in after["services"].items():
        print(f"service {name}: {arn}, {running}/{desired} tasks running")
    for arn, priority in after["rules"]:
        print(f"rule at priority {priority}: {arn}")
    verdict = "unchanged" if after == before else "CHANGED"
    print(f"Services' ARNs and task counts, rules' ARNs and priorities: {verdict} through the adoption")
    return 0 if after == before else 1


if __name__ == "__main__":
    sys.exit(main())
