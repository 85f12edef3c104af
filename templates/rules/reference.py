"""docs/checks.md and docs/limits.md tables, generated from the registry so ids, summaries and links cannot drift.

``make golden`` writes them between the pages' markers; a test compares.
"""

from __future__ import annotations

import re

from templates.rules.registry import READS, Rule, rules

# Sections of docs/checks.md, in the order a run meets them, with what a failure does.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("file", "exit 2, nothing written"),
    ("service", "exit 2, nothing written"),
    ("environment", "exit 2, nothing written"),
    ("environments", "exit 2, nothing written"),
    ("plan", "exit 2, nothing written"),
    ("rendered", "exit 1, output unchanged (Q104, G001: warnings)"),
)


def _link(url: str) -> str:
    """``[secrets-envvar-secrets-manager](https://...)``: the page's own name is the link text."""
    page = re.sub(r"\.html?$", "", url.rstrip("/").split("#")[0].rsplit("/", 1)[-1])
    anchor = f"#{url.split('#', 1)[1]}" if "#" in url else ""
    return f"[{page}{anchor}]({url})"


def _docs(rule: Rule) -> str:
    return ", ".join(_link(url) for url in rule.docs) or "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def checks_reference() -> str:
    """Every rule, by what it reads: id, what is refused, AWS documentation."""
    parts = []
    for reads, outcome in SECTIONS:
        parts += [f"### Rules over {READS[reads]} ({outcome})", "", "| Id | What is refused | AWS documentation |"]
        parts.append("|----|-----------------|-------------------|")
        parts += [f"| {r.id} | {_cell(r.summary)} | {_docs(r)} |" for r in rules(reads)]
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def limits_reference() -> str:
    """The L rules: AWS limits that CloudFormation accepts and the service refuses."""
    rows = [
        "| Id | What is refused | Limit | AWS documentation |",
        "|----|-----------------|-------|-------------------|",
    ]
    rows += [
        f"| {r.id} | {_cell(r.summary)} | {_cell(r.limit) or '—'} | {_docs(r)} |"
        for r in rules()
        if re.fullmatch(r"L\d{3}", r.id)
    ]
    return "\n".join(rows) + "\n"


# Page -> (marker name, generator); ``make golden`` rewrites each marked block.
GENERATED_BLOCKS = {
    "checks.md": ("rules", checks_reference),
    "limits.md": ("limits", limits_reference),
}


def with_generated_block(text: str, marker: str, content: str) -> str:
    """``text`` with the block between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` replaced."""
    block = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
    if not block.search(text):
        raise ValueError(f"no <!-- {marker}:start --> ... <!-- {marker}:end --> block")
    return block.sub(lambda m: m.group(1) + content + m.group(2), text)
