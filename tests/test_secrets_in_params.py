"""Secrets in plain environment variables: refused where security is enforced, warned about elsewhere (S040-S042)."""

from __future__ import annotations

from pathlib import Path

import pytest

import generate
from tests.conftest import IMAGE, make_env, minimal_params, rule_problems, snapshot, web, write_params

LEAKY = {"DB_PASSWORD": "hunter2", "STRIPE_API_KEY": "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "NODE_ENV": "production"}


def _services(environment: dict[str, str], **container: object) -> dict[str, object]:
    return {"api": web(containers=[{"name": "app", "image": IMAGE, "port": 8080, "environment": environment,
                                    **container}])}  # fmt: skip


def test_the_issue_example_is_refused_in_prod(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = write_params(tmp_path, minimal_params(environment="prod", services=_services(LEAKY)))
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert "services.api.containers[0].environment.DB_PASSWORD: DB_PASSWORD is named like a secret (PASSWORD)" in err
    assert "environment.STRIPE_API_KEY: STRIPE_API_KEY is named like a secret (API KEY)" in err
    assert "move it to secrets: {DB_PASSWORD: arn:aws:secretsmanager:eu-west-1:<account>:secret:<name>}" in err
    assert "NODE_ENV" not in err
    assert snapshot(out) == {}
    assert "hunter2" not in err and "sk_live_" not in err  # the message never repeats the secret


def test_elsewhere_it_is_a_warning_and_the_output_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = write_params(tmp_path, minimal_params(environment="dev", services=_services(LEAKY)))
    assert generate.main(["--params", str(params), "--out", str(tmp_path / "out"), "--no-validate"]) == 0
    err = capsys.readouterr().err
    assert "DB_PASSWORD is named like a secret (PASSWORD)" in err and "[S040]" in err
    assert "a warning here; refused in prod" in err


def test_enforce_security_decides_over_the_name() -> None:
    strict = make_env(environment="dev", enforce_security=True, services=_services(LEAKY))
    lenient = make_env(environment="prod", enforce_security=False, services=_services(LEAKY))
    assert {p.severity for p in rule_problems(strict, "S040")} == {"error"}
    assert {p.severity for p in rule_problems(lenient, "S040")} == {"warning"}


@pytest.mark.parametrize(
    ("name", "value", "what"),
    [
        ("SETTINGS", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
        ("GH", "ghp_" + "a1B2" * 9, "a GitHub token"),
        ("HOOK", "xoxb-1234567890-abcdefghij", "a Slack token"),
        ("DATABASE_URL", "postgres://app:s3cr3t@db.internal:5432/app", "a password in a URL"),
    ],
)
def test_credential_shaped_values_are_found_whatever_their_name(name: str, value: str, what: str) -> None:
    env = make_env(environment="prod", services=_services({name: value}))
    problems = rule_problems(env, "S041")
    assert [(p.path, p.severity) for p in problems] == [(f"services.api.containers[0].environment.{name}", "error")]
    assert f"holds what looks like {what}" in problems[0].message


def test_plain_names_and_values_pass() -> None:
    env = make_env(environment="prod", services=_services(
        {"NODE_ENV": "production", "TOKEN_URL": "https://id.example.com/token", "JWT_SECRET_ARN": "arn:aws:x",
         "USERS_URL": "http://users.prod.shop.internal:8080", "PASSWORD_MIN_LENGTH": "12"}))  # fmt: skip
    assert rule_problems(env, "S040", "S041", "S042") == []


def test_not_secrets_marks_a_false_positive_with_its_reason() -> None:
    reason = "seconds a session token lives, not a token"
    env = make_env(
        environment="prod", services=_services({"TOKEN_LIFETIME": "3600"}, not_secrets={"TOKEN_LIFETIME": reason})
    )
    assert rule_problems(env, "S040", "S041", "S042") == []


def test_a_stale_not_secrets_entry_is_refused() -> None:
    env = make_env(services=_services({}, not_secrets={"OLD_TOKEN": "it was a token name for a counter"}))
    assert [(p.check_id, p.path) for p in rule_problems(env, "S042")] == [
        ("S042", "services.api.containers[0].not_secrets.OLD_TOKEN")
    ]


def test_a_reason_is_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc = _services({"TOKEN_LIFETIME": "3600"}, not_secrets={"TOKEN_LIFETIME": "ok"})
    params = write_params(tmp_path, minimal_params(services=svc))
    assert generate.main(["--params", str(params), "--out", str(tmp_path / "out"), "--no-validate"]) == 2
    assert "not_secrets.TOKEN_LIFETIME" in capsys.readouterr().err
