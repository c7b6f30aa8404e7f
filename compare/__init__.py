"""compare: how different news outlets covered the same event.

    from compare import compare_documents, CompareOptions
    result = compare_documents(["a.txt", "b.txt"], CompareOptions(target_language="en"))
    print(result.to_dict())

Names are imported on first use (PEP 562) so `compare --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "compare_documents": "pipeline",
    "DocumentInput": "pipeline",
    "CompareOptions": "options",
    "ComparisonResult": "result",
    "SCHEMA": "result",
    "CompareError": "errors",
    "ExitStatus": "errors",
}
__all__ = [
    "SCHEMA",
    "CompareError",
    "CompareOptions",
    "ComparisonResult",
    "DocumentInput",
    "ExitStatus",
    "__version__",
    "compare_documents",
]
assert set(__all__) == {"__version__", *_EXPORTS}

if TYPE_CHECKING:
    from .errors import CompareError, ExitStatus
    from .options import CompareOptions
    from .pipeline import DocumentInput, compare_documents
    from .result import SCHEMA, ComparisonResult


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'compare' has no attribute {name!r}")
