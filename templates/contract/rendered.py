"""A written folder's templates, read once: the text as CloudFormation will get it, and parsed.

The rules over rendered templates measure the text (template size) and walk
the JSON (resources, policies, imports); reading each file once serves both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from templates.contract.files import cloudformation_templates, template_file


@dataclass(frozen=True)
class RenderedTemplate:
    key: str  # the stack key: network, alb, svc-auth, ...
    text: str

    @property
    def file(self) -> str:
        return template_file(self.key)

    @cached_property
    def doc(self) -> dict[str, Any]:
        return json.loads(self.text)


@dataclass(frozen=True)
class RenderedFolder:
    templates: Mapping[str, RenderedTemplate] = field(default_factory=dict)  # stack key -> template

    @classmethod
    def read(cls, folder: Path) -> RenderedFolder:
        return cls({p.stem: RenderedTemplate(p.stem, p.read_text()) for p in cloudformation_templates(folder)})

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> RenderedFolder:
        """From stack key -> text (tests, and templates not written yet)."""
        return cls({key: RenderedTemplate(key, text) for key, text in sorted(texts.items())})

    def docs(self) -> dict[str, dict[str, Any]]:
        """Stack key -> parsed template."""
        return {key: t.doc for key, t in self.templates.items()}
