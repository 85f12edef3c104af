"""Each stack's deployed template and the one this run leaves it with: what prediction, routes and cost compare.

Planning records one ``TemplatePair`` per stack it reads (``run.plan_stack``,
``run.prune``): a new stack has no ``before``, a stack ``--prune`` deletes no
``after``, a parameter-only (``--set``) deploy the deployed template on both
sides with other parameter values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from templates.contract.template_diff import StackPrediction, predict


@dataclass(frozen=True)
class TemplatePair:
    """A stack's template before and after this run, with the parameter values of each."""

    before: Mapping[str, Any] | None  # None: the stack does not exist yet
    after: Mapping[str, Any] | None  # None: the run deletes the stack
    before_params: Mapping[str, str] = field(default_factory=dict)
    after_params: Mapping[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before != self.after or dict(self.before_params) != dict(self.after_params)

    def prediction(self, region: str, exports: Mapping[str, str] | None = None) -> StackPrediction:
        """What the run does to the stack's resources and exports (a deleted stack: every resource removed).

        ``exports``: the exports that exist (name -> value), so an imported value compares with a literal one.
        """
        if self.after is None:
            return predict(self.before, {}, self.before_params, {}, region, exports)
        return predict(self.before, self.after, self.before_params, self.after_params, region, exports)
