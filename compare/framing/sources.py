"""Who a sentence credits its claim to: the reporting frame's source (rule-based, English).

Frames read: "according to X", "X said/says/told/reported/added/announced/..." (X from the
sentence start, or after a comma or a quotation mark, at most eight words), and '"...," said X'.
A pronoun source ("he said") is a frame whose source is unknown. Limits: a source named in
another sentence, passive frames ("it was reported") and verbs outside the list are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..result import Document, Finding, Link, Span

_VERBS = (r"said|says|say|told|tells|reported|reports|added|announced|stated|confirmed|warned|noted|"
          r"claimed|insisted|wrote|writes|explained|acknowledged|admitted|declared|estimated|quoted")
_ACCORDING = re.compile(r"\baccording to\s+(?P<src>[^,.;:\"“”]{2,80})", re.IGNORECASE)
_BEFORE = re.compile(
    r"(?:^|(?<=[,;:\"“”(])\s*)(?P<src>(?:[\w.'’-]+\s+){0,7}?[\w.'’-]+)\s+(?:" + _VERBS + r")\b"
)
_AFTER = re.compile(r"[\"”]\s*,?\s*(?P<frame>(?:" + _VERBS + r")\s+(?P<src>[^,.;:\"“”]{2,60}))")
# A clause, not a source: "although some churches have reported", "where engineers applauded as ...".
_NOT_SOURCE_START = {"although", "though", "where", "when", "while", "as", "who", "which", "that", "after", "before",
                     "because", "if", "whether", "what", "many", "some", "it", "there"}
_PASSIVE = {"was", "were", "been", "be", "is", "are", "being"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that"}
_STOP = {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "its", "his", "her", "their", "also",
         "has", "had", "have", "was", "were", "is", "are", "be", "been", "later", "then", "earlier", "on", "friday"}


@dataclass(frozen=True, slots=True)
class Source:
    start: int  # the frame's span in the sentence (source and verb)
    end: int
    words: frozenset[str]  # content words of the source; empty: a pronoun (unknown)


def sources(text: str) -> list[Source]:
    """The reporting frames of one sentence, in order."""
    out = []
    for pattern in (_ACCORDING, _BEFORE, _AFTER):
        for m in pattern.finditer(text):
            src = m.group("src")
            words = [w.lower().strip(".'’") for w in re.findall(r"[\w.'’-]+", src)]
            if pattern is _BEFORE and words and (words[0] in _NOT_SOURCE_START or words[-1] in _PASSIVE
                                                 or any(w in _NOT_SOURCE_START - {"many", "some", "it"} for w in words[1:])):
                continue
            content = frozenset(w for w in words if w not in _STOP and len(w) >= 3 and not w.isdigit())
            if words and words[-1] in _PRONOUNS and len(words) <= 2:
                content = frozenset()
            elif not content:
                continue
            out.append(Source(m.start("src") if pattern is not _AFTER else m.start("frame"), m.end(), content))
    out.sort(key=lambda s: s.start)
    return out


# The `attribution` detector.
def _frames(doc: Document, indices: Sequence[int]) -> list[tuple[int, Source]]:
    return [(i, s) for i in indices for s in sources(doc.sentences[i].compare_text)]


def detect(a: Document, b: Document, link: Link) -> Finding | None:
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
