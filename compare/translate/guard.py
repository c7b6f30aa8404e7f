"""Runaway-output guard.

Neural MT sometimes loops ("the the the ...") or keeps going until the
length cap, most often on odd input (lists, numbers, very short lines).
We detect it from the output/input length ratio, hitting the decoding cap,
and repeated n-grams that the source does not have.

`runaway` judges model pieces while decoding (to retry); `runaway_reason`
judges a finished (source, translation) text pair with the same rules, so the
pipeline can flag a sentence identically whether it was just translated or
read back from the cache.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_RATIO = 3.0  # output units per input unit (model pieces, or words) before we call it a runaway
SLACK = 10  # extra units allowed for very short inputs
MAX_REPEATS = 4  # an n-gram repeated back to back this many times is a loop
RETRY_NO_REPEAT_NGRAM = 3  # what the retry forbids


def decode_limit(input_tokens: int, model_limit: int) -> int:
    """Explicit max decoding length: generous, but finite and within the model's positions."""
    return max(1, min(model_limit, int(MAX_RATIO * input_tokens) + SLACK))


def max_repeats(tokens: Sequence[str], max_n: int = 4) -> int:
    """Longest run of one n-gram (n <= max_n) repeated back to back."""
    best = 1 if tokens else 0
    for n in range(1, max_n + 1):
        for start in range(n):
            run, prev = 1, None
            for i in range(start, len(tokens) - n + 1, n):
                gram = tuple(tokens[i : i + n])
                run = run + 1 if gram == prev else 1
                prev = gram
                best = max(best, run)
    return best


def runaway(source: Sequence[str], output: Sequence[str], cap: int) -> str | None:
    """Why `output` looks like a runaway translation of `source` (model pieces), or None."""
    if len(output) >= cap - 1:
        return f"reached the length cap ({cap} tokens)"
    return _judge(source, output)


def runaway_reason(source: str, translation: str) -> str | None:
    """Why `translation` looks like a runaway translation of `source` (texts), or None."""
    return _judge(text_units(source), text_units(translation))


# Scripts written without spaces: each character is one unit, so a Chinese
# sentence is not one "word" (that would make every translation look too long).
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"  # kana, CJK ideographs
)
_UNITS = re.compile(rf"[{_UNSPACED}]|(?:(?![{_UNSPACED}])\w)+|[^\w\s]")


def text_units(text: str) -> list[str]:
    """Words (single characters in unspaced scripts) and punctuation marks, case-folded."""
    return _UNITS.findall(text.casefold())


def _judge(source: Sequence[str], output: Sequence[str]) -> str | None:
    """The length and repetition rules, on any units (model pieces or words)."""
    if len(output) > MAX_RATIO * len(source) + SLACK:
        return f"length ratio {len(output) / max(1, len(source)):.1f} to the source"
    reps = max_repeats(output)
    if reps >= MAX_REPEATS and reps > max_repeats(source) + 1:
        return f"a phrase repeated {reps} times"
    return None
