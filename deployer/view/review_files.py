"""The review as files: ``review.md`` for a ticket or a pull request, ``review.json`` for a CI gate.

Both are rewritten after execution with each stack's result, so the files
always describe the last run.  ``review.json`` carries the same ``risky`` list
and exit code the command returns.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deployer.errors import UsageError
from deployer.review.lifecycle import Teardown
from deployer.review.stack_review import REPLACEMENT, RESOURCE_COLUMNS, Review, StackReview
from deployer.view import cost_lines, import_tables, lifecycle_tables, prediction_tables, route_tables, terminal
from deployer.view.value_rows import VALUE_COLUMNS, value_rows
from templates.contract.files import DIAGRAM_MERMAID, REVIEW_JSON, REVIEW_MD

SCHEMA = 1
TEARDOWN_SCHEMA = 1  # a teardown's review.json: its own shape ("operation": "teardown")


def report_paths(folder: Path) -> tuple[Path, Path]:
    """Where a run writes its review: review.md and review.json in the generated folder."""
    return folder / REVIEW_MD, folder / REVIEW_JSON


def reset_reports(folder: Path) -> None:
    """Remove the previous run's review files, and make sure this run can write its own.

    Called before any AWS call.  CI reads ``review.json``: after a run that
    failed early (no credentials, endpoint unreachable, a bad flag) an old file
    saying exit code 0 must not be there to read.  A review path that is not
    a file (a directory, say) or a folder we cannot write to is a usage error
    now, not a traceback after the change sets were made.
    """
    if not folder.is_dir():
        return  # load_deployment says what is wrong with the folder
    problems = []
    for path in report_paths(folder):
        if path.is_symlink() or path.is_file():
            try:
                path.unlink()
            except OSError as exc:
                problems.append(f"{path}: cannot replace it ({exc.strerror})")
        elif path.exists():
            problems.append(f"{path} is not a file; remove it: this run writes its review there")
    if not problems and not os.access(folder, os.W_OK | os.X_OK):
        problems.append(f"{folder}: not writable; the review files are written there")
    if problems:
        raise UsageError("; ".join(problems))


def write_reports(folder: Path, review: Review, exit_code: int) -> tuple[Path, Path]:
    """review.md (with the environment's diagram) and review.json, for this run and its exit code."""
    md, js = report_paths(folder)
    md.write_text(markdown(review) + environment_picture(folder))
    js.write_text(json.dumps(as_json(review, exit_code), indent=2, default=str) + "\n")
    return md, js


def environment_picture(folder: Path) -> str:
    """The Mermaid diagram generate.py wrote beside the templates (diagram.mmd), as a review.md section.

    Read from the folder, not rebuilt: the deployer never imports the generator.
    """
    diagram = folder / DIAGRAM_MERMAID
    if not diagram.is_file():
        return ""
    return f"\n## Environment\n\n```mermaid\n{diagram.read_text().rstrip()}\n```\n"


def as_json(review: Review, exit_code: int) -> dict[str, Any]:
    """review.json's content: every stack with its risks, the exit code, cost and lifecycle, for CI gates."""
    stacks = []
    for stack in review.stacks.values():
        data = asdict(stack)
        data["result"] = str(stack.result)
        data["risks"] = stack.risks
        stacks.append(data)
    return {
        "schema": SCHEMA,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "project": review.project,
        "environment": review.environment,
        "region": review.region,
        "run": review.run,
        "identity": asdict(review.identity) if review.identity else None,
        "allow_replacement": review.allow_replacement,
        "allow_delete": review.allow_delete,
        "risky": review.risky,
        "needs": review.needs,  # the flags that would allow the risks: --allow-replacement, --allow-delete
        "exit_code": exit_code,
        "stacks": stacks,
        "routes": [asdict(route) for route in review.routes],
        "cost": review.cost,
        **review.lifecycle.as_json(),
    }


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ") if value not in (None, "") else ""


def _table(header: tuple[str, ...], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]


markdown_table = _table  # the lifecycle sections and the teardown review draw their tables with it


def markdown(review: Review) -> str:
    """review.md: risks first, the summary, lifecycle and cost, then a section per stack."""
    title, details = terminal.header(review)
    lines = [f"# Deploy {title[0].lower()}{title[1:]}", ""] + ([details, ""] if details else [])
    if review.risky:
        gate = f"not executed: no {' or '.join(review.needs)}" if review.needs else "allowed by the flags given"
        lines += [f"**Risky changes ({gate}):**", ""] + [f"- {risk}" for risk in review.risky] + [""]
    rows = [
        [s.stack_name, s.action or "-", s.result, *s.counts().values(), len(s.risks)] for s in review.stacks.values()
    ]
    rows += terminal.deletion_rows(review)
    lines += [*_table(("Stack", "Action", "Result", "Add", "Modify", "Remove", "Risks"), rows), ""]
    lines += route_tables.markdown(review.routes, _table)
    lines += lifecycle_tables.markdown(review.lifecycle, _table)
    lines += cost_lines.markdown(review.cost) if review.cost else []
    for stack in review.stacks.values():
        lines += _stack_section(stack)
    return "\n".join(lines) + "\n"


def _stack_section(stack: StackReview) -> list[str]:
    lines = [f"## {stack.stack_name} ({stack.key}): {stack.action or '-'}, {stack.result}", ""]
    if stack.message:
        lines += [stack.message, ""]
    if stack.change_set_name:
        only = " (parameters only)" if stack.template_changed is False else ""
        lines += [f"Change set `{stack.change_set_name}`{only}", ""]
    lines += import_tables.markdown(stack.imports, _table)
    if stack.resources:
        rows = [change.cells() for change in stack.resources]
        for row in rows:
            row[REPLACEMENT] = _replacement(row[REPLACEMENT])
        lines += [*_table(RESOURCE_COLUMNS, rows), ""]
    lines += prediction_tables.markdown(stack, _table)
    if any(r.values for r in stack.resources):
        lines += ["Values:", "", *_table(VALUE_COLUMNS, value_rows(stack.resources)), ""]
    if stack.parameters:
        rows = [
            [p.name, p.deployed if p.deployed is not None else "(none)", p.new or "(removed)", p.source]
            for p in stack.parameters
        ]
        lines += ["Parameters:", "", *_table(("Parameter", "Deployed", "New", "From"), rows), ""]
    if stack.exports:
        rows = [[e.name, e.change, e.reason, ", ".join(e.importers)] for e in stack.exports]
        lines += ["Exports:", "", *_table(("Export", "Change", "Why", "Imported by"), rows), ""]
    lines += [f"- **RISK** {risk}" for risk in stack.risks]
    lines += [f"- note: {note}" for note in stack.all_notes]
    return lines + ([""] if stack.risks or stack.all_notes else [])


def _replacement(value: str) -> str:
    return f"**{value}**" if value in ("True", "Conditional") else value


def write_teardown_reports(folder: Path, plan: Teardown, exit_code: int) -> tuple[Path, Path]:
    """A teardown's review.md and review.json, so a CI job never reads an older deploy's as this run's."""
    md, js = report_paths(folder)
    data = {
        "schema": TEARDOWN_SCHEMA,
        "operation": "teardown",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{k: v for k, v in asdict(plan).items() if k != "stacks"},
        "exit_code": exit_code,
        "stacks": [asdict(s) for s in plan.stacks],
    }
    js.write_text(json.dumps(data, indent=2, default=str) + "\n")
    title = f"# Teardown review: {plan.project}/{plan.environment} ({plan.where or plan.region})"
    lines = lifecycle_tables.teardown_markdown(title, plan.stacks, plan.left_behind, markdown_table)
    if plan.lock_stack:
        lines += [f"The environment's lock stack {plan.lock_stack['stack_name']}: {plan.lock_stack['result']}", ""]
    md.write_text("\n".join(lines))
    return md, js
