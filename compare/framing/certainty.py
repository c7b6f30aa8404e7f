"""How certain a sentence is about its claim, and the `certainty` detector (rule-based, English).

Two kinds of difference are read on a link:
- a hedge on one side only: modal "may", "might", "could"; "reportedly", "allegedly", "apparently",
  "possibly", "probably", "presumably"; "alleged", "suspected", "presumed", "unconfirmed",
  "possible"; "is expected to", "is poised to", "is considering", "is believed to", "is thought
  to", "is said to", "(were) feared dead", "appears to", "seems to", "is likely to", "unclear
  whether", "could not be verified";
- a polarity flip: one side negates ("not", "never", "no longer", "has yet to", "denied") what
  the other states.
A hedge counts only where the other side says the same thing (two content words in common, one
of them a common word rather than a name or a figure, between the words around the hedge and
one stretch of the other sentence) and that stretch is not uncertain itself: no hedge, modal
("would", "could"), expectation, estimate, plan, fear, warning, claim, accusation, report, "up
to" or "whether" there. So both sides hedged alike, a hedge in another clause than the shared
fact, and "the shortfall could reach $8 billion" against "up to $8 billion" are no finding. Not
hedges: "could not" (past ability), "than expected", "an unlikely spectacle", "May" the month,
and a modal after "whether" or "if" (the question, not the claim).
A negation counts when the word it negates (the first content word after it) stands on the
other side with no negation near it and, unless the negation says "not yet", "yet to", "no
longer", "never" or "denied", one more content word around it in common. "Not only", "not
least", "asked not to be named" and the like are not negations, "no" and "nor" (which negate a
noun phrase) start no flip, "rather than", "instead of", "avoid", "without" count as negations
on the other side, and a passive turned round ("X does not control the east" / "the east is
controlled by Y") is not a flip.

Limits: no parser, so the scope of a hedge or a negation is a window of words (cut at ";", ":",
dashes, "but", "although", "while", "after", "which", ..., and "and"/"or" before a new verb); a
claim the two word with no content word in common ("feared dead" / "the death toll") is not
matched; "will" against "would", an intention against a pledge, and a double negation ("denied"
/ "did not deny") are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution

_TOKEN = re.compile(r"[A-Za-z](?:[A-Za-z'’-]*[A-Za-z])?(?:\.[A-Za-z]\.?)*|\d(?:[\d,.]*\d)?|[,;:—–()]")

# Triggers: hedges that make a claim uncertain.
_HEDGE_WORDS = {
    "reportedly", "allegedly", "apparently", "possibly", "probably", "presumably", "purportedly", "seemingly",
    "supposedly", "ostensibly", "perhaps", "maybe", "alleged", "suspected", "purported", "presumed", "unconfirmed",
    "unverified", "possible", "probable", "putative", "unclear",
}
# Hedges that qualify the noun after them ("alleged investigations"): their claim is that noun.
_ADJECTIVE_HEDGES = {"alleged", "suspected", "purported", "presumed", "unconfirmed", "unverified", "possible",
                     "probable", "putative", "apparent"}
_MODALS = {"may", "might", "could"}
_BE = {"is", "are", "was", "were", "be", "been", "being", "'s"}
_BE_ADVERBS = {"widely", "now", "also", "still", "generally", "largely", "initially", "originally"}
_PASSIVE_HEDGES = {"expected", "believed", "thought", "feared", "presumed", "understood", "rumoured", "rumored",
                   "suspected", "estimated", "said", "reported", "considered"}
_BELIEF = {"believed", "thought", "feared", "presumed", "suspected", "rumoured", "rumored", "understood"}
_WEIGHING = {"poised", "considering", "weighing", "mulling", "exploring", "contemplating"}
_APPEAR = {"appear", "appears", "appeared", "seem", "seems", "seemed"}
_STATES = {"dead", "killed", "drowned", "missing", "trapped", "lost", "buried", "responsible", "behind", "that"}
_VERIFIED = {"verified", "confirmed"}

# Whatever makes a stretch of text uncertain or forward-looking: where the other side has one of
# these around the shared words, the two are hedged alike.
_UNCERTAIN = re.compile(
    r"(?:may|might|could|would|should|can|cannot|must|reportedly|allegedly|apparently|possibl[ey]|probabl[ey]|"
    r"presum\w*|purport\w*|seemingly|supposedly|perhaps|maybe|alleg\w*|suspect\w*|accus\w*|"
    r"unconfirmed|unverified|unclear|uncertain\w*|unknown|doubt\w*|expect\w*|believ\w*|think|thinks|thought|"
    r"fear\w*|estimat\w*|predict\w*|forecast\w*|projected|warn\w*|risk\w*|possibility|chance|chances|hope\w*|"
    r"plan|plans|planned|planning|intend\w*|intention|aim\w*|try|tries|tried|trying|seek\w*|sought|claim\w*|"
    r"reports|rumou?r\w*|suggest\w*|indicat\w*|consider\w*|appear\w*|seem\w*|likely|unlikely|"
    r"potential\w*|whether|assum\w*|speculat\w*|preliminary|tentative\w*|poised|would-be|considering|weighing|"
    r"mulling|exploring|contemplating)"
)
_UNCERTAIN_PHRASES = (("up", "to"), ("as", "many", "as"), ("as", "much", "as"), ("as", "high", "as"),
                      ("as", "large", "as"), ("a", "maximum"), ("at", "most"))

_NEGATIONS = {"not", "never", "no", "nor", "denied", "denies", "deny", "denying"}
_FLIPS = _NEGATIONS - {"no", "nor"}  # "no" and "nor" negate a noun phrase whose scope a window cannot read
_DENIALS = {"denied", "denies", "deny", "denying"}
_STRONG = ("not yet", "yet to", "no longer", "never") + tuple(_DENIALS)
_NOT_NEGATION = (("not", "only"), ("not", "just"), ("not", "least"), ("not", "merely"), ("not", "to", "mention"),
                 ("not", "long"), ("not", "far"), ("or", "not"), ("if", "not"), ("not", "until"),
                 ("not", "to", "be", "named"), ("not", "be", "named"), ("not", "be", "identified"),
                 ("not", "to", "be", "identified"), ("not", "surprisingly"), ("whether", "or", "not"))
# Verbs and phrases that negate what follows them without a "not" ("to avoid spilling blood").
_IMPLICIT_NEGATIONS = {"avoid", "avoided", "avoiding", "prevent", "prevented", "refused", "refuse", "refuses",
                       "failed", "fail", "fails", "without", "lack", "lacked", "lacking", "rejected", "dismissed",
                       "ruled", "halted", "stopped", "unable", "neither", "instead", "nobody", "nothing", "none"}
_BOUNDARY = {";", ":", "—", "–", "(", ")", "but", "although", "though", "whereas", "while", "however", "after",
             "before", "because", "since", "until", "which", "who", "whose", "when", "where"}
_CHAIN = {"to", "be", "been", "being", "have", "has", "had"}
_RELATIVE = {"which", "who", "whose", "where", "when"}
_AUX = {"could", "would", "will", "may", "might", "can", "should", "must", "is", "are", "was", "were", "has",
        "have", "had", "that", "did", "does", "do", "shall"}
# Words too common to show that two stretches tell the same claim ("on its way" / "on his way").
_GENERIC = {"way", "ways", "time", "times", "day", "days", "week", "weeks", "year", "years", "month", "months",
            "people", "thing", "things", "part", "lot", "place", "end", "side", "number", "group", "area", "case",
            "point", "world", "country", "state", "home", "night", "morning", "evening", "first", "last", "new"}
_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion",
                 "billions", "trillion", "percent", "per", "cent", "half"}
_TIME = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
         "tonight", "morning", "evening", "night", "week", "weekend", "month", "year"}
_STOP = frozenset(
    "a an the of and or but to in on at for by with from as that this these those it its it's he she they we i "
    "you his her their our my your him them us me is are was were be been being has have had do does did done "
    "will would can could may might shall should must not no nor never yet so than then there here which who "
    "whom whose what when where why how whether if all any some each every also just only very more most much "
    "many such into onto over under about after before while because up down out off again further once said "
    "says say saying told tell tells added adding according still now later earlier get got go going went come "
    "came".split()
)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str  # lower case
    start: int
    end: int
    stem: str  # "" for small words and punctuation
    plain: bool  # a lower-case word, not a number: a name or a figure alone does not make two claims one


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A crude stem: inflection off ("signed" = "sign", "voted" = "vote"), first five letters; ""
    for small words."""
    w = word.lower().replace("’", "'")
    if w in ("u.s.", "u.s") or word in ("US", "USA"):
        return "usa"
    w = w.strip(".'")
    if w in _STOP or len(w) < 3 and not w.isdigit():
        return ""
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiousl":
        w = w[:-1]  # "stopped" -> "stop"
    return w.rstrip("e")[:5] if len(w) > 3 else w


_MAX_TOKENS = 300  # a sentence is read this far (a runaway translation must not cost seconds)
_MAX_CUES = 12  # hedges or negations examined per sentence


class _Toks(tuple):
    """A sentence's tokens, with its hedges and negations found once (a sentence is in many links)."""

    hedges: list[tuple[int, int]]
    negations: list[tuple[int, int, bool]]


def _hedges(toks: Sequence[_Token]) -> list[tuple[int, int]]:
    return toks.hedges if isinstance(toks, _Toks) else _find_hedges(toks)


def _negations(toks: Sequence[_Token]) -> list[tuple[int, int, bool]]:
    return toks.negations if isinstance(toks, _Toks) else _find_negations(toks)


@lru_cache(maxsize=8192)  # per sentence, not per link
def _tokens(text: str) -> _Toks:
    toks = _Toks(_token_list(text))
    toks.hedges = _find_hedges(toks)
    toks.negations = _find_negations(toks)
    return toks


def _token_list(text: str) -> list[_Token]:
    return ([_Token(m.group().lower().replace("’", "'"), m.start(), m.end(), _stem(m.group()),
                   m.group()[0].islower() and m.group().lower() not in _NUMBER_WORDS)
            for m, _ in zip(_TOKEN.finditer(text), range(_MAX_TOKENS))])


def _at(toks: Sequence[_Token], k: int, phrase: Sequence[str]) -> bool:
    return all(k + n < len(toks) and toks[k + n].text == w for n, w in enumerate(phrase))


def _find_hedges(toks: Sequence[_Token]) -> list[tuple[int, int]]:
    """(first, last) token of each hedge in a sentence."""
    out = []
    for k, t in enumerate(toks):
        w = t.text
        nxt = toks[k + 1].text if k + 1 < len(toks) else ""
        prev = toks[k - 1].text if k else ""
        last = k
        if w in _MODALS:
            if w == "may" and not t.plain and (k > 0 or nxt[:1].isdigit()):
                continue  # May, the month
            if w == "could" and nxt in ("not", "only", "hardly", "barely", "never"):
                verified = next((j for j in range(k + 2, min(k + 5, len(toks))) if toks[j].text in _VERIFIED), None)
                if verified is None or toks[k + 2].text != "be":
                    continue  # "could not breathe": ability, not a hedge ("could not be verified" is one)
                last = verified
        elif w in _HEDGE_WORDS:
            if w == "possible" and prev in ("as", "if", "where", "whenever", "wherever"):
                continue  # "as soon as possible"
            if w == "unclear" and nxt not in ("whether", "if", "how", "who", "what", "why", "when", "where"):
                continue
        elif w in _PASSIVE_HEDGES:
            if w == "expected" and (prev in ("than", "as") or nxt == "than"):
                continue  # "faster than expected"
            be = prev in _BE or (k > 1 and toks[k - 2].text in _BE and prev in _BE_ADVERBS)
            if w == "feared" and nxt in _STATES:
                last = k + 1  # "(were) feared dead"
            elif w == "expected" and (be or nxt == "to") and prev not in ("had", "has", "have", "not"):
                pass  # "is expected to", "ships expected to pass"; "had expected" is someone's expectation
            elif be and nxt == "to":
                pass  # "is believed to", "is said to have", "was reported to be"
            elif be and w in _BELIEF and nxt in _STATES:
                pass  # "were presumed dead", "it is believed that"
            else:
                continue
        elif w in _WEIGHING:
            if not (prev in _BE or (k > 1 and toks[k - 2].text in _BE and prev in _BE_ADVERBS)):
                continue  # "is poised to", "is considering sending": not yet decided
            if w == "poised" and nxt != "to":
                continue
        elif w in _APPEAR:
            if nxt != "to" and not (prev == "it" and nxt in ("that", ",")):
                continue
        elif w in ("likely", "unlikely"):
            if not (nxt == "to" or prev in _BE | {"most", "more", "very", "highly", "quite", "will", "would"}):
                continue  # "an unlikely global spectacle"
        else:
            continue
        asked = False  # a modal after "whether" or "if" belongs to the question, not to the claim
        for j in range(k - 1, max(k - 8, -1), -1):
            if toks[j].text in _BOUNDARY or toks[j].text == ",":
                break
            if toks[j].text in ("whether", "if", "unless"):
                asked = True
                break
        if not asked:
            out.append((k, last))
    return out


def _new_clause(toks: Sequence[_Token], k: int) -> bool:
    return toks[k].text in ("and", "or") and k + 1 < len(toks) and toks[k + 1].text in _AUX


def _window(toks: Sequence[_Token], first: int, last: int, left: int = 10, right: int = 10) -> tuple[int, int]:
    """The words around a hedge or negation that its claim is made of, within its clause (a
    relative clause, "which may have started in the kitchen,", ends at its comma)."""
    lo = first
    while lo > 0 and first - lo < left and toks[lo - 1].text not in _BOUNDARY and not _new_clause(toks, lo - 1):
        lo -= 1
    relative = lo > 0 and toks[lo - 1].text in _RELATIVE
    hi = last
    while hi + 1 < len(toks) and hi - last < right and toks[hi + 1].text not in _BOUNDARY \
            and not _new_clause(toks, hi + 1) and not (relative and toks[hi + 1].text == ","):
        hi += 1
    return lo, hi


def _around(toks: Sequence[_Token], a: int, b: int, left: int = 6, right: int = 4) -> tuple[int, int]:
    """Tokens a..b widened by a few words either side, within their clause."""
    lo, hi = a, b
    while lo > 0 and a - lo < left and toks[lo - 1].text not in _BOUNDARY:
        lo -= 1
    while hi + 1 < len(toks) and hi - b < right and toks[hi + 1].text not in _BOUNDARY:
        hi += 1
    return lo, hi


def _stretch(toks: Sequence[_Token], shared: set[str], width: int = 12) -> tuple[int, int, int]:
    """The densest stretch of a clause holding the shared stems: (distinct stems, first, last),
    the shortest such stretch."""
    pos = [k for k, t in enumerate(toks) if t.stem in shared]
    best, size = (0, 0, 0), 0
    for i, p in enumerate(pos):
        seen: set[str] = set()
        for q in pos[i:]:
            if q - p >= width or any(toks[n].text in _BOUNDARY for n in range(p, q)):
                break
            seen.add(toks[q].stem)
            if len(seen) > best[0] or (len(seen) == best[0] and q - p < size):
                best, size = (len(seen), p, q), q - p
    return best


def _uncertain(toks: Sequence[_Token], lo: int, hi: int, hedged: set[int]) -> bool:
    """Tokens lo..hi hold a hedge or anything uncertain or forward-looking."""
    for k in range(max(0, lo), min(len(toks), hi + 1)):
        if k in hedged or _UNCERTAIN.fullmatch(toks[k].text) or any(_at(toks, k, p) for p in _UNCERTAIN_PHRASES):
            return True
    return False


def _negator(toks: Sequence[_Token], k: int) -> bool:
    t = toks[k].text
    return (t in _NEGATIONS or t.endswith("n't") or t in _IMPLICIT_NEGATIONS
            or (t == "than" and k > 0 and toks[k - 1].text == "rather"))


def _negated(toks: Sequence[_Token], k: int, before: int = 4) -> bool:
    """A negation (or a verb that negates) stands just before token k, in its clause."""
    for j in range(k - 1, max(k - 1 - before, -1), -1):
        if toks[j].text in _BOUNDARY:
            return False
        if _negator(toks, j):
            return True
    return False


def _auxiliaries(toks: Sequence[_Token], k: int) -> int:
    """The first of the auxiliaries before token k ("will" in "will testify")."""
    j = k
    while j > 0 and k - j < 3 and toks[j - 1].text in (_AUX | _BE) - {"that"}:
        j -= 1
    return j


@dataclass(frozen=True, slots=True)
class _Claim:
    kind: str  # "hedge" or "negation"
    sentence: int
    start: int  # the hedge's or negation's words
    end: int
    other_sentence: int
    other_start: int  # the other side's words for the same claim
    other_end: int


_Side = list[tuple[int, list[_Token], set[int]]]  # (sentence, tokens, indices of hedge tokens)


def _hedge_claim(x: _Side, y: _Side) -> _Claim | None:
    y_words = {t.text[:6] for _, toks, _ in y for t in toks}
    for i, toks, _ in x:
        for first, last in _hedges(toks)[:_MAX_CUES]:
            if toks[first].text[:6] in y_words and toks[first].text not in _MODALS:
                continue  # the other side hedges with the same word ("reportedly" / "media reports")
            if toks[first].text in _ADJECTIVE_HEDGES and last + 1 < len(toks) and toks[last + 1].stem:
                lo, hi = _window(toks, first, last, left=0, right=5)  # "alleged U.S. agency investigations"
            else:
                lo, hi = _window(toks, first, last)
            scope = [t for k, t in enumerate(toks[lo : hi + 1], lo) if t.stem and not first <= k <= last]
            mine = {t.stem for t in scope}
            plain = {t.stem for t in scope if t.plain and t.text not in _GENERIC}
            for j, other, hedged in y:
                count, a, b = _stretch(other, mine)
                if count < 2 or not plain & {t.stem for t in other[a : b + 1]}:
                    continue
                if _uncertain(other, *_around(other, a, b), hedged):
                    continue  # hedged alike
                # Evidence: the hedge up to the word it hedges ("may have been killed"), and that
                # word on the other side with its auxiliaries ("had been killed").
                head = next((k for k in range(last + 1, min(last + 5, len(toks))) if toks[k].stem), None)
                if head is not None and any(toks[k].text not in _CHAIN for k in range(last + 1, head)):
                    head = None  # only a verb chain leads to the hedged word ("may have been killed")
                x0 = first - 1 if first and toks[first - 1].text in _BE and toks[first].text not in _MODALS else first
                x1 = head if head is not None and toks[head].plain else last
                match = None if head is None else next(
                    (k for k in range(max(0, a - 3), min(len(other), b + 4)) if other[k].stem == toks[head].stem), None)
                if match is not None:
                    a, b = _auxiliaries(other, match), match
                return _Claim("hedge", i, toks[x0].start, toks[x1].end, j, other[a].start, other[b].end)
    return None


def _find_negations(toks: Sequence[_Token]) -> list[tuple[int, int, bool]]:
    """(first, last, strong) tokens of each negation that can flip a claim, idioms left out."""
    out = []
    for k, t in enumerate(toks):
        w = t.text
        if not (w in _FLIPS or w.endswith("n't") or _at(toks, k, ("no", "longer")) or _at(toks, k, ("yet", "to"))):
            continue
        if any(_at(toks, k, p) for p in _NOT_NEGATION) or (k and any(_at(toks, k - 1, p) for p in _NOT_NEGATION)):
            continue
        last = k
        while last + 1 < len(toks) and toks[last + 1].text in ("yet", "longer", "to"):
            last += 1
        phrase = " ".join(toks[n].text for n in range(k, last + 1))
        out.append((k, last, phrase in _STRONG or w in _STRONG))
    return out


def _negation_claim(x: _Side, y: _Side) -> _Claim | None:
    for i, toks, _ in x:
        for first, last, strong in _negations(toks)[:_MAX_CUES]:
            # What is negated: the first content word after the negation (after a denial, the
            # first common word: "denied on Monday that Putin had met" negates "met").
            reach = 10 if toks[first].text in _DENIALS else 6
            head = next((k for k in range(last + 1, min(last + 1 + reach, len(toks))) if toks[k].stem
                         and toks[k].text not in _AUX and toks[k].text not in _TIME
                         and (toks[k].plain or toks[first].text not in _DENIALS)), None)
            if head is None or any(toks[k].text in _BOUNDARY for k in range(last + 1, head)):
                continue
            lo, hi = _window(toks, first, last, left=6, right=8)
            around = {t.stem for t in toks[lo : hi + 1] if t.stem} - {toks[head].stem}
            for j, other, hedged in y:
                for m, t in enumerate(other):
                    if t.stem != toks[head].stem or _negated(other, m):
                        continue
                    if any(_negator(other, n) for n in range(max(0, m - 6), min(len(other), m + 4))):
                        continue  # the other side negates around it too
                    passive_x = head + 1 < len(toks) and toks[head + 1].text == "by"
                    passive_y = m + 1 < len(other) and other[m + 1].text == "by"
                    if passive_x != passive_y:
                        continue  # the roles turned round: another subject
                    if _uncertain(other, m - 3, m + 3, hedged):
                        continue
                    near = {s.stem for s in other[max(0, m - 8) : m + 9] if s.stem}
                    if not strong and not around & near:
                        continue
                    y0 = other[_auxiliaries(other, m)].start
                    return _Claim("negation", i, toks[first].start, toks[head].end, j, y0, t.end)
    return None


def _side(doc: Document, indices: Sequence[int]) -> _Side:
    out = []
    for i in indices:
        toks = _tokens(doc.sentences[i].compare_text)
        out.append((i, toks, {k for first, last in _hedges(toks) for k in range(first, last + 1)}))
    return out


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """One side hedges or negates the claim the other states plainly (module docstring)."""
    sa, sb = _side(a, link.a), _side(b, link.b)
    for kind, find in (("hedge", _hedge_claim), ("negation", _negation_claim)):
        for x, y, dx, dy, flip in ((sa, sb, a, b, False), (sb, sa, b, a, True)):
            claim = find(x, y)
            if claim is None:
                continue
            words_x = dx.sentences[claim.sentence].compare_text[claim.start : claim.end]
            words_y = dy.sentences[claim.other_sentence].compare_text[claim.other_start : claim.other_end]
            if kind == "hedge":
                summary = (f"{dx.label} hedges it (\u201c{words_x}\u201d); "
                           f"{dy.label} states it as certain (\u201c{words_y}\u201d)")
            else:
                summary = f"{dx.label} negates it (\u201c{words_x}\u201d); {dy.label} states it (\u201c{words_y}\u201d)"
            span_x = (Span(claim.sentence, claim.start, claim.end),)
            span_y = (Span(claim.other_sentence, claim.other_start, claim.other_end),)
            caution = translation_caution(dx, claim.sentence) or translation_caution(dy, claim.other_sentence)
            return Finding(
                type="certainty",
                a=link.a,
                b=link.b,
                a_spans=span_y if flip else span_x,
                b_spans=span_x if flip else span_y,
                summary=summary,
                confidence=(0.6 if kind == "hedge" else 0.55) * (0.6 if caution else 1.0),
                caution=caution,
            )
    return None
