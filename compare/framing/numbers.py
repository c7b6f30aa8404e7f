"""Quantities in a sentence: value, unit, kind and what they count, with character spans
(rule-based, English, no parser), and the `number` detector.

Read: digits with grouping ("1,014", "9.6"), number words up to the hundreds ("twelve",
"forty-two", "a dozen"), fractions ("9 1/2", "three and a half"), scales ("million", "bn", "m"
after a currency), currencies before or after ("$40 billion", "40 billion dollars", "€5m"),
percentages ("3 percent", "3%", "3 per cent"), percentage points, durations ("two hours",
"12-hour", "nearly 11 months"), distances, areas, volumes, weights, speeds and temperatures in
metric and imperial units (kept in one base unit each: "125 miles" = 201 km), earthquake
magnitudes, clock times ("10:40 pm", "22:43", "0530 GMT"), dates ("July 4", "4 July 2024"),
ages ("aged 101", "46-year-old"), ranks ("ninth straight increase"), ranges ("18,000 to
20,000", "4.50% to 4.75%") and vague counts ("dozens", "hundreds", "thousands", read as a span of
values). A bound before the number ("more than", "about", "nearly", "up to", "at least",
"exceeded") is kept: the framing guide counts "more than 200" against "207" as a difference.
Not compared: years, a wire dateline's date ("COLOMBO, April 21 (Reuters) -"), and numbers that
are part of a name ("Chang'e-5", "Chapter 11", "Luna 24", "Covid-19"); a conversion in brackets
after a quantity ("200 km (124 miles)") is the same quantity.

What a count counts: the noun after it ("207 people", "130 other affiliated companies", "dozens
of entities"), folded to one word for common synonyms (firms / companies / entities; ships /
vessels; officers / policemen), and the event around it, read in its clause: dead ("killed",
"died", "death toll", "bodies", "lives"), injured, missing, displaced, arrested, rescued,
evacuated. Other quantities are identified by the content words around them ("the price of
Bitcoin has fallen 20 percent"), with a small list of news synonyms ("deal" / "pact",
"shortfall" / "gap"), and money by the noun it measures ("$1.8bn hit" is not "bonds worth $21bn").

Values compare as written: a rounded figure agrees with its source ("$5.6bn" / "$5.61 billion"),
a converted one within its rounding ("125 miles" / "200 km", "53-day" / "seven-week"), a time
given as "around" or "shortly after" within 15 minutes, a vague count with any figure in its span
("hundreds" / "450"), and several counts of one noun with their sum ("two counts of murder and
one of manslaughter" / "three counts"). Limits: English only; the thing measured is told from
nearby words, so a paraphrase with no word in common ("unemployment" / "the jobless rate") is
missed, and two figures for different things with the same words around them can be paired;
"half" / "a quarter" are read only in "half a percentage point".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Sequence

from ..result import Document, Finding, Link, Span
from .common import translation_caution

Kind = Literal["money", "percent", "points", "duration", "count", "mass", "distance", "area", "volume", "speed",
               "temperature", "magnitude", "age", "ordinal", "date", "year", "time", "number"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12}
_CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "₹": "INR", "₩": "KRW",
                   "₽": "RUB"}
_CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
                   "pounds": "GBP", "sterling": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY",
                   "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB", "won": "KRW", "rupee": "INR",
                   "rupees": "INR", "dirhams": "MAD", "lira": "TRY", "riyals": "SAR", "francs": "CHF"}
# Units: (kind, factor to the kind's base unit). Durations in hours, distances in metres, areas
# in square metres, volumes in cubic metres, weights in kilograms, speeds in km/h.
_UNIT_WORDS: dict[str, tuple[str, float]] = {}
for _kind, _table in {
    "duration": {"second": 1 / 3600, "minute": 1 / 60, "hour": 1.0, "day": 24.0, "week": 168.0, "fortnight": 336.0,
                 "month": 730.0, "year": 8760.0, "decade": 87600.0, "century": 876000.0, "centurie": 876000.0,
                 "min": 1 / 60, "hr": 1.0, "sec": 1 / 3600},
    "distance": {"km": 1000.0, "kilometre": 1000.0, "kilometer": 1000.0, "mile": 1609.344, "metre": 1.0, "meter": 1.0,
                 "foot": 0.3048, "feet": 0.3048, "ft": 0.3048, "yard": 0.9144, "cm": 0.01, "centimetre": 0.01,
                 "centimeter": 0.01, "mm": 0.001, "millimetre": 0.001, "millimeter": 0.001, "inch": 0.0254,
                 "inche": 0.0254},
    "mass": {"kg": 1.0, "kilogram": 1.0, "kilo": 1.0, "tonne": 1000.0, "ton": 1000.0, "t": 1000.0, "lb": 0.4536,
             "gram": 0.001, "g": 0.001},
    "volume": {"litre": 0.001, "liter": 0.001, "gallon": 0.003785, "barrel": 0.159},
    "speed": {"mph": 1.609, "knot": 1.852, "kph": 1.0, "kmh": 1.0, "km/h": 1.0},
}.items():
    for _w, _f in _table.items():
        _UNIT_WORDS[_w] = (_kind, _f)
_MULTI_UNITS = [  # longest first: read before the one-word units
    (re.compile(r"[\s-]*(?:square|sq\.?)\s+(kilomet(?:re|er)s?|km|miles?|met(?:re|er)s?|feet)\b", re.I), "area"),
    (re.compile(r"[\s-]*cubic\s+(met(?:re|er)s?|feet)\b", re.I), "volume"),
    (re.compile(r"[\s-]*(?:km/h|kilomet(?:re|er)s?\s+(?:per|an)\s+hour)\b", re.I), "speed_kmh"),
    (re.compile(r"[\s-]*miles?\s+(?:per|an)\s+hour\b", re.I), "speed_mph"),
    (re.compile(r"[\s-]*nautical\s+miles?\b", re.I), "nautical"),
    (re.compile(r"[\s-]*(?:degrees?|°)\s*(celsius|centigrade|fahrenheit|c|f)\b", re.I), "temperature"),
    (re.compile(r"[\s-]*percentage\s+points?\b", re.I), "points"),
    (re.compile(r"[\s-]*basis\s+points?\b", re.I), "basis"),
]
_AREA = {"kilometre": 1e6, "kilometer": 1e6, "km": 1e6, "mile": 2.59e6, "metre": 1.0, "meter": 1.0, "feet": 0.0929}
_VOLUME = {"metre": 1.0, "meter": 1.0, "feet": 0.02832}
_AREA_WORDS = {"hectare": 1e4, "hectares": 1e4, "acre": 4046.86, "acres": 4046.86}

_BOUNDS = {"more than": ">", "over": ">", "at least": ">", "upwards of": ">", "in excess of": ">", "exceeded": ">",
           "exceeding": ">", "topped": ">", "surpassed": ">", "less than": "<", "under": "<", "fewer than": "<",
           "up to": "<", "at most": "<", "as many as": "<", "as much as": "<", "as large as": "<", "as high as": "<",
           "no more than": "<", "about": "~", "around": "~", "roughly": "~", "nearly": "~", "almost": "~",
           "some": "~", "approximately": "~", "an estimated": "~", "close to": "~", "estimated": "~",
           "just over": ">", "just under": "<", "shortly after": ">", "shortly before": "<", "just after": ">",
           "just before": "<", "as young as": "<", "as little as": "<", "as few as": "<", "an approximate": "~"}
_WORD_NUMBER = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_NUMBER = re.compile(
    r"(?P<bound>\b(?:" + "|".join(sorted(_BOUNDS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<cur>US\$|[$€£¥₹₩₽])?\s?(?<![\w.,/])"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[.,]\d)"
    r"|(?:a\s+dozen|dozen|(?:" + _WORD_NUMBER + r")(?:[- ](?:" + _WORD_NUMBER + r"))?(?:\s+hundred)?)\b)"
    r"(?P<frac>\s+(?:and\s+a\s+half|[1-3]/[2-4])\b|\s?[½¼¾])?"
    r"(?P<scale>\s?(?:thousand|million|billion|trillion|bn|mn|mln|tn|trn)\b|(?:m|k|b)\b)?",
    re.IGNORECASE,
)
_ATTACHED = re.compile(r"[a-zA-Z/]+")
_AFTER = re.compile(r"[\s-]*(?P<unit>per\s?cent|percent|%|[A-Za-z°]+)")
_CLOCK = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?:\s?(?P<ap>[ap])\.?\s?m\b\.?)?"
    r"|\b(?P<h2>1[0-2]|0?[1-9])\s?(?P<ap2>[ap])\.?\s?m\b\.?"
    r"|\b(?P<h3>[01]\d|2[0-3])(?P<m3>[0-5]\d)(?=\s*(?:GMT|UTC|BST|CET|CEST|EST|EDT|PST|PDT|hours|hrs|local)\b)",
    re.IGNORECASE,
)
_MONTH = (r"(?P<{0}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = re.compile(r"\b" + _MONTH.format("mon") + r"\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b"
                   r"(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?"
                   r"|\b(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH.format("mon2")
                   + r"\b(?:,?\s+(?P<y2>(?:19|20)\d\d)\b)?")
_DATELINE_AFTER = re.compile(r"\s*(?:\(\s*[A-Za-z][\w .]*\)|/\s*[A-Za-z][\w .]*/)")
_ORDINAL_WORDS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
                  "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
                  "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20}
_ORDINAL = re.compile(r"\b(?:(?P<w>" + "|".join(_ORDINAL_WORDS) + r")|(?P<n>\d{1,3})(?:st|nd|rd|th))\b"
                      r"(?P<adj>(?:\s+(?:straight|consecutive|successive|successful|annual|quarterly|monthly|"
                      r"weekly|day|year|time|round))*)\s+(?P<noun>[a-z]{3,})\b", re.IGNORECASE)
_FRACTION_POINT = re.compile(r"\b(?P<f>half|a\s+quarter|quarter|three[- ]quarters)(?:\s+of)?\s+(?:a\s+)?"
                             r"(?:percentage[- ])?point\b", re.IGNORECASE)
_MONTH_INDEX = {m: i for i, ms in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                             "nov", "dec"), 1) for m in (ms,)}
_TIME_BOUND = re.compile(r"(?:\b(?:at|around|about|shortly|just|before|after|approximately|roughly|nearly|"
                         r"by|until|since|from|some)\s+)+$", re.IGNORECASE)
_MONTHS = {"jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
           "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december"}
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# Capitalised words after which a number is still a quantity, not part of a name.
_NOT_NAMES = {"only", "just", "all", "the", "in", "on", "at", "by", "for", "with", "from", "to", "and", "but", "of",
              "about", "around", "nearly", "some", "another", "roughly", "almost", "over", "under", "more", "fewer",
              "less", "up", "exactly", "approximately", "those", "these", "its", "their", "his", "her", "our",
              "least", "than", "after", "before", "since", "until", "killing", "leaving", "as",
              "that", "top", "like", "estimated", "an", "a", "are", "were", "was", "is",
              "per", "total", "toll", "reached", "rose", "hit", "killed", "injured"}
# Vague counts: the span of values they are read as.
_VAGUE = {"dozens": (24.0, 99.0), "scores": (40.0, 99.0), "hundreds": (200.0, 999.0), "thousands": (2000.0, 10000.0),
          "millions": (2e6, 1e9), "billions": (2e9, 1e12)}
_VAGUE_RE = re.compile(r"\b(?:(?P<tens>tens|hundreds)\s+of\s+)?(?P<word>dozens|scores|hundreds|thousands|millions|"
                       r"billions)\b(?!\s+of\s+(?:dollars|euros|pounds|yuan))", re.IGNORECASE)

# What a count counts: its noun, folded to one word for common synonyms.
_NOUN_GROUPS = {}
for _head, _ws in {
    "person": "people persons person individuals individual civilians residents men women adults others",
    "device": "devices device computers computer machines machine pcs laptops",
    "company": "companies company firms firm entities entity affiliates affiliate subsidiaries subsidiary "
               "businesses business corporations units",
    "ship": "ships ship vessels vessel boats boat freighters tankers carriers",
    "police": "officers officer policemen policeman policewomen police",
    "soldier": "soldiers soldier troops servicemen troop",
    "zone": "areas area zones zone",
    "blast": "blasts blast explosions explosion bombs bombings attacks",
    "child": "children child kids minors",
    "country": "countries country nations nation states",
    "home": "homes houses buildings dwellings",
    "vehicle": "vehicles vehicle cars car trucks",
    "container": "containers container boxes",
}.items():
    for _w in _ws.split():
        _NOUN_GROUPS[_w] = _head
_HUMAN = {"person", "police", "soldier", "child"}
# Counted nouns that name people: an event word before them is about them ("killing 12 miners").
_PEOPLE = _HUMAN | set("""worker miner passenger tourist foreigner migrant student pilgrim protester fighter militant
    villager journalist crew member victim survivor patient resident civilian soldier officer firefighter rescuer
    employee staff hostage prisoner detainee suspect player fan worshipper citizen national american briton
    palestinian israeli ukrainian russian chinese indian child kid boy girl man woman baby infant teenager adult
    guard sailor pilot driver climber hiker swimmer voter""".split())
_CONCEPTS = {}
for _concept, _ws in {
    "dead": "killed kill kills killing dead died die dies dying death deaths toll fatalities fatality bodies body "
            "lives perished drowned drowning",
    "injured": "injured injuring injuries injury wounded wounding wounds hurt hospitalised hospitalized treated",
    "missing": "missing unaccounted",
    "displaced": "displaced homeless evacuated evacuees fled refugees",
    "arrested": "arrested arrests detained detentions detainees",
    "rescued": "rescued survivors",
    "casualties": "casualties",
}.items():
    for _w in _ws.split():
        _CONCEPTS[_w] = _concept
_CONCEPT_WORDS = {"dead": "killed", "injured": "injured", "missing": "missing", "displaced": "displaced",
                  "arrested": "arrested", "rescued": "rescued", "casualties": "casualties"}
# Words of one meaning around amounts and percentages ("deal" / "pact"), by crude stem.
_SYNONYMS: dict[str, str] = {}
_PREFIXES: dict[str, str] = {}
for _group in (  # words of one meaning around amounts, counts and dates (the first names the group; "x-": a prefix)
        "election poll vote ballot", "deal pact agreement accord treaty contract acquisition takeover purchase "
        "buyout merger", "shortfall gap hole deficit", "revenue revenues income earnings turnover", "device computer "
        "machine pc laptop", "fall fell fallen drop dropped declin- slid slide slip slipped lost lose plung- tumbl- "
        "sank", "rise rose risen gain climb climbed jump jumped increas- surg- soar", "cost price", "kill killed "
        "killing dead death died die toll", "injur- wound- hurt", "ship vessel boat", "company firm", "wage salary "
        "pay", "fine penalty", "loan credit", "aid assistance", "budget spending", "share stock", "withdraw- pull "
        "pulled", "sentence sentenced jail jailed prison imprisonment term", "quake earthquake tremor",
        "sand sediment", "bond security securities"):
    _words = _group.split()
    for _w in _words:
        if _w.endswith("-"):
            _PREFIXES[_w[:-1]] = _words[0]
        else:
            _SYNONYMS[_w] = _words[0]
# Verbs of change say little about what changed: "Bitcoin has fallen 20%" / "FTT has lost 90%".
_WEAK = {"fall", "rise"}
_CONTEXT_STOP = {"said", "says", "about", "around", "more", "than", "nearly", "almost", "some", "with", "from",
                 "that", "this", "were", "have", "been", "which", "their", "after", "before", "over", "into",
                 "week", "weeks", "year", "years", "month", "months", "days", "hours", "today", "last", "next",
                 "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "also", "will",
                 "would", "could", "there", "they", "them", "percent", "cent", "billion", "million", "thousand",
                 "according", "told", "local", "time", "least", "only", "still", "just", "what", "when", "where",
                 "while", "other", "another", "each", "every", "such", "since", "until", "including", "dollars"}
_NOUN_SKIP = {"of", "the", "a", "an", "other", "more", "new", "additional", "local", "foreign", "further",
              "separate", "different", "such", "so-called", "extra", "fresh"}
_NOUN_STOP = {"and", "or", "but", "in", "on", "at", "to", "from", "with", "by", "for", "were", "was", "are", "is",
              "had", "have", "has", "who", "that", "which", "as", "than", "into", "after", "before", "during",
              "while", "when", "where", "since", "until", "of", "the", "a", "an", "it", "its", "their", "his", "her",
              "this", "these", "those", "there", "be", "been", "will", "would", "could", "may", "might", "per",
              "each", "every", "across", "around", "near", "over", "under", "between", "among", "through", "off",
              "out", "up", "down", "ago", "later", "earlier", "old", "long", "high", "wide", "deep", "away", "above",
              "below", "beyond", "along", "outside", "inside", "behind", "against", "toward", "towards", "within",
              "without", "aboard", "ahead", "amid", "despite", "including", "like", "via", "about", "not",
              "so", "too", "also", "still", "then", "now", "here", "apiece", "more", "less", "fewer"}
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s|\b(?:and|but|while|whereas|as well as)\b", re.IGNORECASE)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float  # in the kind's base unit (hours, metres, kilograms ...); the low end of a range
    kind: Kind
    unit: str  # currency code, base unit ("hour", "m", "kg"), or "" (counts, percentages)
    start: int
    end: int
    bound: str = ""  # ">", "<", "~" or "" (exact)
    context: frozenset[str] = frozenset()  # content words around it (crude stems): what it is about
    high: float | None = None  # the high end of a range ("18,000 to 20,000") or of a vague count ("dozens")
    step: float = 0.0  # the last digit written, in base units ("$5.6bn": 1e8); 0: a whole number
    written_unit: str = ""  # the unit as written ("mile", "km"): a converted figure is rounded
    noun: str = ""  # what a count counts, folded ("company" for "firms", "entities")
    concept: str = ""  # the event a count belongs to: dead, injured, missing, displaced, ...
    head: str = ""  # the noun an amount measures ("hit" in "a $1.8bn hit"), crude stem
    approximate: bool = False  # "dozens", "hundreds": a vague count

    @property
    def key(self) -> tuple[str, str]:
        """What the quantity measures: two quantities with one key can be compared."""
        return self.kind, self.unit


def _minutes(h: int, m: int, ap: str | None) -> float:
    """Minutes after midnight of a clock time; "10:40 pm" = 22:40, "12 a.m." = 0:00."""
    if ap:
        ap = ap.lower()
        if ap == "p" and h < 12:
            h += 12
        if ap == "a" and h == 12:
            h = 0
    return float(h * 60 + m)


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


def _singular(word: str) -> str:
    w = word.lower().rstrip(".")
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _stem(word: str) -> str:
    """A crude stem (the first five letters of the singular), folded by the synonym list."""
    w = _singular(word.replace("’", "'").split("'")[0])
    if w in _SYNONYMS:
        return _SYNONYMS[w]
    for prefix, group in _PREFIXES.items():
        if w.startswith(prefix):
            return group
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    return _SYNONYMS.get(w, w[:5])


def _context(text: str, start: int, end: int, width: int = 10, clause: bool = True) -> frozenset[str]:
    """Content words (4+ letters, crude stems) within `width` words either side of a number, in its
    clause (a comma, semicolon or bracket ends it) unless `clause` is False (dates and ages stand
    between commas: "on Thursday, July 4, ...", "..., aged 101")."""
    if not clause:
        before = _WORDS.findall(text[max(0, start - 90) : start])[-width:]
        after = _WORDS.findall(text[end : end + 90])[:width]
        return frozenset(_stem(w) for w in before + after if len(w) >= 4 and w.lower() not in _CONTEXT_STOP)
    before = _WORDS.findall(re.split(r"[,;:()\[\]—–]|\s-\s", text[max(0, start - 90) : start])[-1])[-width:]
    rest = text[end : end + 120]
    rest = rest[m.end() :] if (m := re.match(r"\s*\([^)]{0,40}\)", rest)) else rest  # "70km (44 miles) south-west"
    after = _WORDS.findall(re.split(r"[,;:()\[\]—–]|\s-\s", rest, maxsplit=1)[0])[:width]
    return frozenset(_stem(w) for w in before + after if len(w) >= 4 and w.lower() not in _CONTEXT_STOP)


def _counted_noun(text: str, pos: int) -> tuple[str, str]:
    """(folded noun, word as written) a count counts: the last word of the noun phrase after it
    ("130 other affiliated companies": company; "dozens of other entities": company)."""
    words = _WORDS.findall(re.split(r"[,;:.()\"“”]", text[pos : pos + 60], maxsplit=1)[0])
    gap = re.match(r"[\s-]*", text[pos:])
    if gap and re.match(r"[,;:.()]", text[pos + gap.end() : pos + gap.end() + 1] or " "):
        return "", ""
    head = ""
    taken = 0
    for w in words[:5]:
        low = w.lower()
        if low in _UNITS or low in _TENS:
            return "", ""  # "one of three"
        if not head and low in _NOUN_SKIP:
            continue
        if low in _NOUN_STOP or low in _MONTHS or low.endswith("ly"):
            break
        if w[0].isupper() and not head:
            continue  # a name before the noun ("14 Baltic and Pacific trading nations")
        head = low
        taken += 1
        if low in _NOUN_GROUPS or low in _CONCEPTS or taken == 3:
            break
    if not head:
        return "", ""
    if head in _CONCEPTS:
        return "", head  # "207 deaths", "450 wounded": the event is what is counted
    return _NOUN_GROUPS.get(head, _singular(head)), head


def _concept(text: str, start: int, end: int, noun: str) -> str:
    """The event a count belongs to, from its noun or the nearest event word in its clause (after
    it first: "2,012 people had died"; then before: "killing 207 people", "the death toll rose to",
    unless it counts things: "a storm burst two dams")."""
    if noun in _CONCEPTS:
        return _CONCEPTS[noun]
    after = _CLAUSE_BREAK.split(text[end : end + 80], maxsplit=1)[0]
    for w in _WORDS.findall(after)[:7]:
        if w.lower() in _CONCEPTS:
            return _CONCEPTS[w.lower()]
    if noun and _singular(noun) not in _PEOPLE and _NOUN_GROUPS.get(noun) not in _HUMAN:
        return ""
    before = _CLAUSE_BREAK.split(text[max(0, start - 150) : start])[-1]
    for w in reversed(_WORDS.findall(before)[-20:]):
        if w.lower() in _CONCEPTS:
            return _CONCEPTS[w.lower()]
    return ""


def _money_head(text: str, start: int, end: int) -> str:
    """The noun an amount measures: right after it ("a $1.8bn hit", "$40 billion trade deal"), its
    "of" complement ("$21 billion of securities"), or the noun before "of"/"worth" ("a loss of
    $1.8 billion", "bonds worth $21 billion"); "" when none is clear."""
    after = re.match(r"\s+(?:worth\s+of\s+|of\s+)?([a-z]{3,})(?:\s+([a-z]{3,}))?\b", text[end : end + 40])
    if after and after.group(1) not in _NOUN_STOP and after.group(1) not in _CONTEXT_STOP:
        second = after.group(2)
        if second and second not in _NOUN_STOP and second not in _CONTEXT_STOP and not second.endswith("ed") \
                and after.group(1) not in ("worth",):
            return _stem(second)  # "$40 billion trade deal": the deal
        if after.group(1) != "worth":
            return _stem(after.group(1))
    before = re.search(r"\b([a-z]{3,})\s+(?:of|worth|at|totall?ing|valued\s+at|(?:is|was|are|were)\s+worth)\s+"
                       r"(?:(?:about|around|nearly|some|up\s+to|more\s+than|almost|roughly|an\s+estimated)\s+)?$",
                       text[max(0, start - 50) : start])
    if before and before.group(1) not in _NOUN_STOP:
        return _stem(before.group(1))
    return ""


def _label(text: str, start: int) -> bool:
    """A number that is part of a name: "Chang'e-5", "Luna 24", "Chapter 11", "Covid-19"."""
    m = re.search(r"([A-Za-z][\w'’.]*)([\s-])$", text[max(0, start - 30) : start])
    if not m:
        return False
    word = m.group(1)
    if not word[0].isupper() or word.lower().rstrip(".") in _MONTHS | _WEEKDAYS | _NOT_NAMES:
        return False
    if m.group(2) == "-":
        return True
    first = not text[: start - len(m.group(0))].strip(" \"“'‘(")
    return not first or word.lower() in ("chapter", "article", "section", "flight", "route", "level", "phase")


@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[Quantity, ...]:
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _CLOCK.finditer(text):
        if m.group("h") is not None:
            value = _minutes(int(m.group("h")), int(m.group("m")), m.group("ap"))
        elif m.group("h2") is not None:
            value = _minutes(int(m.group("h2")), 0, m.group("ap2"))
        else:
            value = _minutes(int(m.group("h3")), int(m.group("m3")), None)
        start = m.start()
        lead = _TIME_BOUND.search(text[max(0, start - 40) : start])
        bound = ""
        if lead and re.search(r"around|about|shortly|just|approximately|roughly|nearly|some", lead.group(), re.I):
            bound = "~"
        ampm = bool(m.group("ap") or m.group("ap2")) or m.group("h3") is not None or int(m.group("h") or 0) > 12
        out.append(Quantity(value, "time", "" if ampm else "12h", start, m.end(), bound,
                            _context(text, start, m.end())))
        taken.append((m.start(), m.end()))
    for m in _DATE.finditer(text):
        if _DATELINE_AFTER.match(text, m.end()):
            continue  # "COLOMBO, April 21 (Reuters) -": the dateline, not a fact's date
        month = _MONTH_INDEX[(m.group("mon") or m.group("mon2"))[:3].lower()]
        day = int(m.group("d") or m.group("d2"))
        if not 1 <= day <= 31:
            continue
        out.append(Quantity(float(month * 31 + day), "date", "", m.start(), m.end(), "",
                            _context(text, m.start(), m.end(), 6, clause=False),
                            written_unit=m.group("y") or m.group("y2") or ""))
        taken.append((m.start(), m.end()))
    for m in _FRACTION_POINT.finditer(text):
        value = {"half": 0.5, "quarter": 0.25}.get(m.group("f").lower().split()[-1].split("-")[-1], 0.75)
        out.append(Quantity(value, "points", "", m.start(), m.end(), "", _context(text, m.start(), m.end())))
        taken.append((m.start(), m.end()))
    for m in _ORDINAL.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or text[m.start() - 1 : m.start()] == "-":
            continue
        value = _ORDINAL_WORDS[m.group("w").lower()] if m.group("w") else int(m.group("n"))
        out.append(Quantity(float(value), "ordinal", "", m.start(), m.end("adj") if m.group("adj") else
                            m.end("w") if m.group("w") else m.end("n") + 2, "", _context(text, m.start(), m.end()),
                            noun=_stem(m.group("noun"))))
        taken.append((m.start(), m.end()))
    for m in _NUMBER.finditer(text):
        num_start = m.start("num")
        if any(s <= num_start < e for s, e in taken):
            continue
        q = _quantity(text, m)
        if q is not None:
            out.append(q)
            taken.append((q.start, q.end))
    for m in _VAGUE_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        low, high = _VAGUE[m.group("word").lower()]
        if m.group("tens"):
            low, high = (low * (10 if m.group("tens").lower() == "tens" else 100),
                         high * (10 if m.group("tens").lower() == "tens" else 100))
        noun, word = _counted_noun(text, m.end())
        concept = _concept(text, m.start(), m.end(), word)
        out.append(Quantity(low, "count", "", m.start(), m.end(), "~", _context(text, m.start(), m.end()), high,
                            noun=noun, concept=concept, head=word, approximate=True))
    out.sort(key=lambda q: q.start)
    return tuple(_drop_conversions(text, out))


def _drop_conversions(text: str, found: list[Quantity]) -> list[Quantity]:
    """A quantity in brackets right after another is its conversion: "200 km (124 miles)",
    "1:59 a.m. (1759 GMT)"; it is left out."""
    out: list[Quantity] = []
    for q in found:
        if out and re.fullmatch(r"\s*\(\s*", text[out[-1].end : q.start]) and q.kind == out[-1].kind:
            continue
        out.append(q)
    return out


def _quantity(text: str, m: re.Match) -> Quantity | None:
    raw = m.group("num")
    num_start, num_end = m.start("num"), m.end("num")
    start = m.start("cur") if m.group("cur") else num_start
    end = m.end()
    if re.match(r"/\d|\s*\d+/\d", text[num_end:]) and not m.group("frac") or text[num_start - 1 : num_start] == "/":
        return None  # a fraction or date written with slashes: not read
    if re.match(r"(?:st|nd|rd|th)\b", text[num_end:]):
        return None  # an ordinal
    age = re.match(r"[\s-](?P<u>year|month|week|day)s?[\s-]old\b", text[end:], re.I)
    if age or re.search(r"\b(?:aged|age\s+of|ages\s+of)\s+$", text[max(0, start - 12) : start], re.I):
        value = float(raw.replace(",", "")) if raw[0].isdigit() else (_word_value(raw) or 0.0)
        age_scale = (m.group("scale") or "").strip().lower()
        if age_scale not in ("m", "k", "b") or m.group("cur"):  # as below: "70km" has no scale
            value *= _SCALES.get(age_scale, 1.0)  # "3.8 billion years old"
        if age:
            value /= {"year": 1, "month": 12, "week": 52, "day": 365}[age.group("u").lower()]
            end += age.end()
        return Quantity(value, "age", "", start, end, "", _context(text, start, end, 6, clause=False))
    if _label(text, start if not m.group("bound") else num_start):
        return None
    if raw[0].isdigit():
        value = float(raw.replace(",", ""))
        decimals = len(raw.split(".")[1]) if "." in raw else 0
    else:
        word = _word_value(raw)
        if word is None:
            return None
        if word == 1 and re.match(r"\s+(?:of|another|side|way|day|after|by|more|in)\b", text[num_end:], re.I):
            return None  # "one of the", "one another", "one day": not a count
        value, decimals = word, 0
    frac = (m.group("frac") or "").strip().lower()
    if frac:
        value += {"and a half": 0.5, "1/2": 0.5, "½": 0.5, "1/4": 0.25, "¼": 0.25, "3/4": 0.75, "¾": 0.75,
                  "1/3": 1 / 3, "2/3": 2 / 3}.get(re.sub(r"\s+", " ", frac), 0.0)
        decimals = max(decimals, 1)
    scale = (m.group("scale") or "").strip().lower()
    cur = (m.group("cur") or "").lower()
    if scale in ("m", "k", "b") and not cur:
        scale, end = "", m.end("frac") if m.group("frac") else num_end  # "70km": not a scale
    factor = _SCALES.get(scale, 1.0)
    value *= factor
    step = (10.0 ** -decimals) * factor if decimals else 0.0
    bound = _BOUNDS.get(re.sub(r"\s+", " ", (m.group("bound") or "").strip().lower()), "")
    if m.group("bound") and bound:
        start = m.start("bound")
    elif re.search(r"\b(?:exceeded|topped|passed|surpassed)\s+$", text[max(0, start - 15) : start], re.I):
        bound = ">"
    if not m.group("bound"):
        lead = re.search(r"\b(" + "|".join(sorted(_BOUNDS, key=len, reverse=True)) + r")\s+(?:of\s+)?$",
                         text[max(0, start - 25) : start], re.I)
        if lead and re.fullmatch(r"(?:some|about|around)", lead.group(1), re.I) is None:
            bound = _BOUNDS.get(lead.group(1).lower(), "")
    kind: str = "number"
    unit = ""
    written = ""
    noun = concept = head = ""
    high: float | None = None
    range_m = re.match(r"\s*(?:-|–|to)\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d|[.,]\d)(\s?(?:thousand|million|"
                       r"billion|bn|mn)\b)?", text[end:], re.I)
    if range_m and raw[0].isdigit():
        high = float(range_m.group(1).replace(",", "")) * _SCALES.get((range_m.group(2) or "").strip().lower(), factor)
        end += range_m.end()
    attached = _ATTACHED.match(text, num_end) if not scale and not frac else None
    attached_unit = attached.group().lower() if attached else ""
    if attached_unit in ("c", "f") and not cur:
        value = (value - 32) * 5 / 9 if attached_unit == "f" else value  # "47C"
        return Quantity(value, "temperature", "c", start, attached.end(), bound,  # type: ignore[union-attr]
                        _context(text, start, attached.end()), written_unit=attached_unit)  # type: ignore[union-attr]
    if attached_unit and not re.fullmatch(r"km|kg|mm|cm|m|ft|lb|mph|kmh|kph|km/h|t|mi|bn|mn|k|b|gw|mw|kw",
                                          attached_unit):
        return None  # "Covid19", "F16", "5G": a name
    multi, multi_name = None, ""
    for pattern, name in _MULTI_UNITS:
        multi = pattern.match(text, end)
        if multi:
            multi_name = name
            break
    after = _AFTER.match(text, end)
    following = (after.group("unit").lower().rstrip(".") if after else "")
    if attached_unit in ("km", "kg", "mm", "cm", "m", "ft", "lb", "mph", "kmh", "kph", "km/h", "t", "mi"):
        following, after_end = attached_unit, attached.end()  # type: ignore[union-attr]
        if following == "mi":
            following = "mile"
    else:
        after_end = after.end() if after else end
    if cur:
        kind, unit = "money", _CURRENCY_SIGNS[cur]
    elif (cw := re.match(r"\s+(?:(US|U\.S\.)|[A-Z][a-z]+)\s+(dollars?|francs|pounds|rupees|yuan|yen|euros|"
                         r"pesos|riyals|dirhams|rand|won|lira)\b", text[end:])):
        word = cw.group(2).lower()
        unit = "USD" if cw.group(1) else text[end:].split()[0].lower() + " " + word
        kind, end = "money", end + cw.end()
    elif following in _CURRENCY_WORDS and not (following in ("pound", "pounds") and re.search(
            r"\b(?:weigh|weighing|weighed|heavy)\b", text[max(0, start - 30) : start + 40])):
        kind, unit, end = "money", _CURRENCY_WORDS[following], after_end
    elif multi:
        what = multi.group(1).lower() if multi.lastindex else ""
        end = multi.end()
        if multi_name in ("area", "volume", "temperature"):
            kind = multi_name  # type: ignore[assignment]
            if multi_name == "area":
                key = next(k for k in _AREA if what.startswith(k[:4]) or what == k)
                unit, value, step, written = "m2", value * _AREA[key], step * _AREA[key], f"{_AREA[key]:g}"
            elif multi_name == "volume":
                key = next(k for k in _VOLUME if what.startswith(k[:4]))
                unit, value, step, written = "m3", value * _VOLUME[key], step * _VOLUME[key], f"{_VOLUME[key]:g}"
            else:
                if what.startswith("f"):
                    value, step, written = (value - 32) * 5 / 9, step * 5 / 9, "f"
                else:
                    written = "c"
                unit = "c"
        elif multi_name == "points":
            kind = "points"
        elif multi_name == "basis":
            kind, value, step = "points", value / 100, step / 100
        elif multi_name in ("speed_kmh", "speed_mph"):
            f = 1.609 if multi_name == "speed_mph" else 1.0
            kind, unit, value, step, written = "speed", "km/h", value * f, step * f, multi_name
        elif multi_name == "nautical":
            kind, unit, value, step, written = "distance", "m", value * 1852, step * 1852, "nmi"
    elif following.replace(" ", "") in ("percent", "%"):
        kind, end = "percent", after_end
    elif following in _AREA_WORDS:
        f = _AREA_WORDS[following]
        kind, unit, value, step, written, end = "area", "m2", value * f, step * f, f"{f:g}", after_end
    elif _singular(following) in _UNIT_WORDS or following in _UNIT_WORDS:
        unit_word = following if following in _UNIT_WORDS else _singular(following)
        what_kind, f = _UNIT_WORDS[unit_word]
        if what_kind == "mass" and unit_word in ("t", "g") and not attached_unit:
            pass  # "5 t" alone is rare; "g" likely something else
        else:
            kind = what_kind  # type: ignore[assignment]
            unit = {"duration": "hour", "distance": "m", "mass": "kg", "volume": "m3", "speed": "km/h"}[what_kind]
            value, step, written, end = value * f, step * f, f"{f:g}", after_end
            if high is not None:
                high *= f
    elif re.match(r"[\s-]*(?:magnitude|-magnitude)\b", text[end:], re.I) or re.search(
            r"\bmagnitude(?:\s+of)?\s*-?\s*$", text[max(0, start - 20) : start], re.I):
        kind = "magnitude"
        step = step or 1.0  # "magnitude 7" is written to one digit
        if re.match(r"[\s-]*magnitude", text[end:], re.I):
            end += re.match(r"[\s-]*magnitude", text[end:], re.I).end()  # type: ignore[union-attr]
    elif raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and not scale:
        kind = "year"
    elif _date_number(text, start, num_end, raw):
        return None  # a day of the month ("May 25", "25 March"): the `detail` detector's
    else:
        noun, word = _counted_noun(text, end)
        concept = _concept(text, start, end, word)
        if noun or concept:
            kind, head = "count", word
    if high is None and kind in ("money", "percent"):
        again = re.match(r"\s*(?:-|–|to)\s*(?:US\$|[$€£¥])?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d|[.,]\d)"
                         r"(\s?(?:thousand|million|billion|trillion|bn|mn|m)\b)?\s?(%|percent\b|per cent\b)?",
                         text[end:], re.I)
        signed = kind == "money" and re.match(r"\s*(?:-|–|to)\s*(?:US\$|[$€£¥])", text[end:])
        if again and (signed or again.group(3)):
            high = float(again.group(1).replace(",", "")) * _SCALES.get((again.group(2) or "").strip().lower(), factor)
            end += again.end()  # "4.50% to 4.75%", "$5bn to $6bn"
    if kind == "duration" and high is None:
        more = re.match(r"\s+and\s+(\d+|" + _WORD_NUMBER + r")\s+(minute|second|hour)s?\b", text[end:], re.I)
        if more:
            extra = float(more.group(1)) if more.group(1).isdigit() else (_word_value(more.group(1)) or 0.0)
            value += extra * _UNIT_WORDS[more.group(2).lower()][1]  # "one hour and 45 minutes"
            written = f"{_UNIT_WORDS[more.group(2).lower()][1]:g}"
            end += more.end()
    if kind == "money":
        head = _money_head(text, start, end)
    if kind == "money" or kind == "count":
        rate = re.match(r"\s*(?:a|per|each|every)\s+(day|week|month|year|hour)\b|\s*(daily|annually|monthly|weekly)\b",
                        text[end:], re.I)
        if rate:
            unit += "/" + (rate.group(1) or {"daily": "day", "annually": "year", "monthly": "month",
                                             "weekly": "week"}[rate.group(2).lower()]).lower()
    return Quantity(value, kind, unit, start, end, bound, _context(text, start, end), high, step, written, noun,
                    concept, head)


def _date_number(text: str, start: int, end: int, raw: str) -> bool:
    if not raw.isdigit() or int(raw) > 31:
        return False
    before = re.search(r"([A-Za-z]+)\.?\s+$", text[max(0, start - 12) : start])
    after = re.match(r"\s+(?:of\s+)?([A-Za-z]+)", text[end : end + 14])
    return bool(before and before.group(1).lower() in _MONTHS or after and after.group(1).lower() in _MONTHS)


def quantities(text: str) -> list[Quantity]:
    """The quantities of one sentence, in order."""
    return list(_read(text))


def consistent(a: Quantity, b: Quantity) -> bool:
    """The same value, however written ("two hours" / "2 hours", "$5bn" / "5 billion dollars",
    "$5.61 billion" / "about $5.6bn", "125 miles" / "200 km", "hundreds" / "450").

    A bound does not make two figures the same: "more than 200" against "207", or "at least
    192", is a difference a reader should see (the framing guide counts it), not agreement."""
    if a.kind == "time" and b.kind == "time":
        diff = abs(a.value - b.value) % 1440
        diff = min(diff, 1440 - diff)
        if "12h" in (a.unit, b.unit):
            diff = min(diff, abs(diff - 720))
        return diff <= (15 if a.bound or b.bound else 0)
    if a.kind == "date" and b.kind == "date":
        return a.value == b.value and (not a.written_unit or not b.written_unit or a.written_unit == b.written_unit)
    if a.approximate or b.approximate:
        if a.approximate and b.approximate:
            return True  # two vague counts: no figure to set against the other
        vague, exact = (a, b) if a.approximate else (b, a)
        hi = vague.high if vague.high is not None else vague.value
        top = exact.high if exact.high is not None else exact.value
        return vague.value * 0.8 <= exact.value and top <= hi * 1.25 or exact.bound == ">" and exact.value <= hi
    if a.high is not None or b.high is not None:
        lo_a, hi_a = a.value, a.high if a.high is not None else a.value
        lo_b, hi_b = b.value, b.high if b.high is not None else b.value
        return _close(lo_a, lo_b, a, b) and _close(hi_a, hi_b, a, b)
    return _close(a.value, b.value, a, b)


def _close(x: float, y: float, a: Quantity, b: Quantity) -> bool:
    if abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0):
        return True
    coarse = max(a.step, b.step)
    if coarse and abs(x - y) <= 0.5 * coarse * (1 + 1e-9):
        return True  # "$5.61 billion" / "$5.6bn": the same figure rounded
    if a.written_unit != b.written_unit and a.written_unit and b.written_unit:
        # Another unit: a conversion or a rounding to it ("125 miles" / "200 km", "53-day" / "seven-week").
        coarser = max(float(a.written_unit), float(b.written_unit)) if _numeric(a.written_unit, b.written_unit) else 0
        return abs(x - y) <= max(0.02 * max(abs(x), abs(y)), 0.6 * coarser)
    return False


def _numeric(*units: str) -> bool:
    return all(re.fullmatch(r"[\d.e+-]+", u) for u in units)


# The `number` detector.
_COMPARABLE = {"money": 0.9, "percent": 0.9, "points": 0.9, "duration": 0.85, "mass": 0.85, "distance": 0.85,
               "area": 0.85, "volume": 0.85, "speed": 0.8, "temperature": 0.8, "magnitude": 0.85, "count": 0.85,
               "time": 0.75, "date": 0.8, "age": 0.85, "ordinal": 0.8}
_KIND_WORD = {"money": "amount", "percent": "percentage", "points": "percentage points", "duration": "duration",
              "mass": "weight", "distance": "distance", "area": "area", "volume": "volume", "speed": "speed",
              "temperature": "temperature", "magnitude": "magnitude", "count": "count", "time": "time",
              "date": "date", "age": "age", "ordinal": "rank"}


def same_quantity(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities of two outlets' sentences measure the same thing (module docstring):
    the same kind and unit, and for counts the same event or the same counted noun, for the
    others words in common around them and no conflicting measured noun."""
    if a.key != b.key or a.kind not in _COMPARABLE:
        return False
    if a.kind == "count":
        if a.concept and b.concept:
            return a.concept == b.concept and _nouns_agree(a.noun, b.noun)
        if not a.noun or not b.noun or a.noun != b.noun:
            return False
        if a.approximate or b.approximate:
            return True
        # "1,000 homes" / "1,200 houses": the same things counted; people need more in common
        # ("a minority of 1.5 million people" / "Sri Lanka's 22 million people").
        return _near(a, b) and (a.noun not in _HUMAN or bool(a.context & b.context - _WEAK))
    if a.kind == "money" and _heads_differ(a, b):
        return False  # "$1.8bn hit" / "bonds worth $21bn": different things measured
    if a.kind == "ordinal":
        return bool(a.noun) and a.noun == b.noun
    return bool(a.context & b.context - _WEAK) and _near(a, b)


def _nouns_agree(x: str, y: str) -> bool:
    """Counted nouns that may name the same people: equal, or one generic ("people")."""
    return not x or not y or x == y or "person" in (x, y) and (x in _HUMAN and y in _HUMAN)


def _near(a: Quantity, b: Quantity) -> bool:
    """Values within a factor of five: further apart, two figures rarely measure one thing."""
    x, y = abs(a.value), abs(b.value)
    return a.kind in ("time", "date", "ordinal", "age") or min(x, y) * 5 >= max(x, y)


def _agrees(q: Quantity, others: Sequence[Quantity]) -> bool:
    """A value of the other side's for what may be the same quantity equals this one, or several
    of theirs add up to it ("three counts" / "two counts of murder and one of manslaughter")."""
    others = [o for o in others if _compatible(q, o) and (q.approximate or not o.approximate)]
    if any(consistent(q, o) for o in others):
        return True
    parts = [o for o in others if o.kind == "count" and q.kind == "count" and o.noun and o.noun == q.noun]
    return len(parts) >= 2 and abs(sum(o.value for o in parts) - q.value) < 1e-9


def _compatible(a: Quantity, b: Quantity) -> bool:
    """Not known to measure different things (different events, nouns or measured nouns)."""
    if a.concept and b.concept and a.concept != b.concept:
        return False
    if a.kind == "count" and a.noun and b.noun and not _nouns_agree(a.noun, b.noun):
        return False
    return not (a.kind == "money" and _heads_differ(a, b))


def _heads_differ(a: Quantity, b: Quantity) -> bool:
    """Two amounts name what they measure differently, and neither side's word for it is near the
    other's figure ("trade worth $40bn" / "the trade it covers at $35bn" measure one thing)."""
    if not a.head or not b.head or a.head == b.head:
        return False
    return _stem(a.head) not in b.context and _stem(b.head) not in a.context


def _side(doc: Document, indices: Sequence[int]) -> list[tuple[int, Quantity]]:
    return [(i, q) for i in indices for q in quantities(doc.sentences[i].compare_text) if q.kind in _COMPARABLE]


def _describe(q: Quantity) -> str:
    if q.kind == "count" and q.concept:
        return "number " + _CONCEPT_WORDS[q.concept]
    if q.kind == "count" and q.noun:
        return f"number of {q.head or q.noun}"
    return _KIND_WORD[q.kind]


def detect(a: Document, b: Document, link: Link) -> Finding | None:
    """Both sides give a value for the same quantity (`same_quantity`) and neither value equals
    one the other side gives for it ("two hours" = "2 hours"; "more than 200" / "207" differ)."""
    side_a, side_b = _side(a, link.a), _side(b, link.b)
    best: tuple[float, int, Quantity, int, Quantity] | None = None
    for ia, qa in side_a:
        for ib, qb in side_b:
            if not same_quantity(qa, qb):
                continue
            if _agrees(qa, [q for _, q in side_b if q.key == qa.key]) or _agrees(
                    qb, [q for _, q in side_a if q.key == qb.key]):
                continue  # the two agree on this quantity somewhere
            score = (2.0 if qa.concept and qa.concept == qb.concept else 1.0) + len(qa.context & qb.context) / 10
            if best is None or score > best[0]:
                best = (score, ia, qa, ib, qb)
    if best is None:
        return None
    _, ia, qa, ib, qb = best
    text_a = a.sentences[ia].compare_text[qa.start : qa.end]
    text_b = b.sentences[ib].compare_text[qb.start : qb.end]
    caution = translation_caution(a, ia, qa.start, qa.end) or translation_caution(b, ib, qb.start, qb.end)
    confidence = _COMPARABLE[qa.kind] * (0.75 if qa.approximate or qb.approximate else 1.0)
    return Finding(
        type="number",
        a=link.a,
        b=link.b,
        a_spans=(Span(ia, qa.start, qa.end),),
        b_spans=(Span(ib, qb.start, qb.end),),
        summary=f"{a.label} says {text_a}, {b.label} says {text_b} ({_describe(qa)})",
        confidence=round(confidence * (0.6 if caution else 1.0), 4),
        caution=caution,
    )
