"""Base pieces shared by every params model (kept apart so model modules can import them both ways)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from templates.naming import NAME_PATTERN

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=1, max_length=24)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
