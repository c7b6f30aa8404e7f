"""The `detail` detector (issue 11: being written)."""

from __future__ import annotations

from ..result import Document, Finding, Link


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    return None
