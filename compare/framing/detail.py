"""What one side adds to the shared fact, and the `detail` detector (rule-based, English).

A linked pair gets a `detail` finding when one side gives a piece of the fact the other lacks:

- a figure the other side gives no value for: a clock time, a date, an amount of money, a
  percentage, a duration, a weight, or a count of three or more ("at 9:30 a.m." / "in the
  morning"; "seven suspects" / "several people"). Values written differently are the same
  ("6.5-hour" / "six and a half hours", "half" / "50%", "2200 GMT" / "10 p.m.", "12 months" /
  "the year"); a different value for the same quantity is the `number` detector's finding;
  datelines, small or already known counts ("the two leaders"), compound modifiers ("three-way
  talks") and numbers inside names ("Chapter 11") are not additions;
- a clause the other side has no words of (at least three content words, names and figures
  aside) that states a record or first ("the deadliest since 2009", "the first ... ever"), a
  cause ("after a run on deposits", "citing ..."), a consequence ("leaving ...", "forcing ...")
  or the members of a set ("including ..."); an -ing opening after a determiner or an auxiliary
  is a noun or a verb ("the killing was ...", "had been following ..."), not a clause.

Words are compared by key: Snowball stem, British and American spellings folded, common
irregular forms, number words as digits, and a small list of news synonyms ("killed" / "dead",
"ship" / "vessel"); function words, reporting frames ("X said", "according to Y") and wire
datelines do not count. Limits: additions without a figure or one of those clause openings
(a qualifier, a description, a second event) are not reported, which keeps the finding precise
but misses about four in ten of what labellers record; a paraphrase the word keys do not see as
one (synonyms outside the list) can make a clause look added.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution
from .entities import DATELINE, names
from .numbers import Quantity, consistent
from .numbers import quantities as _read_quantities
from .sources import sources

_WORD = re.compile(r"\d+(?:[.,:]\d+)*(?:\s?[ap]\.?m\.?(?!\w))?|[^\W\d_]+(?:['’.-][^\W\d_]+)*")
STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those he she they we you i his her their our your them him us me has have had do
    does did will would can could should may might must shall not no than then there here also
    about after before over under into out up down more most very just so such which who whom whose what
    when where while since until per cent percent mr mrs ms s its it's one ones another other others
    some any all both each every either neither many much few several own same only even still yet
    already now again further once through during between among against across around along toward
    towards upon within without via whether though although because however instead rather thus
    therefore meanwhile later earlier soon then today yesterday tomorrow tonight day days week weeks
    month months year years time times morning afternoon evening night local
    monday tuesday wednesday thursday friday saturday sunday
    said says say saying told tell tells according added adding news reported reports report statement
    announced stated confirmed noted explained claimed wrote writes quoted
    being become became becomes get got make made take took go went come came put set""".split()
)
# Irregular forms the stemmer leaves apart, and words of one meaning in news writing.
_SAME = {
    "won": "win", "lost": "lose", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "gave": "give", "given": "give", "met": "meet", "held": "hold", "left": "leave", "led": "lead",
    "sold": "sell", "bought": "buy", "paid": "pay", "kept": "keep", "began": "begin", "begun": "begin",
    "sent": "send", "spent": "spend", "struck": "strike", "stood": "stand", "brought": "bring",
    "built": "build", "chose": "choose", "chosen": "choose", "drew": "draw", "drove": "drive", "ran": "run",
    "saw": "see", "seen": "see", "spoke": "speak", "spoken": "speak", "thought": "think", "wrote": "write",
    "written": "write", "children": "child", "men": "man", "women": "woman", "people": "person",
    "bn": "billion", "mn": "million", "flew": "fly", "flown": "fly", "fought": "fight", "caught": "catch",
    "sought": "seek", "taught": "teach", "hid": "hide", "hidden": "hide", "shot": "shoot", "fled": "flee",
    "dug": "dig", "swept": "sweep", "sank": "sink", "sunk": "sink", "froze": "freeze", "frozen": "freeze",
}
_SYNONYMS = (
    "kill die dead death fatal fatality toll live life perish",
    "injur wound hurt casualti",
    "blast explos bomb bomber bombing attack detonat",
    "ship vessel boat freighter carrier tanker",
    "govern government administr author offici",
    "start begin launch commenc",
    "end finish conclud halt stop suspend cease",
    "agre accord deal pact agreement treati",
    "arrest detain custodi",
    "presid leader head chief",
    "countri nation state",
    "citi town",
    "talk negoti discuss",
    "warn caution",
    "help aid assist support relief",
    "big larg major huge massiv vast giant",
    "small littl minor",
    "quick fast rapid swift",
    "crowd peopl person resid citizen",
    "polic officer policemen policeman",
    "soldier troop forc militari armi",
    "car vehicl",
    "plane aircraft jet flight",
    "court judg tribun",
    "compani firm busi",
    "money fund cash",
    "search rescu recoveri",
    "collaps fail failur",
    "plan intend aim",
)
_GROUP: dict[str, str] = {}
for _line in _SYNONYMS:
    _words_of = _line.split()
    for _w in _words_of:
        _GROUP.setdefault(_w, _words_of[0])
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "dozen": "12",
                 "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"}


@lru_cache(maxsize=4096)
def quantities(text: str) -> tuple[Quantity, ...]:
    """The quantities of a text (compare/framing/numbers.py), read once per text."""
    return tuple(_read_quantities(text))


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer  # a core dependency (alignment uses it too); ~30 ms to import

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1 << 15)
def key(word: str) -> str:
    """The comparison key of a word: folded, stemmed, synonyms and number words merged."""
    w = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'.")
    if w[:1].isdigit():
        return re.sub(r"[,\s.]", "", w) if not re.search(r"[ap]\.?m", w) else re.sub(r"[\s.]", "", w)
    if w in _NUMBER_WORDS:
        return _NUMBER_WORDS[w]
    w = _SAME.get(w, w)
    # British and American spellings: "-isation" / "-ization", "-our" / "-or", "-tre" / "-ter".
    w = re.sub(r"is(e|ed|es|ing|ation|ations|er|ers)$", r"iz\1", w)
    w = re.sub(r"our(s|ed|ing|able)?$", r"or\1", w) if len(w) > 5 else w
    w = re.sub(r"tre(s)?$", r"ter\1", w)
    w = w.replace("defence", "defense").replace("-", "")
    stem = _stemmer().stemWord(w)
    return _GROUP.get(stem, stem)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a sentence: its span, comparison key and what it is."""

    start: int
    end: int
    key: str
    content: bool  # counts as information (not a function word, frame or dateline)
    name: bool  # part of a name (the `entity` detector's)
    number: bool  # digits or a number word


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[Token, ...]:
    """The words of a sentence with their keys, frames and datelines marked as not content."""
    dateline = DATELINE.match(text)
    begin = dateline.end() if dateline else 0
    frames = [(s.start, s.end) for s in sources(text)]
    named = [(n.start, n.end) for n in names(text)]
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        k = key(w)
        inside_frame = any(s <= m.start() < e for s, e in frames)
        content = m.start() >= begin and not inside_frame and w.lower() not in STOP and k not in STOP and len(k) > 1
        out.append(Token(m.start(), m.end(), k, content, any(s <= m.start() < e for s, e in named), k[:1].isdigit()))
    return tuple(out)


class Keys(frozenset):
    """A side's word keys, with the first six letters of its long ones (for `matches`)."""

    prefixes: frozenset[str]


def _keys(words: Iterable[str]) -> Keys:
    out = Keys(words)
    out.prefixes = frozenset(k[:6] for k in out if len(k) >= 6)
    return out


def matches(k: str, keys: set[str]) -> bool:
    """The other side has this word: the same key or, for long words, the same first six letters
    (forms the stemmer leaves apart: "explosions" / "exploded")."""
    if k in keys:
        return True
    if len(k) >= 6:
        if isinstance(keys, Keys):
            return k[:6] in keys.prefixes
        return any(len(o) >= 6 and (o.startswith(k[:6]) and k.startswith(o[:6])) for o in keys)
    return False


@dataclass(frozen=True, slots=True)
class Stretch:
    """A run of a sentence (from its first word, function words included, to its last content
    word) whose content words the other side lacks."""

    sentence: int
    start: int
    end: int
    added: int  # content words the other side lacks, names and figures aside
    first: int  # where its first content word starts


def stretches(doc: Document, indices: Sequence[int], other_keys: set[str]) -> list[Stretch]:
    """The added runs of one side of a link."""
    out = []
    for i in indices:
        run: list[Token] = []
        for t in [*tokens(doc.sentences[i].compare_text), None]:
            if t is not None and not (t.content and matches(t.key, other_keys)):
                run.append(t)
                continue
            content = [x for x in run if x.content]
            if content:
                added = sum(not x.name and not x.number for x in content)
                out.append(Stretch(i, run[0].start, content[-1].end, added, content[0].start))
            run = []
    return out


def side_keys(doc: Document, indices: Sequence[int]) -> Keys:
    """The word keys of one side of a link."""
    if len(indices) == 1:
        return _text_keys(doc.sentences[indices[0]].compare_text)
    return _keys(set().union(*(_text_keys(doc.sentences[i].compare_text) for i in indices)))


def content_keys(doc: Document, indices: Sequence[int]) -> Keys:
    """The keys of one side's content words (function words, frames and datelines left out)."""
    return _keys({k for i in indices for k in _content_keys(doc.sentences[i].compare_text)})


@lru_cache(maxsize=8192)
def _content_keys(text: str) -> frozenset[str]:
    return frozenset(t.key for t in tokens(text) if t.content)


@lru_cache(maxsize=8192)  # per sentence, not per link
def _text_keys(text: str) -> Keys:
    return _keys(t.key for t in tokens(text))


# The `detail` detector: a figure one side gives and the other does not, or a clause that adds
# a record, a cause, a consequence or a set's members.
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = re.compile(r"\b" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?"
                   r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b(?:\s+\d{4})?")
# A count after these is the one the sentence already talks about ("the two leaders", "all three").
_KNOWN = re.compile(r"\b(?:the|both|its|their|his|her|these|those|all|each|of|our|my)\s+$", re.IGNORECASE)
_WHAT = {"time": "the time", "date": "the date", "money": "an amount", "percent": "a percentage",
         "duration": "a duration", "count": "a figure", "mass": "a weight"}
_CONFIDENCE = {"time": 0.75, "date": 0.75, "money": 0.75, "percent": 0.75, "duration": 0.7, "mass": 0.7,
               "count": 0.65}
_FIGURE_KINDS = {"money", "percent", "duration", "mass", "time", "count"}
_CLAUSE = re.compile(r"[,;:()\[\]—–]|\s-\s")


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure one side adds: its sentence, span and kind ("time", "date", "money", ...)."""

    sentence: int
    start: int
    end: int
    kind: str


def _figures(doc: Document, indices: Sequence[int]) -> list[tuple[int, Quantity | None, int, int, str]]:
    """(sentence, quantity or None for a date, start, end, kind) of a side, datelines left out."""
    return [(i, *f) for i in indices for f in _text_figures(doc.sentences[i].compare_text)]


@lru_cache(maxsize=8192)  # per sentence, not per link
def _text_figures(text: str) -> tuple[tuple[Quantity | None, int, int, str], ...]:
    out: list[tuple[Quantity | None, int, int, str]] = []
    dateline = DATELINE.match(text)
    begin = dateline.end() if dateline else 0
    for q in quantities(text):
        if q.start >= begin and q.kind in _FIGURE_KINDS:
            out.append((q, q.start, q.end, q.kind))
    for m in _DATE.finditer(text):
        if m.start() >= begin:
            out.append((None, m.start(), m.end(), "date"))
    return tuple(out)


def added_figures(doc: Document, indices: Sequence[int], other: Document, other_indices: Sequence[int]) -> list[Figure]:
    """Figures of one side that the other side gives no value for: a time, a date, an amount, a
    percentage, a duration, a weight, or a count of three or more ("seven suspects" / "several
    suspects"). A figure the other side gives a different value of the same quantity for is the
    `number` detector's; a small or already known count ("the two leaders") is no addition."""
    mine = _figures(doc, indices)
    theirs = _figures(other, other_indices)
    other_text = " ".join(other.sentences[i].compare_text for i in other_indices)
    their_q = quantities(other_text)
    their_values = _spelled_values(other_text)
    their_values |= {q.value for q in their_q}
    their_dates = any(kind == "date" for *_, kind in theirs)
    out = []
    for i, q, start, end, kind in mine:
        text = doc.sentences[i].compare_text
        if kind == "date":
            month = re.search(_MONTH, text[start:end])
            named = month is not None and re.search(r"\b" + month.group()[:3], other_text, re.IGNORECASE)
            inside_time = any(s <= start < e for j, qq, s, e, _ in mine
                              if j == i and qq is not None and qq.kind == "time")
            if not their_dates and not named and not inside_time:
                out.append(Figure(i, start, end, kind))  # no date, not even the month, on the other side
            continue
        assert q is not None
        readings = {q.value} | _other_readings(text, q)
        if any(consistent(q, o) for o in their_q) or any(abs(r - v) <= 1e-9 * max(r, 1) for r in readings
                                                          for v in their_values):
            continue  # the same value, however written ("6.5-hour" / "six and a half hours")
        if _modifier(text, q):
            continue  # a compound modifier ("three-way talks"), not a count
        keyed = [o for o in their_q if o.key == q.key and not _modifier(other_text, o)]
        mine_keyed = [x for _, x, *_ in mine if x is not None and x.key == q.key]
        alone = len(keyed) == 1 and len(mine_keyed) == 1
        about = _about(text, q)
        if any(alone or about & _about(other_text, o) for o in keyed):
            continue  # another value for the same quantity: the `number` detector's finding
        if kind == "count" and (q.value < 3 or _KNOWN.search(text[:start]) or _NAMED.search(text[:start])
                                or _VAGUE.match(text[q.start : q.end]) or q.value in _listed(other_text)):
            continue  # "three countries" where the other side names them: "Norway, Chile and Australia"
        out.append(Figure(i, start, end, kind))
    return out


_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.-]*)*"
_LIST = re.compile(rf"{_NAME}(?:,\s+(?:the\s+)?{_NAME})*,?\s+and\s+(?:the\s+)?{_NAME}")


@lru_cache(maxsize=8192)
def _listed(text: str) -> frozenset[int]:
    """How many names each list of names in a text holds ("Norway, Chile and Australia": 3)."""
    return frozenset(len(re.split(r",\s+(?:and\s+)?|,?\s+and\s+", m.group())) for m in _LIST.finditer(text))


# Values written without digits that `quantities` does not read: "half" (50%), "a week" (168 hours),
# "six and a half hours" (6.5), "10 p.m." / "2200 GMT" (minutes after midnight).
_HALF = re.compile(r"\b(\w+)\s+and\s+a\s+half\b", re.IGNORECASE)
_FRACTIONS = {"half": (50.0, 0.5), "quarter": (25.0, 0.25), "third": (33.3, 1 / 3), "two-thirds": (66.7, 2 / 3),
              "three-quarters": (75.0, 0.75)}
_ONE_UNIT = re.compile(r"\b(?:a|an|one|the|per|each|this|last|past)\s+(hour|day|week|month|year|decade|fortnight)\b",
                       re.IGNORECASE)
_UNIT_HOURS = {"hour": 1.0, "day": 24.0, "week": 168.0, "fortnight": 336.0, "month": 730.0, "year": 8760.0,
               "decade": 87600.0}
_CLOCK24 = re.compile(r"\b([01]\d|2[0-3])([0-5]\d)\s*(?:GMT|BST|UTC|CET|CEST|EST|EDT|PST|PDT|hours|hrs|local)\b")


@lru_cache(maxsize=8192)  # per sentence, not per link
def _spelled_values(text: str) -> frozenset[float]:
    """Values a sentence gives in words or forms `quantities` leaves out."""
    out: set[float] = set()
    for m in _HALF.finditer(text):
        base = quantities(m.group(1))
        if base:
            out.add(base[0].value + 0.5)
    low = text.lower()
    for word, values in _FRACTIONS.items():
        if re.search(r"\b" + word + r"\b", low):
            out.update(values)
    for m in _ONE_UNIT.finditer(text):
        hours = _UNIT_HOURS[m.group(1).lower()]
        out.update({hours, hours * 60})
        if m.group(1).lower() == "year":
            out.update({12.0, 52.0, 365.0})  # "the year to March" / "12 months"
        if m.group(1).lower() == "week":
            out.update({7.0})
    for m in _CLOCK24.finditer(text):
        out.add(float(int(m.group(1)) * 60 + int(m.group(2))))
    return frozenset(out)


def _about(text: str, q: Quantity) -> frozenset[str]:
    """The content word keys within four words of a figure: what it counts ("dead" and "died"
    are one key)."""
    toks = [t for t in tokens(text) if t.content and not t.number]
    before = [t.key for t in toks if t.end <= q.start][-4:]
    after = [t.key for t in toks if t.start >= q.end][:4]
    return frozenset(before + after)


def _modifier(text: str, q: Quantity) -> bool:
    """A count or duration written inside a compound ("three-way talks", "a three-decade war", a
    "six-to-three" ruling): a description, not a figure of the fact."""
    if q.kind not in ("count", "duration"):
        return False
    return text[q.end : q.end + 1] == "-" and q.kind == "count" or text[max(q.start - 1, 0) : q.start] == "-" or (
        re.match(r"-[A-Za-z]", text[q.end : q.end + 2]) is not None and not _UNIT_AFTER.match(text, q.end))


_UNIT_AFTER = re.compile(r"-(?:hour|minute|day|week|month|year|second)s?\b(?!-old)", re.IGNORECASE)
# Vague counts: a size, not a figure ("hundreds of people", "dozens of entities").
_VAGUE = re.compile(r"^(?:\w+\s+)?(?:dozens|scores|hundreds|thousands|millions|billions|tens of thousands)$",
                    re.IGNORECASE)


def _other_readings(text: str, q: Quantity) -> set[float]:
    """Other values one figure may stand for: "2200 BST" is also 22:00 (1,320 minutes), "six and
    a half hours" is 6.5."""
    out = set()
    m = _CLOCK24.match(text, q.start)
    if m:
        out.add(float(int(m.group(1)) * 60 + int(m.group(2))))
    if _HALF.match(text, q.start):
        out.add(q.value + 0.5)
    return out


# "Chapter 11", "Luna 24", "Interstate 695": a number that is part of a name.
_NAMED = re.compile(r"[A-Z][\w'’-]*[\s-]$")


def _phrase(doc: Document, fig: Figure, other_keys: set[str]) -> tuple[int, int]:
    """The added phrase around a figure: the words of its clause next to it that the other side
    lacks (at most five before and six after), without dangling function words."""
    text = doc.sentences[fig.sentence].compare_text
    cut = [0] + [m.end() for m in _CLAUSE.finditer(text)] + [len(text)]
    lo = max(c for c in cut if c <= fig.start)
    hi = min(c for c in cut if c >= fig.end)
    toks = [t for t in tokens(text) if lo <= t.start and t.end <= hi]
    before: list[Token] = []
    for t in reversed([t for t in toks if t.end <= fig.start][-5:]):
        word = text[t.start : t.end].lower()
        if t.number or (t.content and matches(t.key, other_keys)) or not (t.content or word in _LEADING):
            break  # extend back over added words and the preposition that opens the phrase
        before.insert(0, t)
    after: list[Token] = []
    for t in [t for t in toks if t.start >= fig.end][:6]:
        if t.content and matches(t.key, other_keys):
            break
        after.append(t)
    while before and before[0].key in _CUT_START:
        before.pop(0)
    while after and not after[-1].content:
        after.pop()
    return (before[0].start if before else fig.start), (after[-1].end if after else fig.end)


_CUT_START = {"and", "or", "but", "which", "that", "while", "as", "the", "a", "an"}
_LEADING = {"at", "on", "from", "by", "since", "until", "around", "about", "before", "after", "shortly", "some", "of",
            "in", "within", "for", "over", "nearly", "almost", "roughly", "than", "more", "less", "the", "a", "an",
            "up", "to", "as", "much", "many", "least", "most"}

# Clauses that add a piece of the fact by their form: a record or first ("the deadliest since
# 2009", "the first ... ever"), a cause ("after a run on deposits", "citing ..."), a consequence
# ("leaving two dead", "forcing ..."), the members of a set ("including ...").
_RECORD = re.compile(r"\b(?:first|only|largest|biggest|worst|deadliest|most|highest|lowest|strongest|longest|"
                     r"costliest|fastest|greatest)\b[^,;:]*?\b(?:since|ever|in (?:more than |nearly |almost |over )?"
                     r"(?:a |\w+ )?(?:years|decades?|centur\w+|history)|on record)\b[^,;:]*", re.IGNORECASE)
_OPENING = re.compile(r"\b(?:after|citing|because of|due to|following|amid|as a result of|owing to|blamed on|"
                      r"caused by|triggered by|prompted by|helped by|leaving|killing|forcing|prompting|sending|"
                      r"making|causing|triggering|sparking|wiping|including|among them|such as)\b", re.IGNORECASE)
# An -ing word after a determiner or an auxiliary is a noun or a verb, not a clause opening: "the
# killing was ...", "people who had been following the trial".
_NOT_OPENING = re.compile(r"\b(?:the|a|an|this|his|her|its|their|our|my|your|whose|is|are|was|were|be|been|"
                          r"being|am|'s|’s)\s+$", re.IGNORECASE)
_MIN_ADDED = 3  # content words (names and figures aside) a clause must add


@lru_cache(maxsize=8192)
def _opens_clause(text: str) -> bool:
    return _OPENING.search(text) is not None


def added_clauses(doc: Document, indices: Sequence[int], other_keys: set[str]) -> list[Stretch]:
    """Clauses of one side that add a record, a cause, a consequence or a set's members: an added
    run opened by one of those words, or a record phrase most of whose words the other side lacks."""
    out = []
    opening = [i for i in indices if _opens_clause(doc.sentences[i].compare_text)]  # most sentences have none
    for st in stretches(doc, opening, other_keys):
        if st.added < _MIN_ADDED:
            continue
        text = doc.sentences[st.sentence].compare_text
        # The opening word among the run's first words ("on Friday after depositors ...").
        m = _OPENING.search(text, st.start, st.end)
        if m is not None and m.start() <= st.first and key(m.group().split()[0]) not in other_keys \
                and not (m.group().endswith("ing") and _NOT_OPENING.search(text, 0, m.start())):
            # The clause ends at the first punctuation that leaves it its three added words.
            end = st.end
            for p in _CLAUSE.finditer(text, m.end(), st.end):
                inside = [t for t in tokens(text) if m.start() <= t.start < p.start() and t.content and not t.name
                          and not t.number and not matches(t.key, other_keys)]
                if len(inside) >= _MIN_ADDED:
                    end = max(t.end for t in tokens(text) if t.end <= p.start())
                    break
            out.append(Stretch(st.sentence, m.start(), end, st.added, st.first))
    for i in indices:
        text = doc.sentences[i].compare_text
        for m in _RECORD.finditer(text):
            inside = [t for t in tokens(text) if m.start() <= t.start < m.end() and t.content and not t.name]
            added = [t for t in inside if not t.number and not matches(t.key, other_keys)]
            if len(added) >= _MIN_ADDED and 2 * len(added) >= len(inside):
                out.append(Stretch(i, m.start(), inside[-1].end, len(added), inside[0].start))
    return out


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """One side adds a piece of the shared fact: a figure the other side gives no value for
    ("at 9:30 a.m." / "in the morning"), else a clause with a record, a cause, a consequence or
    a set's members that the other side has no words of. Figures first: they are the surer."""
    for doc, indices, other, other_indices in ((a, link.a, b, link.b), (b, link.b, a, link.a)):
        found = added_figures(doc, indices, other, other_indices)
        if not found:
            continue
        fig = max(found, key=lambda f: (_CONFIDENCE[f.kind], f.end - f.start))
        start, end = _phrase(doc, fig, side_keys(other, other_indices))
        text = doc.sentences[fig.sentence].compare_text[start:end]
        caution = translation_caution(doc, fig.sentence, fig.start, fig.end)
        return _finding(a, b, link, doc, Span(fig.sentence, start, end), _CONFIDENCE[fig.kind], caution,
                        f"{doc.label} adds {_WHAT[fig.kind]}: \u201c{text}\u201d; {other.label} gives none")
    for doc, indices, other, other_indices in ((a, link.a, b, link.b), (b, link.b, a, link.a)):
        found_clauses = added_clauses(doc, indices, side_keys(other, other_indices))
        if not found_clauses:
            continue
        st = max(found_clauses, key=lambda x: x.added)
        text = doc.sentences[st.sentence].compare_text[st.start : st.end]
        caution = translation_caution(doc, st.sentence)
        return _finding(a, b, link, doc, Span(st.sentence, st.start, st.end), 0.6, caution,
                        f"{doc.label} adds \u201c{text}\u201d; {other.label} does not say this")
    return None


def _finding(a: Document, b: Document, link: Link, doc: Document, span: Span, confidence: float,
             caution: str | None, summary: str) -> Finding:
    """A detail finding: the evidence on the side that adds it (`doc`), none on the other."""
    return Finding(
        type="detail",
        a=link.a,
        b=link.b,
        a_spans=(span,) if doc is a else (),
        b_spans=(span,) if doc is b else (),
        summary=summary,
        confidence=confidence * (0.6 if caution else 1.0),
        caution=caution,
    )
