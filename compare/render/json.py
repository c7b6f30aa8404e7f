"""JSON renderer: the result model as-is (schema `compare/3`, docs/schema.md)."""

from __future__ import annotations

import json

from ..result import ComparisonResult


def render_json(result: ComparisonResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render(result: ComparisonResult, options: object = None) -> str:
    """The registry's signature (compare.render): JSON has no options."""
    return render_json(result)
