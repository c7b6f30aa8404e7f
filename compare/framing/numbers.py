"""Quantities in a sentence: value, unit and kind, with character spans (rule-based, no parser).

Recognised: digits with grouping ("1,014", "9.6"), number words up to the
hundreds ("twelve", "forty-two", "a dozen"), scales ("million", "bn", "m"),
currencies before or after ("$40 billion", "40 billion dollars", "€5m"),
percentages ("3 percent", "3%", "3 per cent"), durations ("two hours",
"12-hour"), and counts named by the noun that follows ("207 people",
"14 Baltic and Pacific trading nations" is a count of "nations" only when the
noun follows within three words). Years (1900-2100 standing alone) and clock
times are their own kinds. A bound before the number ("more than", "about",
"nearly", "up to") is kept, so the report can show "more than 200" against "207"
(a finding: outlets that give different figures for one toll differ). Limits: English only (the common language); ranges ("10 to 12")
read as two numbers; ordinals and fractions are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution

Kind = Literal["money", "percent", "duration", "count", "mass", "year", "time", "number"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}
_CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
                   "pounds": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "rubles": "RUB",
                   "roubles": "RUB", "won": "KRW", "rupees": "INR"}
_DURATIONS = {"second": 1 / 3600, "minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0,
              "year": 8760.0}
_BOUNDS = {"more than": ">", "over": ">", "at least": ">", "upwards of": ">", "less than": "<", "under": "<",
           "fewer than": "<", "up to": "<", "at most": "<", "about": "~", "around": "~", "roughly": "~",
           "nearly": "~", "almost": "~", "some": "~", "approximately": "~", "an estimated": "~", "close to": "~"}
_WORD_NUMBER = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_NUMBER = re.compile(
    r"(?P<bound>\b(?:" + "|".join(sorted(_BOUNDS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<cur>US\$|[$€£¥])?\s?(?<![\w.,])"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]|\.\d)|(?:a dozen|dozen|"
    r"(?:" + _WORD_NUMBER + r")(?:[- ](?:" + _WORD_NUMBER + r"))?(?:\s+hundred)?)\b)"
    r"(?P<scale>\s?(?:thousand|million|billion|trillion|bn|mn|mln|tn|m|k)\b)?",
    re.IGNORECASE,
)
_AFTER = re.compile(r"[\s-]*(?P<unit>per\s?cent|percent|%|[A-Za-z]+)")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?|\b\d{1,2}\s?[ap]\.m\.", re.IGNORECASE)
_RATE = re.compile(r"\s*(?:a|per|each|every)\s+(day|week|month|year|hour)\b|\s*(daily|annually|monthly|weekly)\b", re.I)
_CONTEXT_STOP = {"said", "says", "about", "around", "more", "than", "nearly", "almost", "some", "with", "from",
                 "that", "this", "were", "have", "been", "which", "their", "after", "before", "over", "into"}
_NOUN_SKIP = {"and", "of", "the", "a", "an", "other", "more", "new", "additional", "local", "foreign"}


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    kind: Kind
    unit: str  # currency code, duration unit, counted noun ("people"), or ""
    start: int
    end: int
    bound: str = ""  # ">", "<", "~" or "" (exact)
    context: frozenset[str] = frozenset()  # content words around it: what the number is about

    @property
    def key(self) -> tuple[str, str]:
        """What the quantity measures: two quantities with one key can be compared."""
        return self.kind, self.unit


def _minutes(clock: str) -> float:
    """Minutes after midnight of "10:40 pm", "22:43", "2 a.m." (12-hour times read as written)."""
    digits = re.findall(r"\d+", clock)
    hours, minutes = int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
    pm = "p" in clock.lower()
    if pm and hours < 12:
        hours += 12
    if "a" in clock.lower().replace("am", "a") and not pm and hours == 12:
        hours = 0
    return float(hours * 60 + minutes)


def _word_value(text: str) -> float | None:
    words = text.lower().replace("-", " ").split()
    if words in (["a", "dozen"], ["dozen"]):
        return 12.0
    total = 0.0
    for w in words:
        if w in _UNITS:
            total += _UNITS[w]
        elif w in _TENS:
            total += _TENS[w]
        elif w == "hundred":
            total = (total or 1) * 100
        else:
            return None
    return total


def _noun(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def quantities(text: str) -> list[Quantity]:
    """The quantities of one sentence, in order."""
    out: list[Quantity] = []
    clock = [(m.start(), m.end()) for m in _CLOCK.finditer(text)]
    for s, e in clock:
        out.append(Quantity(_minutes(text[s:e]), "time", "", s, e, "", _context(text, s, e)))
    for m in _NUMBER.finditer(text):
        start, end = m.start("num") if not m.group("cur") else m.start("cur"), m.end()
        if any(s <= m.start("num") < e for s, e in clock):
            continue
        raw = m.group("num")
        if (text[m.end("num") : m.end("num") + 1] == "/" or text[max(m.start("num") - 1, 0) : m.start("num")] == "/"
                or re.match(r"\s+\d+/\d+", text[m.end("num") :])):
            continue  # a fraction ("9 1/2"): not read
        if re.match(r"-(?:year|month|week|day)s?-old\b", text[m.end("num") : m.end("num") + 12], re.I):
            continue  # an age ("20-year-old") is a description, not the fact's quantity
        if raw[0].isdigit():
            value = float(raw.replace(",", ""))
        else:
            word = _word_value(raw)
            if word is None:
                continue
            value = word
        scale = (m.group("scale") or "").strip().lower()
        if scale:
            value *= _SCALES[scale]
        bound = _BOUNDS.get((m.group("bound") or "").strip().lower(), "")
        if m.group("bound") and bound:
            start = m.start("bound")
        kind: Kind = "number"
        unit = ""
        cur = (m.group("cur") or "").lower()
        after = _AFTER.match(text, m.end())
        following = after.group("unit").lower() if after else ""
        if cur:
            kind, unit = "money", _CURRENCY_SIGNS[cur]
        elif following in _CURRENCY_WORDS:
            kind, unit, end = "money", _CURRENCY_WORDS[following], after.end()  # type: ignore[union-attr]
        elif following.replace(" ", "") in ("percent", "%", "percent"):
            kind, end = "percent", after.end()  # type: ignore[union-attr]
        elif following in ("tons", "tonnes", "ton", "tonne", "t"):
            kind, unit, end = "mass", "tonne", after.end()  # type: ignore[union-attr]
        elif _noun(following) in _DURATIONS:
            kind, unit, end = "duration", "hour", after.end()  # type: ignore[union-attr]
            value *= _DURATIONS[_noun(following)]
        elif raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and not scale:
            kind = "year"
        else:
            noun = _counted_noun(text, m.end())
            if noun:
                kind = "count"  # what is counted is judged from the words around (the context)
        rate = _RATE.match(text, end)
        if rate and kind in ("money", "count", "number"):
            unit += "/" + (rate.group(1) or {"daily": "day", "annually": "year", "monthly": "month", "weekly": "week"}[rate.group(2).lower()]).lower()
        out.append(Quantity(value, kind, unit, start, end, bound, _context(text, start, end)))
    out.sort(key=lambda q: q.start)
    return out


def _context(text: str, start: int, end: int, width: int = 6) -> frozenset[str]:
    """Content words (4+ letters, crude singular) within `width` words either side of a number."""
    before = re.findall(r"[A-Za-z][A-Za-z'-]*", text[max(0, start - 80) : start])[-width:]
    after = re.findall(r"[A-Za-z][A-Za-z'-]*", text[end : end + 80])[:width]
    return frozenset(_noun(w) for w in before + after if len(w) >= 4 and w.lower() not in _CONTEXT_STOP)


def _counted_noun(text: str, pos: int) -> str:
    """The noun a number counts: the first content word within three words after it."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text[pos : pos + 60])
    for w in words[:3]:
        if w.lower() in _UNITS or w.lower() in _TENS:
            return ""  # "one of three": not a counted noun
        if w.lower() in _NOUN_SKIP:
            continue
        if w[0].isupper():
            continue  # a name ("14 Baltic ... nations"): look on
        return _noun(w)
    return ""


def consistent(a: Quantity, b: Quantity) -> bool:
    """The same value, however written ("two hours" / "2 hours", "$5bn" / "5 billion dollars").

    A bound does not make two figures the same: "more than 200" against "207", or "at least
    192", is a difference a reader should see (the framing guide counts it), not agreement."""
    return abs(a.value - b.value) <= 1e-9 * max(abs(a.value), abs(b.value), 1.0)


# The `number` detector.
# Kinds that name what they measure (a bare number or a year does not: "12" and "2021" in two
# sentences of one fact usually count different things).
_COMPARABLE = {"money": 0.9, "percent": 0.9, "duration": 0.85, "mass": 0.85, "count": 0.8, "time": 0.75}
_KIND_WORD = {"money": "amount", "percent": "percentage", "duration": "duration", "mass": "weight", "count": "count",
              "time": "time"}


def _side(doc: Document, indices: Sequence[int]) -> list[tuple[int, Quantity]]:
    return [(i, q) for i in indices for q in quantities(doc.sentences[i].compare_text) if q.kind in _COMPARABLE]


def detect(a: Document, b: Document, link: Link) -> Finding | None:
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
        caution = translation_caution(a, ia, qa.start, qa.end) or translation_caution(b, ib, qb.start, qb.end)
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
