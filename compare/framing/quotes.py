"""Direct quotations in a sentence, and the `quote` detector (rule-based, no parser).

A quotation is text between quotation marks: " ", “ ”, „ “, « », ‹ ›, 「 」, 『 』, and ‘ ’ or ' '
when they open at a word's start and close at a word's end (so apostrophes, "don't", "Koreans'",
are not read as quotes). A sentence that opens a quotation and ends before closing it (the
segmenter split a long quotation) quotes to its end, and one that closes a quotation it never
opened quotes from its start. Not statements, so not read: a single quoted word, a quoted title
or name (every word capitalised: a film, an operation), and a phrase after "so-called",
"dubbed", "titled", "known as" and the like.

The detector reports a link where
- one side quotes words and the other gives them without quotation marks: the same words
  unquoted, or a paraphrase (English text: the other side reports speech, "said that",
  "pledged", "according to", and the quotation is about what the two share, not a side remark);
- or both sides quote, and their quoted words have little in common (different words of the
  statement), unless the two quotations are credited to different people (that is the
  `attribution` detector's business, not a quote difference).
Both quoting the same words with small differences is no finding.

Limits: the speaker of a quotation is read from the frame around it ("..., X said"; "X told");
whether a paraphrase renders the same statement is judged from the words the two share, so a
paraphrase with no word in common with the quoting sentence's other words is read as the same
statement, and a quotation of a remark the other side does not report at all can be mistaken
for one. Without English text (--to another language), only the mark-based cases are reported:
the same words quoted on one side and unquoted on the other, and different quoted words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from heapq import merge
from itertools import islice
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution

# Opening mark -> the closing marks that end it.
_PAIRS = {"“": "”“", "„": "“”", "«": "»", "‹": "›", "「": "」", "『": "』", "‘": "’", "\"": "\"", "'": "'"}
_CLOSERS = "”»›」』"
_ENDS = "”“»›」』’\"'"  # every mark that can close a quotation
_AMBIGUOUS = "\"'‘’"  # straight marks and single curly ones: also apostrophes or inch marks
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+(?:['’][^\W_]+)*")
# A quoted phrase that names rather than quotes: "so-called 'peace'", a film "titled ...".
_NAMING = re.compile(
    r"(?:so[- ]called|dubbed|titled|entitled|named|nicknamed|code-?named|known as|billed as|branded|labelled|"
    r"labeled|the (?:word|words|term|phrase|slogan|hashtag|motto|headline|banner))\s*[:,]?\s*$",
    re.IGNORECASE,
)
_MAX_CHARS = 4000  # a sentence is read this far (a runaway translation must not cost seconds)
_MAX_WORDS = 300
_SMALL = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "with", "from", "de", "la", "le",
          "du", "des", "der", "die", "das", "von", "al", "el"}


@dataclass(frozen=True, slots=True)
class Quotation:
    start: int  # the quotation with its marks: text[start:end]
    end: int
    words: tuple[str, ...]  # the quoted words, normalised (lower case, one spelling)


def _norm(word: str) -> str:
    """One spelling for a word: lower case, curly apostrophe straight, British -ise/-our as -ize/-or."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"is(ation|ations|e|es|ed|ing)$", r"iz\1", w) if len(w) > 5 else w
    return re.sub(r"our$", "or", w) if len(w) > 5 else w


def _opens(text: str, i: int) -> bool:
    """A mark at i starts a quotation: at a word's start, followed by text."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-:;,/" or before in "“„«‹「『\"'‘") and not after.isspace()


def _closes(text: str, i: int) -> bool:
    """A mark at i ends a quotation: at a word's end, not inside a word."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not after.isalnum()


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in text, marks included; nested ones left out."""
    closing: dict[str, list[int]] = {}  # closing mark -> where it stands and can close (not inside a word)
    for j, c in enumerate(text):
        if c in _ENDS and (c not in _AMBIGUOUS or _closes(text, j)):
            closing.setdefault(c, []).append(j)
    last_single = max(closing.get("'", []) + closing.get("’", []), default=-1)
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()  # opening marks with no closing mark after them: later ones have none either
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _PAIRS and c not in unclosed and (c not in _AMBIGUOUS or _opens(text, i)):
            j = _closing(text, i, closing, last_single)
            if j is not None:
                spans.append((i, j + 1))
                i = j + 1
                continue
            unclosed.add(c)
            if c not in "'‘":  # opened and never closed: the sentence quotes to its end
                spans.append((i, n))
                break
        elif not spans and text[:i].strip() and (c in _CLOSERS or (c == '"' and _closes(text, i))
                                                 or (c == "’" and _closes(text, i) and text[i - 1] in ",.!?")):
            spans.append((0, i + 1))  # closes a quotation opened before the sentence
        i += 1
    return spans


_FUNCTION = frozenset("and or but nor he she they it we i said says say was were is are has have had in on at to of "
                      "for with as by from that the a an after before when while".split())


def _possessive(text: str, j: int) -> bool:
    """The mark at j, after "s", reads as a plural possessive: a noun follows ("workers' union"),
    not a small word ("the 'peace talks' and")."""
    m = re.match(r" (\w+)", text[j + 1 :])
    return bool(m) and m.group(1).lower() not in _FUNCTION


def _closing(text: str, i: int, closing: dict[str, list[int]], last_single: int) -> int | None:
    """Where the quotation opened at i closes, or None."""
    later = (islice(closing.get(c, ()), bisect_right(closing.get(c, ()), i + 1), None) for c in _PAIRS[text[i]])
    for j in merge(*later):
        if text[j] in "'’" and text[j - 1] in "sS" and j < last_single and _possessive(text, j):
            continue  # a plural possessive ("the workers' union") before the real closing mark
        return j
    return None


@lru_cache(maxsize=8192)  # per sentence, not per link
def quotations(text: str) -> tuple[Quotation, ...]:
    """The statements a sentence quotes directly, in order (see the module's docstring)."""
    out = []
    for start, end in _spans(text[:_MAX_CHARS]):
        inner = text[start:end].strip("\"'“”„«»‹›「」『』‘’ ")
        words = _WORD.findall(inner)
        if len(words) < 2:
            continue  # a scare-quoted word, not a statement
        if _NAMING.search(text[max(0, start - 30) : start]):
            continue
        latin = [w for w in words if w.isalpha() and w.isascii()]
        if (latin and len(latin) == len(words) and len(words) <= 8 and not re.search(r"[.!?,;:]\W*$", inner)
                and all(w[0].isupper() or w.lower() in _SMALL for w in latin) and latin[0][0].isupper()):
            continue  # every word capitalised: a title or a name
        out.append(Quotation(start, end, tuple(_norm(w) for w in words)))
    return tuple(out)


# English: what tells that a sentence reports speech (a paraphrase), and the words that say
# nothing about what is reported.
_SPEECH = re.compile(
    r"\b(?:sa(?:id|ys?|ying)|told|tell(?:s|ing)?|add(?:ed|s|ing)|announc\w*|stat(?:ed|es|ing)|declar\w*|"
    r"proclaim\w*|pledg\w*|vow\w*|promis\w*|wr(?:ote|ites?|iting|itten)|tweet\w*|post(?:ed|ing)|"
    r"repl(?:y|ied|ies|ying)|respond\w*|confirm\w*|claim\w*|insist\w*|warn\w*|urg(?:ed?|es|ing)|"
    r"call(?:ed|s|ing)|describ\w*|denounc\w*|condemn\w*|prais\w*|hail\w*|thank\w*|apologi[sz]\w*|"
    r"admit\w*|acknowledg\w*|den(?:y|ied|ies|ying)|accus\w*|argu\w*|stress\w*|emphasi[sz]\w*|"
    r"not(?:ed|es|ing)|explain\w*|express\w*|assur\w*|predict\w*|suggest\w*|recount\w*|testif\w*|"
    r"cit(?:ed|es|ing)|quot(?:ed|es|ing)|remark\w*|comment\w*|mention\w*|sp(?:oke|oken|eaks?|eaking)|"
    r"according to|statement|message|speech|address|interview|conference|briefing|wish\w*|hop(?:ed?|es|ing)|"
    r"appeal\w*|ask(?:ed|s|ing)?|demand\w*|dismiss\w*|reject\w*)\b",
    re.IGNORECASE,
)
_FRAME_WORDS = frozenset("said says say saying told tells tell added adds adding according stated announced wrote "
                         "reported reports quoted".split())
_ENGLISH = re.compile(r"\b(?:the|of|and|that|said|says|were|with|has|had|for|from|which|this|is|are)\b", re.IGNORECASE)
_STOP = frozenset(
    "a an the of and or but to in on at for by with from as that this these those it its it's he she they we i "
    "you his her their our my your him them us me is are was were be been being has have had do does did will "
    "would can could may might shall should must not no so than then there here which who whom whose what when "
    "where why how all any some each every also just only very more most much many such into onto over under "
    "about after before while if because up down out off again further once said says say saying told tell "
    "added adding according one two".split()
)


def _content(words: Sequence[str]) -> set[str]:
    """Content words, crudely stemmed (first five letters), for overlap between paraphrases."""
    return {w[:5] for w in words if w not in _STOP and (len(w) >= 3 or w.isdigit())}


def _english(text: str) -> bool:
    """The text reads as English: common English words (none of them a French, German or Spanish
    word too), one word in fifteen or more."""
    found = len(_ENGLISH.findall(text))
    return found > 0 and found * 15 >= len(text.split())


# Who speaks. A speaker right after a quotation ('," Emad al-Falah, an aid worker, told'), right
# before it ('Peskov said: "'), or in a reporting frame anywhere ("Moore said", "federal officials
# also said", "according to the ministry"). Names are read as capitalised words; a frame whose
# subject is a pronoun names nobody.
_VERB = r"(?:said|says|told|tells|added|adds|wrote|writes|stated|declared|insisted|replied|explained)\b"
_SPEAKER_AFTER = re.compile(
    r"^\W{0,3}\s*(?:" + _VERB + r"\s+(?P<who>[^,;:.()\"“”]{2,60})"
    r"|(?P<who2>[^,;:.()\"“”]{2,40})(?:,[^;:\"“”]{2,120},)?\s+" + _VERB + ")"
)
_SPEAKER_BEFORE = re.compile(r"(?P<who>[^,;:.()\"“”]{2,60})\s+" + _VERB + r"(?:\s+\w+)?\s*[:,]?\s*$")
_FRAME = re.compile(
    r"(?P<who>(?:[\w.'’-]+\s+){0,4}?[\w.'’-]+)\s+(?:also\s+|later\s+|earlier\s+)?" + _VERB
    + r"|according to (?P<who2>[^,;:.()\"“”]{2,60})"
)
_ROLES = {"officials", "official", "spokesman", "spokeswoman", "spokesperson", "police", "authorities", "ministry",
          "minister", "president", "prosecutors", "military", "army", "government", "agency", "office", "adviser",
          "advisor", "secretary", "chief", "sources", "residents", "witnesses", "experts", "analysts", "media"}
_PRONOUN = {"he", "she", "they", "it", "we", "i", "you", "the", "a", "an", "his", "her", "its", "their", "this"}


def _who(phrase: str) -> set[str]:
    """The words naming a speaker in a frame's subject: names (capitalised) and roles."""
    raw = _WORD.findall(phrase)
    words = [w.lower() for w in raw]
    if not words or words[-1] in _PRONOUN or words[0] in ("adding", "saying"):
        return set()
    return {w for w, r in zip(words, raw) if len(w) >= 3 and (r[:1].isupper() or w in _ROLES) and w not in _PRONOUN}


def _speakers(text: str, quotes: Sequence[Quotation]) -> set[str]:
    """Words naming who a sentence's quotations, or its reporting frames, come from (empty: unknown)."""
    who: set[str] = set()
    for m in _FRAME.finditer(text):
        who |= _who(m.group("who") or m.group("who2"))
    for q in quotes:
        statement = q.end >= 2 and text[q.end - 2] in ",.!?"  # '"...," X said': the speaker follows
        after = _SPEAKER_AFTER.match(text[q.end :]) if statement else None
        for m in (after, _SPEAKER_BEFORE.search(text[max(0, q.start - 80) : q.start])):
            if m:
                who |= _who(next(g for g in m.groupdict().values() if g))
    return who


@dataclass(frozen=True, slots=True)
class _Side:
    quotes: list[tuple[int, Quotation]]  # (sentence, quotation)
    texts: dict[int, str]

    @property
    def quoted(self) -> list[str]:
        return [w for _, q in self.quotes for w in q.words]

    def rest(self) -> list[str]:
        """The common words outside the quotations (names and speech verbs left out: the two sides
        share the speaker whether or not they report the same remark)."""
        out = []
        for i, text in self.texts.items():
            pos = 0
            for s, e in sorted((q.start, q.end) for k, q in self.quotes if k == i):
                out += _WORD.findall(text[pos:s])
                pos = e
            out += _WORD.findall(text[pos:])
        return [_norm(w) for w in out if not w[0].isupper() and w.lower() not in _FRAME_WORDS]

    def all_words(self) -> list[str]:
        return [_norm(w) for text in self.texts.values() for w in _WORD.findall(text)]

    def places(self) -> list[tuple[int, int, int]]:
        """(sentence, start, end) of each word of all_words()."""
        return [(i, m.start(), m.end()) for i, text in self.texts.items() for m in _WORD.finditer(text)]


def _side(doc: Document, indices: Sequence[int]) -> _Side:
    texts = {i: doc.sentences[i].compare_text for i in indices}
    return _Side([(i, q) for i, t in texts.items() for q in quotations(t)], texts)


def _standalone(text: str, q: Quotation) -> bool:
    """A quotation that is a statement of its own ('"We are done," he said'; 'He said: "..."'),
    not words set inside the sentence's clause ('called it "a stab in the back" and vowed')."""
    before = text[: q.start].rstrip()
    inner = text[q.start : q.end].rstrip("\"'”’»›」』 ")
    return not before.strip("—–-( ") or before.endswith(":") or inner[-1:] in (",", "!", "?")


def _jaccard(x: set[str], y: set[str]) -> float:
    return len(x & y) / len(x | y) if x | y else 1.0


def _unquoted_in(quoted: Sequence[str], other: Sequence[str]) -> tuple[int, int] | None:
    """Where the quoted words stand in the other side's text (first and last word), or None: a
    common run of at least two words, half the quotation or more, not all of them small words."""
    quoted, other = quoted[:_MAX_WORDS], other[:_MAX_WORDS]
    best, where = 0, 0
    previous = [0] * (len(other) + 1)  # longest common run ending at each pair of positions
    for k in range(len(quoted)):
        current = [0] * (len(other) + 1)
        for m in range(len(other)):
            if quoted[k] == other[m]:
                n = current[m + 1] = previous[m] + 1
                if n > best and any(w not in _STOP for w in quoted[k - n + 1 : k + 1]):
                    best, where = n, m
        previous = current
    return (where - best + 1, where) if best >= 2 and 2 * best >= len(quoted) else None


def _span(side: _Side) -> tuple[Span, ...]:
    i, q = side.quotes[0]
    return (Span(i, q.start, q.end),)


def _excerpt(doc: Document, side: _Side, limit: int = 60) -> str:
    i, q = side.quotes[0]
    text = doc.sentences[i].compare_text[q.start : q.end].strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…\u201d"


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """One side quotes and the other paraphrases, or the two quote different words (module docstring)."""
    sa, sb = _side(a, link.a), _side(b, link.b)
    if not sa.quotes and not sb.quotes:
        return None
    english = _english(" ".join([*sa.texts.values(), *sb.texts.values()]))
    if sa.quotes and sb.quotes:
        qa, qb = set(sa.quoted), set(sb.quoted)
        if _jaccard(qa, qb) >= 0.5 or _jaccard(_content(sa.quoted), _content(sb.quoted)) >= 0.5:
            return None  # the same words, with small differences
        who_a = set().union(*(_speakers(sa.texts[i], [q]) for i, q in sa.quotes))
        who_b = set().union(*(_speakers(sb.texts[i], [q]) for i, q in sb.quotes))
        if who_a and who_b and not who_a & who_b:
            return None  # different speakers: an attribution difference, not a quote difference
        summary = f"{a.label} quotes {_excerpt(a, sa)}; {b.label} quotes other words ({_excerpt(b, sb)})"
        return _finding(a, b, link, sa, sb, summary, 0.7)
    quoting, other = (sa, sb) if sa.quotes else (sb, sa)
    qdoc, odoc = (a, b) if sa.quotes else (b, a)
    other_words = other.all_words()
    run = _unquoted_in(quoting.quoted, other_words)
    unquoted: tuple[Span, ...] = ()
    if run is not None:  # the other side's copy of the words is its evidence
        places = other.places()
        (i, start, _), (_, _, end) = places[run[0]], places[run[1]]
        unquoted = (Span(i, start, end),)
    same_words = run is not None
    if not same_words:
        if not english:
            return None
        other_text = " ".join(other.texts.values())
        if not _SPEECH.search(other_text):
            return None  # the other side states it as fact: not a paraphrase of the quoted words
        mine, theirs = _content(quoting.quoted), _content(other_words)
        rest = _content(quoting.rest())
        residual = theirs - _content(quoting.all_words())
        inline = all(not _standalone(quoting.texts[i], q) for i, q in quoting.quotes)
        if not mine & theirs and len(rest & theirs - mine) >= 3 and not (inline and len(residual) <= max(3, len(mine))):
            return None  # a side remark: the two share what is outside the quotation (unless the
            # quotation sits inside the shared clause and the other side rewords just that)
        if len(quoting.quoted) <= 4:
            who_q = set().union(*(_speakers(quoting.texts[i], [q]) for i, q in quoting.quotes))
            who_o: set[str] = set()
            for text in other.texts.values():
                who_o |= _speakers(text, [])
            if who_q and who_o and not who_q & who_o:
                return None  # a short phrase quoted from someone the other side does not cite
    how = "gives the same words without quotation marks" if same_words else "paraphrases"
    summary = f"{qdoc.label} quotes directly ({_excerpt(qdoc, quoting)}); {odoc.label} {how}"
    return _finding(a, b, link, sa, sb, summary, 0.75 if same_words else 0.65, unquoted)


def _finding(a: Document, b: Document, link: Link, sa: _Side, sb: _Side, summary: str, confidence: float,
             unquoted: tuple[Span, ...] = ()) -> Finding:
    """The finding, with each quoting side's first quotation as evidence (and the other side's
    unquoted copy of the words, when it has one)."""
    caution = None
    for doc, side in ((a, sa), (b, sb)):
        for i in side.texts:
            caution = caution or translation_caution(doc, i) or _marks_caution(doc, i, bool(quotations(side.texts[i])))
    return Finding(
        type="quote",
        a=link.a,
        b=link.b,
        a_spans=_span(sa) if sa.quotes else unquoted,
        b_spans=_span(sb) if sb.quotes else unquoted,
        summary=summary,
        confidence=confidence * (0.7 if caution else 1.0),
        caution=caution,
    )


_MARKS = re.compile(r"[\"“”„«»‹›「」『』]|(?<!\w)['‘]|['’](?!\w)")


def _marks_caution(doc: Document, i: int, quoted: bool) -> str | None:
    """The machine translation of a sentence quotes where its original shows no quotation mark,
    or the other way round: the difference may be the translator's."""
    s = doc.sentences[i]
    if s.translation is None or quoted == bool(_MARKS.search(s.text)):
        return None
    if quoted:
        return f"the original of {doc.label}'s sentence {i + 1} shows no quotation marks: check the translation"
    return f"the original of {doc.label}'s sentence {i + 1} has quotation marks its translation lacks: check the translation"
