"""Length-sorted batches under a token budget.

Sorting by length keeps padding (wasted compute) small; a token budget
(batch size x longest input) bounds memory whatever the sentence lengths.
"""

from __future__ import annotations

from collections.abc import Sequence


def batches(lengths: Sequence[int], *, budget: int, max_size: int) -> list[list[int]]:
    """Indices grouped into batches, longest first; each batch padded size <= budget.

    A single input longer than the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    out: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]  # the first is the longest
        if current and ((len(current) + 1) * width > budget or len(current) >= max_size):
            out.append(current)
            current = []
        current.append(i)
    if current:
        out.append(current)
    return out
