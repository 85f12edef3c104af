"""cfn-lint over an environment's written templates, its matches as findings.

cfn-lint dominates generation time (tenths of a second per template), and a
template's findings depend on that template alone.  Two consequences:

* **Cache** (``lint_cache``): with a cache folder, a template whose content,
  linter version, regions and configuration were linted before is not linted
  again, so editing one service re-lints one template.
* **Pool**: the templates still to lint are split into one batch per core
  (balanced by size); each worker starts cfn-lint once and lints its whole
  batch in one call (a fresh cfn-lint run per file costs about half a second
  of start-up each).  The calling process lints the first batch itself while
  the workers do the rest.  Workers are forked, so they inherit cfn-lint
  already imported.
* **Early start** (``LintWorkers``): ``pipeline.generate`` starts the workers
  before it builds anything, so their cfn-lint import overlaps the build and
  the checks; the templates to lint then all go to these warm workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from templates.contract.files import cloudformation_templates
from templates.errors import Finding
from templates.rules.registry import Rule, register
from templates.rules.rendered.lint_cache import CachedMatch, LintCache, cache_key, config_fingerprint, linter_version

# cfn-lint is one record with its own rule ids (E/W...): it runs apart, on worker processes (``lint_findings``).
CFN_LINT = register(
    Rule(
        "cfn-lint",
        "cfn-lint's own rules (E/W ids) over every template: AWS's resource schemas and best practices",
        "rendered",
        None,
        ("https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md",),
    )
)

# What goes to cfn-lint besides the templates; part of every cache key.
LINT_ARGUMENTS: dict[str, object] = {}


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def lint_findings(
    folder: Path,
    region: str,
    cache_dir: Path | None = None,
    workers: int | None = None,
    version: str | None = None,
    linters: LintWorkers | None = None,
) -> list[Finding]:
    """cfn-lint errors and warnings of every template in ``folder``, from the cache where it has them.

    ``version`` overrides the linter version in the cache key (tests use it to
    stand for an upgrade); it never changes which cfn-lint runs.
    """
    files = cloudformation_templates(folder)
    regions = [region]
    cache = LintCache(cache_dir) if cache_dir is not None else None
    config = config_fingerprint(LINT_ARGUMENTS)
    keys = {p.name: cache_key(p.read_bytes(), version or linter_version(), regions, config) for p in files}
    found: dict[str, list[CachedMatch]] = {}
    for path in files:
        cached = cache.get(keys[path.name]) if cache is not None else None
        if cached is not None:
            found[path.name] = cached
    missing = [p for p in files if p.name not in found]
    if linters is not None:
        fresh = linters.lint(missing, regions)
    else:
        fresh = lint_files(missing, regions, workers or available_cores())
    for path in missing:
        found[path.name] = fresh.get(path.name, [])
        if cache is not None:
            cache.put(keys[path.name], found[path.name])
    return [
        Finding(m.rule_id, f"{path.name}:{m.line}", m.message)
        for path in files
        for m in found[path.name]
        if m.rule_id[0] in "EW"
    ]


def lint_files(paths: Sequence[Path], regions: Sequence[str], workers: int) -> dict[str, list[CachedMatch]]:
    """File name -> cfn-lint matches, linted in up to ``workers`` processes (this one included)."""
    batches = _batches(paths, workers)
    if len(batches) <= 1:
        return _lint_batch(batches[0] if batches else [], list(regions))
    import cfnlint.api  # noqa: F401  (imported once here, so forked workers start with it loaded)

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(batches) - 1, mp_context=context) as pool:
        futures = [pool.submit(_lint_batch, batch, list(regions)) for batch in batches[1:]]
        results = _lint_batch(batches[0], list(regions))
        for future in futures:
            results.update(future.result())
    return results


class LintWorkers:
    """cfn-lint worker processes started before the templates exist (a context manager).

    Started early, each imports cfn-lint while the calling process builds and
    writes the templates; ``lint`` then hands each one a batch.  Nothing is
    gained when every template is served from the cache, and little is lost:
    the workers only imported a module.
    """

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LintWorkers:
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=self.count, mp_context=context, initializer=_import_cfn_lint)
        self._pool.submit(_import_cfn_lint)  # with fork, the first task launches every worker at once
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def lint(self, paths: Sequence[Path], regions: Sequence[str]) -> dict[str, list[CachedMatch]]:
        if self._pool is None:
            raise RuntimeError("LintWorkers used outside its with-block")
        futures = [self._pool.submit(_lint_batch, batch, list(regions)) for batch in _batches(paths, self.count)]
        results: dict[str, list[CachedMatch]] = {}
        for future in futures:
            results.update(future.result())
        return results


def _import_cfn_lint() -> None:
    import cfnlint.api  # noqa: F401


def _batches(paths: Sequence[Path], workers: int) -> list[list[str]]:
    """At most ``workers`` batches of similar total size: biggest file first, into the lightest batch."""
    count = max(1, min(workers, len(paths)))
    batches: list[list[str]] = [[] for _ in range(count)]
    weights = [0] * count
    for path in sorted(paths, key=lambda p: (-p.stat().st_size, p.name)):
        lightest = weights.index(min(weights))
        batches[lightest].append(str(path))
        weights[lightest] += path.stat().st_size
    return [sorted(batch) for batch in batches if batch]


def _lint_batch(files: list[str], regions: list[str]) -> dict[str, list[CachedMatch]]:
    """One cfn-lint run over ``files``: its rules and schemas load once for the whole batch."""
    if not files:
        return {}
    from cfnlint.api import ManualArgs, lint_by_config

    matches = lint_by_config(ManualArgs(templates=files, regions=regions, **LINT_ARGUMENTS))  # type: ignore[typeddict-item]
    results: dict[str, list[CachedMatch]] = {Path(f).name: [] for f in files}
    for m in matches:
        name = Path(m.filename).name if m.filename else Path(files[0]).name
        results.setdefault(name, []).append(CachedMatch(m.rule.id, m.linenumber, m.message))
    return results
