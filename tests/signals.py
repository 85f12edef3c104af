"""Signals through a real subprocess: deploy.py runs as CI runs it, and is told to stop mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fault_proxy import FaultProxy
from tests.moto_endpoint import offline_env

ROOT = Path(__file__).resolve().parent.parent


def sigterm_after(proxy: FaultProxy, action: str, args: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run ``deploy.py ARGS`` through ``proxy``; SIGTERM it soon after its first ``action`` call.

    Returns the exit code and stderr. The half-second pause lets the call be
    under way (a delay fault holds it) when the signal lands.
    """
    child = subprocess.Popen(
        [sys.executable, "deploy.py", *args],
        cwd=ROOT,
        env=offline_env(os.environ, proxy.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while proxy.count(action) == 0 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    child.send_signal(signal.SIGTERM)
    _out, err = child.communicate(timeout=timeout)
    return child.returncode, err
