"""Runaway-output guard.

Neural MT sometimes loops ("the the the ...") or keeps going until the
length cap, most often on odd input (lists, numbers, very short lines).
We detect it from the output/input length ratio, hitting the decoding cap,
and repeated n-grams that the source does not have.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_RATIO = 3.0  # output tokens per input token before we call it a runaway
SLACK = 10  # extra tokens allowed for very short inputs
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
    """Why `output` looks like a runaway translation of `source`, or None."""
    if len(output) >= cap - 1:
        return f"output reached the length cap ({cap} tokens)"
    if len(output) > MAX_RATIO * len(source) + SLACK:
        return f"output/input length ratio {len(output) / max(1, len(source)):.1f}"
    reps = max_repeats(output)
    if reps >= MAX_REPEATS and reps > max_repeats(source) + 1:
        return f"a phrase repeated {reps} times"
    return None
