"""Fuzz the params loader: whatever the bytes, it returns an Environment or raises ParamsError.

Four generators, from shallow to deep: arbitrary bytes, arbitrary text with
YAML punctuation, arbitrary YAML documents, and the real dev params with one
random subtree replaced or removed (which reaches the model validators,
routing and quota checks).  Settings are derandomized and bounded so CI is
stable and fast; a failure prints the example to add to tests/bad_params.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templates.errors import ParamsError
from templates.params.environment import Environment
from templates.pipeline import load_environment

ROOT = Path(__file__).resolve().parent.parent
DEV = yaml.safe_load((ROOT / "params" / "dev.yaml").read_text())

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words the schema knows, so random mappings sometimes hit real fields.
KNOWN_KEYS = sorted(
    {
        *Environment.model_fields,
        "cidr", "az_count", "nat", "flow_logs", "traffic_type", "retention_days", "kms_key_arn",
        "scheme", "certificate_arn", "ingress_cidrs", "ssl_policy", "idle_timeout", "deletion_protection",
        "access_logs_bucket", "container_insights", "namespace", "defaults", "cpu", "memory", "architecture",
        "desired_count", "image_tag", "log_retention_days", "log_kms_key_arn", "health_check", "containers",
        "target_container", "routes", "task_role", "name", "image", "port", "environment", "secrets",
        "essential", "host", "path", "priority", "interval", "timeout", "matcher", "auth", "web", "<<",
    }
)  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["10.0.0.0/16", "0.0.0.0/0", "arn:aws:acm:eu-west-1:123456789012:certificate/x", "/", "*"])
)
keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=12)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)
yaml_text = st.lists(
    st.sampled_from([*"abcxyz019 :-_{}[],&*!|>'\"#%@`?\t\n", "\n  ", "---", "<<: ", "\ufeff", "\x00", "é"])
    | st.sampled_from(KNOWN_KEYS),
    max_size=80,
).map("".join)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "params.yaml"


def _load_only_clean_errors(path: Path) -> None:
    try:
        load_environment(path)
    except ParamsError as exc:
        rendered = str(exc)  # rendering must not fail either
        assert rendered.startswith(f"{path}: invalid params")
        assert exc.problems and all(p.message for p in exc.problems)


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes(scratch: Path, data: bytes) -> None:
    scratch.write_bytes(data)
    _load_only_clean_errors(scratch)


@FUZZ
@given(text=yaml_text)
def test_any_yaml_like_text(scratch: Path, text: str) -> None:
    scratch.write_text(text, encoding="utf-8", errors="surrogatepass")
    _load_only_clean_errors(scratch)


@FUZZ
@given(doc=documents)
def test_any_yaml_document(scratch: Path, doc: Any) -> None:
    scratch.write_text(yaml.safe_dump(doc, allow_unicode=True))
    _load_only_clean_errors(scratch)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


ALL_PATHS = [p for p in _paths(DEV) if p]


@FUZZ
@given(where=st.sampled_from(ALL_PATHS), value=documents, remove=st.booleans())
def test_valid_params_with_one_part_broken(scratch: Path, where: tuple[Any, ...], value: Any, remove: bool) -> None:
    doc = copy.deepcopy(DEV)
    parent = doc
    for part in where[:-1]:
        parent = parent[part]
    if remove:
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    scratch.write_text(yaml.safe_dump(doc, allow_unicode=True))
    _load_only_clean_errors(scratch)
