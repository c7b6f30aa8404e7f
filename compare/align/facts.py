"""Facts across three or more outlets: linked sentences grouped so that a fact is one fact.

Connected components of the pairwise links chain: outlet A's lead links to two
of B's sentences, each of those to one of C's, and so on, until one "fact"
holds twenty sentences about different things. Here a fact grows from one
linked pair (a seed) and takes a new sentence only when it is likely linked to
the fact's members as a whole: its mean link probability to the members from
other outlets must reach JOIN (pairs below the scorer's floor count as 0), and
a fact holds at most one sentence per outlet. Every link seeds a fact, so each
linked pair shares at least one fact; facts that are the same set collapse and
a fact contained in another is dropped. A sentence that carries several facts
(a wire lead) sits in several facts.

The result is a function of the set of links and their probabilities only,
never of the order of documents or sentences (ties join together), so
`compare A B C` and `compare C A B` group the same facts.

Measured on the realistic development set (eval/real/dev, all outlets of each
event compared at once; `make eval`): see docs/alignment.md, "facts".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

Node = tuple[int, int]  # (document index, sentence index)
JOIN = 0.45  # chosen on half of the realistic dev events, checked on the other half


def group_facts(
    links: Mapping[tuple[int, int], Iterable[tuple[int, int]]],
    prob: Mapping[tuple[Node, Node], float],
    *,
    join: float = JOIN,
) -> list[dict[int, tuple[int, ...]]]:
    """Facts from pairwise links.

    Args:
        links: for each document pair (da, db), the linked sentence pairs (i of da, j of db).
        prob: link probabilities, keyed ((da, i), (db, j)) with da < db; a pair not held is 0.
        join: least mean probability to a fact's members of other documents for a new member.

    Returns:
        Facts as {document: sentence indices}, each spanning two documents or more, ordered by
        how many documents carry them, then by their first sentence (document order).
    """
    linked: dict[Node, set[Node]] = defaultdict(set)
    for (da, db), pairs in links.items():
        for i, j in pairs:
            x, y = (da, i), (db, j)
            linked[x].add(y)
            linked[y].add(x)

    both = dict(prob)
    both.update({(y, x): v for (x, y), v in prob.items()})  # either order: one lookup a pair
    get = both.get

    memo: dict[frozenset[Node], frozenset[Node]] = {}  # growth from a set is deterministic: share it

    def grow(seed: frozenset[Node]) -> frozenset[Node]:
        fact: set[Node] = set()
        docs: set[int] = set()
        sums: dict[Node, float] = {}  # candidate -> sum of its probabilities to the members
        path = []
        new = list(seed)
        while True:
            # Admit the new members, then keep each candidate's sum up to date incrementally.
            fact.update(new)
            docs.update(d for d, _ in new)
            for c in [c for c in sums if c[0] in docs]:
                del sums[c]
            for c in sums:
                for y in new:
                    sums[c] += get((c, y), 0.0)
            for y in new:
                for c in linked[y]:
                    if c[0] not in docs and c not in sums:
                        sums[c] = sum([get((c, x), 0.0) for x in fact])
            key = frozenset(fact)
            if key in memo:
                result = memo[key]
                break
            path.append(key)
            # Rounded, as the probabilities are: sums in another order (the documents given in
            # another order) can differ in their last bits, and must not decide a tie.
            top = max(sums.values(), default=-1.0)
            near = {c: round(s, 6) for c, s in sums.items() if s >= top - 1e-6}
            best = max(near.values(), default=-1.0)
            chosen = [c for c, s in near.items() if s == best] if best >= round(join * len(fact), 6) else []
            # An exact tie joins together (no order decides), but never two sentences of one outlet.
            per_doc: dict[int, int] = defaultdict(int)
            for c in chosen:
                per_doc[c[0]] += 1
            new = [c for c in chosen if per_doc[c[0]] == 1]
            if not new:
                result = key
                break
        for key in path:
            memo[key] = result
        return result

    grown = {grow(frozenset((x, y))) for x, ys in linked.items() for y in ys if x < y}
    containing: dict[Node, list[frozenset[Node]]] = defaultdict(list)
    for f in grown:
        for x in f:
            containing[x].append(f)
    out = []
    for f in grown:
        anchor = min(f, key=lambda x: len(containing[x]))
        if any(len(g) > len(f) and f < g for g in containing[anchor]):
            continue  # contained in a larger fact: it adds no pair
        fact: dict[int, list[int]] = defaultdict(list)
        for d, i in f:
            fact[d].append(i)
        out.append({d: tuple(sorted(v)) for d, v in sorted(fact.items())})
    out.sort(key=lambda f: (-len(f), min((d, i[0]) for d, i in f.items()), sorted(f.items())))
    return out
