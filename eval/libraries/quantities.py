"""Measure quantulum3, number-parser and word2number against our hand-written quantity reader
(compare/framing/numbers.py) on the dev set and the enrichment pairs. A measurement, not a change:
numbers.py is never edited; variants patch its module globals for the length of one score() run.

    .venv-libs/bin/python eval/libraries/quantities.py

1. Component level: every distinct sentence (compare_text) of the dev cases and enrichment pairs.
   - quantulum3 `parser.parse` against all our values (numbers as written: scale words applied,
     unit conversions undone; clock times and dates as the digits they are written with; a range
     as both ends, quantulum3's value +- uncertainty likewise; a vague count "dozens" as its low end).
   - number_parser `parse` against our values read from number words: the numbers that appear in
     parse()'s output and were not already digits in the input, against our quantities whose span
     holds a number word.
   - word2number `w2n.word_to_num` and number_parser `parse_number` on number-word spans (maximal
     runs of zero..ninety, hundred, thousand, million, billion, dozen, joined by spaces, hyphens or
     "and"; a scale word right after a digit, as in "80 million", is not a span) against our values
     read from number words.
2. Detector level: variants of the `number` detector, scored with common.score on dev and enrich.
3. Cost: import time (fresh subprocess, minus `python -c pass`, median of 3) and ms per sentence.

quantulum3 runs without its unit classifier: its shipped clf.joblib does not load under the
installed scikit-learn, and retraining it needs the `stemming` package, which is not installed;
the script prints the load error. quantulum3 then uses its documented no-classifier fallback.
The held-out test split is never read (common.cases() reads dev and enrichment only).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, cases, row, score  # noqa: E402
from findings_eval import enrich_labelled, labelled  # noqa: E402

from compare.framing import DETECTORS  # noqa: E402
from compare.framing import numbers as N  # noqa: E402

import quantulum3.classifier as q3clf  # noqa: E402
from quantulum3 import parser as q3parser  # noqa: E402
from number_parser import parse as np_parse, parse_number  # noqa: E402
from word2number import w2n  # noqa: E402

assert DETECTORS["number"].detect is N.detect

# --- quantulum3 classifier ------------------------------------------------------------------------
try:
    q3parser.parse("It weighs 5 pounds.")
    Q3_MODE = "with its classifier"
except Exception as e:  # noqa: BLE001
    Q3_MODE = f"WITHOUT its classifier (clf.joblib failed to load: {type(e).__name__}: {e})"
    q3clf.USE_CLF = False

# --- the sentences --------------------------------------------------------------------------------
CASES = cases()
SENTENCES: list[tuple[str, str]] = []  # (part, text)
_seen = set()
for _pid, _a, _b, _links in CASES:
    for _d in (_a, _b):
        for _s in _d.sentences:
            if _s.compare_text not in _seen:
                _seen.add(_s.compare_text)
                SENTENCES.append(("enrich" if _pid.startswith("enrich__") else "dev", _s.compare_text))

# --- values as written ----------------------------------------------------------------------------
_VOCAB_UNITS = list(N._UNITS) + list(N._TENS)
_SCALE_WORDS = ["hundred", "thousand", "million", "billion"]
_W = r"(?:" + "|".join(sorted(_VOCAB_UNITS + _SCALE_WORDS + ["dozen"], key=len, reverse=True)) + r")"
_AND = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))\s+and\s+"  # "two hundred and five"
_WORD_SPAN = re.compile(r"\b" + _W + r"(?:(?:[\s-]+|" + _AND + r")" + _W + r")*\b", re.I)
_HAS_WORD = re.compile(r"\b(?:" + _W[3:-1] + "|" + "|".join(N._ORDINAL_WORDS) + r"|first)\b", re.I)
_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def _r(x: float) -> float:
    return float(f"{x:.4g}")  # 4 significant digits: "one second" is 1/3600 h, undone with rounding


def _digits(s: str) -> list[float]:
    return [float(d.replace(",", "")) for d in _DIGITS.findall(s)]


def ours_written(q: N.Quantity, text: str) -> list[float]:
    """Our quantity's numbers as written (scale applied, unit conversion undone)."""
    span = text[q.start : q.end]
    if q.kind in ("time", "date"):
        return _digits(span)
    w = q.written_unit
    f = 1.0
    if q.kind == "temperature" and w == "f":
        return [_r(q.value * 9 / 5 + 32)]
    if w == "speed_mph":
        f = 1.609
    elif w == "nmi":
        f = 1852.0
    elif q.kind == "points" and "basis" in span.lower():
        f = 0.01
    elif w and re.fullmatch(r"[\d.e+-]+", w):
        f = float(w)
    vals = [q.value / f]
    if q.high is not None and not q.approximate:
        vals.append(q.high / f)
    return [_r(v) for v in vals]


def ours_values(text: str) -> set[float]:
    return {v for q in N._read.__wrapped__(text) for v in ours_written(q, text)}


def ours_word_values(text: str) -> set[float]:
    """Our values read from quantities whose span holds a number word or an ordinal word (what
    number_parser.parse rewrites)."""
    return {v for q in N._read.__wrapped__(text) if q.kind not in ("time", "date")
            and _HAS_WORD.search(text[q.start : q.end]) for v in ours_written(q, text)}


def ours_span_values(text: str) -> set[float]:
    """Our values read from quantities that overlap a number-word span (what w2n / parse_number get)."""
    spans = word_spans(text)
    return {v for q in N._read.__wrapped__(text) if q.kind not in ("time", "date")
            and any(s < q.end and q.start < e for s, e, _ in spans) for v in ours_written(q, text)}


def q3_parse(text: str) -> list:
    try:
        return q3parser.parse(text)
    except Exception:  # noqa: BLE001
        return []


def q3_number(q) -> float:
    return q.value * 12 if q.unit.name == "dozen" else q.value


def q3_values(text: str) -> set[float]:
    out = set()
    for q in q3_parse(text):
        v = q3_number(q)
        if q.uncertainty:
            out |= {_r(v - q.uncertainty), _r(v + q.uncertainty)}
        else:
            out.add(_r(v))
    return out


def np_word_values(text: str) -> set[float]:
    try:
        parsed = np_parse(text)
    except Exception:  # noqa: BLE001
        return set()
    extra = Counter(_r(v) for v in _digits(parsed)) - Counter(_r(v) for v in _digits(text))
    return set(extra)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _WORD_SPAN.finditer(text):
        first = m.group().lower().replace("-", " ").split()[0]
        if first in _SCALE_WORDS and re.search(r"\d\s*$", text[: m.start()]):
            continue  # "80 million": digits with a scale word, not a number written in words
        out.append((m.start(), m.end(), m.group()))
    return out


def w2n_value(s: str) -> float | None:
    try:
        return float(w2n.word_to_num(s))
    except Exception:  # noqa: BLE001
        return None


def pn_value(s: str) -> float | None:
    try:
        v = parse_number(s)
    except Exception:  # noqa: BLE001
        return None
    return float(v) if v is not None else None


def span_values(text: str, fn) -> set[float]:
    return {_r(v) for _, _, s in word_spans(text) if (v := fn(s)) is not None}


# --- 1. component level ---------------------------------------------------------------------------
def _short(text: str, n: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _fmt(vals: set[float]) -> str:
    return "{" + ", ".join(f"{v:g}" for v in sorted(vals)) + "}"


def compare_sets(name: str, ours_fn, lib_fn, n_examples: int = 4) -> None:
    counts = Counter()
    examples: dict[str, list[tuple[int, str, set, set]]] = {"ours only": [], "library only": [], "both differ": []}
    for part, text in SENTENCES:
        o, lib = ours_fn(text), lib_fn(text)
        if not o and not lib:
            counts["neither finds a value"] += 1
            continue
        if o == lib:
            counts["agree (same set)"] += 1
            continue
        key = "ours only" if lib < o else "library only" if o < lib else "both differ"
        counts[key] += 1
        examples[key].append((len(text), text, o - lib, lib - o))
    total = len(SENTENCES)
    print(f"\n  {name}  ({total} sentences)")
    print("    " + "  ".join(f"{k}: {counts[k]}" for k in ("agree (same set)", "neither finds a value", "ours only",
                                                           "library only", "both differ")))
    print("    (ours only: ours finds values the library misses and nothing else differs; library only: the"
          " reverse; both differ: each has values the other lacks)")
    for key, exs in examples.items():
        exs.sort(key=lambda e: e[0])
        # spread the examples: the shortest few, not all from one pair
        for _, text, only_o, only_l in exs[:n_examples]:
            print(f"    [{key}] ours-only {_fmt(only_o)} lib-only {_fmt(only_l)} :: {_short(text)}")


def component_level() -> None:
    print("=" * 100)
    print("1. COMPONENT LEVEL: values per sentence, ours vs library (dev + enrich sentences)")
    print(f"   quantulum3 runs {Q3_MODE}")
    compare_sets("quantulum3 parser.parse  vs  all our values", ours_values, q3_values)
    compare_sets("number_parser parse (numbers it wrote from words)  vs  our number-word values", ours_word_values,
                 np_word_values)
    compare_sets("number_parser parse_number on number-word spans  vs  our values over those spans", ours_span_values,
                 lambda t: span_values(t, pn_value))
    compare_sets("word2number word_to_num on number-word spans  vs  our values over those spans", ours_span_values,
                 lambda t: span_values(t, w2n_value))
    # Span-level view of the number-word spans: one line per library.
    spans = [(t, s, e, w) for _, t in SENTENCES for s, e, w in word_spans(t)]
    print(f"\n  number-word spans: {len(spans)} in {len({t for t, *_ in spans})} sentences; per span, the library"
          " value against ours (our quantity overlapping the span):")
    for name, fn in (("word2number", w2n_value), ("number_parser.parse_number", pn_value),
                     ("quantulum3 (quantity overlapping span)", None)):
        c = Counter()
        for t, s, e, w in spans:
            ours = [q for q in N._read.__wrapped__(t) if q.start < e and s < q.end and q.kind not in ("time", "date")]
            ov = {v for q in ours for v in ours_written(q, t)}
            if fn is None:
                lv = {_r(v) for q in q3_parse(t) if q.span[0] < e and s < q.span[1] for v in [q3_number(q)]}
                lv = lv or None
            else:
                v = fn(w)
                lv = {_r(v)} if v is not None else None
            if not ov and lv is None:
                c["neither"] += 1
            elif not ov:
                c["library only"] += 1
            elif lv is None:
                c["ours only"] += 1
            elif lv & ov:
                c["agree"] += 1
            else:
                c["differ"] += 1
        print(f"    {name:<40} " + "  ".join(f"{k}: {c[k]}" for k in ("agree", "differ", "ours only", "library only",
                                                                       "neither")))


# --- 2. detector level ----------------------------------------------------------------------------
_ORIG_QUANTITIES = N.quantities
_ORIG_DETECT = N.detect


@contextlib.contextmanager
def patched(**attrs):
    old = {k: getattr(N, k) for k in attrs}
    N._read.cache_clear()
    for k, v in attrs.items():
        setattr(N, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(N, k, v)
        N._read.cache_clear()


_Q3_UNITS = {  # quantulum3 unit name -> (our kind, factor to our base unit, our unit)
    **{u: ("duration", N._UNIT_WORDS[u][1], "hour") for u in ("second", "minute", "hour", "day", "week", "month",
                                                               "year", "decade", "century")},
    "kilometre": ("distance", 1000.0, "m"), "metre": ("distance", 1.0, "m"), "mile": ("distance", 1609.344, "m"),
    "foot": ("distance", 0.3048, "m"), "centimetre": ("distance", 0.01, "m"), "millimetre": ("distance", 0.001, "m"),
    "inch": ("distance", 0.0254, "m"), "yard": ("distance", 0.9144, "m"), "nautical mile": ("distance", 1852.0, "m"),
    "kilogram": ("mass", 1.0, "kg"), "tonne": ("mass", 1000.0, "kg"), "ton": ("mass", 1000.0, "kg"),
    "pound-mass": ("mass", 0.4536, "kg"), "gram": ("mass", 0.001, "kg"),
    "litre": ("volume", 0.001, "m3"), "barrel": ("volume", 0.159, "m3"), "gallon": ("volume", 0.003785, "m3"),
    "cubic metre": ("volume", 1.0, "m3"), "cubic foot": ("volume", 0.02832, "m3"),
    "square kilometre": ("area", 1e6, "m2"), "square mile": ("area", 2.59e6, "m2"), "square metre": ("area", 1.0, "m2"),
    "hectare": ("area", 1e4, "m2"), "acre": ("area", 4046.86, "m2"),
    "kilometre per hour": ("speed", 1.0, "km/h"), "mile per hour": ("speed", 1.609, "km/h"),
    "knot": ("speed", 1.852, "km/h"),
    "percentage": ("percent", 1.0, ""), "basis point": ("points", 0.01, ""),
}
_LEAD_BOUND = re.compile(r"\b(" + "|".join(sorted(N._BOUNDS, key=len, reverse=True)) + r")\s+(?:of\s+)?$", re.I)


def q3_to_ours(text: str, q) -> N.Quantity | None:
    """One quantulum3 quantity as ours: the library gives value, unit and span; our own helpers
    (not value reading) give the bound before it, context words, counted noun, event and money head."""
    start, end = q.span
    uname, ent = q.unit.name, q.unit.entity.name
    value = q3_number(q)
    high = None
    if q.uncertainty:
        value, high = value - q.uncertainty, value + q.uncertainty
    noun = concept = head = written = ""
    unit = ""
    factor = 1.0
    if ent == "currency":
        kind, unit = "money", q.unit.currency_code or uname
    elif uname == "degree Celsius":
        kind, unit, written = "temperature", "c", "c"
    elif uname == "degree fahrenheit":
        kind, unit, written = "temperature", "c", "f"
        value = (value - 32) * 5 / 9
        high = (high - 32) * 5 / 9 if high is not None else None
    elif uname in _Q3_UNITS:
        kind, factor, unit = _Q3_UNITS[uname]
        if kind not in ("percent", "points"):
            written = f"{factor:g}"
    elif ent == "dimensionless":
        surface = text[start:end].strip()
        if re.fullmatch(r"(?:19|20)\d\d", surface):
            kind = "year"
        else:
            kind = "number"
            noun, word = N._counted_noun(text, end)
            concept = N._concept(text, start, end, word)
            if noun or concept:
                kind, head = "count", word
    else:
        return None  # "unknown" entities ("$9.6bn" read as dollar bit newton), angles, currents ...
    value *= factor
    high = high * factor if high is not None else None
    m = re.search(r"\d[\d,]*(?:\.(\d+))?", q.surface)
    step = 0.0
    if m and m.group(1):
        literal = float(m.group().replace(",", ""))
        if literal:
            step = 10.0 ** -len(m.group(1)) * (q3_number(q) / literal) * factor
    bound = ""
    lead = _LEAD_BOUND.search(text[max(0, start - 25) : start])
    if lead:
        bound = N._BOUNDS.get(re.sub(r"\s+", " ", lead.group(1).lower()), "")
    if kind == "money":
        head = N._money_head(text, start, end)
    return N.Quantity(value, kind, unit, start, end, bound, N._context(text, start, end), high, step, written, noun,
                      concept, head)


@lru_cache(maxsize=4096)
def q3_quantities_t(text: str) -> tuple:
    out = [x for q in q3_parse(text) if (x := q3_to_ours(text, q)) is not None]
    out.sort(key=lambda x: x.start)
    return tuple(N._drop_conversions(text, out))


def q3_quantities(text: str) -> list:
    return list(q3_quantities_t(text))


_VALUE_KINDS = {"money", "percent", "points", "count", "number", "duration", "distance", "mass", "area", "volume",
                "speed", "temperature", "magnitude", "year"}


@lru_cache(maxsize=4096)
def q3_values_in_our_spans_t(text: str) -> tuple:
    """Our quantities (spans, kinds, units, nouns ...) with quantulum3's number in place of ours,
    converted by the factor of our unit; dropped where quantulum3 reads no quantity over the span.
    Times, dates, ordinals, ages and vague counts keep ours (quantulum3 has no such reading)."""
    lib = q3_parse(text)
    out = []
    for q in _ORIG_QUANTITIES(text):
        if q.kind not in _VALUE_KINDS or q.approximate:
            out.append(q)
            continue
        over = [x for x in lib if x.span[0] < q.end and q.start < x.span[1]]
        if not over:
            continue
        x = over[0]
        written = ours_written(q, text)[0]
        f = q.value / written if written else 1.0
        if q.kind == "temperature":
            f = 1.0
        v, hi = q3_number(x), None
        if x.uncertainty:
            v, hi = v - x.uncertainty, v + x.uncertainty
        if q.kind == "temperature" and q.written_unit == "f":
            v, hi = (v - 32) * 5 / 9, ((hi - 32) * 5 / 9 if hi is not None else None)
        out.append(N.Quantity(v * f, q.kind, q.unit, q.start, q.end, q.bound, q.context,
                              hi * f if hi is not None else q.high, q.step, q.written_unit, q.noun, q.concept, q.head,
                              q.approximate))
    return tuple(out)


def q3_values_in_our_spans(text: str) -> list:
    return list(q3_values_in_our_spans_t(text))


@lru_cache(maxsize=4096)
def union_t(text: str) -> tuple:
    ours = list(_ORIG_QUANTITIES(text))
    extra = [x for x in q3_quantities_t(text) if not any(x.start < q.end and q.start < x.end for q in ours)]
    return tuple(sorted(ours + extra, key=lambda x: x.start))


def union(text: str) -> list:
    return list(union_t(text))


def _w2n_word(text: str) -> float | None:
    return w2n_value(text)


def _pn_word(text: str) -> float | None:
    return pn_value(text)


_NP_DOCS: dict[int, object] = {}


def _np_doc(doc):
    """The document with every sentence rewritten by number_parser.parse (words -> digits)."""
    if id(doc) not in _NP_DOCS:
        sents = tuple(dataclasses.replace(s, text=np_parse(s.text), translation=(
            np_parse(s.translation) if s.translation is not None else None)) for s in doc.sentences)
        _NP_DOCS[id(doc)] = (doc, dataclasses.replace(doc, sentences=sents))
    return _NP_DOCS[id(doc)][1]


def np_rewrite_detect(a, b, link):
    return _ORIG_DETECT(_np_doc(a), _np_doc(b), link)


VARIANTS = [
    ("shipped (ours)", {}),
    ("w2n for our number words", {"_word_value": _w2n_word}),
    ("np.parse_number for number words", {"_word_value": _pn_word}),
    ("np.parse rewrite, then ours", {"detect": np_rewrite_detect}),
    ("quantulum3 full swap", {"quantities": q3_quantities}),
    ("q3 values in our spans", {"quantities": q3_values_in_our_spans}),
    ("union: ours + q3-only", {"quantities": union}),
]


def _predictions(part: str) -> dict:
    out = {}
    for pid, da, db, links in CASES:
        if pid.startswith("enrich__") != (part == "enrich"):
            continue
        for i, j in links:
            f = N.detect(da, db, N.Link((i,), (j,), 1.0, "strong"))  # N.detect: the patched one
            if f is not None and f.type == "number":
                out[(pid, i, j)] = f.summary
    return out


def detector_level() -> None:
    print("\n" + "=" * 100)
    print("2. DETECTOR LEVEL: the `number` detector with each variant, gold strong links")
    l1 = labelled("l1") | enrich_labelled("l1")
    l2 = labelled("l2") | enrich_labelled("l2")
    both = {k[:3] for k in l1 & l2 if k[3] == "number"}
    either = {k[:3] for k in l1 | l2 if k[3] == "number"}
    changes = []
    for part in ("dev", "enrich"):
        print(f"  -- {part}")
        shipped = None
        for name, attrs in VARIANTS:
            for fn in (q3_quantities_t, q3_values_in_our_spans_t, union_t):
                fn.cache_clear()
            _NP_DOCS.clear()
            with patched(**attrs):
                s = score(N.detect, "number", part)
                preds = _predictions(part)
            print(row(name, s))
            if shipped is None:
                shipped = preds
                continue
            for k in sorted(set(preds) - set(shipped)):
                changes.append(f"    {part} {name}: ADDED ({'labelled' if k in either else 'NOT labelled'}) "
                               f"{k[0]} {k[1]}-{k[2]}: {_short(preds[k], 110)}")
            for k in sorted(set(shipped) - set(preds)):
                changes.append(f"    {part} {name}: LOST ({'gold' if k in both else 'not gold'}) "
                               f"{k[0]} {k[1]}-{k[2]}: {_short(shipped[k], 110)}")
            same = sum(shipped[k] != preds[k] for k in set(shipped) & set(preds))
            if same:
                changes.append(f"    {part} {name}: {same} finding(s) on the same link with another summary (the"
                               " span text as the variant read it: digits for words, no bound 'more than' ...)")
    print("  Findings that differ from the shipped detector's (labelled = either labeller recorded it):")
    print("\n".join(changes) if changes else "    none")
    print("  Swapped: w2n / np.parse_number replace numbers._word_value (the value of a number-word span our regex"
          " found); np.parse rewrite runs the shipped detector on documents whose sentences are number_parser.parse(text); quantulum3 full swap builds every quantity from quantulum3's value,"
          " unit and span (our helpers add bound, context, noun, event, money head; no times, dates, ordinals, ages,"
          " vague counts; 'unknown' units dropped); q3 values in our spans keeps our spans and units and takes"
          " quantulum3's number (drops a quantity quantulum3 does not read); union adds quantulum3 quantities that"
          " overlap none of ours.")


# --- 3. cost --------------------------------------------------------------------------------------
def _import_time(stmt: str) -> float:
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-W", "ignore", "-c", stmt], check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cost() -> None:
    print("\n" + "=" * 100)
    print("3. COST: import (fresh subprocess minus `python -c pass`, median of 3) and extraction per sentence")
    base = _import_time("pass")
    texts = [t for _, t in SENTENCES]
    q3_parse(texts[0])  # quantulum3 loads its unit tables on the first call: warm up before timing
    rows = [
        ("ours (compare.framing.numbers)", "import compare.framing.numbers", lambda t: N._read.__wrapped__(t)),
        ("quantulum3", "from quantulum3 import parser", q3_parse),
        ("number_parser parse (sentence)", "import number_parser", np_parse),
        ("number_parser parse_number (spans)", "import number_parser",
         lambda t: [pn_value(w) for _, _, w in word_spans(t)]),
        ("word2number (spans)", "from word2number import w2n", lambda t: [w2n_value(w) for _, _, w in word_spans(t)]),
    ]
    for name, stmt, fn in rows:
        absolute = _import_time(stmt)
        t = time.perf_counter()
        for text in texts:
            fn(text)
        ms = 1000 * (time.perf_counter() - t) / len(texts)
        print(f"  {name:<36} import {1000 * (absolute - base):7.0f} ms (process {1000 * absolute:5.0f} ms)"
              f"   extraction {ms:7.3f} ms/sentence  ({len(texts)} sentences)")
    print(f"  (python -c pass: {1000 * base:.0f} ms, median of 3; a difference within about +-20 ms is noise; span"
          " rows include finding the number-word spans)")


if __name__ == "__main__":
    n_dev = sum(p == "dev" for p, _ in SENTENCES)
    print(f"sentences: {len(SENTENCES)} distinct ({n_dev} dev, {len(SENTENCES) - n_dev} enrich)")
    component_level()
    detector_level()
    cost()
