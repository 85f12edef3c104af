"""Fargate task-size table: the only CPU/memory pairs AWS accepts.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size

Checked at params time so a bad pair fails before any template is written,
instead of at deploy time as a CREATE_FAILED task definition.
"""

from __future__ import annotations

GIB = 1024


def _range(low_gib: int, high_gib: int, step_gib: int) -> tuple[int, ...]:
    return tuple(m * GIB for m in range(low_gib, high_gib + 1, step_gib))


FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _range(1, 4, 1),
    1024: _range(2, 8, 1),
    2048: _range(4, 16, 1),
    4096: _range(8, 30, 1),
    8192: _range(16, 60, 4),
    16384: _range(32, 120, 8),
}


def describe_allowed(cpu: int) -> str:
    """Human-readable list of memory sizes for ``cpu`` (or of CPU values)."""
    if cpu not in FARGATE_SIZES:
        return "cpu must be one of " + ", ".join(str(c) for c in FARGATE_SIZES)
    sizes = FARGATE_SIZES[cpu]
    if len(sizes) <= 4:
        listed = ", ".join(str(m) for m in sizes)
    else:
        step = sizes[1] - sizes[0]
        listed = f"{sizes[0]}..{sizes[-1]} in steps of {step}"
    return f"with cpu {cpu}, memory (MiB) must be {listed}"


def is_valid_size(cpu: int, memory: int) -> bool:
    return memory in FARGATE_SIZES.get(cpu, ())
