"""Loaded wording on one side of a link only (rule-based, English, lexicon kept as data).

The lexicon (data/loaded.tsv, written for the project: data/README.md) lists evaluative or
emotionally loaded words and phrases by entry: pejorative labels ("regime", "strongman"),
distancing words ("so-called"), loaded verbs of saying ("slammed", "boasted" where news style
says "said"), loaded action verbs ("dumped", "rammed"), scare and drama terms ("chaos",
"catastrophic"), evaluative adjectives ("historic", "embattled"), intensifiers, euphemisms and
contested terms. Entries of one family carry the same loading ("slammed" / "lambasted").

A finding is made when one side uses an entry whose family the other side does not carry in
any form. The plain counterpart on the other side, where the lexicon names one ("regime" /
"government", "slammed" / "said"), is shown as evidence. Not counted: a form inside a direct
quotation (the speaker's words, not the outlet's), a capitalised form inside a sentence (a
name), a form in a neutral sense the lexicon names ("tax regime", "dumped rain"), and a label
or loaded verb next to no word of the other side's sentence with no plain counterpart there (it
describes a participant or action the other side does not report: a detail, not framing). Where
a side of the link holds several sentences (the pipeline's n:m links), every form without a plain
counterpart must sit next to a word the other side shares, and a label just before a name counts
only if the other side names that person. A loaded verb of saying without a plain counterpart
counts only where the other side reports a statement too (a verb of saying or a quotation).

Limits: a closed word list, so loaded wording outside it and metaphors ("laid bare", "a virtual
fortress") are missed; word senses only as far as the listed neutral contexts; in a one-sentence
side, a dramatising or evaluative word in a clause about another part of a long sentence still
counts ("after a frantic 48 hours"), and "next to a shared word" is a window of four words, so
one that follows a shared name across a comma passes; a machine-translated sentence carries a
caution, since the word may be the translator's choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# Direct quotations: double quotes (curly ones also left open at either end of the sentence, for
# quotations running over several sentences), and single quotes opening after a space (an
# apostrophe inside or after a word is not a quotation mark).
_QUOTED = re.compile(
    r"\"[^\"]*\"|“[^”]*(?:”|$)|^[^“”]*”|(?:^|(?<=[\s(\[]))(?:‘[^’]*?’|'[^']*?')(?![A-Za-z])"
)
# Words after an attributive adjective showing it qualifies no noun ("the talks were a landmark.").
_FUNCTION = frozenset(
    "a an the to of in on at by for from with as and or but than that which who whom whose when while where "
    "after before because if is are was were be been being has have had do does did will would can could "
    "may might must shall should it its he she they them their his her this these those there then so not "
    "no also over into about against during since until up down out off".split()
)
_OPENERS = {'"', "“", "‘", "'", ":", "(", "—", "–", "-"}
# category: (what the summary calls it, confidence of a finding led by it)
_CATEGORY = {
    "label": ("a loaded label", 0.75),
    "doubt": ("distancing wording", 0.8),
    "saying": ("a loaded verb of saying", 0.75),
    "action": ("a loaded verb", 0.7),
    "scare": ("dramatising wording", 0.7),
    "evaluative": ("evaluative wording", 0.7),
    "intensifier": ("an intensifier", 0.55),
    "euphemism": ("a euphemism", 0.75),
    "contested": ("a contested term", 0.75),
}
# Categories that name a participant or an action: counted only next to a word the other side
# shares, or where the other side uses the plain counterpart (any category, where the loaded side
# holds several sentences: the form may sit in one about something else).
_PARTICIPANT = {"label", "contested", "doubt", "action"}
# Labels: one just before a name ("strongman Khalifa Haftar") describes that person.
_LABELS = {"label", "contested", "doubt"}
_NEAR = 4  # words either side of the form that show what it qualifies
# Plain verbs of saying (and "according to"): a loaded verb of saying frames a statement only where
# the other side reports a statement too; otherwise the statement itself is what one side adds.
_SPEECH = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|telling|state[sd]?|stating|add(?:s|ed|ing)?|announc(?:e|es|ed|ing)"
    r"|declar(?:e|es|ed|ing)|not(?:e|es|ed|ing)|wr(?:ite|ites|ote|itten|iting)|report(?:s|ed|ing)?|according"
    r"|call(?:s|ed|ing)?|describ(?:e|es|ed|ing)|warn(?:s|ed|ing)?|urg(?:e|es|ed|ing)|prais(?:e|es|ed|ing)"
    r"|welcom(?:e|es|ed|ing)|critici[sz](?:e|es|ed|ing)|condemn(?:s|ed|ing)?|accus(?:e|es|ed|ing)|vow(?:s|ed|ing)?"
    r"|pledg(?:e|es|ed|ing)|promis(?:e|es|ed|ing)|acknowledg(?:e|es|ed|ing)|confirm(?:s|ed|ing)?|den(?:y|ies|ied|ying)"
    r"|insist(?:s|ed|ing)?|argu(?:e|es|ed|ing)|ask(?:s|ed|ing)?|repl(?:y|ies|ied|ying)|respond(?:s|ed|ing)?"
    r"|tweet(?:s|ed|ing)?|post(?:s|ed|ing)?|statement|remarks?|speech|address)\b|[\"“”]",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon line: its forms share category, family and plain counterparts."""

    category: str
    family: str
    neutral: tuple[tuple[str, ...], ...]  # plain counterparts, as word sequences
    unless_before: frozenset[str]
    unless_after: frozenset[str]
    attributive: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """A lexicon form found in a sentence (character span)."""

    start: int
    end: int
    entry: Entry
    counted: bool  # False: quoted, a name, or a neutral sense: it still shows the side carries the family


def _inflect_verb(word: str) -> list[str]:
    """Base, third person, past and -ing forms of a regular verb (denounce, denounces, denounced, denouncing)."""
    if word.endswith("e"):
        return [word, word + "s", word + "d", word[:-1] + "ing"]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word, word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    stem = word + word[-1] if len(word) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", word) else word
    third = word + "es" if word.endswith(("s", "sh", "ch", "x", "z", "o")) else word + "s"
    return [word, third, stem + "ed", stem + "ing"]


def _plural(word: str) -> list[str]:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word, word[:-1] + "ies"]
    return [word, word + "es" if word.endswith(("s", "sh", "ch", "x", "z")) else word + "s"]


def _cell(cell: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in cell.split(",") if w.strip())


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[tuple[tuple[str, ...], Entry], ...]]:
    """The lexicon, read once: first word of a form -> (the form's words, entry), longest form first."""
    text = resources.files(__package__).joinpath("data", "loaded.tsv").read_text(encoding="utf-8")
    index: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for line in rows[1:]:  # rows[0]: the column names
        forms, pos, category, family, neutral, before, after = (line.split("\t") + [""] * 7)[:7]
        if category not in _CATEGORY or pos not in {"v", "n", "x", "attr"}:
            raise ValueError(f"loaded.tsv: bad category or pos in line {line!r}")
        written = [f.strip().lower() for f in forms.split("|") if f.strip()]
        entry = Entry(
            category=category,
            family=family or written[0],
            neutral=tuple(sorted(tuple(_WORD.findall(n)) for n in _cell(neutral))),
            unless_before=_cell(before),
            unless_after=_cell(after),
            attributive=pos == "attr",
        )
        for form in written:
            words = form.split()
            if pos == "v":
                variants = [[v, *words[1:]] for v in _inflect_verb(words[0])]
            elif pos == "n":
                variants = [[*words[:-1], p] for p in _plural(words[-1])]
            else:
                variants = [words]
            for v in variants:
                index.setdefault(v[0], []).append((tuple(v), entry))
    return {k: tuple(sorted(v, key=lambda x: -len(x[0]))) for k, v in index.items()}


@lru_cache(maxsize=4096)
def hits(text: str, headline: bool = False) -> tuple[Hit, ...]:
    """The lexicon forms of one sentence, in order (the longest form at each word); cached, since
    a sentence is read once per link it takes part in."""
    index = lexicon()
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    quotes = [m.span() for m in _QUOTED.finditer(text)]
    # A headline, or a sentence in title case, capitalises ordinary words.
    title = headline or sum(text[s].isupper() for s, _, _ in words) > 0.6 * len(words)
    out: list[Hit] = []
    k = 0
    while k < len(words):
        match = None
        for form, entry in index.get(words[k][2], ()):
            n = len(form)
            if k + n <= len(words) and all(
                words[k + j][2] == form[j] and not text[words[k + j - 1][1] : words[k + j][0]].strip()
                for j in range(1, n)
            ):
                match = (form, entry)
                break
        if match is None:
            k += 1
            continue
        form, entry = match
        last = k + len(form) - 1
        start, end = words[k][0], words[last][1]
        before = words[k - 1][2] if k else ""
        nxt = words[last + 1] if last + 1 < len(words) else None
        after = nxt[2] if nxt else ""
        if before in entry.unless_before or after in entry.unless_after:
            counted = False  # a neutral sense ("tax regime")
        elif entry.attributive and (nxt is None or after in _FUNCTION or text[nxt[0]].isupper()
                                    or text[end : nxt[0]].strip()):
            counted = False  # qualifies no noun ("a landmark." / "the landmark of the city")
        elif (len(form) == 1 and text[start].isupper() and k > 0 and not title
              and text[words[k - 1][1] : start].strip()[-1:] not in _OPENERS):
            counted = False  # a name ("Operation Grim Reaper")
        elif any(qs < start and end <= qe for qs, qe in quotes):
            counted = False  # the speaker's words, not the outlet's
        else:
            counted = True
        out.append(Hit(start, end, entry, counted))
        k = last + 1
    return tuple(out)


def _find_words(text: str, form: tuple[str, ...]) -> tuple[int, int] | None:
    """The span of a word sequence in a sentence: whole words, any case."""
    words = list(_WORD.finditer(text))
    for k in range(len(words) - len(form) + 1):
        if all(words[k + j].group().lower() == form[j] for j in range(len(form))):
            return words[k].start(), words[k + len(form) - 1].end()
    return None


# The `loaded` detector.
def _side(doc: Document, indices: Sequence[int]) -> list[tuple[int, Hit]]:
    """(sentence, hit) of one side of a link, counted or not."""
    return [(i, h) for i in indices for h in hits(doc.sentences[i].compare_text, doc.sentences[i].headline)]


def _key(word: str) -> str:
    """A crude stem, enough to tell that two sentences mention the same thing ("loudspeakers")."""
    return word.lower()[:5]


def _keys(doc: Document, indices: Sequence[int]) -> set[str]:
    return {_key(w) for i in indices for w in _WORD.findall(doc.sentences[i].compare_text)
            if len(w) >= 3 and w.lower() not in _FUNCTION}


def _near_shared(doc: Document, i: int, hit: Hit, other: set[str]) -> bool:
    """Some word next to the form (what it qualifies or acts on) is a word of the other side."""
    words = [m.group() for m in _WORD.finditer(doc.sentences[i].compare_text[: hit.start])][-_NEAR:]
    words += [m.group() for m in _WORD.finditer(doc.sentences[i].compare_text[hit.end :])][:_NEAR]
    return any(_key(w) in other for w in words if len(w) >= 3 and w.lower() not in _FUNCTION)


def _named(doc: Document, i: int, hit: Hit) -> list[str]:
    """The name a label stands before ("regional leader Tsai Ing-wen" -> Tsai, Ing-wen); [] if none."""
    text = doc.sentences[i].compare_text
    if doc.sentences[i].headline:
        return []
    out = []
    for m in _WORD.finditer(text, hit.end):
        if not m.group()[0].isupper() or text[hit.end if not out else out[-1][1] : m.start()].strip():
            break
        out.append(m.span())
    return [text[s:e] for s, e in out]


@lru_cache(maxsize=4096)
def _speaks(text: str) -> bool:
    """The sentence reports a statement: a verb of saying or a quotation mark."""
    return _SPEECH.search(text) is not None


def _counterpart(doc: Document, indices: Sequence[int], entry: Entry) -> Span | None:
    """Where the other side uses a plain word the lexicon names for this entry."""
    for form in entry.neutral:
        for i in indices:
            found = _find_words(doc.sentences[i].compare_text, form)
            if found:
                return Span(i, *found)
    return None


def _one_sided(doc: Document, mine: list[tuple[int, Hit]], other_doc: Document, other: Sequence[int],
               theirs: list[tuple[int, Hit]], several: bool) -> list[tuple[int, Hit, Span | None]]:
    """This side's counted hits whose family the other side does not carry in any form, one per
    family, with the other side's plain counterpart where there is one. `several`: this side of
    the link holds several sentences, so a form may sit in one that reports something else."""
    carried = {h.entry.family for _, h in theirs}
    keys: set[str] | None = None
    speaks = False
    out: list[tuple[int, Hit, Span | None]] = []
    seen: set[str] = set()
    for i, h in mine:
        if not h.counted or h.entry.family in carried or h.entry.family in seen:
            continue
        plain = _counterpart(other_doc, other, h.entry)
        if plain is None:
            # No plain counterpart: the form must sit in the part of its sentence the other side
            # reports (a neighbouring word shared), not in a clause about something else.
            keys = _keys(other_doc, other) if keys is None else keys
            if (several or h.entry.category in _PARTICIPANT) and not _near_shared(doc, i, h, keys):
                continue
            if several and h.entry.category in _LABELS:
                name = _named(doc, i, h)
                if name and not any(_key(w) in keys for w in name):
                    continue  # it labels someone the other side does not name
            if h.entry.category == "saying" and not speaks:
                if not any(_speaks(other_doc.sentences[j].compare_text) for j in other):
                    continue  # the other side reports no statement: the statement is the difference
                speaks = True
        seen.add(h.entry.family)
        out.append((i, h, plain))
    # The strongest evidence first: a plain counterpart on the other side, then the category.
    out.sort(key=lambda x: (x[2] is None, -_CATEGORY[x[1].entry.category][1]))
    return out


def _caution(doc: Document, spans: Sequence[Span]) -> str | None:
    """Why loaded wording in a translated sentence may be the translator's choice."""
    for sp in spans:
        if doc.sentences[sp.sentence].translation is not None:
            return translation_caution(doc, sp.sentence) or (
                f"{doc.label}'s sentence {sp.sentence + 1} is a machine translation: the wording may be the "
                "translator's, not the outlet's"
            )
    return None


def _quote(doc: Document, spans: Sequence[Span]) -> str:
    return ", ".join(f"\u201c{doc.sentences[s.sentence].compare_text[s.start : s.end]}\u201d" for s in spans)


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """One side uses loaded wording (a lexicon entry) whose family the other side does not carry:
    "regime" / "government", "slammed" / "said", "so-called", "catastrophic floods" / "floods"."""
    side_a, side_b = _side(a, link.a), _side(b, link.b)
    if not side_a and not side_b:
        return None
    only_a = _one_sided(a, side_a, b, link.b, side_b, len(link.a) > 1)
    only_b = _one_sided(b, side_b, a, link.a, side_a, len(link.b) > 1)
    if not only_a and not only_b:
        return None
    a_spans = tuple(Span(i, h.start, h.end) for i, h, _ in only_a[:3])
    b_spans = tuple(Span(i, h.start, h.end) for i, h, _ in only_b[:3])
    if only_a and only_b:
        summary = f"{a.label} says {_quote(a, a_spans)}, {b.label} says {_quote(b, b_spans)}: different loaded wording"
        confidence = 0.6
    else:
        loud, plain_doc, found = (a, b, only_a) if only_a else (b, a, only_b)
        spans = a_spans or b_spans
        lead, plain = found[0][1], found[0][2]
        categories = {h.entry.category for _, h, _ in found[:3]}
        what, confidence = _CATEGORY[lead.entry.category] if len(categories) == 1 else ("loaded wording", 0.7)
        if plain is not None:
            summary = (f"{loud.label} says {_quote(loud, spans[:1])} where {plain_doc.label} says "
                       f"{_quote(plain_doc, [plain])}")
            summary += f" ({what})" if len(spans) == 1 else f" ({what}; also {_quote(loud, spans[1:])})"
            confidence = min(0.9, confidence + 0.1)
            if only_a:
                b_spans = (plain,)
            else:
                a_spans = (plain,)
        else:
            summary = f"{loud.label} uses {what} ({_quote(loud, spans)}); {plain_doc.label} does not"
    caution = _caution(a, a_spans) or _caution(b, b_spans)
    return Finding(
        type="loaded",
        a=link.a,
        b=link.b,
        a_spans=a_spans,
        b_spans=b_spans,
        summary=summary,
        confidence=round(confidence * (0.7 if caution else 1.0), 2),
        caution=caution,
    )
