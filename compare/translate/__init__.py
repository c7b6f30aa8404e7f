"""Translation: registry of Marian models, two engines, a persistent cache.

    from compare.translate import get_translator
    t = get_translator("ru", options)          # imports no torch/ctranslate2
    t.translate(["Привет, мир."])             # -> ["Hello, world."]

Importing this package is cheap: engines import ctranslate2 / transformers /
torch only when a model is loaded (and never on a fully cached run).
"""

from __future__ import annotations

from .base import Translator
from .factory import get_translator

__all__ = ["Translator", "get_translator"]
