"""No silent truncation: split sentences longer than the model's input limit.

A Marian model cannot encode more tokens than its position table holds, and
both engines would truncate silently. We cut such a sentence at clause
boundaries (commas, semicolons, colons, dashes, CJK clause marks), pack the
clauses into chunks that fit, cut any clause that still does not fit into
token windows (preferring word starts), translate the chunks, and join them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# After clause punctuation (Latin and CJK) or around a spaced dash.
_BOUNDARY = re.compile(r"(?<=[,;:，；：、])\s*|\s+(?=[—–]\s)")
_NO_SPACE_TARGETS = frozenset({"zh", "ja", "th", "lo", "km", "my"})
WORD_START = "\u2581"  # SentencePiece's word-boundary mark


def joiner(target_language: str) -> str:
    """How translated chunks are glued: no space for scripts written without spaces."""
    return "" if target_language in _NO_SPACE_TARGETS else " "


def clauses(text: str) -> list[str]:
    """`text` cut after clause punctuation; concatenating the parts rebuilds it."""
    cuts = [m.end() for m in _BOUNDARY.finditer(text) if 0 < m.end() < len(text)]
    bounds = [0, *sorted(set(cuts)), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if a < b]


def token_windows(pieces: Sequence[str], limit: int) -> list[list[str]]:
    """Cut a piece sequence into windows of at most `limit` pieces, at a word start when one is near."""
    out, start = [], 0
    while len(pieces) - start > limit:
        end = start + limit
        # Back off to a word start in the second half of the window, if any.
        for cut in range(end, start + max(1, limit // 2), -1):
            if pieces[cut].startswith(WORD_START):
                end = cut
                break
        out.append(list(pieces[start:end]))
        start = end
    out.append(list(pieces[start:]))
    return out


def split_overlong(
    text: str, *, limit: int, count: Callable[[str], int], windows: Callable[[str, int], list[str]]
) -> list[str]:
    """Chunks of `text`, each with count(chunk) <= limit (normally just [text]).

    Args:
        text: one sentence.
        limit: the most tokens the model accepts for one input.
        count: tokens the model input for a text will have (pieces + specials).
        windows: fallback that cuts a text into texts whose count is at most `limit`.
    """
    if count(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for clause in clauses(text):
        if current and count(current + clause) <= limit:
            current += clause
            continue
        if current:
            chunks.append(current)
        current = clause
        if count(current) > limit:  # one clause alone is too long: token windows
            chunks += windows(current, limit)
            current = ""
    if current:
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]
