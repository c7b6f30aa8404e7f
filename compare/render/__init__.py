"""Renderers: each takes a ComparisonResult and computes nothing of its own.

One signature for every format, `render(result, options) -> str`, behind a registry keyed by
format name, so the CLI, the batch and its index page call them the same way. Modules load only
when their format is asked for (rich, jinja2 and the HTML assets cost imports).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..result import ComparisonResult


@dataclass(frozen=True)
class RenderOptions:
    """What a reader can choose about a report (formats ignore what does not apply to them)."""

    color: bool | None = None  # terminal: None = as standard output allows (a TTY, NO_COLOR unset)
    show_original: bool = False  # terminal: original sentences under translations
    width: int | None = None  # terminal: columns; None = the terminal's width (80 off a terminal)


Renderer = Callable[["ComparisonResult", RenderOptions], str]
# format -> module (in this package) whose `render(result, options) -> str` writes it
FORMATS: dict[str, str] = {"terminal": "terminal", "json": "json", "html": "html"}


def renderer(fmt: str) -> Renderer:
    """The renderer for a format name (KeyError names the formats)."""
    if fmt not in FORMATS:
        raise KeyError(f"unknown report format {fmt!r}; formats: {', '.join(FORMATS)}")
    return import_module(f"{__name__}.{FORMATS[fmt]}").render  # type: ignore[no-any-return]


def render(result: ComparisonResult, fmt: str, options: RenderOptions | None = None) -> str:
    """`result` as text in format `fmt` ("terminal", "json" or "html")."""
    return renderer(fmt)(result, options or RenderOptions())
