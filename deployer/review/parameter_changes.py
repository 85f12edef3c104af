"""Parameters in the review: which values change, and which deployed values a routine deploy keeps.

A parameter's value is text to CloudFormation (a list default becomes
``a,b``); NoEcho values come back as ``****`` and are never compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Protocol

from deployer.review.stack_review import ParameterChange


class Deployable(Protocol):
    """What the review reads of a stack about to be deployed (the deployer's ``StackInput``)."""

    @property
    def template(self) -> Mapping[str, Any]: ...
    @property
    def parameters(self) -> Mapping[str, str]: ...
    @property
    def overrides(self) -> AbstractSet[str]: ...


def parameter_text(value: Any) -> str:
    """A template parameter's value as CloudFormation compares it: text, a list joined with commas."""
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def parameter_changes(deployed: Mapping[str, str], stack: Deployable) -> list[ParameterChange]:
    """Parameters whose value differs from the deployed one (NoEcho values are never compared)."""
    changes = [
        ParameterChange(name, deployed.get(name), value, "--set" if name in stack.overrides else "template default")
        for name, value in sorted(stack.parameters.items())
        if deployed.get(name) != value and deployed.get(name) != "****"
    ]
    gone = [name for name in deployed if name not in stack.parameters]
    changes += [ParameterChange(name, deployed[name], None, "template") for name in sorted(gone)]
    return changes


def kept_values(
    deployed: Mapping[str, str], deployed_template: Mapping[str, Any] | None, stack: Deployable
) -> dict[str, str]:
    """Deployed parameter values a routine deploy keeps instead of sending the template default.

    CI ships an image with ``--set auth.ImageTag=...``; the next deploy of the
    environment must not roll it back to the params file's tag.  A value is kept
    unless ``--set`` gives one or the params file changed that parameter's
    default since the stack was deployed (then the edited default wins).
    """
    if deployed_template is None:
        return {}
    before = deployed_template.get("Parameters") or {}
    now = stack.template.get("Parameters") or {}
    kept = {}
    for name, value in deployed.items():
        if name in stack.overrides or name not in now or value in {"****", stack.parameters.get(name)}:
            continue
        old_default, new_default = before.get(name, {}).get("Default"), now[name].get("Default")
        if old_default is not None and parameter_text(old_default) == parameter_text(new_default):
            kept[name] = value
    return kept


def deployed_parameters(stack: Mapping[str, Any]) -> dict[str, str]:
    """The values the stack was deployed with, as given (not SSM-resolved)."""
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
