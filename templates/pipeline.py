"""The pipeline, stage by stage: params -> plan -> rules -> stacks -> files -> rules on the files.

    load        params file + route lock -> validated ``Environment`` and its ``EnvironmentPlan``,
                every params and plan rule run once (any error: ``ParamsError``, exit 2)
    build_all   ``Environment`` + plan -> one troposphere ``Template`` per stack
    generate    templates -> a checked folder (the writer swaps it in only when clean)

``generate.py`` is the command line around these; the deployer reads only
what ``generate`` wrote (``templates/contract``).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from troposphere import Template

from templates import naming
from templates.contract.rendered import RenderedFolder
from templates.environment_files import environment_files
from templates.errors import Finding, ParamsError
from templates.params.environment import Environment
from templates.params.loader import read_params, services_alone, validate_params
from templates.params.messages import attribute_to_defaults
from templates.params.route_lock import RouteLock, lock_path, read_lock
from templates.plan.build import build_plan
from templates.plan.model import EnvironmentPlan
from templates.rules.rendered.lint import LintWorkers, available_cores, lint_findings
from templates.rules.run import params_problems, rendered_findings, service_problems
from templates.stacks.alb_shards import build_alb_shards
from templates.stacks.cluster import build_cluster
from templates.stacks.network import build_network
from templates.stacks.service.stack import build_service
from templates.writer import write_folder


@dataclass(frozen=True)
class Loaded:
    """One params file, validated and planned: what every later stage of a run reads."""

    params: Path
    env: Environment
    lock: RouteLock  # the route lock as read beside the params file (empty for a new environment)
    plan: EnvironmentPlan  # built once, with that lock; ``plan.lock`` is the lock to write back
    warnings: list[Finding] = field(default_factory=list)


def load(path: Path | str) -> Loaded:
    """Read, validate and plan one params file; every rule runs, and every problem is reported at once.

    When the schema refuses part of the file, the services that validate on
    their own still get their rules, so one run lists everything to fix.
    """
    document = read_params(path)
    env, schema = validate_params(document)
    if env is None:
        found = [p for name, svc in services_alone(document).items() for p in service_problems(name, svc)]
        found = attribute_to_defaults(found, document.source.raw)
        raise ParamsError(document.path, schema + [p for p in found if p.is_error])
    lock = read_lock(lock_path(document.path))
    plan = build_plan(env, lock)
    problems = attribute_to_defaults(params_problems(env, plan), document.source.raw)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ParamsError(document.path, errors)
    warnings = [Finding(p.check_id, p.path, p.message, "warning") for p in problems if not p.is_error]
    return Loaded(document.path, env, lock, plan, warnings)


def load_environment(path: Path | str) -> Environment:
    """The validated model of one params file, after every rule (``load`` without the plan)."""
    return load(path).env


def build_all(env: Environment, plan: EnvironmentPlan | None = None) -> dict[str, Template]:
    """Every stack's template; ``plan`` from ``load`` (none: planned afresh, as for a new environment)."""
    plan = plan if plan is not None else build_plan(env)
    stacks = {
        naming.NETWORK: build_network(env, plan),
        **build_alb_shards(env, plan),
        naming.CLUSTER: build_cluster(env, plan),
    }
    for name, svc in sorted(env.services.items()):
        stacks[naming.service_stack_key(name)] = build_service(env, svc, plan)
    return stacks


def check_folder(
    folder: Path, region: str, lint_cache: Path | None = None, linters: LintWorkers | None = None
) -> list[Finding]:
    """Every rule over a written folder: the rendered rules, then cfn-lint (cached by template content)."""
    findings = rendered_findings(RenderedFolder.read(folder))
    return findings + lint_findings(folder, region, cache_dir=lint_cache, linters=linters)


def generate(loaded: Loaded, out: Path, validate: bool, lint_cache: Path | None = None) -> list[Finding]:
    """Build, write and check one loaded environment into ``out``; ``out`` changes only when no finding is an error.

    The rendered-template rules (quotas, sizes, wiring, guardrails) always
    run; ``validate=False`` skips only cfn-lint; ``lint_cache`` is the folder
    of cfn-lint's findings by template content.
    """
    env, plan = loaded.env, loaded.plan
    findings: list[Finding] = list(loaded.warnings)

    def accept(folder: Path) -> bool:
        if validate:
            findings.extend(check_folder(folder, env.region, lint_cache, linters))
        else:
            findings.extend(rendered_findings(RenderedFolder.read(folder)))
        return not any(f.is_error for f in findings)

    extras, notes = environment_files(env, plan)  # diagram and cost model, swapped in with the templates
    findings.extend(notes)
    # cfn-lint's workers start first: their start-up overlaps the build (rules/rendered/lint.py).
    with LintWorkers(available_cores()) if validate else nullcontext() as linters:
        write_folder(out, env, build_all(env, plan), accept, extras)
    return findings
