"""Who a sentence credits its claim to: the reporting frame's source (rule-based, English).

Frames read: "according to X", "X said/says/told/reported/added/announced/..." (X from the
sentence start, or after a comma or a quotation mark, at most eight words), and '"...," said X'.
A pronoun source ("he said") is a frame whose source is unknown. Limits: a source named in
another sentence, passive frames ("it was reported") and verbs outside the list are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
