"""Write an environment's templates without ever leaving a half-written folder.

Everything goes to a temporary sibling folder first; only when it is
complete (and checked, if asked) does it replace ``output/<env>`` by rename.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from troposphere import Template

from templates.contract.files import LOCK_TEMPLATE, MANIFEST, template_file
from templates.contract.manifest import Manifest
from templates.params.environment import Environment
from templates.stacks.deploy_lock import build_lock_template


def render(template: Template) -> str:
    return template.to_json(indent=2) + "\n"


def write_folder(
    out: Path,
    env: Environment,
    templates: dict[str, Template],
    accept: Callable[[Path], bool] = lambda _folder: True,
    extras: Mapping[str, bytes] | None = None,
) -> bool:
    """Write to a temp folder, call ``accept`` on it, and swap it in only if accepted.

    ``extras`` are further files (name -> content: the diagram, the cost
    model) that travel with the templates and are swapped in with them.
    The environment lock's template (``LOCK_TEMPLATE``) is always written:
    the deployer takes the lock with it and must not build it itself.
    A rejected folder is kept at ``<out>.rejected`` for inspection; ``out`` stays as it was.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staging.chmod(usual_folder_mode())
        for key, template in templates.items():
            (staging / template_file(key)).write_text(render(template))
        (staging / LOCK_TEMPLATE).write_text(render(build_lock_template()))
        (staging / MANIFEST).write_text(
            Manifest.of(env.project, env.environment, env.region, list(templates)).to_json()
        )
        for name, content in (extras or {}).items():
            (staging / name).write_bytes(content)
        if not accept(staging):
            rejected = out.with_name(out.name + ".rejected")
            shutil.rmtree(rejected, ignore_errors=True)
            staging.rename(rejected)
            return False
        _swap(staging, out)
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def usual_folder_mode() -> int:
    """The mode ``mkdir`` gives a folder under the process's umask (0755 under the usual 022).

    ``mkdtemp`` makes its folder 0700 whatever the umask, and that folder
    becomes ``output/<env>``: CI artifact uploaders, containers running as
    another user and colleagues on a shared runner could not read it.  The
    output holds templates and reviews, nothing secret, so it gets the
    mode the user's umask asks for, like any folder they make.
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def _swap(staging: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
