"""Named participants of a sentence (people, organisations, places) and the `entity` detector.

Rule-based, no parser. A name is a run of capitalised words inside the sentence ("Hennepin
County Judge Peter Cahill", "Suez Canal Authority"), joined by a few lowercase particles
("Government of National Unity", "Abdel Fattah al-Sisi"). A capitalised word that opens a
sentence, a quotation or a clause after a colon is a name only when the article capitalises it
inside a sentence elsewhere ("Binance briefly agreed ..."), or when a name follows it ("Xi
Jinping said ..."); headlines (title case) are read the same way. Not names: months, weekdays,
time zones, holidays, faiths, titles alone ("the Judge"), nationality adjectives
("Belarusian"), descriptions ("Santa Clara-based"), outlets and wire agencies, the dateline
("MOSCOW, June 24 (Reuters) -"). After a title, the words that follow are the person.

Two spellings of one participant are one name: any distinctive word in common ("Xi" / "Xi
Jinping", "Kim Jong-un" / "Kim Jong Un"; titles and generic words such as "County" or "Ministry"
do not count), an acronym and its words ("FDIC" / "Federal Deposit Insurance Corporation", "AI"
/ "artificial intelligence"), a country with its adjective, capital or seat of power
("Belarus" / "Belarusian", "Russia" / "the Kremlin", "South Korea" / "Seoul").

The detector reports a name one side has and the other lacks only when it is a participant of
the fact both report: the words next to it (three each way, in its clause) occur on the other
side ("as Judge X read the verdicts" / "as the verdicts were read"); it is not in a side clause
("which had sailed from Rotterdam"); and the coverage does not name it in several sentences (a
protagonist the other side calls "he" is no omission). Names in a reporting frame or a
quotation are left to `attribution` and `quote`, the place a statement was made ("told
reporters in Ismailia"), whom it was told to ("told the broadcaster Al Jazeera") and its medium
("on his Telegram channel") are not participants; nor are an epithet ("the Indian Ocean
island"), a reference point ("east of the Philippines", "the state of Minnesota"), a people
("its Berber residents"), a name in a participle aside (", fought between X and Y,"), or a place
the other side names by what it is ("the Patapsco River" / "the river"). Two spellings within
an edit or two ("Dbeibah" / "Dbeibeh") are one name. A link holding a weakly linked sentence
(score below the strong threshold) gets no finding: the sides share a detail, not the fact.

Limits: English only (the common language); a name written in lower case, or one that opens a
sentence and appears nowhere else capitalised, is not read; two names for one place ("Ocean of
Storms" / "Oceanus Procellarum") or a place at another scale ("Minneapolis" / "Minnesota") look
different; a protagonist's name is never reported (measured on the realistic dev set: precision
about 0.8, recall about 0.37, on gold links and end to end: whether a name is a participant is
a judgement words only approximate).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution
from .sources import sources

# A word with inner apostrophes, hyphens, dots or ampersands ("Bankman-Fried", "Chang'e-5",
# "U.S", "AT&T"); an abbreviation's final dot is taken below.
_WORD = re.compile(r"[^\W_]+(?:['’.&-][^\W_]+)*")
_ABBREVIATIONS = {"st", "corp", "inc", "ltd", "co", "jr", "sr", "gen", "adm", "mr", "mrs", "ms", "dr", "rep", "sen",
                  "gov", "lt", "col", "sgt", "capt", "maj", "prof", "rev", "mt", "ft", "bros", "no"}
# Lowercase words that may sit inside a name: "Government of National Unity", "Abdel Fattah al-Sisi".
_PARTICLES = {"of", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "van", "von", "der", "den",
              "al", "el", "bin", "ibn", "bint", "abu", "y", "for", "and", "the"}
# "and" joins names more often than it sits inside one ("Kim Jong-un and Moon Jae-in"): a run is
# cut there (_split_lists).
_LIST_JOINERS = {"and"}

# Capitalised words that name no participant.
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
           "dec"}
_DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_TIME = {"gmt", "utc", "bst", "cet", "cest", "est", "edt", "pst", "pdt", "cst", "cdt", "am", "pm", "a.m", "p.m",
         "ad", "bc", "bce", "ce"}
_HOLIDAYS = {"easter", "christmas", "ramadan", "eid", "hanukkah", "passover", "diwali", "thanksgiving", "new year",
             "lent", "advent"}
_FAITHS = {"christian", "christians", "muslim", "muslims", "jewish", "jew", "jews", "buddhist", "buddhists", "hindu",
           "hindus", "sikh", "sikhs", "catholic", "catholics", "protestant", "protestants", "orthodox", "islamic",
           "islamist", "islamists", "sunni", "sunnis", "shia", "shiite", "shiites", "evangelical", "black", "white",
           "god", "allah", "indigenous", "latino", "latina", "hispanic", "asian", "african", "european", "arab",
           "arabs", "internet", "web", "i"}
# Titles and ranks: part of a name's span, never what identifies it.
_TITLES = {"president", "vice", "prime", "minister", "ministers", "secretary", "chancellor", "premier", "king", "queen",
           "prince", "princess", "emperor", "pope", "cardinal", "bishop", "archbishop", "rabbi", "imam", "sheikh",
           "judge", "justice", "chief", "mayor", "governor", "senator", "sen", "rep", "representative",
           "congressman", "congresswoman", "ambassador", "envoy", "general", "gen", "lieutenant", "lt", "colonel",
           "col", "major", "maj", "captain", "capt", "sergeant", "sgt", "admiral", "adm", "rear", "commander",
           "marshal", "officer", "officers", "detective", "inspector", "constable", "sheriff", "chairman",
           "chairwoman", "chair", "director", "ceo", "founder", "spokesman", "spokeswoman", "spokesperson",
           "deputy", "acting", "former", "foreign", "defence", "defense", "interior", "finance", "health",
           "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev", "father",
           "sister", "brother", "saint", "st", "speaker", "leader", "head", "commissioner", "attorney", "counsel",
           "press", "executive", "senior", "supreme", "first", "coach", "manager", "dean"}
# Words that many names share ("County", "Ministry", "Bank"): they do not tell two names apart.
_GENERIC = {"the", "a", "an", "county", "state", "states", "city", "province", "region", "district", "republic",
            "kingdom", "united", "national", "international", "federal", "central", "general", "north", "south",
            "east", "west", "northern", "southern", "eastern", "western", "new", "great", "upper", "lower", "old",
            "saint", "st", "mount", "mt", "lake", "lakes", "river", "sea", "ocean", "bay", "gulf", "island",
            "islands", "canal", "street", "avenue", "square", "road", "bridge", "airport", "port", "station",
            "house", "hall", "palace", "church", "mosque", "temple", "shrine", "cathedral", "hospital",
            "university", "college", "school", "court", "council", "committee", "commission", "ministry",
            "department", "office", "agency", "authority", "administration", "bureau", "service", "services",
            "force", "forces", "army", "navy", "guard", "police", "party", "group", "company", "corporation",
            "corp", "inc", "ltd", "co", "bank", "fund", "foundation", "association", "union", "organisation",
            "organization", "institute", "center", "centre", "news", "times", "post", "media", "network",
            "television", "tv", "radio", "club", "team", "league", "day", "declaration", "treaty", "accord",
            "agreement", "act", "law", "plan", "program", "programme", "project", "mission", "operation", "world",
            "global", "people's", "peoples", "islamic", "royal", "security", "defence", "defense",
            "trade", "trading", "exchange", "market", "markets", "capital", "holdings", "group's", "affairs",
            "and", "of", "for", "on", "de", "al", "el", "la", "le", "von", "van", "bin", "us", "area", "zone",
            "interstate", "highway", "route", "valley", "hills", "park", "coast", "desert", "peninsula", "strait",
            "straits", "reserve", "system", "control", "space", "research", "development", "public", "social"}

# A country with its adjective, capital and seats of power: one participant however it is named.
_COUNTRIES = (
    "united states|us|usa|u.s|u.s.a|america|american|americans|washington|white house|pentagon",
    "united kingdom|uk|u.k|britain|great britain|british|london|downing street|whitehall",
    "england|english", "scotland|scottish|scots|edinburgh|holyrood", "wales|welsh|cardiff",
    "northern ireland|belfast", "catalonia|catalan|barcelona", "bavaria|bavarian|munich",
    "russia|russian|russians|russian federation|moscow|kremlin",
    "china|chinese|beijing|prc|people's republic of china",
    "north korea|north korean|north koreans|pyongyang|dprk",
    "south korea|south korean|south koreans|seoul|rok",
    "korea|korean|koreans", "japan|japanese|tokyo", "taiwan|taiwanese|taipei", "india|indian|indians|new delhi|delhi",
    "pakistan|pakistani|islamabad", "afghanistan|afghan|kabul", "iran|iranian|iranians|tehran",
    "iraq|iraqi|iraqis|baghdad", "syria|syrian|syrians|damascus", "israel|israeli|israelis|jerusalem",
    "palestine|palestinian|palestinians", "saudi arabia|saudi|saudis|riyadh", "turkey|turkish|ankara|turkiye",
    "egypt|egyptian|egyptians|cairo", "libya|libyan|libyans|tripoli", "morocco|moroccan|moroccans|rabat",
    "algeria|algerian|algerians|algiers", "tunisia|tunisian|tunis", "ukraine|ukrainian|ukrainians|kyiv|kiev",
    "belarus|belarusian|belarusians|minsk", "poland|polish|warsaw", "germany|german|germans|berlin",
    "france|french|paris|elysee", "spain|spanish|madrid", "portugal|portuguese|lisbon", "italy|italian|italians|rome",
    "netherlands|dutch|holland|the hague|amsterdam", "belgium|belgian|brussels", "switzerland|swiss|bern",
    "austria|austrian|vienna", "sweden|swedish|stockholm", "norway|norwegian|oslo", "denmark|danish|copenhagen",
    "finland|finnish|helsinki", "greece|greek|athens", "ireland|irish|dublin", "canada|canadian|ottawa",
    "mexico|mexican|mexicans", "brazil|brazilian|brasilia", "argentina|argentine|buenos aires",
    "australia|australian|australians|canberra", "new zealand|wellington", "indonesia|indonesian|jakarta",
    "philippines|philippine|filipino|manila", "vietnam|vietnamese|hanoi", "thailand|thai|bangkok",
    "malaysia|malaysian|kuala lumpur", "singapore|singaporean", "sri lanka|sri lankan|colombo",
    "bangladesh|bangladeshi|dhaka", "nepal|nepalese|kathmandu", "qatar|qatari|doha",
    "united arab emirates|uae|emirati|abu dhabi", "kuwait|kuwaiti", "yemen|yemeni|sanaa", "oman|omani|muscat",
    "jordan|jordanian|amman", "lebanon|lebanese|beirut", "sudan|sudanese|khartoum", "ethiopia|ethiopian|addis ababa",
    "kenya|kenyan|nairobi", "nigeria|nigerian|abuja", "south africa|south african|pretoria",
    "european union|eu|brussels", "united nations|un|u.n",
)
_ALIAS: dict[str, int] = {}
for _k, _group in enumerate(_COUNTRIES):
    for _name in _group.split("|"):
        _ALIAS.setdefault(_name, _k)
_ADJECTIVES = {n for g in _COUNTRIES for n in g.split("|") if n.endswith(("an", "ans", "ese", "ish", "i", "ch", "ss",
                                                                           "ek", "ti", "no"))
               and " " not in n and n not in {"iran", "oman", "sudan", "japan", "taiwan", "afghanistan", "pakistan",
                                               "jordan", "tehran", "amman", "kabul", "athens", "minsk", "bern",
                                               "riyadh", "doha", "sanaa", "tokyo", "oslo", "hanoi", "dublin"}}
_ADJECTIVES |= {"afghan", "thai", "swiss", "dutch", "french", "greek", "saudi", "british", "irish", "danish",
                "polish", "turkish", "spanish", "english", "finnish", "swedish", "filipino", "emirati", "argentine",
                "philippine", "scottish", "welsh", "flemish", "kurdish", "european", "african", "asian"}
# Wire agencies and outlets: a dateline's or a frame's, not the fact's.
_AGENCIES = {"reuters", "ap", "afp", "xinhua", "tass", "ria", "novosti", "interfax", "yonhap", "kcna", "kyodo",
             "anadolu", "dpa", "ansa", "efe", "bloomberg", "bbc", "cnn", "upi", "pti", "ani", "irna", "wafa",
             "bernama", "aa", "sputnik", "nhk", "cctv", "cgtn"}
_SKIP = _MONTHS | _DAYS | _TIME | _HOLIDAYS | _FAITHS | _AGENCIES
# Peoples and party adherents written alone ("its Berber inhabitants", "Republican opposition"):
# a description of people, not a named participant ("the Republican Party" still is one).
_PEOPLES = {"berber", "berbers", "amazigh", "tamil", "tamils", "sinhalese", "kurd", "kurds", "pashtun", "pashtuns",
            "uyghur", "uyghurs", "uighur", "uighurs", "rohingya", "hutu", "hutus", "tutsi", "tutsis", "druze",
            "alawite", "alawites", "yazidi", "yazidis", "bedouin", "bedouins", "maori", "aboriginal", "inuit",
            "roma", "slav", "slavic", "baltic", "nordic", "latin", "republican", "republicans", "democrat",
            "democrats", "tory", "tories", "conservative", "conservatives", "socialist", "socialists",
            "communist", "communists", "liberal", "liberals", "loyalist", "loyalists", "royalist", "royalists"}
# A wire dateline opening a story: "WASHINGTON (AP) - ", "ISMAILIA, Egypt, March 29 (Reuters) - ",
# "Nov 11 (Reuters) - ", "MOSCOW, June 24 /TASS/ - ".
DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:,\s*[A-Z][\w'.\-]*(?:\s+[A-Z][\w'.\-]*){0,2})?"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?|[A-Z][a-z]{2,8}\.?\s+\d{1,2})"
    r"\s*(?:\([^()]{1,40}\)|/[^/]{1,20}/)?\s*(?:--|[-–—])\s+"
)
# "Santa Clara-based", "Saudi-owned", "Panama-flagged": a place or owner describing something.
_MODIFIER = re.compile(r"-(?:based|owned|flagged|backed|led|born|run|made|style|era|linked|funded|controlled|"
                       r"bound|registered|listed|headquartered|type)$", re.IGNORECASE)
# A lowercase particle joined to a capitalised name: "al-Dbeibah", "el-Sisi", "bin-Salman".
_PREFIXED = re.compile(r"^(?:al|el|ad|as|ash|at|az|an|ar|ibn|bin|abu|ben|de|da|di|du|van|von)-[A-Z]")
# Outlets (a source: `attribution` reads them) and platforms a statement was made on.
_OUTLET_WORDS = {"times", "post", "press", "journal", "tribune", "herald", "gazette", "telegraph", "guardian",
                 "television", "broadcasting", "broadcaster", "daily", "news", "tv", "radio"}
_PLATFORMS = {"twitter", "x", "telegram", "facebook", "instagram", "youtube", "weibo", "wechat", "tiktok",
              "truth", "social", "vk", "linkedin"}
_MEDIUM = re.compile(r"\b(?:on|via|in a post on|in a video on|in a message on)\s+"
                     r"(?:(?:his|her|its|their|the|an?|own|official)\s+){0,3}$", re.IGNORECASE)
# Whoever a statement was told to ("told the Saudi-owned broadcaster Al Arabiya", "told the
# BBC", "in an interview with Der Spiegel"): the frame's, not the fact's.
_OUTLET_BEFORE = re.compile(r"\b(?:told|telling|tells|in\s+an?\s+interview\s+with)\s+(?:the\s+)?(?:(?:[\w'-]+\s+){0,2}"
                            r"(?:broadcaster|newspaper|daily|weekly|magazine|channel|outlet|website|tabloid|"
                            r"news\s+agency|news\s+site|television|radio|network|station)\s+)?$", re.IGNORECASE)
# "the Indian Ocean island", "the Gulf state": an epithet of a place named elsewhere.
_EPITHET_AFTER = re.compile(r"\s+(?:island|islands|nation|country|state|kingdom|city|town|port|republic|emirate|"
                            r"territory|enclave|archipelago|region|capital|peninsula|monarchy)\b")
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
# What joins items of one list: a name after "X and" continues X's role ("testifying before
# the House Ways and Means Committee", "told reporters in Paris and Brussels").
_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)(?:the\s+)?$")
# The place a statement was made from: "told reporters in Ismailia", "a news conference in Geneva".
_FRAME_PLACE = re.compile(r"\b(?:told|said|says|conference|briefing|reporters|statement|interview|speaking|"
                          r"phone|link)\b[^.,;:]{0,30}\b(?:in|at|from)\s+(?:the\s+)?$|"
                          r"\b(?:testif\w*|speaking|addressing|appearing)\s+(?:before|to|at|in)\s+(?:the\s+)?$",
                          re.IGNORECASE)
# The speaker of a reporting frame: '"...," said X' and "X said" / "X, the bank's chief, told".
_SAY = r"(?:said|says|say|told|tells|added|adds|wrote|writes|warned|insisted|stated|announced|declared|explained)"
_SAID_BEFORE = re.compile(r"[\"”],?\s+" + _SAY + r"\s+$", re.IGNORECASE)
_SAID_AFTER = re.compile(r"(?:'s?|’s?)?(?:,[^,;:\"“”]{1,60},)?\s+" + _SAY + r"\b", re.IGNORECASE)
# A name right after a comma: in "Norway, Chile, Peru" the first of them is an item too.
_QUALIFIER = re.compile(r",\s+$")
# Quotations: their names are the speaker's words, which `quote` compares.
_QUOTED = re.compile(r"[\"“”][^\"“”]{2,}[\"“”]")
# A relative or adverbial clause opened before the name in the same stretch: background.
_RELATIVE = re.compile(r"\b(?:which|whose|who|whom)\b[^,;:()—–]*$|"
                       # a participle aside: "The war, fought between the government and X, ended"
                       r",\s+(?:[a-z]+ed|fought|known|born|built|held|led|made|run|seen|taken|given|sent|won|"
                       r"brought|caught|kept|founded)\s+(?:by|between|in|from|as|after|with|against)\b[^,;:()—–]*$")
# A reference point or an enclosing place: "a route east of the Philippines", "a jury in the US
# state of Minnesota": where something is, not who took part.
_REFERENCE = re.compile(r"\b(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|"
                        r"(?:state|province|region|county|district|emirate|prefecture)) of\s+(?:the\s+)?$",
                        re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:()\[\]—–]| - ")
_CLAUSE_WORDS = {"and", "but", "while", "whereas", "which", "who", "whose", "where", "when", "although", "though",
                 "as", "after", "before", "because", "since", "so", "until", "with", "including"}
_NEAR = 3  # content words each side of a name that tell whether it sits in the shared fact
_PROTAGONIST = 0.05  # named in this share of both articles' sentences: a protagonist
_CONFIDENCE = 0.55
# A link's score is its weakest pair's; below compare.align.model.STRONG_THRESHOLD (not imported:
# it pulls in the aligner) one of its sentences is only weakly linked to the other side.
_STRONG = 0.7
# Capitalised only because they open the sentence: never the first word of a name.
_FUNCTION = set("""a an the in on at by for from with after before during when while as but and or if this that
these those it its his her their our we they he she i you there here yet so then also however meanwhile since
under over into about despite although though because until once some many most several all both each every no
not one two three four five six seven eight nine ten more less other another such what which who where why how
earlier later today yesterday tomorrow nearly almost about only even still just""".split())
# What opens a sentence or a clause whose first word is capitalised whatever it is.
_OPENERS = "\"“‘'([:;—–-"


@dataclass(frozen=True, slots=True)
class Name:
    start: int  # the name's span in the sentence, titles included ("Judge Peter Cahill")
    end: int
    keys: frozenset[str]  # distinctive lowercased words and country groups: what identifies it
    words: tuple[str, ...]  # its words lowercased, titles and particles left out
    acronym: str  # initials of its words ("fdic"), or the name itself when it is an acronym


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """Lower case, no accents, no possessive, no dots: "U.S." -> "us", "Sisi's" -> "sisi"."""
    w = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.rstrip("'").replace(".", "")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[str, int, int], ...]:
    """(word, start, end) with an abbreviation's dot kept ("U.S.", "St.", "Corp.")."""
    out = []
    for m in _WORD.finditer(text):
        end = m.end()
        w = m.group()
        if end < len(text) and text[end] == "." and ("." in w or w.lower() in _ABBREVIATIONS
                                                     or (len(w) == 1 and w.isupper())):  # an initial: "J. Alexander"
            end += 1
        out.append((text[m.start() : end], m.start(), end))
    return tuple(out)


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


@dataclass(frozen=True, slots=True)
class _Usage:
    """How an article writes its words: those it capitalises inside a sentence (names)."""

    inside: frozenset[str]


_USAGE: dict[int, tuple[Document, _Usage]] = {}
_NO_USAGE = _Usage(frozenset())


def _usage(doc: Document) -> _Usage:
    """The article's usage, computed once per document."""
    hit = _USAGE.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    inside: set[str] = set()
    for s in doc.sentences:
        if s.headline:
            continue  # title case
        text = s.compare_text
        body = DATELINE.match(text)
        begin = body.end() if body else 0
        for w, start, _ in _words(text):
            if start >= begin and _capitalised(w) and not _opens(text, start, begin):
                inside.add(_fold(w))
    if len(_USAGE) > 64:
        _USAGE.clear()
    usage = _Usage(frozenset(inside))
    _USAGE[id(doc)] = (doc, usage)
    return usage


def _opens(text: str, start: int, begin: int) -> bool:
    """The word at `start` opens the sentence, a quotation or a clause after a colon."""
    before = text[begin:start].rstrip()
    if not before or before[-1] in _OPENERS or before.endswith(("!", "?")):
        return True
    if before.endswith("."):
        last = before[:-1].rsplit(None, 1)[-1] if before[:-1].strip() else ""
        return not (len(last) == 1 and last.isupper() or "." in last or last.lower() in _ABBREVIATIONS)
    return False


def _is_name_word(word: str, folded: str, opening: bool, headline: bool, usage: _Usage) -> bool:
    """A capitalised word that is part of a name, judged by how the article writes it."""
    if _PREFIXED.match(word):
        return True  # "al-Dbeibah", "el-Sisi"
    if not _capitalised(word) or folded in _SKIP:
        return False
    if opening or headline:
        # Capitalised whatever it is: a name when the article capitalises it inside a sentence.
        return folded in usage.inside
    return True


def names(text: str, usage: _Usage | None = None, headline: bool = False) -> tuple[Name, ...]:
    """The names of one sentence, in order (`usage`: how its article writes its words)."""
    return _names(text, usage or _NO_USAGE, headline)


@lru_cache(maxsize=4096)
def _names(text: str, usage: _Usage, headline: bool) -> tuple[Name, ...]:
    body = DATELINE.match(text)
    begin = body.end() if body else 0
    tokens = [t for t in _words(text) if t[1] >= begin]
    runs: list[list[tuple[str, int, int]]] = []
    run: list[tuple[str, int, int]] = []
    pending: tuple[str, int, int] | None = None  # a capitalised word opening the sentence
    for k, (w, start, end) in enumerate(tokens):
        folded = _fold(w)
        gap = text[run[-1][2] : start] if run else ""
        joined = bool(run) and gap.strip() == ""
        opening = _opens(text, start, begin)
        if _is_name_word(w, folded, opening, headline, usage):
            if run and not joined:
                runs.append(run)
                run = []
            if not run and pending is not None and not text[pending[2] : start].strip() \
                    and not pending[0].endswith(("'s", "’s")):
                run.append(pending)  # "Xi Jinping welcomed ...": the opening word starts the name
            pending = None
            run.append((w, start, end))
            if w.endswith(("'s", "’s")):  # a possessive ends the name: "Haftar's Libyan National Army"
                runs.append(run)
                run = []
            continue
        if run and joined and w.islower() and folded in _PARTICLES and _continues(text, tokens, k):
            run.append((w, start, end))  # a particle inside a name: "Government of National Unity"
            continue
        pending = (w, start, end) if opening and _capitalised(w) and folded not in _FUNCTION else None
        if run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    out = []
    for r in runs:
        for part in _split_lists(r):
            name = _name(part)
            if name is not None:
                out.append(name)
    return tuple(out)


def _continues(text: str, tokens: list[tuple[str, int, int]], k: int) -> bool:
    """The particle at k is followed (through at most one more particle, spaces only) by a
    capitalised word of the same name; "al-" / "bin" always are."""
    if tokens[k][0] in {"al", "el", "bin", "ibn", "abu"}:
        return True
    for j in (k + 1, k + 2):
        if j >= len(tokens) or text[tokens[j - 1][2] : tokens[j][1]].strip():
            return False
        w = tokens[j][0]
        if _capitalised(w):
            return True
        if w not in _PARTICLES:
            return False
    return False


def _split_lists(run: list[tuple[str, int, int]]) -> list[list[tuple[str, int, int]]]:
    """A run cut at "and": "Kim Jong-un and Moon Jae-in" is two names."""
    out, cur = [], []
    for tok in run:
        if tok[0] in _LIST_JOINERS:
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(tok)
    if cur:
        out.append(cur)
    return out


def _name(run: list[tuple[str, int, int]]) -> Name | None:
    """A Name from a run of words, or None when no word of it identifies anything."""
    while run and (_fold(run[-1][0]) in _PARTICLES and run[-1][0].islower()):
        run = run[:-1]
    while run and _fold(run[0][0]) in {"the", "a", "an"}:
        run = run[1:]
    if not run or _MODIFIER.search(run[-1][0]):
        return None  # "Santa Clara-based", "Saudi-owned": a description, not a participant
    folded = [_fold(w) for w, _, _ in run]
    if any(f in _OUTLET_WORDS for f in folded[1:]):
        return None  # an outlet ("the Associated Press", "Global Times"): a source, `attribution` reads it
    # After a title, the words that follow it are the person ("Hennepin County Judge Peter
    # Cahill" is Peter Cahill, not the county).
    titled = [k for k, f in enumerate(folded[:-1]) if f in _TITLES]
    person = folded[titled[-1] + 1 :] if titled and folded[titled[-1] + 1 :] else folded
    pieces = run[len(folded) - len(person) :]
    words = tuple(f for f, (w, _, _) in zip(person, pieces)
                  if f not in _TITLES and not (w.islower() and f in _PARTICLES))
    if not words or words[-1] == "day":
        return None  # a title alone ("the Judge"), a holiday ("Memorial Day")
    if len(words) == 1 and (words[0] in _ADJECTIVES or words[0] in _SKIP or words[0] in _GENERIC
                            or words[0] in _PEOPLES):
        return None  # "Belarusian", "Easter", "the South"
    # A nationality identifies the name only when nothing else does: "Russian Defence Ministry"
    # is Russia's, "U.S. Secretary of State Antony Blinken" is Blinken, "Beijing Aerospace
    # Control Center" is in Beijing.
    countries: set[str] = set()
    country_words: set[int] = set()
    for k in range(len(words)):
        for j in range(len(words), k, -1):
            group = _country(" ".join(words[k:j]))
            if group is not None:
                countries.add(group)
                if j - k == 1 and (words[k] in _ADJECTIVES or len(words[k]) <= 3):
                    country_words.add(k)
                break
    keys: set[str] = set()
    for n, f in enumerate(words):
        if f in _GENERIC or n in country_words:
            continue
        for part in [f, *f.split("-")]:
            if len(part) >= 2 and part not in _GENERIC and part not in _PARTICLES:
                keys.add(part)
    if not keys or not country_words:
        keys |= countries | {words[n] for n in country_words if words[n] not in _GENERIC}
    if not keys:
        keys = {" ".join(words)}  # only generic words ("First Republic"): the whole name identifies it
    acronym = words[0] if len(words) == 1 and run[-1][0].replace(".", "").isupper() else "".join(w[0] for w in words)
    return Name(run[0][1], run[-1][2], frozenset(keys), words, acronym)


def _country(words: str) -> str | None:
    """The country group of "russia", "kremlin", "belarusian", "koreas", or None."""
    group = _ALIAS.get(words)
    if group is None and words.endswith("s"):
        group = _ALIAS.get(words[:-1])  # "the two Koreas"
    return None if group is None else f"#country{group}"


@dataclass(frozen=True, slots=True)
class _Side:
    """The words of one side of a link (or one sentence), for finding a name in it."""

    words: frozenset[str]
    acronyms: frozenset[str]
    countries: frozenset[str]
    initials: frozenset[str]  # of each run of two to five words ("artificial intelligence" -> "ai")


def _side_words(texts: Iterable[str], found: Iterable[Name]) -> _Side:
    words: set[str] = set()
    countries: set[str] = set()
    initials: set[str] = set()
    for text in texts:
        w, c, i = _text_words(text)
        words |= w
        countries |= c
        initials |= i
    acronyms = {n.acronym for n in found if len(n.words) > 1}
    return _Side(frozenset(words), frozenset(acronyms), frozenset(countries), frozenset(initials))


@lru_cache(maxsize=4096)
def _common_words(text: str) -> frozenset[str]:
    """The words a sentence writes in lower case, singular too ("the river", "churches")."""
    out = set()
    for w, _, _ in _words(text):
        if w[:1].islower():
            f = _fold(w)
            out.add(f)
            if f.endswith("es"):
                out.add(f[:-2])
            if f.endswith("s"):
                out.add(f[:-1])
    return frozenset(out)


# What a place or a building is ("the Patapsco River" / "the river"): the other side that says
# "the river" refers to the same one, unnamed, which no reader misses.
_HEADS = {"river", "bridge", "airport", "church", "mosque", "cathedral", "temple", "shrine", "hospital", "stadium",
          "hotel", "prison", "jail", "square", "palace", "station", "port", "harbour", "harbor", "island", "lake",
          "canal", "dam", "strait", "straits", "sea", "ocean", "bay", "gulf", "mountain", "mount", "volcano",
          "valley", "desert", "peninsula", "coast", "highway", "road", "street", "avenue", "plant", "mine",
          "school", "university", "museum", "market", "park", "tower", "building", "base", "camp"}


@lru_cache(maxsize=4096)
def _text_words(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A sentence's folded words (and their hyphenated parts), country groups and initials."""
    words: set[str] = set()
    countries = set()
    initials = set()
    low = [_fold(w) for w, _, _ in _words(text)]
    for f in low:
        words.add(f)
        words.update(p for p in f.split("-") if len(p) >= 2)
    heads = [f[:1] for f in low if f not in _PARTICLES and f not in {"a", "an"}]
    for k in range(len(heads)):
        for n in range(2, 6):
            if k + n <= len(heads):
                initials.add("".join(heads[k : k + n]))
    for k in range(len(low)):
        for n in (1, 2, 3):
            group = _country(" ".join(low[k : k + n]))
            if group is not None:
                countries.add(group)
    return frozenset(words), frozenset(countries), frozenset(initials)


_DEMONYM = re.compile(r"(?:ian|ean|an|ese|ish|i|ans|ians|is|ic)$")


def _demonym_of(key: str, word: str) -> bool:
    """One is the other's adjective or people: "yemen" / "yemeni", "canada" / "canadian"."""
    short, long = sorted((key, word), key=len)
    if len(short) < 4 or short == long or not _DEMONYM.search(long):
        return False
    stem = short[:-1] if short[-1] in "aeiouy" else short
    return long.startswith(stem) and len(long) - len(stem) <= 4


def _named_in(name: Name, side: _Side) -> bool:
    """The other side names this participant too (however it spells it)."""
    if any(k in side.words or k in side.countries for k in name.keys):
        return True
    if len(name.words) == 1 and name.acronym and name.acronym in side.acronyms:
        return True  # "FDIC" / "Federal Deposit Insurance Corporation"
    if len(name.words) > 1 and len(name.acronym) >= 2 and name.acronym in side.words:
        return True  # "Suez Canal Authority" / "SCA"
    if len(name.words) == 1 and len(name.acronym) >= 2 and name.acronym in side.initials:
        return True  # "AI" / "artificial intelligence"
    if len(name.keys) == 1 and any(w[:3] == k[:3] and _demonym_of(k, w) for k in name.keys for w in side.words):
        return True  # "Yemen" / "Yemeni", "Canadian" / "Canada"
    if any(_spelled_alike(k, w) for k in name.keys if len(k) >= 6 and not k.startswith("#")
           for w in side.words if abs(len(w) - len(k)) <= 2):
        return True  # one name spelled two ways: "Dbeibah" / "Dbeibeh", "Unification" / "Reunification"
    return all(w in side.words for w in name.words)


def _spelled_alike(k: str, w: str) -> bool:
    """Within one edit of each other (two for long words): a variant spelling, not another name."""
    if k == w or min(len(k), len(w)) < 6:
        return k == w
    limit = 2 if min(len(k), len(w)) >= 9 else 1
    previous = list(range(len(w) + 1))
    for x, ck in enumerate(k, 1):
        row = [x]
        for y, cw in enumerate(w, 1):
            row.append(min(previous[y] + 1, row[y - 1] + 1, previous[y - 1] + (ck != cw)))
        if min(row) > limit:
            return False
        previous = row
    return previous[-1] <= limit


# The `entity` detector.
@dataclass(frozen=True, slots=True)
class _Article:
    """What the detector reads once per document: how it writes its words, and in how many of
    its sentences each word (or country) occurs, to tell how often the coverage names someone."""

    usage: _Usage
    counts: dict[str, int]
    sentences: int


_ARTICLES: dict[int, tuple[Document, _Article]] = {}


def _article(doc: Document) -> _Article:
    hit = _ARTICLES.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    usage = _usage(doc)
    counts: dict[str, int] = {}
    for s in doc.sentences:
        words, countries, _ = _text_words(s.compare_text)
        for w in words | countries:
            counts[w] = counts.get(w, 0) + 1
    if len(_ARTICLES) > 64:
        _ARTICLES.clear()
    article = _Article(usage, counts, len(doc.sentences))
    _ARTICLES[id(doc)] = (doc, article)
    return article


def _side_names(doc: Document, indices: Sequence[int], other: Document) -> list[tuple[int, Name]]:
    """The names of one side of a link that a finding may report: not the outlets, not a
    reporting frame's source or the place it spoke from, not a medium ("on Twitter")."""
    usage = _article(doc).usage
    skip = {_fold(doc.label), _fold(other.label)}
    out = []
    for i in indices:
        s = doc.sentences[i]
        text = s.compare_text
        frames = [(f.start, f.end) for f in sources(text)]
        frames += [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        found = names(text, usage, s.headline)
        dropped = -1  # where the last name left out as the frame's ends: a list goes on with its role
        for n in found:
            if " ".join(n.words) in skip:
                continue
            if any(fs <= n.start and n.end <= fe for fs, fe in frames):
                continue  # a frame's source (`attribution`) or inside a quotation (`quote`)
            before = text[max(0, n.start - 60) : n.start]
            if _FRAME_PLACE.search(before) or (_MEDIUM.search(before) and n.words[-1] in _PLATFORMS) \
                    or _OUTLET_BEFORE.search(before) or (dropped >= 0 and _LIST_GAP.match(text[dropped : n.start])):
                dropped = n.end
                continue  # where or to whom a statement was made, its medium: the frame's
            if _THE_BEFORE.search(before) and _EPITHET_AFTER.match(text, n.end):
                continue  # "the Indian Ocean island": an epithet of a place
            if _SAID_BEFORE.search(before) or _SAID_AFTER.match(text, n.end):
                continue  # the speaker of a frame ('"...," said X', "X, a spokesman, said"): `attribution`
            if _qualifies(text, n, found) or _ROLE_OF.match(text, n.end - 2 if text[n.end - 2 : n.end] in ("'s", "’s")
                                                             else n.end):
                continue  # "Gdansk, Poland", "Estonia's economy minister": describes a place or a person
            out.append((i, n))
    return out


def _qualifies(text: str, name: Name, found: Sequence[Name]) -> bool:
    """A country named right after a place it locates ("Gdansk, Poland", "Ismailia, Egypt"),
    not an item of a list ("Norway, Chile and Peru")."""
    if not any(k.startswith("#country") for k in name.keys):
        return False
    before = [m for m in found if m.end <= name.start and not text[m.end : name.start].strip(" ,")]
    if not before or "," not in text[before[-1].end : name.start]:
        return False
    return _LIST_GOES_ON.match(text, name.end) is None and not _QUALIFIER.search(text[: before[-1].start])


_ROLE_OF = re.compile(r"(?:'s|’s)\s+(?:[a-z-]+\s+){0,2}(?:minister|president|leader|secretary|ambassador|envoy|"
                      r"spokesman|spokeswoman|spokesperson|governor|mayor|premier|king|queen|prince|chancellor)\b")
_LIST_GOES_ON = re.compile(r"(?:'s|’s)?(?:,\s*|\s+and\s+|\s+or\s+)(?:the\s+)?[A-Z]")


def _only(doc: Document, mine: list[tuple[int, Name]], other: Document, indices: Sequence[int],
          theirs: list[tuple[int, Name]]) -> list[tuple[int, Name]]:
    side = _side_words([other.sentences[i].compare_text for i in indices], [n for _, n in theirs])
    return [(i, n) for i, n in mine if not _named_in(n, side)]


def _salience(name: Name, a: Document, b: Document) -> float:
    """Share of both articles' sentences that name it: the story's protagonists (the accused,
    the company, the country) are named in most, and a sentence that says "he" for them names
    no one new. Counted by its most frequent identifying word (a close lower bound)."""
    x, y = _article(a), _article(b)
    count = max(x.counts.get(k, 0) + y.counts.get(k, 0) for k in name.keys)
    total = x.sentences + y.sentences
    return count / total if count >= 2 and total else 0.0  # named once: this sentence is where it appears


def _in_shared_part(doc: Document, i: int, name: Name, other_keys: set[str]) -> bool:
    """The words next to the name (three content words each way, in its clause) occur on the
    other side: the name is a participant of the fact both report ("as Judge X read the
    verdicts" / "as the verdicts were read"), not of a clause only one side has."""
    from .detail import matches, tokens  # detail imports this module: imported at call time

    text = doc.sentences[i].compare_text
    toks = tokens(text)
    inside = [k for k, t in enumerate(toks) if name.start <= t.start < name.end]
    if not inside:
        return False
    # Clauses: cut at ; : ( ) dashes, and at a comma before a conjunction or relative word.
    clause, cur = [], 0
    for k, t in enumerate(toks):
        if k:
            gap = text[toks[k - 1].end : t.start]
            if _CLAUSE_BREAK.search(gap) or ("," in gap and text[t.start : t.end].lower() in _CLAUSE_WORDS):
                cur += 1
        clause.append(cur)
    lo, hi = inside[0], inside[-1]
    near = [t for k, t in enumerate(toks[:lo]) if clause[k] == clause[lo] and t.content and not t.name][-_NEAR:]
    near += [t for k, t in enumerate(toks[hi + 1 :], hi + 1) if clause[k] == clause[hi] and t.content
             and not t.name][:_NEAR]
    return any(matches(t.key, other_keys) for t in near)


def _listing(doc: Document, found: list[tuple[int, Name]]) -> str:
    shown = [doc.sentences[i].compare_text[n.start : n.end] for i, n in found[:3]]
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return ", ".join(shown) + more


def _reported(doc: Document, indices: Sequence[int], other: Document, other_indices: Sequence[int],
              mine: list[tuple[int, Name]], theirs: list[tuple[int, Name]]) -> list[tuple[int, Name]]:
    """The names of this side that the other side lacks and that a finding reports."""
    from .detail import side_keys

    if not mine:
        return []  # most links name no one: skip reading the other side (most of the cost at scale)
    candidates = _only(doc, mine, other, other_indices, theirs)
    if not candidates:
        return []
    keys = side_keys(other, other_indices)
    common = frozenset().union(*(_common_words(other.sentences[j].compare_text) for j in other_indices))
    out = []
    for i, n in candidates:
        before = doc.sentences[i].compare_text[: n.start]
        if _RELATIVE.search(before):
            continue  # in a side clause ("Storm Daniel, which had hit Greece"): background
        if _REFERENCE.search(before[-40:]):
            continue  # "east of the Philippines", "the state of Minnesota": a reference point
        if len(n.words) > 1 and n.words[-1] in _HEADS and n.words[-1] in common:
            continue  # "the Patapsco River" / "the river": the same place, unnamed
        if _salience(n, doc, other) >= _PROTAGONIST:
            continue
        if not _in_shared_part(doc, i, n, keys):
            continue
        out.append((i, n))
    return out


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """A named participant (person, organisation, place) of the shared fact on one side only,
    or different names on the two sides ("as Judge Peter Cahill read the verdicts" / "as the
    verdicts were read"; "offers from France, Spain, Israel" / "from Spain, Qatar, the UK")."""
    if link.score < _STRONG:
        return None  # some pair of the link is weak: its sentences share a detail, not the fact
    names_a, names_b = _side_names(a, link.a, b), _side_names(b, link.b, a)
    only_a = _reported(a, link.a, b, link.b, names_a, names_b)
    only_b = _reported(b, link.b, a, link.a, names_b, names_a)
    if not only_a and not only_b:
        return None
    if only_a and only_b:
        summary = f"{a.label} names {_listing(a, only_a)}; {b.label} names {_listing(b, only_b)} instead"
    elif only_a:
        summary = f"{a.label} names {_listing(a, only_a)}; {b.label} does not"
    else:
        summary = f"{b.label} names {_listing(b, only_b)}; {a.label} does not"
    caution = next((c for doc, found in ((a, only_a), (b, only_b)) for i, _ in found[:1]
                    if (c := translation_caution(doc, i))), None)
    if caution is None and only_a and only_b:
        # Names on both sides, one of them machine-translated: maybe one name spelled two ways.
        for doc, found in ((a, only_a), (b, only_b)):
            i, n = found[0]
            if doc.sentences[i].translation is not None:
                caution = (f"{doc.label}'s sentence {i + 1} is a machine translation: "
                           f"{doc.sentences[i].compare_text[n.start : n.end]} may be a name the other side "
                           "spells differently")
                break
    return Finding(
        type="entity",
        a=link.a,
        b=link.b,
        a_spans=tuple(Span(i, n.start, n.end) for i, n in only_a),
        b_spans=tuple(Span(i, n.start, n.end) for i, n in only_b),
        summary=summary,
        confidence=_CONFIDENCE * (0.6 if caution else 1.0),
        caution=caution,
    )
