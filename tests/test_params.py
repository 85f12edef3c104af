"""Params model rules with good and bad fixtures, through the real loader (key path, message, id)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from templates.errors import ParamsError, Problem
from templates.loader import load_environment
from tests.conftest import IMAGE, minimal_params, web, write_params

DIGEST = "sha256:" + "0123456789abcdef" * 4


def _load(tmp_path: Path, **service: Any):
    return load_environment(write_params(tmp_path, minimal_params(services={"api": web(**service)})))


def _problem(tmp_path: Path, **service: Any) -> Problem:
    with pytest.raises(ParamsError) as raised:
        _load(tmp_path, **service)
    [problem] = raised.value.problems
    return problem


def _container(image: str) -> list[dict[str, Any]]:
    return [{"name": "app", "image": image, "port": 8080}]


# ----------------------------------------------------------------------------- container images


@pytest.mark.parametrize(
    "image",
    [
        f"{IMAGE}@{DIGEST}",  # pinned by digest, as documented
        f"{IMAGE}:1.2.3@{DIGEST}",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:V1.2",  # tags may mix case
        "ghcr.io/my-org/app:Release_2024.01-rc1",
        "public.ecr.aws/docker/library/redis:7.2-alpine",
        "localhost:5000/team/app",
        "nginx",
    ],
)
def test_valid_image_references_load(tmp_path: Path, image: str) -> None:
    env = _load(tmp_path, containers=_container(image))
    assert env.services["api"].containers[0].image == image


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("ghcr.io/MyOrg/app", "has uppercase letters; Docker and ECR repository names are lowercase"),
        (f"{IMAGE}@sha256:abc", "is not sha256: followed by 64 lowercase hex digits"),
        (f"{IMAGE}@{DIGEST.upper()}", "is not sha256: followed by 64 lowercase hex digits"),
        (f"{IMAGE}:-latest", "may use 1-128 letters, digits, _ . - and not start with . or -"),
        (f"{IMAGE}:" + "x" * 129, "may use 1-128 letters"),
        ("shop//api", "is not an image reference; write [registry/]repository[:tag][@sha256:<64 hex>]"),
    ],
)
def test_invalid_image_references_say_what_is_wrong(tmp_path: Path, image: str, message: str) -> None:
    problem = _problem(tmp_path, containers=_container(image))
    assert problem.path == "services.api.containers[0].image"
    assert message in problem.message
