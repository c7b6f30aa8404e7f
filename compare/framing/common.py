"""What every detector shares: the text of a side's sentences and the translation caution."""

from __future__ import annotations

import re
from typing import Sequence

from ..result import Document


def texts(doc: Document, indices: Sequence[int]) -> list[tuple[int, str]]:
    """(sentence index, displayed text) of one side of a link: the translation when there is one."""
    return [(i, doc.sentences[i].compare_text) for i in indices]


def translation_caution(doc: Document, sentence: int, start: int | None = None, end: int | None = None) -> str | None:
    """Why evidence on this side may come from machine translation rather than the outlet: the
    sentence's translation is flagged, or (given a span holding digits) its original lacks them."""
    s = doc.sentences[sentence]
    if s.translation is None:
        return None
    if s.translation_flag:
        return f"{doc.label}'s sentence {sentence + 1} is a flagged machine translation ({s.translation_flag})"
    if start is not None and end is not None:
        digits = re.sub(r"\D", "", s.compare_text[start:end])
        if digits and digits not in re.sub(r"\D", "", s.text):
            return f"the original of {doc.label}'s sentence {sentence + 1} does not show this number: check the translation"
    return None
