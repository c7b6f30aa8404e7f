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
from typing import Callable, Iterable, Mapping

Node = tuple[int, int]  # (document index, sentence index)
JOIN = 0.45  # chosen on half of the realistic dev events, checked on the other half


def group_facts(
    links: Mapping[tuple[int, int], Iterable[tuple[int, int]]],
    prob: Callable[[Node, Node], float],
    *,
    join: float = JOIN,
) -> list[dict[int, tuple[int, ...]]]:
    """Facts from pairwise links.

    Args:
        links: for each document pair (da, db), the linked sentence pairs (i of da, j of db).
        prob: link probability of two sentences of different documents (0 when unknown).
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
    memo: dict[frozenset[Node], frozenset[Node]] = {}  # growth from a set is deterministic: share it

    def grow(seed: frozenset[Node]) -> frozenset[Node]:
        fact, path = set(seed), []
        while True:
            key = frozenset(fact)
            if key in memo:
                result = memo[key]
                break
            path.append(key)
            docs = {d for d, _ in fact}
            best, chosen = -1.0, []
            for c in set().union(*(linked[x] for x in fact)) - fact:
                if c[0] in docs:  # one sentence per outlet
                    continue
                score = sum(prob(c, x) for x in fact) / len(fact)
                if score < join:
                    continue
                if score > best:
                    best, chosen = score, [c]
                elif score == best:
                    chosen.append(c)  # an exact tie joins together: no order decides
            if not chosen:
                result = key
                break
            # Two tied candidates of one outlet cannot both join: neither does.
            per_doc: dict[int, int] = defaultdict(int)
            for c in chosen:
                per_doc[c[0]] += 1
            chosen = [c for c in chosen if per_doc[c[0]] == 1]
            if not chosen:
                result = key
                break
            fact.update(chosen)
        for key in path:
            memo[key] = result
        return result

    grown = {grow(frozenset((x, y))) for x, ys in linked.items() for y in ys}
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
