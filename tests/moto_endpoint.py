"""A local AWS endpoint for the deployer's end-to-end tests and ``make demo``.

It is moto's own server (``moto[server]``) bound to 127.0.0.1, in a process
of its own, with the gaps listed in ``tests/moto_patches.py`` patched (the
change-set path neither resolving ``Fn::ImportValue`` nor registering exports,
and two more our templates hit).  The deployer knows nothing about any of it:
it only ever sees an endpoint URL through ``AWS_ENDPOINT_URL``.

    python -m tests.moto_endpoint                    # serve on a free port; prints READY <url>
    python -m tests.moto_endpoint -- CMD [ARGS...]   # serve, run CMD against it, stop; exits with CMD's code
    python -m tests.moto_endpoint --slow '' -- CMD   # as slow as AWS: see tests/slow_endpoint.py
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from tests import moto_import, moto_patches
from tests.slow_endpoint import Holds, RateLimit, Slowness

HOST = "127.0.0.1"
READY = "READY"

# Credentials and settings for a boto3 that must only ever talk to the local endpoint.  Every other
# AWS_* variable is dropped first: AWS_ENDPOINT_URL_<SERVICE>, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
# AWS_PROFILE, AWS_REGION... would otherwise send calls (or credentials) to real AWS.
OFFLINE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1,localhost",  # a configured HTTP proxy must not carry loopback calls elsewhere
    "no_proxy": "127.0.0.1,localhost",
}


def offline_env(base: Mapping[str, str], url: str | None = None) -> dict[str, str]:
    """``base`` without a single AWS_* variable, plus dummy credentials and, when given, the endpoint ``url``."""
    env = {name: value for name, value in base.items() if not name.startswith("AWS_")}
    env.update(OFFLINE_ENV)
    if url:
        env["AWS_ENDPOINT_URL"] = url
    return env


def go_offline(monkeypatch: Any, url: str | None = None) -> None:
    """The same for this process, through pytest's ``monkeypatch`` (undone after the test)."""
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in offline_env({}, url).items():
        monkeypatch.setenv(name, value)


class _OneRequestAtATime:
    """moto's backends are not thread-safe (a ListChangeSets racing a CreateChangeSet fails with
    "OrderedDict mutated during iteration"), so the endpoint answers one request at a time.
    The deployer still works on several stacks at once; only the fake AWS serialises."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.lock:
            return list(self.app(environ, start_response))


@contextmanager
def serving(port: int = 0, slow: Slowness | None = None) -> Iterator[str]:
    """The patched moto server in a thread of this process; yields its URL.

    ``slow``: change sets and stack operations take time and the account has a
    request rate (``tests/slow_endpoint.py``), layered on top of the patched moto.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request drowns the demo
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")  # moto warns about every resource type it only half supports
    moto_patches.apply_all()
    moto_import.apply_all()  # resource import (IMPORT change sets): tests/moto_import.py
    app: Any = DomainDispatcherApplication(create_backend_app)
    if slow is not None:
        holds = Holds(slow)
        holds.install()
        app = RateLimit(_OneRequestAtATime(holds.middleware(app)), slow, holds)
    else:
        app = _OneRequestAtATime(app)
    server = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def endpoint_process(timeout: float = 60.0, slow: Slowness | None = None) -> Iterator[str]:
    """The patched server in a child process (isolated from the caller's moto); yields its URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.moto_endpoint", *(slow.arguments() if slow else [])],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        url = _read_ready_line(child, timeout)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _read_ready_line(child: subprocess.Popen[str], timeout: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(child.stdout.readline() if child.stdout else ""))
    reader.start()
    reader.join(timeout)
    line = found[0].strip() if found else ""
    if not line.startswith(READY + " "):
        child.kill()
        raise RuntimeError(f"local endpoint did not start within {timeout:.0f}s (got {line!r})")
    return line.split(" ", 1)[1]


def run_against(command: list[str], url: str, base_env: Mapping[str, str]) -> int:
    """Run ``command`` against the endpoint: its exit code, or 130 after Ctrl-C.

    A terminal's Ctrl-C reaches the whole process group, so the command got
    the SIGINT too: it is given the time to finish (deploy.py writes its
    review files and says what was executed) instead of being killed with
    the endpoint still serving it.  A second Ctrl-C kills it.
    """
    child = subprocess.Popen(command, env=offline_env(base_env, url))
    try:
        return child.wait()
    except KeyboardInterrupt:
        try:
            child.wait()
        except KeyboardInterrupt:
            child.kill()
            child.wait()
        return 130


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--slow",
        metavar="JSON",
        help="as slow as AWS: change sets and stack operations take time, one account-wide request rate; "
        "'' for the defaults of tests/slow_endpoint.Slowness, or a JSON object of its fields",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD [ARGS...] to run against the endpoint")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    slow = Slowness.parse(args.slow) if args.slow is not None else None
    if command:
        with serving(args.port, slow) as url:
            print(f"local AWS endpoint (moto) at {url}", file=sys.stderr, flush=True)
            code = run_against(command, url, os.environ)
        print("local AWS endpoint stopped", file=sys.stderr)
        return code
    with serving(args.port, slow) as url:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        print(f"{READY} {url}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
