"""Sentence segmentation with exact character offsets, for any script.

A rule-based splitter, not pysbd: pysbd has no Korean, is ~50x slower, and its
char spans drift on repeated sentences. Offsets are Python string indices into
the text exactly as read, and `text[start:end] == sentence` holds by
construction (spans are only ever trimmed, never rewritten).

Boundaries:
- terminal punctuation (. ! ? … and the CJK, Arabic and Devanagari ones),
  with closing quotes/brackets kept in the sentence, when followed by
  whitespace and a character that does not continue a sentence (a lowercase
  letter does; a capital, digit, opening quote or uncased script does not);
- CJK full stops need no following space;
- a blank line always; a single newline too, unless the text is hard-wrapped
  (most lines stop mid-sentence at a similar width), where it is a space;
- not after abbreviations (titles such as "Mr." never end a sentence; "U.S."
  and friends only before a capital), initials ("J. Smith") or numbers ("No. 5").
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_TERMINAL = r".!?…。！？｡．؟।۔"
_CLOSERS = "\"'”’»)]」』）〉》›"
_CJK_TERMINAL = set("。！？｡．")
_BOUNDARY = re.compile(rf"[{re.escape(_TERMINAL)}]+[{re.escape(_CLOSERS)}]*")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t\f\v\u00a0\u3000]*(?:\r\n|\r|\n)")
_WORD_BEFORE = re.compile(r"(\w+(?:\.\w+)*)$")

# Titles and other abbreviations that never end a sentence.
_NEVER_FINAL = frozenset(
    """mr mrs ms dr prof gen sen rep gov lt col sgt capt cmdr adm st jr sr messrs mme mlle
    hr fr sra sr srta dott ing no nr vol art fig p pp vs cf approx dept est
    rev hon maj cpl pvt ft mt atty asst supt det insp msgr sens reps govs gens
    г гг им ул тов д стр см рис т""".split()
)
# Abbreviations that end a sentence only when a capital follows.
_MAYBE_FINAL = frozenset(
    """inc ltd co corp etc u.s u.k u.n e.u a.m p.m e.g i.e jan feb mar apr jun jul aug sep sept
    oct nov dec млн млрд тыс руб долл т.е т.д т.п т.к""".split()
)
# Capitalised words that continue a sentence after "U.S." / "U.N." / "a.m." and friends
# (news style: "U.S. Army", "U.N. Security Council", "3 p.m. Friday").
_CONTINUES_AFTER_MAYBE = frozenset(
    """army navy air marine marines senate house congress embassy embassies treasury department state
    president secretary ambassador attorney supreme court district capitol coast forces federal
    central customs border census geological postal secret special justice defense defence
    commerce energy trade food centers securities agency government administration olympic
    chamber national intelligence military health security general human refugee children's high
    commission council envoy office mission relief peacekeeping parliament sanctions officials
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december et est edt gmt utc pt pst pdt ct cst
    cdt mt local eastern pacific central mountain""".split()
)
_CLOCK_OR_COUNTRY = frozenset("u.s u.k u.n e.u a.m p.m".split())
_GERMAN_MONTHS = tuple(
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def split_sentences(text: str, *, limit: int | None = None) -> list[Span]:
    """Split `text` into sentence spans (start, end), in order, non-overlapping.

    With `limit`, stop as soon as there are more than `limit` spans (the caller
    refuses such a document, so the rest of a huge text is never scanned).
    """
    spans: list[Span] = []
    prev = 0
    for cut in _dedupe(heapq.merge(_punctuation_cuts(text), _line_cuts(text), [len(text)])):
        span = _trim(text, prev, cut)
        if span is not None:
            spans.append(span)
            if limit is not None and len(spans) > limit:
                break
        prev = cut
    return spans


def _dedupe(cuts: Iterable[int]) -> Iterator[int]:
    last = -1
    for cut in cuts:
        if cut != last:
            yield cut
        last = cut


def is_headline(text: str, span: Span) -> bool:
    """The first sentence is a headline: alone on its line, no final punctuation, short."""
    if text[: span.start].strip():
        return False
    piece = text[span.start : span.end]
    rest = text[span.end : span.end + 200]
    return (
        len(piece) <= 200
        and not piece.endswith(tuple(_TERMINAL + _CLOSERS))
        and (rest == "" or bool(_NEWLINES.match(rest.lstrip(" \t"))))
        and bool(rest.strip())  # a headline has a body after it
    )


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end or not any(ch.isalnum() for ch in text[start:end]):
        return None  # drop separators such as "***" or a lone dash
    return Span(start, end)


def _punctuation_cuts(text: str) -> Iterator[int]:
    """Cut positions after sentence-final punctuation, in increasing order."""
    n = len(text)
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if end >= n:
            continue
        punct = m.group()
        if any(ch in _CJK_TERMINAL for ch in punct):
            yield end
            continue
        nxt = end
        while nxt < n and text[nxt].isspace():
            nxt += 1
        if nxt == end or nxt >= n:
            continue  # "3.5", "e.g.x": no space, no boundary
        following = text[nxt]
        if following.islower():
            continue  # "... in the U.S. market", "etc. and"
        if punct.startswith(".") and punct.rstrip(_CLOSERS) == "." and not _period_ends(text, m.start(), following):
            continue
        yield end


def _period_ends(text: str, dot: int, following: str) -> bool:
    """Whether a single '.' at `dot` ends a sentence, judged by the word before it."""
    m = _WORD_BEFORE.search(text, max(0, dot - 20), dot)
    if m is None:
        return True
    word = m.group(1).casefold()
    if word in _NEVER_FINAL:
        return False
    if len(word) == 1 and word.isalpha() and text[m.start()].isupper():
        return False  # an initial: "J. Smith"
    if word.isdigit() and len(word) <= 2 and text[dot + 1 :].lstrip().startswith(_GERMAN_MONTHS):
        return False  # German ordinal date: "am 12. März"
    if word in _MAYBE_FINAL:
        # "in the U.S. The talks" ends; "the U.S. Army said" and "at 3 p.m. Friday" do not:
        # without a parser, a capital ends the sentence unless it is a title ("U.S. Sen.")
        # or a word that news style puts right after these abbreviations.
        if word in _CLOCK_OR_COUNTRY:
            nxt = re.match(r"[\w']+", text[dot + 1 :].lstrip())
            if nxt and nxt.group().casefold() in _CONTINUES_AFTER_MAYBE | _NEVER_FINAL:
                return False
        return following.isupper()
    return True


def _line_cuts(text: str) -> Iterator[int]:
    """Cut positions at line breaks, in increasing order (with duplicates)."""
    blank = (m.start() for m in _BLANK_LINE.finditer(text))
    if _is_hard_wrapped(text):
        return blank
    return heapq.merge(blank, (m.start() for m in _NEWLINES.finditer(text)))


def _is_hard_wrapped(text: str) -> bool:
    """True when single newlines are line wraps inside sentences, not breaks."""
    lines = [line.rstrip() for line in _NEWLINES.split(text)]
    inner = [
        line for line, nxt in zip(lines, lines[1:]) if line.strip() and nxt.strip()
    ]  # lines followed by another line of the same paragraph
    if len(inner) < 3:
        return False
    mid_sentence = [line for line in inner if not line.endswith(tuple(_TERMINAL + _CLOSERS))]
    if len(mid_sentence) < 0.5 * len(inner):
        return False
    widths = sorted(len(line) for line in mid_sentence)
    median = widths[len(widths) // 2]
    return median >= 40 and sum(abs(w - median) <= 0.25 * median for w in widths) >= 0.6 * len(widths)
