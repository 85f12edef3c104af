"""The registry: every rule is a record (id, one-line summary, AWS documentation, the function).

Like cfn-lint's rules, each check is declared where it is written::

    @service_rule("S001", "Fargate Spot with ARM64",
                  docs="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html")
    def spot_with_arm64(svc: Service) -> Iterator[At]:
        if svc.capacity.uses_spot and svc.architecture == "arm64":
            yield At("capacity.spot_weight", "Fargate Spot does not run ARM64 tasks; ...")

The id is written once, in the decorator; the function says only where and
what.  ``rules()`` lists every record (docs/checks.md and docs/limits.md are
generated from it), and ``templates.rules.run`` runs them by what they read:

    service      one service's params          fn(svc) -> At(key path under services.<name>, message)
    environment  the whole params file         fn(env) -> At(key path, message)
    environments every params file of a run    fn([(file, env), ...]) -> (file, At)
    plan         params and the plan           fn(env, plan) -> At(key path, message)
    rendered     the written templates         fn(RenderedFolder) -> Found(file, message)

Reading the file itself (P001-P009, R007) happens before any model exists;
those records come from the reader (``templates/params/reading.py``) and are
listed here with the rest.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

Reads = Literal["file", "service", "environment", "environments", "plan", "rendered"]

# What each kind of rule is handed, for docs/checks.md.
READS: dict[str, str] = {
    "file": "the params file and its route lock, as read (before any model exists)",
    "service": "one service's params",
    "environment": "the whole params file",
    "environments": "every params file of one run, together",
    "plan": "the environment's plan: routes with the lock, ALBs, network, tasks",
    "rendered": "the templates as written to output/<env>/",
}


class At(NamedTuple):
    """One problem a params rule found: the key path to change (relative for service rules) and what to do.

    A warning is printed and the output still written; an error stops the run (exit 2).
    """

    path: str
    message: str
    warning: bool = False


class Found(NamedTuple):
    """One problem a rendered-template rule found: the file and what to do; warnings do not block writing."""

    file: str
    message: str
    warning: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    reads: Reads
    check: Callable[..., Iterable[Any]] | None  # None: a check the reader makes while reading (no model yet)
    docs: tuple[str, ...] = ()  # AWS documentation the rule encodes
    limit: str = ""  # the AWS limit, in words (docs/limits.md)


_RULES: dict[str, Rule] = {}
# The packages whose modules declare rules; imported on first listing so the registry is complete.
RULE_PACKAGES = ("templates.rules.params", "templates.rules.plan", "templates.rules.rendered")


def register(record: Rule) -> Rule:
    if record.id in _RULES and _RULES[record.id].check is not record.check:
        raise ValueError(f"rule id {record.id} is declared twice")
    _RULES[record.id] = record
    return record


def _rule(reads: Reads, rule_id: str, summary: str, docs: str | tuple[str, ...], limit: str) -> Callable:
    def declare(check: Callable[..., Iterable[Any]]) -> Callable[..., Iterable[Any]]:
        urls = (docs,) if isinstance(docs, str) else tuple(docs)
        register(Rule(rule_id, summary, reads, check, urls, limit))
        return check

    return declare


def service_rule(rule_id: str, summary: str, docs: str | tuple[str, ...] = (), limit: str = "") -> Callable:
    return _rule("service", rule_id, summary, docs, limit)


def environment_rule(rule_id: str, summary: str, docs: str | tuple[str, ...] = (), limit: str = "") -> Callable:
    return _rule("environment", rule_id, summary, docs, limit)


def environments_rule(rule_id: str, summary: str, docs: str | tuple[str, ...] = (), limit: str = "") -> Callable:
    return _rule("environments", rule_id, summary, docs, limit)


def plan_rule(rule_id: str, summary: str, docs: str | tuple[str, ...] = (), limit: str = "") -> Callable:
    return _rule("plan", rule_id, summary, docs, limit)


def rendered_rule(rule_id: str, summary: str, docs: str | tuple[str, ...] = (), limit: str = "") -> Callable:
    return _rule("rendered", rule_id, summary, docs, limit)


def rules(reads: Reads | None = None) -> list[Rule]:
    """Every rule (of one kind), by id."""
    for package in RULE_PACKAGES:
        importlib.import_module(package)
    from templates.params.reading import READING_CHECKS

    for check in READING_CHECKS:
        register(Rule(check.id, check.summary, "file", None, check.docs, check.limit))
    return sorted((r for r in _RULES.values() if reads is None or r.reads == reads), key=lambda r: r.id)


def rule(rule_id: str) -> Rule:
    return next(r for r in rules() if r.id == rule_id)
