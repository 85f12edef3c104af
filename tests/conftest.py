"""Shared fixtures: small params models built in memory, and generated envs on disk."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from templates.contract.rendered import RenderedFolder
from templates.errors import Finding, Problem
from templates.params.environment import Environment
from templates.params.route_lock import RouteLock
from templates.pipeline import build_all
from templates.plan.build import build_plan
from templates.rules.run import params_problems, rendered_findings
from templates.writer import write_folder
from tests.fault_proxy import FaultProxy, fault_proxy
from tests.moto_endpoint import endpoint_process, go_offline

ROOT = Path(__file__).resolve().parent.parent
PARAMS_DIR = ROOT / "params"

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api"

MINIMAL: dict[str, Any] = {
    "project": "demo",
    "environment": "test",
    "region": "eu-west-1",
    "services": {
        "api": {
            "image_tag": "1.0.0",
            "containers": [{"name": "app", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", "port": 8080}],
            "routes": [{"host": "api.example.com", "path": "/api"}],
        }
    },
}


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches AWS: every AWS_* variable of the shell is dropped, dummy credentials set."""
    go_offline(monkeypatch)


def minimal_params(**overrides: Any) -> dict[str, Any]:
    """A valid params dict; top-level keys in ``overrides`` replace the minimal ones."""
    data = copy.deepcopy(MINIMAL)
    data.update(copy.deepcopy(overrides))
    return data


def make_env(**overrides: Any) -> Environment:
    from templates.params.loader import apply_defaults

    data = apply_defaults(Path("<test>"), minimal_params(**overrides))
    return Environment.model_validate(data)


def rule_problems(env: Environment, *ids: str, lock: RouteLock | None = None) -> list[Problem]:
    """What the params and plan rules say of ``env`` (planned with ``lock``), only the given ids if any."""
    found = params_problems(env, build_plan(env, lock))
    return [p for p in found if not ids or p.check_id in ids]


def rule_findings(templates: Any, *ids: str) -> list[Finding]:
    """What the rendered-template rules say of ``templates``: a written folder (Path), or stack key -> template
    (a dict, or JSON text as written); only the given ids if any."""
    if isinstance(templates, Path):
        folder = RenderedFolder.read(templates)
    else:
        folder = RenderedFolder.of(
            {key: value if isinstance(value, str) else json.dumps(value) for key, value in templates.items()}
        )
    return [f for f in rendered_findings(folder) if not ids or f.check_id in ids]


def written_templates(folder: Path) -> dict[str, dict[str, Any]]:
    """Stack key -> parsed template of a written folder."""
    return RenderedFolder.read(folder).docs()


WIRING = ("C001", "C002", "C003")
GUARDRAILS = ("H001", "H002", "H003")


# The rules over what the plan could not place (the allocator's own verdicts, before the rules room).
PLACEMENT_IDS = ("R005", "R006", "Q001", "Q003")


def placed(env: Environment, lock: RouteLock | None = None) -> tuple[RouteLock, list[Problem]]:
    """The route lock the plan writes back, and what its placement rules report."""
    return build_plan(env, lock).lock, rule_problems(env, *PLACEMENT_IDS, lock=lock)


def web(**fields: Any) -> dict[str, Any]:
    """A routed service's params; ``fields`` add or replace keys."""
    svc: dict[str, Any] = {
        "image_tag": "1",
        "containers": [{"name": "app", "image": IMAGE, "port": 8080}],
        "routes": [{"host": "api.example.com"}],
    }
    svc.update(fields)
    return svc


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes); {} when it does not exist.

    Bad input must leave an output folder exactly as it was: compare snapshots.
    """
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_params(folder: Path, data: dict[str, Any] | str, name: str = "test.yaml") -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def shipped_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped params file generated (unvalidated) into a temp folder, once per session."""
    from templates.params.route_lock import is_lock_file
    from templates.pipeline import load

    root = tmp_path_factory.mktemp("shipped")
    outputs = {}
    for params in sorted(p for p in PARAMS_DIR.glob("*.yaml") if not is_lock_file(p)):
        loaded = load(params)
        out = root / params.stem
        write_folder(out, loaded.env, build_all(loaded.env, loaded.plan))
        outputs[params.stem] = out
    return outputs


@pytest.fixture
def clean_copy(tmp_path: Path) -> Any:
    def copy_folder(src: Path) -> Path:
        dst = tmp_path / src.name
        shutil.copytree(src, dst)
        return dst

    return copy_folder


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder holding a previous good generation (bad input must leave it as it is)."""
    import generate

    folder = tmp_path / "out"
    good = write_params(tmp_path, minimal_params(), "good.yaml")
    assert generate.main(["--params", str(good), "--out", str(folder), "--no-validate"]) == 0
    return folder


@pytest.fixture
def dev(shipped_outputs: dict[str, Path], tmp_path: Path) -> Path:
    """A private copy of the generated dev folder (deploys write review files into it)."""
    folder = tmp_path / "dev"
    shutil.copytree(shipped_outputs["dev"], folder)
    return folder


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A local AWS endpoint (moto on loopback) per test module, so no module sees another's stacks."""
    with endpoint_process() as url:
        yield url


@pytest.fixture
def proxy(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """boto3 in the test talks to a fault-injecting proxy in front of ``endpoint`` (nothing faulty until asked)."""
    with fault_proxy(endpoint) as running:
        go_offline(monkeypatch, running.url)
        yield running


@pytest.fixture
def unslept_proxy(proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> FaultProxy:
    """``proxy``, with botocore's backoff between attempts not slept: retry bursts cost no test time."""
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda _self, _context: 0)
    monkeypatch.setattr("botocore.retries.bucket.TokenBucket._sleep_amount", lambda _self, _amount: 0)
    return proxy


@pytest.fixture
def cfn() -> Iterator[tuple[Any, Stubber]]:
    """A CloudFormation client behind botocore's Stubber, for answers neither moto nor the proxy can give."""
    client = boto3.client(
        "cloudformation", region_name="eu-west-1", aws_access_key_id="stub", aws_secret_access_key="stub"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()
