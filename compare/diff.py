"""Word-level diff of two linked texts, robust to punctuation and case.

Words are compared by a normalised key (case-folded, digit grouping removed,
quotes unified); punctuation and spacing never count as a difference. Each
word carries the punctuation and whitespace up to the next word, so the
`a` (and `b`) strings of the ops concatenate back to the exact input text.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from .result import DiffOp

# A word: letters/digits/marks, with inner apostrophes, hyphens, or number
# separators ("don't", "anti-war", "3.5", "1,000"). CJK characters are one
# word each: Chinese and Japanese have no spaces and per-character diffs read well.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(
    rf"[{_CJK}]|(?:[^\W_{_CJK}]|\d)+(?:[-'’.,](?:[^\W_{_CJK}]|\d)+)*",
)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Word keys with the span each word owns (word start .. next word start)."""
    matches = list(_WORD.finditer(text))
    # A word owns the punctuation glued before it ("$40", "(AP", "«Мы"), so a
    # changed figure is shown with its currency sign; spacing stays with the left.
    starts = []
    for i, m in enumerate(matches):
        start = m.start()
        floor = matches[i - 1].end() if i else 0
        while start > floor and not text[start - 1].isspace():
            start -= 1
        starts.append(0 if i == 0 else start)
    tokens = []
    for i, m in enumerate(matches):
        end = starts[i + 1] if i + 1 < len(matches) else len(text)
        tokens.append((word_key(m.group()), starts[i], end))
    return tokens


def word_key(word: str) -> str:
    """Comparison key: "1,000" == "1000", "Don’t" == "don't"."""
    key = unicodedata.normalize("NFKC", word).casefold().replace("’", "'")
    if key[:1].isdigit():
        key = key.replace(",", "")
    return key


def word_diff(a: str, b: str) -> tuple[DiffOp, ...]:
    """Diff `a` against `b` word by word; ops rebuild both texts exactly."""
    ta, tb = tokenize(a), tokenize(b)
    if not ta and not tb:  # punctuation at most: no word differs
        return (DiffOp("equal", a, b),) if a or b else ()
    if not ta:
        return (DiffOp("insert" if not a else "replace", a, b),)
    if not tb:
        return (DiffOp("delete" if not b else "replace", a, b),)
    matcher = SequenceMatcher(None, [t[0] for t in ta], [t[0] for t in tb], autojunk=False)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        sa = a[ta[i1][1] : ta[i2 - 1][2]] if i2 > i1 else ""
        sb = b[tb[j1][1] : tb[j2 - 1][2]] if j2 > j1 else ""
        ops.append(DiffOp(tag, sa, sb))  # type: ignore[arg-type]
    return tuple(ops)


def words_changed(ops: tuple[DiffOp, ...]) -> tuple[int, int, int]:
    """(kept, removed, added) word counts."""
    kept = removed = added = 0
    for op in ops:
        na, nb = len(_WORD.findall(op.a)), len(_WORD.findall(op.b))
        if op.tag == "equal":
            kept += na
        else:
            removed += na
            added += nb
    return kept, removed, added
