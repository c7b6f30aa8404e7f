"""Detectors: each reads one link (its sentences on both sides) and returns at most one finding."""

from __future__ import annotations

import re
from typing import Callable, Sequence

from ..result import Document, Finding, Link, Span
from .numbers import Quantity, consistent, quantities
from .sources import Source, sources

# The seven types of issue 11, in report order; DETECTORS holds those implemented.
FINDING_TYPES = ("number", "attribution", "certainty", "quote", "loaded", "entity", "detail")
# Kinds that name what they measure (a bare number or a year does not: "12" and "2021" in two
# sentences of one fact usually count different things).
_COMPARABLE = {"money": 0.9, "percent": 0.9, "duration": 0.85, "mass": 0.85, "count": 0.8, "time": 0.75}
_KIND_WORD = {"money": "amount", "percent": "percentage", "duration": "duration", "mass": "weight", "count": "count",
              "time": "time"}


def _side(doc: Document, indices: Sequence[int]) -> list[tuple[int, Quantity]]:
    return [(i, q) for i in indices for q in quantities(doc.sentences[i].compare_text) if q.kind in _COMPARABLE]


def _caution(doc: Document, sentence: int, q: Quantity) -> str | None:
    """Why a number on this side may come from machine translation rather than the outlet."""
    s = doc.sentences[sentence]
    if s.translation is None:
        return None
    if s.translation_flag:
        return f"{doc.label}'s sentence {sentence + 1} is a flagged machine translation ({s.translation_flag})"
    digits = re.sub(r"\D", "", s.compare_text[q.start : q.end])
    if digits and digits not in re.sub(r"\D", "", s.text):
        return f"the original of {doc.label}'s sentence {sentence + 1} does not show this number: check the translation"
    return None


def number(a: Document, b: Document, link: Link) -> Finding | None:
    """Both sides give a value for the same quantity (same kind and unit, and words around the
    numbers in common or the only such quantity on each side of a strong link) and no value of
    one side equals one of the other ("two hours" = "2 hours"; "more than 200" / "207" differ)."""
    side_a, side_b = _side(a, link.a), _side(b, link.b)
    for ia, qa in side_a:
        # The same quantity: same kind and unit, and either words around both numbers in common,
        # or, on a strong link, the only quantity of that kind on each side.
        keyed_b = [(ib, qb) for ib, qb in side_b if qb.key == qa.key]
        alone = link.strength == "strong" and len(keyed_b) == 1 and sum(q.key == qa.key for _, q in side_a) == 1
        same_b = [(ib, qb) for ib, qb in keyed_b if alone or qa.context & qb.context]
        if not same_b:
            continue
        same_a = [(i, q) for i, q in side_a if q.key == qa.key]
        if any(consistent(x, y) for _, x in same_a for _, y in same_b):
            continue  # they agree on this quantity
        ib, qb = same_b[0]
        text_a = a.sentences[ia].compare_text[qa.start : qa.end]
        text_b = b.sentences[ib].compare_text[qb.start : qb.end]
        caution = _caution(a, ia, qa) or _caution(b, ib, qb)
        what = _KIND_WORD[qa.kind]
        return Finding(
            type="number",
            a=link.a,
            b=link.b,
            a_spans=(Span(ia, qa.start, qa.end),),
            b_spans=(Span(ib, qb.start, qb.end),),
            summary=f"{a.label} says {text_a}, {b.label} says {text_b} ({what})",
            confidence=_COMPARABLE[qa.kind] * (0.6 if caution else 1.0),
            caution=caution,
        )
    return None


def _frames(doc: Document, indices: Sequence[int]) -> list[tuple[int, Source]]:
    return [(i, s) for i in indices for s in sources(doc.sentences[i].compare_text)]


def attribution(a: Document, b: Document, link: Link) -> Finding | None:
    """One side credits the claim to a source and the other states it as fact, or the two name
    sources with no word in common ("police said" / "local media reported")."""
    fa, fb = _frames(a, link.a), _frames(b, link.b)
    if not fa and not fb:
        return None

    def quote(doc: Document, frame: tuple[int, Source]) -> str:
        i, s = frame
        return doc.sentences[i].compare_text[s.start : s.end]

    if fa and fb:
        known_a, known_b = [f for f in fa if f[1].words], [f for f in fb if f[1].words]
        if not known_a or not known_b or any(x[1].words & y[1].words for x in known_a for y in known_b):
            return None
        fa, fb = known_a, known_b
        summary = f"{a.label}: \u201c{quote(a, fa[0])}\u201d; {b.label}: \u201c{quote(b, fb[0])}\u201d (different sources)"
    elif fa:
        summary = f"{a.label} credits it (\u201c{quote(a, fa[0])}\u201d); {b.label} states it as fact"
    else:
        summary = f"{b.label} credits it (\u201c{quote(b, fb[0])}\u201d); {a.label} states it as fact"
    return Finding(
        type="attribution",
        a=link.a,
        b=link.b,
        a_spans=tuple(Span(i, s.start, s.end) for i, s in fa[:1]),
        b_spans=tuple(Span(i, s.start, s.end) for i, s in fb[:1]),
        summary=summary,
        confidence=0.7,
    )


DETECTORS: dict[str, Callable[[Document, Document, Link], Finding | None]] = {
    "number": number,
    "attribution": attribution,
}


def find(a: Document, b: Document, links: Sequence[Link], types: Sequence[str]) -> tuple[Finding, ...]:
    """The findings of a document pair's links, link by link, in FINDING_TYPES order within a link."""
    out = []
    for link in links:
        if link.strength != "strong":
            continue  # a weak link shares a detail, not the fact: its differences are not framing
        for name in FINDING_TYPES:
            if name in types and name in DETECTORS:
                found = DETECTORS[name](a, b, link)
                if found is not None:
                    out.append(found)
    return tuple(out)
