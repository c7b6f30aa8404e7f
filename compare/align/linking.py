"""Links from link probabilities: every pair that clears the threshold, drawn as stars.

Real coverage links sentences many-to-many: one outlet's lead carries three
facts that another tells in three sentences, and two of those sentences also
share a fact with the other outlet's second paragraph. Each sentence pair is
judged on its own probability (calibrated: the share of such pairs that are
gold links), so every pair at or above the threshold is linked, except a pair
whose two sentences each have a clearly better partner (_drop_crossings), and a
link never joins two sentences whose own pair was not linked.

A link (RawLink) is an n:m group of sentences; to draw many-to-many pairs
without joining unscored cross pairs, each connected group of pairs becomes
- one link when it is complete (every sentence of one side paired with every
  sentence of the other: 1:1, 1:n, n:1, and full n:m);
- otherwise stars: each pair goes to whichever of its two sentences has more
  linked partners (ties: the one earlier in its article), and the pairs of one
  centre form a 1:n or n:1 link; a pair tied on both stays a 1:1 link.
So one sentence can appear in several links, and the links' pairs are exactly
the linked pairs. The decisions read probabilities, degrees and positions only,
which swapping the documents mirrors, so `compare B A` links as `compare A B`.

This replaced competitive one-to-many linking (anchors, n:m joins, a recall
pass, then only one-to-many links), which could not reach the fifth of real
strong links that are many-to-many: docs/alignment.md, "Linking", has the
figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..graph import connected_components
from ..result import Strength
from .model import STRONG_THRESHOLD
from .scoring import PairScores

Pair = tuple[int, int]
# A pair between two sentences that each have a better partner (anchor) stays only at this share
# of the weaker anchor's probability (_drop_crossings; chosen on held-out folds of the dev sets).
ANCHOR_RATIO = 0.8


@dataclass(frozen=True, slots=True)
class RawLink:
    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float  # the lowest probability among its pairs
    strength: Strength


@dataclass(frozen=True, slots=True)
class PairAlignment:
    links: tuple[RawLink, ...]
    only_in_a: tuple[int, ...]
    only_in_b: tuple[int, ...]

    def pairs(self) -> set[Pair]:
        """The sentence pairs the links join."""
        return {(i, j) for link in self.links for i in link.a for j in link.b}


def link_sentences(
    scores: PairScores | np.ndarray,
    threshold: float,
    strong: float = STRONG_THRESHOLD,
    *,
    merges: Sequence[tuple[Sequence[int], Sequence[int], float]] = (),
) -> PairAlignment:
    """Link every sentence pair whose probability reaches `threshold`, and the pairs of each
    merge proposal (a indices, b indices, probability of the merged text) that reaches it.

    Args:
        scores: a PairScores (pairs below its floor, which must not exceed threshold, are never
            linked) or a dense probability matrix.
        strong: links with a pair at or above this are "strong".
    """
    if isinstance(scores, np.ndarray):
        scores = PairScores.from_dense(scores)
    n, m = scores.shape
    above = scores.values >= threshold
    pairs: dict[Pair, float] = {
        (int(r), int(c)): float(v) for r, c, v in zip(scores.rows[above], scores.cols[above], scores.values[above])
    }
    pairs = _drop_crossings(pairs)
    for a_idx, b_idx, prob in merges:
        if prob >= threshold:
            for r in a_idx:
                for c in b_idx:
                    pairs[(r, c)] = max(pairs.get((r, c), 0.0), float(prob))
    links = star_links(pairs, strong)
    in_a = {i for i, _ in pairs}
    in_b = {j for _, j in pairs}
    return PairAlignment(
        links=links,
        only_in_a=tuple(i for i in range(n) if i not in in_a),
        only_in_b=tuple(j for j in range(m) if j not in in_b),
    )


def _drop_crossings(pairs: dict[Pair, float]) -> dict[Pair, float]:
    """Drop a pair whose two sentences each have a clearly better partner elsewhere.

    Competitive linking (Melamed 2000: the most probable pair first, both sentences then
    taken) gives each sentence at most one anchor. A pair (r, c) with r anchored to c' != c
    and c to r' != r is kept only if its probability reaches ANCHOR_RATIO of the weaker of the
    two anchors: two near-duplicate sentences of one article (a headline and its lead, a
    restated fact) then do not cross-link when the article is compared with a version of
    itself, while a lead that shares a fact with another outlet's second sentence about as
    strongly as its own best partner keeps both links. Ties break on (probability,
    row + column), the same whichever document is A.
    """
    anchor_a: dict[int, int] = {}
    anchor_b: dict[int, int] = {}
    for (r, c), _ in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0][0] + kv[0][1], min(kv[0]), max(kv[0]))):
        if r not in anchor_a and c not in anchor_b:
            anchor_a[r], anchor_b[c] = c, r
    out = {}
    for (r, c), p in pairs.items():
        other_a, other_b = anchor_a.get(r, c), anchor_b.get(c, r)
        if other_a != c and other_b != r and p < ANCHOR_RATIO * min(pairs[(r, other_a)], pairs[(other_b, c)]):
            continue
        out[(r, c)] = p
    return out


def star_links(pairs: Mapping[Pair, float], strong: float = STRONG_THRESHOLD) -> tuple[RawLink, ...]:
    """Linked pairs -> links whose pairs are exactly these (see the module docstring), in A's order."""
    components = connected_components((("a", i), ("b", j)) for (i, j) in pairs)
    component_of = {node: k for k, nodes in enumerate(components) for node in nodes}
    degree: dict[tuple[str, int], int] = {}
    for i, j in pairs:
        for node in (("a", i), ("b", j)):
            degree[node] = degree.get(node, 0) + 1
    by_component: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_component.setdefault(component_of[("a", pair[0])], []).append(pair)
    groups: list[list[Pair]] = []
    for members in by_component.values():
        side_a = {i for i, _ in members}
        side_b = {j for _, j in members}
        if len(members) == len(side_a) * len(side_b):  # complete: one link
            groups.append(members)
            continue
        stars: dict[tuple[str, int], list[Pair]] = {}
        for i, j in members:
            # Integers only, which travel with the sentence when the documents swap (probabilities
            # can differ in their last digits then, so they would not be a safe tie-break): more
            # partners, then the earlier sentence; equal on both, the pair is a link of its own.
            key_a, key_b = (degree[("a", i)], -i), (degree[("b", j)], -j)
            centre = ("a", i) if key_a > key_b else ("b", j) if key_b > key_a else ("pair", len(stars))
            stars.setdefault(centre, []).append((i, j))
        groups.extend(stars.values())
    links = []
    for members in groups:
        probs = [pairs[p] for p in members]
        links.append(
            RawLink(
                a=tuple(sorted({i for i, _ in members})),
                b=tuple(sorted({j for _, j in members})),
                score=round(min(max(min(probs), 0.0), 1.0), 4),
                strength="strong" if max(probs) >= strong else "weak",
            )
        )
    links.sort(key=lambda link: (link.a, link.b))
    return tuple(links)
