"""Speed and memory targets, measured here and never in the test suite: ``make bench``.

Each line prints the measured figure next to its target; exit 1 when a
target is missed.  Sizes follow the users we build for (a few hundred services).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import scale
from benchmarks.inputs import environment
from templates.pipeline import build_all, check_folder
from templates.writer import write_folder


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    results: list[tuple[str, float, float, str]] = []
    big = environment(300)
    tracemalloc.start()
    seconds, templates = timed(lambda: build_all(big))
    peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    results.append(("build 300 service stacks (s)", seconds, 5.0, "build_all"))
    results.append(("build 300 service stacks: peak Python heap (MiB)", peak_mib, 256.0, "tracemalloc"))
    with tempfile.TemporaryDirectory() as tmp:
        seconds, _ = timed(lambda: write_folder(Path(tmp) / "out", big, templates))
        results.append(("write 303 templates (s)", seconds, 5.0, "write_folder"))
        mid = environment(60)
        out = Path(tmp) / "mid"
        write_folder(out, mid, build_all(mid))
        seconds, findings = timed(lambda: check_folder(out, mid.region))
        assert findings == [], findings
        results.append(("cfn-lint + cross-stack, 63 templates: per template (s)", seconds / 63, 0.75, "check_folder"))
    from benchmarks.deploy import measure as deploy_speed  # imports moto's endpoint helpers: only for the bench

    results += deploy_speed()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append(("max resident memory of the whole run (MiB)", rss_mib, 1024.0, "getrusage"))
    missed = 0
    for name, value, target, how in results:
        higher = name.endswith("(x)")  # a speed-up ratio: at least the target
        ok = value >= target if higher else value <= target
        missed += not ok
        print(
            f"{'ok  ' if ok else 'MISS'} {name:<58} {value:8.2f}  (target {'>=' if higher else '<='} {target:g}; {how})"
        )
    missed += scale.main()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
