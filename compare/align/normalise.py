"""Text normalisation for scoring: wire datelines and reporting frames.

Scores read each sentence without what is not the fact: a wire dateline at the
start of a lead ("KYIV (AP) - ") and, for the "bare_" features, the reporting
frame (", officials said." / "According to X, ..."), since outlets attribute
one fact differently. The sentence text itself is never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"\w+")

_SAY = (
    r"(?:said|says|added|stated|announced|confirmed|warned|noted|explained|insisted|argued|wrote|claimed|"
    r"acknowledged|admitted)"
)
_AUDIENCE = r"(?:reporters|journalists|a news conference|a press conference|parliament|lawmakers|supporters|[A-Z]\w+)"
_TOLD = r"(?:told|tells)\s+" + _AUDIENCE
_TAIL = r"(?:\s+(?:on|in|at|late on|early on|during|after)\s+[^,;.!?\"“”]{1,30})?"
# Conservative English reporting frames at the end or start of a sentence, each removed once.
# A leading "X said (that) ..." is left alone: removing it measured worse (docs/alignment.md).
_ATTRIBUTION = (
    # '"...," the minister said.' / '"...," said Petra Lind.' / ', Koral told reporters in Tolvany.'
    # (after a comma or a closing quote; at most six words before the verb, a short time or place after)
    re.compile(
        r"(?:(?<=[”\"])\s*said\s+[^,;.!?\"“”]{1,50}|(?:(?<=[”\"])|,)\s*(?:[^,;.!?\"“”\s]+\s+){0,5}?"
        r"[^,;.!?\"“”\s]+\s+(?:" + _SAY + "|" + _TOLD + r"))" + _TAIL + r"\s*([.!?]?)\s*$",
    ),
    # 'According to the union, ...'
    re.compile(r"^according to [^,]{1,80},\s*", re.IGNORECASE),
    # '..., according to the statistics office.'
    re.compile(r",\s*according to [^,.;]{1,80}\s*([.!?]?)\s*$", re.IGNORECASE),
)


# A wire dateline opening a story: "WASHINGTON (Reuters) - ", "KYIV, Ukraine (AP) — ",
# "MOSCOW, March 3 (Reuters) - ", "BEIJING, Nov. 30 (Xinhua) -- ", "LONDON — ". The place is in
# capitals (two letters or more); a region, a date and the agency in brackets may follow.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3}"  # PLACE
    r"(?:,\s*[A-Z][\w'.\-]*(?:\s+[A-Z][\w'.\-]*){0,2})?"  # , Region
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # , March 3
    r"\s*(?:\([^()]{1,40}\))?"  # (Agency)
    r"\s*(?:--|[-–—])\s+(?=[A-Z0-9\"“‘'])"  # and the story starts
)


@lru_cache(maxsize=1 << 16)
def strip_dateline(text: str) -> str:
    """The sentence without a wire dateline at its start, for scoring only: the place and the
    agency are not the fact, and one outlet's dateline is missing from the other's lead. The
    text itself when there is none, or when fewer than three words would be left."""
    m = _DATELINE.match(text)
    if m is None:
        return text
    rest = text[m.end() :]
    return rest if len(_TOKEN.findall(rest)) >= 3 else text


@lru_cache(maxsize=1 << 16)
def strip_attribution(text: str) -> str:
    """The sentence without its reporting frame ("..., officials said." / "According to X, ..." /
    "..., according to X."), for scoring only. The text itself when nothing matches or fewer
    than three words would be left."""
    out = text
    for pattern in _ATTRIBUTION:
        out = pattern.sub(lambda m: m.group(1) if m.lastindex else "", out, count=1)
    out = re.sub(r",([”\"]?)\s*([.!?])$", r"\1\2", out.strip())
    return out if len(_TOKEN.findall(out)) >= 3 else text
