"""The pipeline, stage by stage: params -> stacks -> files -> checks.

    load_environment  params file -> validated ``Environment`` + whole-environment checks (exit 2)
    place_routes      ``Environment`` + route lock (params/<env>.lock.yaml) -> the new lock
    build_all         ``Environment`` -> one troposphere ``Template`` per stack
    generate          templates -> a checked folder (writer swaps it in only when clean)

``generate.py`` is the command line around these three; the deployer reads
only what ``generate`` wrote.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from troposphere import Template

from templates import naming
from templates.checks import limits, quotas
from templates.checks.capacity import subnet_problems, subnet_warnings
from templates.checks.cross_stack import cross_stack_findings
from templates.checks.findings import Finding, load_templates
from templates.checks.lint import LintWorkers, available_cores, lint_findings
from templates.checks.release_limits import release_problems
from templates.checks.security import security_findings
from templates.environment_files import environment_files
from templates.errors import ParamsError, Problem
from templates.params.environment import Environment, region_mismatches
from templates.params.limits import service_limit_problems
from templates.params.loader import load_params_and_source
from templates.params.messages import attribute_to_defaults
from templates.params.route_lock import RouteLock, lock_path, read_lock
from templates.routing.blue_green import green_rule_problems, plan_green_rules
from templates.routing.plan import allocate, plan_rules, route_problems
from templates.stacks.alb_shards import build_alb_shards
from templates.stacks.cluster import build_cluster
from templates.stacks.network import build_network
from templates.stacks.service.stack import build_service
from templates.writer import write_folder


def load_environment(path: Path | str) -> Environment:
    """Read and validate one params file, then the checks that need the whole environment.

    Route conflicts, regions and quotas are reported together, so one run
    shows everything the params file needs.
    """
    env, source = load_params_and_source(path)
    problems = route_problems(env) + allocate(env)[1]
    problems += [Problem(where, message, "P010") for where, message in region_mismatches(env)]
    problems += quotas.params_problems(env)
    problems += green_rule_problems(env)
    problems += release_problems(env)
    problems += service_limit_problems(env) + subnet_problems(env)  # AWS limits (L0xx), docs/limits.md
    if problems:
        raise ParamsError(Path(path), attribute_to_defaults(problems, source.raw))
    return env


def load_lock(params: Path | str) -> RouteLock:
    """The route lock beside a params file (``dev.yaml`` -> ``dev.lock.yaml``); empty when there is none."""
    return read_lock(lock_path(Path(params)))


def place_routes(params: Path | str, env: Environment, lock: RouteLock) -> RouteLock:
    """Every route's ALB and priority: pins, then the lock, then free slots (``routing.allocate``)."""
    placed, problems = allocate(env, lock)
    if problems:
        raise ParamsError(Path(params), problems)
    return placed


def build_all(env: Environment, lock: RouteLock | None = None) -> dict[str, Template]:
    """Every stack's template; ``lock`` is the route allocation (none: allocate afresh, as for a new env)."""
    rules = plan_rules(env, lock)
    green_rules = plan_green_rules(env, lock)
    stacks = {
        naming.NETWORK: build_network(env),
        **build_alb_shards(env, rules),
        naming.CLUSTER: build_cluster(env),
    }
    for name, svc in sorted(env.services.items()):
        stacks[naming.service_stack_key(name)] = build_service(
            env, svc, [r for r in rules if r.service == name], [r for r in green_rules if r.service == name]
        )
    return stacks


def check_folder(
    folder: Path, region: str, lint_cache: Path | None = None, linters: LintWorkers | None = None
) -> list[Finding]:
    """cfn-lint (cached by template content when ``lint_cache`` is a folder) and the cross-stack wiring."""
    lint = lint_findings(folder, region, cache_dir=lint_cache, linters=linters)
    return cross_stack_findings(load_templates(folder)) + lint


def generate(
    env: Environment, out: Path, validate: bool, lint_cache: Path | None = None, lock: RouteLock | None = None
) -> list[Finding]:
    """Build, write and check ``env`` into ``out``; ``out`` changes only when no finding is an error.

    Template quotas (Q1xx) and security guardrails (H0xx) always run;
    ``validate=False`` skips only cfn-lint and the cross-stack checks;
    ``lint_cache`` is the folder of cfn-lint's findings by template content.
    """
    findings: list[Finding] = []

    def accept(folder: Path) -> bool:
        findings.extend(quotas.folder_findings(folder))
        findings.extend(limits.folder_findings(folder) + subnet_warnings(env))
        findings.extend(security_findings(load_templates(folder)))
        if validate:
            findings.extend(check_folder(folder, env.region, lint_cache, linters))
        return not any(f.is_error for f in findings)

    extras, notes = environment_files(env, lock)  # diagram and cost model, swapped in with the templates
    findings.extend(notes)
    # cfn-lint's workers start first: their start-up overlaps the build (checks.lint).
    with LintWorkers(available_cores()) if validate else nullcontext() as linters:
        write_folder(out, env, build_all(env, lock), accept, extras)
    return findings
