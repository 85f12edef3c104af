"""A content cache of cfn-lint's findings, one entry per template.

cfn-lint's findings for one template depend only on that template and on
the linter itself, never on the other templates of the environment.  So an
entry is keyed by everything that can change them:

* the template's bytes, exactly as written (not its file name: two
  identical templates have the same findings);
* cfn-lint's version (a new release brings new rules and new specs);
* the regions linted against (resource types and values differ per region);
* the configuration: the arguments we pass, plus every ``.cfnlintrc`` that
  cfn-lint would also read on its own (user's home and current folder);
* ``CACHE_FORMAT``, bumped whenever what an entry holds changes.

A change to any of them is a different key, so a stale entry is never read;
old entries are simply never looked at again.  Entries are written to a
temporary file and renamed, so a crash or two generators running at once
leave either a whole entry or none.  The folder gets its own ``.gitignore``
(``*``) when created, so it stays out of commits wherever it lives.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CACHE_FORMAT = 1
CONFIG_FILE_NAMES = (".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml")


@dataclass(frozen=True)
class CachedMatch:
    """One cfn-lint match without its file name (the key is the content, not the name)."""

    rule_id: str
    line: int
    message: str


def linter_version() -> str:
    """The installed cfn-lint's version, read from its package metadata.

    Not ``cfnlint.version``: importing that imports all of cfn-lint (most of a
    second), which a run served entirely from the cache never needs.
    """
    try:
        return importlib.metadata.version("cfn-lint")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree without metadata
        from cfnlint.version import __version__

        return __version__


def config_fingerprint(arguments: dict[str, object], folders: Sequence[Path] | None = None) -> str:
    """Our cfn-lint arguments plus the text of every ``.cfnlintrc`` it would read besides them.

    cfn-lint merges a user config (home) and a project config (current
    folder) into what we pass; editing either must re-lint everything.
    """
    looked_in = folders if folders is not None else (Path.home(), Path.cwd())
    files = {}
    for folder in looked_in:
        for name in CONFIG_FILE_NAMES:
            path = folder / name
            if path.is_file():
                files[str(path)] = path.read_text(errors="replace")
    return json.dumps({"arguments": arguments, "files": files}, sort_keys=True, default=str)


def cache_key(template: bytes, version: str, regions: Sequence[str], config: str) -> str:
    """The SHA-256 of everything a template's findings depend on (see the module docstring)."""
    digest = hashlib.sha256()
    header = json.dumps(
        {"format": CACHE_FORMAT, "cfn-lint": version, "regions": sorted(regions), "config": config}, sort_keys=True
    )
    digest.update(header.encode())
    digest.update(b"\0")
    digest.update(template)
    return digest.hexdigest()


class LintCache:
    """Entries as small JSON files named by their key, under one folder created on first write."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[CachedMatch] | None:
        """The stored matches, or None when absent or unreadable (then the template is linted again)."""
        try:
            raw = json.loads(self._path(key).read_text())
            return [CachedMatch(str(rule), int(line), str(message)) for rule, line, message in raw["matches"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, matches: Sequence[CachedMatch]) -> None:
        path = self._path(key)
        self._create_folder()
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"matches": [[m.rule_id, m.line, m.message] for m in matches]})
        handle, temporary = tempfile.mkstemp(prefix=".entry.", dir=path.parent)
        try:
            with os.fdopen(handle, "w") as stream:
                stream.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _create_folder(self) -> None:
        if not self.folder.is_dir():
            self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# cfn-lint findings by template content; safe to delete\n*\n")
