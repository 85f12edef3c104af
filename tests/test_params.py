"""Params model rules with good and bad fixtures, through the real loader (key path, message, id)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from templates.errors import ParamsError, Problem
from templates.pipeline import load_environment
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


# ----------------------------------------------------------------------------- routes and health checks


def test_route_path_leaves_room_for_the_appended_wildcard(tmp_path: Path) -> None:
    """ALB path patterns hold 128 characters; /<126 chars> becomes a pattern of 128 with /*."""
    longest = "/" + "a" * 125
    env = _load(tmp_path, routes=[{"host": "api.example.com", "path": longest}])
    assert env.services["api"].routes[0].path == longest
    problem = _problem(tmp_path, routes=[{"host": "api.example.com", "path": longest + "a"}])
    assert problem.path == "services.api.routes[0].path"
    assert "at most 126 characters" in problem.message


@pytest.mark.parametrize("matcher", ["200", "200,202,301", "200-299", "200-499", "499"])
def test_health_check_matcher_within_alb_range(tmp_path: Path, matcher: str) -> None:
    assert _load(tmp_path, health_check={"matcher": matcher}).services["api"].health_check.matcher == matcher


@pytest.mark.parametrize(
    ("matcher", "message"),
    [
        ("600", "600 outside 200-499"),
        ("199,200", "199 outside 200-499"),
        ("200-500", "500 outside 200-499"),
        ("299-200", "must be low-high"),
        ("200-299-300", "must be low-high"),
        ("200,202-204", "is not a code (200), a list (200,202) or a range (200-299)"),
        ("2xx", "is not a code"),
    ],
)
def test_health_check_matcher_outside_alb_range(tmp_path: Path, matcher: str, message: str) -> None:
    problem = _problem(tmp_path, health_check={"matcher": matcher})
    assert problem.path == "services.api.health_check.matcher"
    assert message in problem.message
