"""Who a sentence credits its claim to: reporting frames and their sources (rule-based, English).

Frames read (no parser: word lists and the punctuation around them):
- "according to X" and "X said / told / announced / warned / believes ... that CLAUSE", the
  source X read back from the verb to the clause's start (an apposition between commas is
  skipped and kept: "FTX, the exchange he founded, said"; "China, which claims ..., said");
- ", X said." and ', X said, ' at the end or in the middle, '"...," said X' and '"...," X told Y';
- participles: ", saying / adding / writing that ..." (source: the sentence's subject, unknown
  here) and "with X predicting that ..."; "and said" takes the source of the frame before it, or
  is unknown; "citing Y" adds Y to the frame it follows.
A verb other than say/tell frames a claim only with a clause after it ("announced that traffic
had resumed"), not with a noun ("announced three days of mourning", "declared a curfew": acts,
not attribution); such speech acts ("pledged solidarity", "spoke of extremism", "denounced")
are kept as cues: a sentence with one about the shared fact does not "state it as fact". A
pronoun, an elided or a participle's subject is a source that is unknown ("he said"). Passives
("it was reported"), infinitives ("declined to say") and negated sources ("no group has said")
are not frames.

What each frame credits (its scope): the clause after a front frame, the text before an end or
middle frame (and after it, unless a new clause follows: ", X told staff, and FTX stopped ..."),
not the phrase after an end frame's verb ("..., CCTV reported on Tuesday evening"). The detector
only counts frames whose scope shares words with the other outlet's sentences, more than the
rest of the sentence does, so a frame on a side remark ("..., and officials say the toll will
rise") or on a name the other side mentions is no finding. The "plain" side must state it: no
finding against a question, nor where one of its own cues covers most of what the frame shares
("... and vowed that those behind it would face punishment" is a report of speech too).

Sources compare by their words after light normalisation: possessives dropped, "al-"/"el-"
prefixes dropped, demonyms, capitals and seats of government read as their country ("Beijing",
"Chinese" = China; "Kremlin" = Russia), and each source gets classes from its common nouns
(official, media, analyst, company, witness, responder, group). Two sources are the same when
they share a name word, or when one is generic ("officials", "the authorities", "media reports")
and the other's class does not contradict it; two generic ones agree unless their classes
differ ("police" / "local media"), two named ones unless they name different people or bodies
(same country and class counts as the same voice: "the Kremlin" / "Russian presidential press
secretary Dmitry Peskov"). Limits: a source named in another sentence, who a pronoun stands
for, and whether a named person speaks for a named body ("Rear Adm. X" for "the Coast Guard")
are not known; verbs outside the lists are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution

_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*")


def _forms(*bases: str) -> dict[str, str]:
    """Inflections of regular verbs: "announce" -> announce, announces, announced, announcing."""
    out = {}
    for base in bases:
        if base.endswith("e"):
            forms = (base, base + "s", base + "d", base[:-1] + "ing")
        elif base.endswith("y") and base[-2] not in "aeiou":
            forms = (base, base[:-1] + "ies", base[:-1] + "ied", base + "ing")
        elif base in ("admit", "regret", "slam", "refer", "commit", "submit"):
            forms = (base, base + "s", base + base[-1] + "ed", base + base[-1] + "ing")
        else:
            forms = (base, base + "es" if base.endswith(("s", "sh", "ch", "x")) else base + "s", base + "ed",
                     base + "ing")
        out.update(dict.fromkeys(forms, base))
    return out


# say / tell frame a claim with or without a clause after them.
_SAY = {"say": "say", "says": "say", "said": "say", "saying": "say", "tell": "tell", "tells": "tell",
        "told": "tell", "telling": "tell"}
# These frame a claim only with a clause after them ("warned that ...", "believe the rocks could").
_CLAUSE = {
    **_forms("announce", "report", "add", "state", "confirm", "warn", "note", "claim", "insist", "explain",
             "acknowledge", "admit", "declare", "estimate", "stress", "reply", "predict", "believe", "suggest",
             "caution", "argue", "allege", "assert", "deny", "emphasise", "emphasize", "indicate", "reveal",
             "disclose", "conclude", "calculate", "forecast", "promise", "pledge", "vow", "tweet", "testify",
             "assure", "proclaim", "complain", "concede", "contend", "recall", "respond", "remark", "observe",
             "comment", "counter", "repeat", "reiterate"),
    "wrote": "write", "write": "write", "writes": "write", "writing": "write", "written": "write",
    "think": "think", "thinks": "think", "thought": "think",
}
# Speech acts with a noun after them: cues that a sentence reports speech, not frames of a claim.
_ACT = {
    **_forms("describe", "denounce", "hail", "praise", "condemn", "criticise", "criticize", "blame", "apologise",
             "apologize", "welcome", "reject", "dismiss", "slam", "call", "thank", "urge", "accuse",
             "appeal", "demand", "express", "mention", "quote", "refer"),
    "spoke": "speak", "speaks": "speak", "speak": "speak", "speaking": "speak", "spoken": "speak",
}
_VERBS = {**_ACT, **_CLAUSE, **_SAY, "show": "show", "shows": "show", "showed": "show", "shown": "show"}
# These credit a claim with a noun after them too: "warned of disruption", "predicting a tangle of
# claims", "called it the most complex project", "described the verdict as ...".
_CLAIM_NOUN = {"warn", "predict", "forecast", "estimate", "caution", "call", "describe"}
# "called off the march", "called up reservists": not speech.
_PARTICLES = {"off", "up", "in", "out", "back", "away", "down", "over"}
# What shows a claim when it is the subject of "show": "videos on social media showed ...".
_EVIDENCE = {"video", "videos", "footage", "images", "image", "pictures", "photos", "photographs", "data",
             "figures", "records", "documents", "filing", "filings", "survey", "surveys", "poll", "polls",
             "recordings", "statistics"}
# Base forms that are nouns as often as verbs ("the US state of", "a mayday call"): not read as verbs.
_NOUN_BASES = {"state", "call", "comment", "demand", "promise", "pledge", "vow", "appeal", "remark", "estimate",
               "forecast", "tweet", "praise", "blame", "quote", "reply", "mention", "counter", "welcome", "express",
               "report", "note", "claim", "question", "respond", "repeat", "observe", "slam", "thank", "hail",
               "speak", "write", "add"}
# Nouns of speech after a possessive: "its disclosure of", "his announcement that" (cues).
_SPEECH_NOUNS = {"disclosure", "announcement", "statement", "admission", "warning", "claim", "claims",
                 "assessment", "estimate", "remarks", "comments", "testimony", "account", "allegation",
                 "allegations", "denial", "assurance", "assurances", "pledge", "promise", "accusation"}
_POSSESSIVES = {"its", "his", "her", "their", "our"}
# Reporting verbs that are speech acts with a noun after them too ("pledged solidarity", "denied
# the claims"): cues. The others with a noun are acts ("announced three days of mourning",
# "declared a curfew", "reported a power failure"): neither frames nor cues.
_SPEECH_ACTS = {"pledge", "promise", "vow", "proclaim", "deny", "acknowledge", "admit", "insist", "repeat",
                "reiterate", "tweet", "comment", "remark", "testify", "assure", "complain", "concede", "counter",
                "respond", "reply", "argue", "claim", "allege", "assert", "stress", "emphasise", "emphasize"}
_PAST_PARTICIPLE = {"said", "told", "written", "spoken", "thought"}
_BE = {"is", "are", "was", "were", "be", "been", "being", "'s"}
_AUX = _BE | {"has", "have", "had", "will", "would", "could", "can", "may", "might", "did", "does", "do", "should",
              "must", "shall"}
_ADVERBS = {"also", "later", "then", "earlier", "previously", "again", "separately", "further", "repeatedly",
            "publicly", "privately", "recently", "initially", "first", "quickly", "subsequently", "once", "too",
            "already", "reportedly", "originally", "now", "still", "just", "had", "has", "have", "not", "never"}
# A clause follows the verb: one of these within a few words ("said the bodies numbered ..." is
# say; "believe the rocks could be", "announced that").
_FINITE = {"will", "would", "could", "can", "may", "might", "should", "must", "shall", "is", "are", "was", "were",
           "had", "has", "have", "did", "does", "do", "won't", "wouldn't", "couldn't", "isn't", "wasn't"}
# Words that end a source noun phrase, read backwards from the verb.
_BOUNDARY = {"that", "which", "who", "whom", "whose", "when", "where", "while", "as", "after", "before", "because",
             "if", "though", "although", "but", "so", "since", "until", "than", "whether", "in", "on", "at",
             "during", "by", "with", "from", "into", "over", "under", "through", "via", "without", "against",
             "across", "around", "to", "amid", "despite", "once", "why", "how", "what", "yet", "nor", "or",
             "whereas", "unless", "upon", "about", "like", "then", "now", "also", "later", "earlier"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "this", "one", "both", "others", "someone", "everyone"}
_NEGATIVE = {"no", "none", "nobody", "neither", "nor", "not", "never", "nothing"}
_RELATIVE = {"which", "who", "that", "whom", "whose", "what"}
_VAGUE = {"many", "some", "others", "most", "few", "several", "critics", "supporters", "people", "everyone"}
# Before one of these a reporting word is a noun ("a report", "media reports", "a series of tweets").
_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my",
                "your", "of", "media", "news", "such", "no", "any", "every", "each", "many", "several", "first",
                "latest", "new", "initial", "official", "earlier", "previous", "similar", "other"}

# Country names, demonyms, capitals and seats of government, read as the country.
_COUNTRY = {}
for _country, _names in {
    "china": "china chinese beijing prc zhongnanhai", "russia": "russia russian moscow kremlin",
    "united states": "us u.s usa america american americans washington", "britain": "britain british uk u.k "
    "london england english downing", "ukraine": "ukraine ukrainian kyiv kiev", "japan": "japan japanese tokyo",
    "taiwan": "taiwan taiwanese taipei", "egypt": "egypt egyptian egyptians cairo",
    "israel": "israel israeli jerusalem", "iran": "iran iranian tehran", "turkey": "turkey turkish ankara "
    "turkiye", "india": "india indian delhi", "pakistan": "pakistan pakistani islamabad",
    "france": "france french paris elysee", "germany": "germany german berlin", "belarus": "belarus belarusian "
    "minsk", "morocco": "morocco moroccan rabat", "libya": "libya libyan tripoli", "saudi arabia": "saudi "
    "riyadh", "syria": "syria syrian damascus", "sri lanka": "lankan colombo", "singapore": "singapore "
    "singaporean", "north korea": "pyongyang dprk", "south korea": "seoul", "iraq": "iraq iraqi baghdad",
    "afghanistan": "afghanistan afghan kabul", "lebanon": "lebanon lebanese beirut", "qatar": "qatar qatari doha",
    "italy": "italy italian rome", "spain": "spain spanish madrid", "canada": "canada canadian ottawa",
    "australia": "australia australian canberra", "brazil": "brazil brazilian brasilia",
    "mexico": "mexico mexican", "nigeria": "nigeria nigerian abuja", "kenya": "kenya kenyan nairobi",
    "south africa": "pretoria", "indonesia": "indonesia indonesian jakarta", "philippines": "philippine filipino "
    "manila", "vietnam": "vietnam vietnamese hanoi", "poland": "poland polish warsaw", "greece": "greece greek "
    "athens", "palestine": "palestinian ramallah", "jordan": "jordanian amman", "ethiopia": "ethiopia ethiopian",
    "sudan": "sudan sudanese khartoum", "venezuela": "venezuela venezuelan caracas", "netherlands": "dutch hague",
}.items():
    for _n in _names.split():
        _COUNTRY[_n] = _country
_COUNTRY_PAIRS = {("north", "korea"): "north korea", ("north", "korean"): "north korea",
                  ("south", "korea"): "south korea", ("south", "korean"): "south korea",
                  ("sri", "lanka"): "sri lanka", ("united", "states"): "united states",
                  ("united", "kingdom"): "britain", ("south", "africa"): "south africa",
                  ("saudi", "arabia"): "saudi arabia", ("new", "delhi"): "india"}

# Classes of sources, from their common nouns (and news outlets' names).
_CLASS = {}
for _cls, _words in {
    "official": "official officials authority authorities government governments ministry ministries minister "
                "ministers spokesman spokeswoman spokesperson spokespeople president presidential premier office "
                "administration secretary governor mayor department embassy ambassador envoy cabinet parliament "
                "lawmakers senator commission committee council palace kremlin regulator regulators prosecutor "
                "prosecutors police policeman policemen army military forces troops commander general chancellor "
                "king queen prince leader leaders chief chairman head diplomat diplomats coastguard guard sheriff "
                "adviser advisers advisor spokesmen",
    "media": "media newspaper newspapers paper broadcaster broadcasters television tv channel radio outlet outlets "
             "journal magazine reports reporter reporters correspondent press tabloid daily times post herald "
             "telegraph tribune gazette news "
             "reuters ap afp xinhua tass ria interfax yonhap kcna anadolu bloomberg bbc cnn aljazeera kyodo nhk "
             "pti ani bernama antara mena wafa sputnik dpa efe ansa cctv irna lana sana",
    "analyst": "analyst analysts expert experts economist economists researcher researchers scientist scientists "
               "observers observer strategist strategists academics professor",
    "company": "company companies firm firms corporation operator owner owners exchange bank lender insurer "
               "manufacturer carrier airline",
    "witness": "witness witnesses eyewitness eyewitnesses resident residents survivor survivors locals neighbour "
               "neighbours neighbor neighbors passenger passengers",
    "responder": "rescuers rescuer doctors doctor hospital hospitals medics paramedics firefighters volunteers",
    "group": "militants militant rebels rebel insurgents insurgent activists activist protesters protester organisers "
             "organizers campaigners union separatists separatist",
    "anonymous": "sources source insiders insider",
    "defence": "lawyer lawyers attorney attorneys counsel",
}.items():
    for _w in _words.split():
        _CLASS[_w] = _cls
_CLASS_PAIRS = {("people", "familiar"): "anonymous", ("person", "familiar"): "anonymous",
                ("container", "line"): "company", ("shipping", "line"): "company", ("news", "agency"): "media",
                ("coast", "guard"): "official", ("fire", "department"): "official", ("state", "media"): "media",
                ("state", "television"): "media",
                ("press", "service"): "official", ("press", "secretary"): "official", ("press", "office"): "official",
                ("news", "conference"): "official", ("white", "house"): "official"}
# Words of a source that are not its name (titles, determiners, qualifiers).
_TITLES = {"mr", "mrs", "ms", "dr", "sir", "lord", "lady", "gen", "adm", "rear", "vice", "lieutenant", "lt",
           "col", "colonel", "major", "captain", "capt", "sgt", "rep", "sen", "gov", "deputy", "acting", "former",
           "interim", "foreign", "defence", "defense", "interior", "finance", "health", "justice", "state",
           "national", "federal", "local", "regional", "provincial", "senior", "top", "chief", "executive", "first",
           "prime", "general", "secretary", "director", "head", "spokesman", "spokeswoman", "spokesperson",
           "official", "officials", "the", "a", "an", "of", "and", "for", "his", "her", "its", "their", "our",
           "some", "many", "several", "other", "two", "three", "unnamed", "anonymous", "eastern", "western",
           "northern", "southern", "based", "new", "own", "both", "all"}
_STOP = {"the", "a", "an", "of", "and", "or", "in", "on", "at", "for", "to", "by", "with", "from", "as", "that",
         "this", "these", "those", "it", "its", "he", "she", "they", "we", "i", "you", "his", "her", "their",
         "our", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "will", "would", "could",
         "can", "may", "might", "should", "must", "not", "no", "so", "than", "then", "there", "which", "who",
         "what", "when", "where", "also", "just", "only", "very", "more", "most", "much", "many", "such", "into",
         "over", "about", "after", "before", "while", "if", "because", "up", "out", "said", "says", "say",
         "saying", "told", "tell", "according", "added", "adding", "reported", "one", "two", "all", "any",
         "some", "other", "them", "him", "did", "does", "do", "per", "cent", "percent", "but",
         "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
         "week", "day", "days", "year", "years", "month", "months", "hours", "time", "late", "early", "last",
         "next", "now", "still", "later", "earlier", "local", "new"}


@dataclass(frozen=True, slots=True)
class Source:
    """A reporting frame: text[start:end] is its source and verb ("police said", "according to the
    CNSA": the source alone); `words` the source's content words (empty: unknown, "he said")."""

    start: int
    end: int
    words: frozenset[str]
    scope: tuple[int, int] = (0, 0)  # the characters it credits
    strict: bool = True  # frames a claim; False: a speech act with a noun after it (a cue only)
    names: frozenset[str] = frozenset()  # name words (proper nouns, outlets); empty: a generic source
    classes: frozenset[str] = frozenset()  # official, media, analyst, ...
    countries: frozenset[str] = frozenset()
    subject_of_sentence: bool = False  # a participle or elided subject: the sentence's subject speaks
    head: str = ""  # the source's head word ("board" in "the election board")

    @property
    def known(self) -> bool:
        return bool(self.words)


@dataclass(slots=True)
class _Tok:
    text: str
    low: str
    start: int
    end: int


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.group(), m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _gap(text: str, toks: list[_Tok], k: int) -> str:
    """The characters between token k-1 and token k (the sentence start before token 0)."""
    return text[toks[k - 1].end if k > 0 else 0 : toks[k].start]


# Words for who speaks for a body: the body's class is the source's ("rebel spokesman": group).
_SPEAKERS = {"spokesman", "spokeswoman", "spokesperson", "spokespeople", "spokesmen", "official", "officials",
             "source", "sources", "leader", "leaders", "chief", "head"}
_OUTLETS = {"reuters", "xinhua", "tass", "interfax", "yonhap", "kcna", "anadolu", "bloomberg", "sputnik", "afp",
            "bbc", "cnn", "nhk", "kyodo", "cctv", "irna", "lana", "sana", "ap", "ria", "dpa", "efe", "ansa", "pti",
            "ani", "bernama", "antara", "mena", "wafa", "aljazeera"}


def _describe(text: str, toks: list[_Tok], first: int, last: int) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """(content words, name words, classes, countries) of the source tokens first..last. The class
    is the head noun's: the last class word before any "of" ("the press service of the Belarusian
    president": official; "the official Xinhua news agency": media)."""
    words, names, countries = set(), set(), set()
    low = [re.sub(r"'s$", "", t.low) for t in toks[first : last + 1]]
    heads: list[str] = []  # class of each class word, in order, up to the first "of"
    rest: list[str] = []
    seen_of = False
    skip = -1
    for k, (t, w) in enumerate(zip(toks[first : last + 1], low)):
        if w == "of":
            seen_of = True
        pair = (w, low[k + 1]) if k + 1 < len(low) else None
        if pair in _COUNTRY_PAIRS:
            countries.add(_COUNTRY_PAIRS[pair])
            skip = k + 1
        if pair in _CLASS_PAIRS:
            (rest if seen_of else heads).append(_CLASS_PAIRS[pair])
            words.update(pair)
            if pair == ("white", "house"):
                names.add("white house")
                countries.add("united states")
            skip = k + 1
            continue
        if k == skip or (k > 0 and (low[k - 1], w) in _CLASS_PAIRS):
            continue
        if w in _STOP and w not in _CLASS:
            continue
        if len(w) >= 3 or w in _COUNTRY or w in _CLASS:
            words.add(w)
        if w in _COUNTRY or w.split("-")[0] in _COUNTRY:
            countries.add(_COUNTRY[w.split("-")[0]])
            continue
        if w in _CLASS:
            if heads and not seen_of and w in _SPEAKERS and heads[-1] != _CLASS[w]:
                continue  # "a rebel spokesman", "company officials": the class is the body's
            (rest if seen_of else heads).append(_CLASS[w])
        bare = re.sub(r"^(?:al|el|ad|ar|as|ash|an)-", "", w)
        shown = t.text[len(t.text) - len(bare) :] if bare != w else t.text
        initial = not text[: t.start].strip(" \"“”'‘’")
        if initial and w not in _OUTLETS and re.search(r"(?:ers|ists|ians|ents|ors|ants)$", w):
            continue  # "Villagers said": a plural noun capitalised at the start, not a name
        if w in _OUTLETS or (shown[:1].isupper() and w not in _CLASS and w not in _TITLES and w not in _STOP
                             and not w.isdigit()):
            names.add(bare)
    classes = {heads[-1]} if heads else set(rest[-1:])
    return frozenset(words), frozenset(names), frozenset(classes), frozenset(countries)


def _subject(text: str, toks: list[_Tok], end: int) -> tuple[int, int] | None:
    """The source noun phrase ending at token `end`, read backwards to a boundary, as
    (first, last) tokens; None where there is none (a clause boundary right before the verb).
    A relative clause before the verb is skipped: "an expert who asked not to be named told"."""
    first = end
    while first >= 0:
        t = toks[first]
        if first < end and re.search(r"[,;:()\[\]\"“”—–]|\s-\s", _gap(text, toks, first + 1)):
            break
        if t.low in _BOUNDARY and not (first > 0 and (toks[first - 1].low, t.low) in _SOURCE_PHRASES):
            break
        if t.low == "and":
            before = toks[first - 1].text if first > 0 else ""
            after = toks[first + 1].text if first + 1 <= end else ""
            if not (before[:1].isupper() and after[:1].isupper()):
                break
        if end - first >= 9:
            return None  # too long to be a source
        first -= 1
    first += 1
    if first <= end and not any(t.low in _AUX for t in toks[first : end + 1]) and (
            first == 0 or toks[first - 1].low != "to"):
        return first, end
    # A relative clause ("who asked not to be named") between the source and its verb.
    for w in range(end, max(-1, end - 12), -1):
        if re.search(r"[,;:()\"“”]", _gap(text, toks, w + 1)) and w < end:
            return None
        if toks[w].low in ("who", "which") and w > 0 and not re.search(r"[,;:()\"“”]", _gap(text, toks, w)):
            inner = _subject(text, toks, w - 1)
            return inner
    return None


# "people familiar with the talks", "sources close to the president": a preposition inside a source.
_SOURCE_PHRASES = {("familiar", "with"), ("close", "to"), ("briefed", "on"), ("involved", "in"), ("based", "in")}
_OBJECT_VERBS = {"tell", "warn", "assure", "promise", "inform", "remind", "urge", "caution", "advise", "reassure"}
_ADJUNCT_START = {"on", "at", "in", "during", "late", "early", "earlier", "later", "last", "this", "after", "before",
                  "via", "through", "to", "from", "by", "with", "also", "again", "publicly", "privately",
                  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday", "today",
                  "repeatedly", "separately", "firmly", "previously", "shortly", "briefly", "once"}


def _complement(text: str, toks: list[_Tok], k: int) -> str:
    """What follows verb token k: "clause" (that / a quotation / a colon / a finite verb within a
    few words), "end" (nothing but a short phrase up to a comma or the end), or "noun". A "that"
    after a noun is a relative pronoun ("reported revenue for the quarter that ended"): it opens
    the clause only right after the verb, after a phrase of time or place ("announced at a press
    conference that"), or after the person told ("told the envoy that")."""
    after = text[toks[k].end :]
    if re.match(r"\s*[:\"“]", after):
        return "clause"
    n = len(toks)
    lemma = _VERBS.get(toks[k].low, "")
    adjunct = k + 1 < n and toks[k + 1].low in _ADJUNCT_START
    j = k + 1
    while j < n and j - k <= 12:
        if re.search(r"[,;:.!?()\"“”—]", _gap(text, toks, j)):
            # "police said on Sunday." is an end; "the crew had reported a power failure," a noun.
            return "end" if j == k + 1 or j - k <= 9 and (adjunct or lemma in ("say", "tell")) else "noun"
        w = toks[j].low
        if w == "that" and (j == k + 1 or adjunct and j - k <= 9 or lemma in _OBJECT_VERBS and j - k <= 4):
            return "clause"
        if w in _FINITE and 2 <= j - k <= 7:
            return "clause"
        if w == "to" and lemma in _OBJECT_VERBS and j - k >= 2:
            return "instruction"  # "told the startups to get their money out": not a report
        if w in ("and", "but", "or", "to", "that", "which", "who") and j - k >= 2:
            return "noun"
        j += 1
    if j >= n and (j == k + 1 or j - k <= 9 and (adjunct or lemma in ("say", "tell"))):
        return "end"
    return "noun"


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A crude stem for overlap: "spreading" / "spread", "ended" / "ending", "1.8bn" / "1.8"."""
    w = re.sub(r"'s$", "", word.lower().replace("’", "'"))
    if w[:1].isdigit():
        return re.sub(r"[^\d.]", "", w).rstrip(".")
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    return w[:5]


# A word for overlap: "30,000" is one number, not "30" and "000".
_WORD = re.compile(r"\d+(?:[,.]\d+)*|\w+(?:[-'’.]\w+)*")
# Function words that say nothing about which fact two sentences share.
_FILLER = {"through", "across", "around", "between", "among", "against", "within", "without", "along", "under",
           "near", "off", "down", "there", "here", "even", "however", "both", "each", "every", "own", "same",
           "like", "toward", "towards", "onto", "upon", "amid", "since", "until", "during", "yet", "whether"}


@lru_cache(maxsize=8192)
def _content(text: str) -> frozenset[str]:
    """Content words (and numbers) of a text, crudely stemmed, for overlap."""
    out = set()
    for m in _WORD.finditer(text):
        w = m.group().lower().replace("’", "'")
        if w in _STOP or w in _FILLER or (len(w) < 3 and not w[:1].isdigit()) or w in _VERBS:
            continue
        out.add(_stem(w))
    return frozenset(out)


def _head(toks: list[_Tok], first: int, last: int) -> str:
    """The head word of a source: its last word before any "of" ("the interior ministry of ...")."""
    words = [re.sub(r"'s$", "", t.low) for t in toks[first : last + 1]]
    if "of" in words[1:]:
        words = words[: words.index("of", 1)]
    return words[-1] if words else ""


def _noun(toks: list[_Tok], k: int) -> bool:
    """A reporting word used as a noun: "a report", "media reports", "his claims"."""
    form = toks[k].low
    return k > 0 and toks[k - 1].low in _DETERMINERS and form not in _PAST_PARTICIPLE and not form.endswith("ed")


def _according(text: str, toks: list[_Tok]) -> list[Source]:
    """ "according to X" and "citing X" frames (citing: kept apart, merged later)."""
    out = []
    n = len(toks)
    for k in range(n):
        low = toks[k].low
        if low == "according" and k + 1 < n and toks[k + 1].low == "to":
            first = k + 2
        elif low == "citing":
            first = k + 1
        else:
            continue
        last = first - 1
        while last + 1 < n and last + 1 - first < 12 and not re.search(r"[,;:.\"“”—(]",
                                                                        _gap(text, toks, last + 1)):
            nxt = toks[last + 1]
            if nxt.low in _BOUNDARY - {"of", "for"} and nxt.low != "at" or nxt.low == "and" and not (
                    last + 2 < n and toks[last + 2].text[:1].isupper()):
                break
            last += 1
        if last < first:
            continue
        src_end = toks[last].end
        paren = re.match(r"\s*\([^)]{1,40}\)", text[src_end:])
        if paren:
            src_end += paren.end()
            while last + 1 < n and toks[last + 1].end <= src_end:
                last += 1  # "the China National Space Administration (CNSA)"
        lead = text[: toks[k].start]
        front = not lead.strip(" \"“”'") or lead.rstrip().endswith((";", ":"))
        scope = (src_end, len(text)) if front else (0, toks[k].start)
        words, names, classes, countries = _describe(text, toks, first, last)
        if words:
            out.append(Source(toks[first].start if low != "citing" else toks[k].start, src_end, words, scope, True,
                              names, classes, countries, head=_head(toks, first, last)))
    return out


def _verb_frames(text: str, toks: list[_Tok]) -> list[Source]:
    """ "X said ...", ", X said.", '"...," said X', ", saying ...", "with X predicting ...", "and said"."""
    out: list[Source] = []
    n = len(toks)

    def make(first: int, last: int, span: tuple[int, int], scope: tuple[int, int], strict: bool,
             appos: tuple[int, int] | None = None) -> Source:
        if first > last:
            return Source(span[0], span[1], frozenset(), scope, strict)
        words, names, classes, countries = _describe(text, toks, first, last)
        if not words:
            return Source(span[0], span[1], frozenset(), scope, strict)
        if appos:
            _, more_names, more_classes, more_countries = _describe(text, toks, appos[0], appos[1])
            names, classes, countries = names | more_names, classes | more_classes, countries | more_countries
        return Source(span[0], span[1], words, scope, strict, names, classes, countries, head=_head(toks, first, last))

    anchors: list[Source] = []  # every subject read, cue or not: "declared a state of emergency and said"

    def keep(src: Source, lemma: str) -> None:
        anchors.append(src)
        if src.strict or lemma in _ACT or lemma in _SPEECH_ACTS:
            out.append(src)  # a verb of reporting with a noun after it ("reported a power failure") is an act

    for k in range(n):
        lemma = _VERBS.get(toks[k].low)
        if lemma is None or (k > 0 and toks[k].text[:1].isupper()) or _noun(toks, k):
            continue
        if k + 1 < n and toks[k + 1].low in _PARTICLES and lemma in ("call", "write", "add"):
            continue  # "called off the march", "wrote off the loans"
        form = toks[k].low
        if form == lemma and lemma in _NOUN_BASES or (
                k + 1 < n and toks[k + 1].low == "of" and form in (lemma, lemma + "s", lemma + "es")):
            continue  # a noun: "the US state of Minnesota", "a mayday call"
        j = k - 1  # the word before the verb, past auxiliaries and adverbs ("had also said")
        while j >= 0 and toks[j].low in _ADVERBS | _AUX and not re.search(r"[,;:\"“”]", _gap(text, toks, j + 1)):
            j -= 1
        auxes = {t.low for t in toks[j + 1 : k]}
        if j >= 0 and toks[j].low == "to" and not re.search(r"[,;:]", _gap(text, toks, j + 1)):
            # An infinitive ("moved quickly to claim the success", "went on television to denounce"):
            # a cue of speech, its source unknown here.
            if j == k - 1:
                out.append(Source(toks[k].start, toks[k].end, frozenset(), (toks[k].end, len(text)), False))
            continue
        if (form in _PAST_PARTICIPLE or form.endswith("ed")) and auxes & _BE:
            continue  # a passive: "two more explosions were reported"
        if auxes & {"not", "never"} or (k > 0 and toks[k - 1].low.endswith("n't")):
            continue  # "the president had not mentioned Prigozhin": no claim
        comp = _complement(text, toks, k)
        say = lemma in ("say", "tell") and comp != "instruction"
        verb_end = toks[k].end
        after = (verb_end, len(text))
        clause = say or comp == "clause" or lemma == "show" or comp == "noun" and _claims_noun(toks, k, lemma)

        if form.endswith("ing") and not auxes & _BE:
            if lemma == "show":
                continue
            # A participle: ", saying that ...", "and adding ...", "with X predicting ...".
            w = k - 1
            while w >= 0 and k - w < 8 and toks[w].low != "with" and not re.search(r"[,;:\"“”]",
                                                                                  _gap(text, toks, w + 1)):
                w -= 1
            if w >= 0 and toks[w].low == "with" and w + 1 <= k - 1:
                keep(make(w + 1, k - 1, (toks[w + 1].start, verb_end), after, clause), lemma)
            elif re.search(r",\s*$", text[: toks[k].start]) or (k > 0 and toks[k - 1].low in ("and", "while")):
                before = [s for s in anchors if s.end <= toks[k].start]
                if before and before[-1].known and re.fullmatch(r"[\w\s.'’-]{0,40},?\s*(?:and\s+)?",
                                                                text[before[-1].end : toks[k].start]):
                    src = before[-1]  # "the company announced on Friday, adding that ...": the same source
                    keep(replace(src, start=toks[k].start, end=verb_end, scope=after, strict=clause), lemma)
                else:
                    keep(Source(toks[k].start, verb_end, frozenset(), after, clause, subject_of_sentence=True), lemma)
            continue

        # The source before the verb, maybe with an apposition between commas before it
        # ("FTX, the exchange he founded in 2019, said"; "China, which claims Taiwan ..., said").
        appos: tuple[int, int] | None = None
        end = j
        if end >= 0 and re.search(r",\s*$", _gap(text, toks, end + 1)):
            w = end
            while w > 0 and end - w < 18 and not re.search(r"[,;:\"“”()]", _gap(text, toks, w)):
                w -= 1
            if w > 0 and end - w < 18 and re.search(r",\s*$", _gap(text, toks, w)) and not (
                    toks[w].low in _PRONOUNS or toks[w].low in _VERBS):
                appos, end = (w, end), w - 1
        # '"..., not the finish line," said X': a quotation ends right before the verb, so the words
        # before it are the quote, not the verb's subject.
        quoted = j >= 0 and bool(re.search(r"[\"”]\s*$", _gap(text, toks, j + 1)))
        subj = _subject(text, toks, end) if end >= 0 and not quoted else None
        if lemma == "show":  # "Videos on social media showed ...": the evidence may carry a phrase
            subj = None
            for w in range(end, max(-1, end - 7), -1):
                if w < end and re.search(r"[,;:()\"“”]", _gap(text, toks, w + 1)):
                    break
                if toks[w].low in _EVIDENCE:
                    subj = (w, end)
                    break
            if subj is None:
                continue
        if subj is None:
            prev = toks[j].low if j >= 0 else ""
            if prev in ("and", "but") and not re.search(r"[\"“”,]", _gap(text, toks, j + 1)):
                # "... and said": the source of the frame before it in this sentence, or unknown.
                before = [s for s in anchors if s.end <= toks[j].start]
                src = before[-1] if before else None
                if src is not None and src.known:
                    keep(replace(src, start=toks[k].start, end=verb_end, scope=after, strict=clause), lemma)
                else:
                    keep(Source(toks[k].start, verb_end, frozenset(), after, clause, subject_of_sentence=True), lemma)
            elif say and re.search(r"[,\"”]\s*$", text[: toks[k].start]) and k + 1 < n:
                # '"...," said X': the source follows the verb.
                last = k
                while last + 1 < n and last - k < 8 and not re.search(r"[,;:.\"“”()]", _gap(text, toks, last + 1)):
                    if toks[last + 1].low in _BOUNDARY:
                        break
                    last += 1
                if last > k:
                    out.append(make(k + 1, last, (toks[k].start, toks[last].end), (0, len(text)), True))
            continue
        first, last = subj
        if toks[first].low in _NEGATIVE or toks[first].low in _RELATIVE:
            continue  # "no group has said"; a relative clause ("which claims Taiwan")
        if toks[last].low not in _PRONOUNS and all(t.low in _STOP or t.low in _VAGUE for t in toks[first : last + 1]):
            continue  # "many said", "some say": no source named
        # ", police said." / ", police say, as they ...": the frame credits the sentence around it.
        middle = first > 0 and bool(re.search(r"[,\"”]\s*$", text[: toks[first].start])) and comp == "end"
        strict = clause or (middle and lemma in _CLAUSE)
        scope = (0, len(text)) if middle else after
        if middle:
            # ", X said, and FTX stopped ...": a new clause after the frame is not what it credits.
            stop = re.search(r"[,;:.!?]", text[verb_end:])
            if stop and (stop.group() == ";" or _NEW_CLAUSE.match(text, verb_end + stop.end())):
                scope = (0, toks[first].start)
        span = (toks[first].start, verb_end)
        if appos and appos[1] - appos[0] >= 6:
            span = (toks[first].start, toks[last].end)  # a long apposition: the evidence is the source's name
        if toks[last].low in _PRONOUNS:
            keep(Source(span[0], span[1], frozenset(), scope, strict), lemma)
        else:
            keep(make(first, last, span, scope, strict, appos), lemma)
    return out


_NEW_CLAUSE = re.compile(r"\s*(?:and|but|while|whereas|although|though|yet)\b", re.I)


def _claims_noun(toks: list[_Tok], k: int, lemma: str) -> bool:
    """A verb that credits a claim with a noun after it: "warned of disruption", "called it the
    most complex project", "described the verdict as a turning point"."""
    if lemma not in _CLAIM_NOUN:
        return False
    nxt = toks[k + 1].low if k + 1 < len(toks) else ""
    if lemma == "call":
        return nxt in ("it", "them", "him", "her", "this", "that", "the", "a", "an", "his", "its", "their")
    if lemma == "describe":
        return any(t.low == "as" for t in toks[k + 1 : k + 9])
    return True


@lru_cache(maxsize=4096)
def cues(text: str) -> tuple[Source, ...]:
    """Every reporting frame and speech act of one sentence, in order (strict=False: a speech act
    with a noun after it, a cue that the sentence reports speech but not a frame of a claim)."""
    toks = _tokens(text)
    found = sorted(_according(text, toks) + _verb_frames(text, toks) + _estimates(text, toks) + _nominal(text, toks),
                   key=lambda s: s.start)
    out: list[Source] = []
    for s in found:
        if text[s.start : s.start + 6].lower() == "citing":
            if out and 0 <= s.start - out[-1].end < 40:
                prev = out.pop()  # "X said, citing Y": X and Y are both the source
                out.append(Source(prev.start, prev.end, prev.words | s.words, prev.scope, prev.strict,
                                  prev.names | s.names, prev.classes | s.classes, prev.countries | s.countries))
            continue  # else a reason ("walked away, citing its due diligence"), not a source
        out.append(s)
    return tuple(out)


# "officials put the value at about $35bn", "which Rabie put at $12 million": a source's estimate,
# the way news credits a figure without a verb of saying.
_PUT = {"put", "puts", "putting"}
_ESTIMATE_START = re.compile(r"(?:(?:about|around|roughly|nearly|almost|more|less|over|under|some|at least|between|"
                             r"up to|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|"
                             r"thousands)\b|[$€£¥\d])", re.I)


def _estimates(text: str, toks: list[_Tok]) -> list[Source]:
    """ "X put(s) [the toll] at N" frames: X credits the figure, and the sentence around it."""
    out = []
    for k in range(1, len(toks)):
        if toks[k].low not in _PUT:
            continue
        at = next((w for w in range(k + 1, min(len(toks), k + 9)) if toks[w].low == "at"), None)
        if at is None or at + 1 >= len(toks) or not _ESTIMATE_START.match(text, toks[at + 1].start):
            continue
        if re.search(r"[,;:\"“”]", text[toks[k].end : toks[at].start]):
            continue
        j = k - 1
        while j >= 0 and toks[j].low in _ADVERBS | _AUX and not re.search(r"[,;:\"“”]", _gap(text, toks, j + 1)):
            j -= 1
        subj = _subject(text, toks, j) if j >= 0 else None
        if subj is None:
            continue
        first, last = subj
        if toks[first].low in _NEGATIVE or toks[first].low in _RELATIVE:
            continue
        words, names, classes, countries = _describe(text, toks, first, last)
        if words:
            out.append(Source(toks[first].start, toks[k].end, words, (0, len(text)), True, names, classes,
                              countries, head=_head(toks, first, last)))
    return out


def _nominal(text: str, toks: list[_Tok]) -> list[Source]:
    """Speech nouns after a possessive ("its disclosure of a $1.8bn hit"): cues, source unknown."""
    out = []
    for k in range(1, len(toks)):
        if toks[k].low in _SPEECH_NOUNS and (toks[k - 1].low in _POSSESSIVES or toks[k - 1].low.endswith("'s")):
            end = re.search(r"[,;:.!?](?=\s|$)|$", text[toks[k].end :]).start() + toks[k].end
            out.append(Source(toks[k - 1].start, toks[k].end, frozenset(), (toks[k].end, end), False))
    return out


def sources(text: str) -> list[Source]:
    """The reporting frames of one sentence that credit a claim to a source, in order."""
    return [s for s in cues(text) if s.strict]


# The `attribution` detector.
def same_source(x: Source, y: Source) -> bool:
    """Whether two frames may credit the same source (module docstring: unknown ones may)."""
    if not x.known or not y.known:
        return True
    if x.names & y.names or (x.words & y.words) - _TITLES - set(_CLASS) - set(_COUNTRY):
        return True
    if x.countries and y.countries and not x.countries & y.countries:
        return False
    if x.names and y.names:
        return bool(x.countries & y.countries and x.classes & y.classes)
    if x.classes and y.classes:
        if x.classes == y.classes == {"official"} and not x.names and not y.names:
            ox, oy = _offices(x), _offices(y)
            return not ox or not oy or bool(ox & oy or (ox | oy) & _UMBRELLA)
        return bool(x.classes & y.classes)
    return True


# Official sources that may speak for any office ("officials", "a spokesman"), and the offices
# two generic sources name: "the mayor" and "the transport ministry" are two voices.
_UMBRELLA = {"official", "authority", "government", "administration", "spokesman", "office", "secretary", "leader",
             "chief", "head", "source", "diplomat", "envoy", "adviser", "commission", "committee", "council"}
_OFFICE_FOLD = {"ministry": "ministry", "ministries": "ministry", "minister": "ministry", "ministers": "ministry",
                "police": "police", "policeman": "police", "policemen": "police", "army": "military",
                "military": "military", "forces": "military", "troops": "military", "commander": "military",
                "general": "military", "president": "president", "presidential": "president", "palace": "president",
                "kremlin": "president", "officials": "official", "authorities": "authority",
                "governments": "government", "spokeswoman": "spokesman", "spokesperson": "spokesman",
                "spokespeople": "spokesman", "spokesmen": "spokesman", "leaders": "leader", "advisers": "adviser",
                "advisor": "adviser", "regulators": "regulator", "prosecutors": "prosecutor", "diplomats": "diplomat",
                "lawmakers": "lawmaker", "coastguard": "coast", "guard": "coast", "department": "department"}


def _offices(src: Source) -> set[str]:
    """The offices a generic official source names, folded ("ministers" = "ministry")."""
    return {_OFFICE_FOLD.get(w, w) for w in src.words if _CLASS.get(w) == "official" or w in _OFFICE_FOLD}


def _scope_words(text: str, frame: Source, frames: Sequence[Source]) -> tuple[set[str], set[str]]:
    """(words the frame credits, the sentence's other words): the scope ends where the next frame
    of the sentence begins ("Moon promised that ... and Kim spoke of ...")."""
    start, end = frame.scope
    for other in frames:
        if start <= other.start < end and other.start >= frame.end and not text[other.start : other.end].endswith(
                "ing") and re.search(r"(?:[,;]|\b(?:and|but|while|whereas))\s*$", text[start : other.start]):
            end = other.start
    after = frame.end
    if start < frame.start:  # ", police said on Tuesday evening.": the phrase after the verb is the frame's
        stop = re.search(r"[,;:.!?\"“”]", text[frame.end :])
        after = frame.end + stop.start() if stop else len(text)
    scope = _content(text[start:frame.start] + " " + text[after:end])
    rest = _content(text[:start] + " " + text[end:]) - scope - _content(text[frame.start : after])
    return scope, rest


@lru_cache(maxsize=4096)
def _scopes(text: str) -> tuple[tuple[Source, frozenset[str], frozenset[str]], ...]:
    """(cue, words it credits, the sentence's other words) for each cue of one sentence."""
    found = cues(text)
    return tuple((s, *map(frozenset, _scope_words(text, s, found))) for s in found)


def _relevant(scope: frozenset[str], rest: frozenset[str], other: frozenset[str]) -> bool:
    """The frame credits what the two sides share: its scope has at least as many words in common
    with the other side as the rest of the sentence (both none: the scope is the larger part)."""
    in_scope, outside = len(scope & other), len(rest & other)
    return in_scope > outside or in_scope == outside and (not in_scope or len(scope) >= len(rest))


def _side_words(doc: Document, indices: Sequence[int]) -> frozenset[str]:
    """The content words of a side's sentences."""
    return frozenset().union(*(_content(doc.sentences[i].compare_text) for i in indices))


def _frames(doc: Document, indices: Sequence[int], other: Document, other_indices: Sequence[int]
            ) -> tuple[list[tuple[int, Source, frozenset[str]]], list[frozenset[str]], bool]:
    """A side's frames that credit what it shares with the other side, as (sentence, frame, the
    words it credits); the words each of the side's cues (frames and speech acts) covers; and
    whether one of those cues is about the shared part.

    A frame credits the shared part when its scope shares words with the other side, more than
    the rest of its sentence does (_relevant); where the two sides share words but none in its
    scope, the frame is on something else ("X acknowledged that ..." against a sentence that only
    names X)."""
    mine = [(i, doc.sentences[i].compare_text) for i in indices]
    words = _side_words(other, other_indices)
    credit: list[tuple[int, Source, frozenset[str]]] = []
    scopes: list[frozenset[str]] = []
    cued = False
    for i, text in mine:
        for s, scope, rest in _scopes(text):
            scopes.append(scope)
            relevant = _relevant(scope, rest, words)
            cued = cued or relevant
            if s.strict and relevant and (scope & words or not words & _content(text)):
                credit.append((i, s, scope))
    return credit, scopes, cued


# "COLOMBO, April 21 (Reuters) - ", "BEIJING — ": a dateline, not the sentence's subject.
_DATELINE = re.compile(r"^(?:[A-Z][\w .,'’/-]{0,60}?\([\w .]+\)|[A-Z]{2,}[A-Z .,'’-]*)\s*(?:--|[-–—/])+\s*")


def _crediting(frames: list[tuple[int, Source]], other: Document, indices: Sequence[int]) -> list[tuple[int, Source]]:
    """The frames that make "X credits it, Y states it as fact" hold against the other side: not a
    participle's unknown subject (", saying ..."), not a source the other side also cites in the
    same sentence, nor the subject of the other side's sentence ("SVB said it had sold ..." /
    "SVB had been trying to ...": both report the source's own doing)."""
    out = []
    for i, s in frames:
        if s.subject_of_sentence:
            continue
        key = ({s.head} | s.names) - _TITLES - _STOP - set(_COUNTRY) - {""}
        clash = False
        for j in indices:
            text = other.sentences[j].compare_text
            if any(s.names & c.names for c in cues(text)):
                clash = True
            dateline = _DATELINE.match(text)
            opening = _tokens(text[dateline.end() if dateline else 0 :])[:10]
            head = {t.low for t in opening} | {re.sub(r"'s$", "", t.low) for t in opening}
            if key & head:
                clash = True
        if not clash:
            out.append((i, s))
    return out


def _question(doc: Document, indices: Sequence[int]) -> bool:
    """Whether every sentence of a side is a question."""
    return all(doc.sentences[i].compare_text.rstrip(" \"'”’)").endswith("?") for i in indices)


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """One side credits the shared claim to a source and the other states it as fact, or the two
    credit it to sources that cannot be the same (module docstring)."""
    if _question(a, link.a) or _question(b, link.b):
        return None  # a question states nothing: "Why was the quake so deadly?"
    fa, scopes_a, cued_a = _frames(a, link.a, b, link.b)
    fb, scopes_b, cued_b = _frames(b, link.b, a, link.a)
    if not fa and not fb:
        return None

    def quote(doc: Document, frame: tuple[int, Source]) -> str:
        i, s = frame
        return doc.sentences[i].compare_text[s.start : s.end]

    def uncued(frames: list[tuple[int, Source, frozenset[str]]], scopes: list[frozenset[str]], other: frozenset[str]
               ) -> list[tuple[int, Source]]:
        """The frames whose shared words no cue of the other side covers for the most part: "...
        and vowed that those behind it would face punishment" reports speech too, against "Putin
        warned that all who ... would face inevitable punishment"."""
        out = []
        for i, s, words in frames:
            shared = words & other
            if not any(len(shared & c) >= 2 and len(shared & c) >= len(shared - c) for c in scopes):
                out.append((i, s))
        return out

    if fa and fb:
        if any(same_source(x, y) for _, x, _ in fa for _, y, _ in fb):
            return None
        fa, fb = [(i, s) for i, s, _ in fa], [(i, s) for i, s, _ in fb]
        summary = (f"{a.label}: \u201c{quote(a, fa[0])}\u201d; {b.label}: \u201c{quote(b, fb[0])}\u201d"
                   " (different sources)")
        confidence = 0.75
    elif fa and not cued_b and (fa := _crediting(uncued(fa, scopes_b, _side_words(b, link.b)), b, link.b)):
        summary = f"{a.label} credits it (\u201c{quote(a, fa[0])}\u201d); {b.label} states it as fact"
        confidence = 0.7 if fa[0][1].known else 0.6
        fb = []
    elif fb and not cued_a and (fb := _crediting(uncued(fb, scopes_a, _side_words(a, link.a)), a, link.a)):
        summary = f"{b.label} credits it (\u201c{quote(b, fb[0])}\u201d); {a.label} states it as fact"
        confidence = 0.7 if fb[0][1].known else 0.6
        fa = []
    else:
        return None
    caution = None
    for doc, frames in ((a, fa), (b, fb)):
        for i, _ in frames[:1]:
            caution = caution or translation_caution(doc, i)
    return Finding(
        type="attribution",
        a=link.a,
        b=link.b,
        a_spans=tuple(Span(i, s.start, s.end) for i, s in fa[:1]),
        b_spans=tuple(Span(i, s.start, s.end) for i, s in fb[:1]),
        summary=summary,
        confidence=confidence * (0.7 if caution else 1.0),
        caution=caution,
    )
