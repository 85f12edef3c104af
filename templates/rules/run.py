"""Run the rules by what they read, and report every problem once, at the key where it was written.

Params, environment and plan rules all run on every load (none stops at the
first problem): a params file with five mistakes gets five lines in one run.
Their ``At`` paths become ``Problem``s with the rule's id; the loader then
moves a problem inherited from ``defaults`` to ``defaults.<key>``, once,
naming the services that inherit it (``params.messages.attribute_to_defaults``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from templates.contract.rendered import RenderedFolder
from templates.errors import Finding, ParamsError, Problem
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import EnvironmentPlan
from templates.rules.registry import Rule, rules


def _problem(rule: Rule, path: str, message: str, warning: bool = False) -> Problem:
    return Problem(path, message, rule.id, "warning" if warning else "error")


def service_problems(name: str, svc: Service) -> list[Problem]:
    """Every service rule broken by ``svc`` (key paths under ``services.<name>``)."""
    prefix = f"services.{name}"
    return [
        _problem(rule, f"{prefix}.{at.path}" if at.path else prefix, at.message, at.warning)
        for rule in rules("service")
        for at in rule.check(svc)  # type: ignore[misc]
    ]


def environment_problems(env: Environment) -> list[Problem]:
    problems = [p for name, svc in env.services.items() for p in service_problems(name, svc)]
    problems += [_problem(rule, *at) for rule in rules("environment") for at in rule.check(env)]  # type: ignore[misc]
    return problems


def plan_problems(env: Environment, plan: EnvironmentPlan) -> list[Problem]:
    return [_problem(rule, *at) for rule in rules("plan") for at in rule.check(env, plan)]  # type: ignore[misc]


def params_problems(env: Environment, plan: EnvironmentPlan) -> list[Problem]:
    """Every problem of a loaded params file: its services, the whole environment, and its plan."""
    return environment_problems(env) + plan_problems(env, plan)


def check_environments_together(environments: Sequence[tuple[Path, Environment]]) -> None:
    """The rules over every params file of one run; the first file with a problem raises ``ParamsError``."""
    for rule in rules("environments"):
        for file, at in rule.check(environments):  # type: ignore[misc]
            raise ParamsError(file, [_problem(rule, *at)])


def rendered_findings(folder: RenderedFolder) -> list[Finding]:
    """Every rendered-template rule over a written folder (cfn-lint runs apart: ``rendered/lint.py``)."""
    return [
        Finding(rule.id, found.file, found.message, "warning" if found.warning else "error")
        for rule in rules("rendered")
        if rule.check is not None
        for found in rule.check(folder)
    ]
