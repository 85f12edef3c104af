"""Nothing the deployer prints or writes carries credentials from the environment or the profile.

Credentials planted in the AWS_* variables and in a profile's files; a
review, an execution and a failing run against the local endpoint; every
line printed and every file under the output folder scanned for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import deploy
from tests.moto_endpoint import go_offline

pytestmark = pytest.mark.e2e

KEY_ID = "AKIAPLANTEDKEY000001"
SECRET = "planted/secret/key/0000000000000000000001"
TOKEN = "planted-session-token-0000000000000000001"
PROFILE_KEY_ID = "AKIAPLANTEDPROFILE01"
PROFILE_SECRET = "planted/profile/secret/00000000000000000001"


def _everything_written(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


def test_planted_credentials_appear_nowhere(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    go_offline(monkeypatch, endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    (tmp_path / "credentials").write_text(
        f"[planted]\naws_access_key_id = {PROFILE_KEY_ID}\naws_secret_access_key = {PROFILE_SECRET}\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    base = ["--env", "dev", "--dir", str(dev), "--region", "sa-east-1"]
    codes = [
        deploy.main([*base, "--stacks", "network"]),
        deploy.main([*base, "--stacks", "network", "--execute", "--yes"]),
        deploy.main([*base, "--stacks", "network", "--profile", "planted"]),
        deploy.main([*base, "--stacks", "network", "--profile", "missing"]),  # a failing run: exit 2
        deploy.main([*base, "--stacks", "alb", "--set", "alb.NoSuch=1"]),  # a bad flag: exit 2
    ]
    assert codes == [0, 0, 0, 2, 2]
    printed = capsys.readouterr()
    seen = printed.out + printed.err + _everything_written(dev)
    assert "shop-dev-network" in seen  # the scan read real output
    leaks = [value for value in (KEY_ID, SECRET, TOKEN, PROFILE_KEY_ID, PROFILE_SECRET) if value in seen]
    assert leaks == []
