"""Does dateparser (`dateparser.search.search_dates`) read dates and times better than our rules?

Run (make libraries sets it up): .venv-libs/bin/python eval/libraries/dates.py

Ours: the clock times and dates `compare/framing/numbers.py` reads (Quantity kinds "time" and
"date", used by the `number` detector and by `detail` for times) and the month-day dates
`compare/framing/detail.py` finds with its own `_DATE` regex (used by `detail` for dates). Our
rules read no weekdays as values.

1. Component level: every distinct sentence of the dev cases and the enrichment pairs, our
   date/time spans against `search_dates(text, languages=["en"])` with a fixed RELATIVE_BASE
   (2024-01-01 12:00) and PREFER_DATES_FROM "past". Overlapping spans agree; the value is
   checked too (minutes after midnight for times, month and day for dates).
2. Detector level: `number` and `detail` with their dates and times swapped (monkeypatched here,
   the package is not edited), scored by common.score on the gold strong links:
     ours & dp  - our date/time spans kept only when dateparser parses an overlapping span to
                  the same value;
     dp only    - our date/time spans removed, every dateparser hit put in their place at face
                  value (a hit with a time of day other than 00:00 is a time, else a date; a hit
                  with a weekday and no month is a weekday "date");
     ours + dp  - ours, plus the dateparser hits that overlap none of our date/time spans;
     ours + dp weekdays - ours, plus dateparser's weekday-only hits ("on Friday").
   Our dateline rule is applied to dateparser's hits as well (the swap is the reader, not the
   rule that a wire dateline's date is not a fact's date).
3. Cost: fresh-process import time (median of 3, minus `python -c pass`), ms per sentence.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager

from common import ROOT, cases, row, score  # noqa: F401  (sets sys.path)

from compare.framing import DETECTORS
from compare.framing import detail as D
from compare.framing import numbers as N
from compare.framing.entities import DATELINE

T0 = time.perf_counter()
from dateparser.search import search_dates  # noqa: E402

FIRST_IMPORT = time.perf_counter() - T0

SETTINGS = {"RELATIVE_BASE": dt.datetime(2024, 1, 1, 12, 0), "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False}
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)
_MONTHWORD = re.compile(r"\b" + D._MONTH + r"\b\.?", re.I)
_AMPM = re.compile(r"\b[ap]\.?\s?m\b|\d\s?[ap]\.?m?\b", re.I)

# ---------------------------------------------------------------------------- readers
_ORIG_QUANTITIES = N.quantities  # numbers.quantities (uncached wrapper of the lru-cached _read)
_ORIG_TEXT_FIGURES = D._text_figures.__wrapped__
_DP_CACHE: dict[str, list] = {}
_DP_TIMES: list[float] = []


def dp_hits(text: str) -> list[tuple[int, int, str, dt.datetime]]:
    """dateparser's hits with character offsets (it returns substrings: found left to right)."""
    if text not in _DP_CACHE:
        t = time.perf_counter()
        raw = search_dates(text, languages=["en"], settings=SETTINGS) or []
        _DP_TIMES.append(time.perf_counter() - t)
        out, pos = [], 0
        for sub, when in raw:
            k = text.find(sub, pos)
            if k < 0:
                k = text.find(sub)
            if k < 0:
                continue
            out.append((k, k + len(sub), sub, when))
            pos = k + len(sub)
        _DP_CACHE[text] = out
    return _DP_CACHE[text]


def dp_kind(sub: str, when: dt.datetime) -> str:
    """How a hit is taken at face value: a time of day, a weekday, or a date."""
    if when.hour or when.minute:
        return "time"
    if _WEEKDAY.search(sub) and not _MONTHWORD.search(sub) and not re.search(r"\d", sub):
        return "weekday"
    return "date"


def ours(text: str) -> list[tuple[int, int, str, float, str]]:
    """Our date/time spans: (start, end, kind, value, unit); dates as month * 31 + day."""
    out = [(q.start, q.end, q.kind, q.value, q.unit) for q in _ORIG_QUANTITIES(text) if q.kind in ("time", "date")]
    for m in D._DATE.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e, *_ in out):
            out.append(detail_date(m))
    return sorted(out)


def detail_date(m: re.Match) -> tuple[int, int, str, float, str]:
    """One of detail.py's `_DATE` matches as (start, end, "date", month * 31 + day, "")."""
    mon = N._MONTH_INDEX[_MONTHWORD.search(m.group()).group()[:3].lower()]
    day = int(re.search(r"\d{1,2}", m.group()).group())
    return (m.start(), m.end(), "date", float(mon * 31 + day), "")


def same_value(o: tuple, hit: tuple) -> bool:
    s, e, kind, value, unit = o
    when = hit[3]
    if kind == "time":
        v = when.hour * 60 + when.minute
        return v == value or (unit == "12h" and abs(v - value) % 720 == 0)
    return when.month * 31 + when.day == value


def overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def in_dateline(text: str, start: int, end: int) -> bool:
    m = DATELINE.match(text)
    return bool(m and start < m.end()) or bool(N._DATELINE_AFTER.match(text, end))


def dp_quantity(text: str, hit: tuple) -> N.Quantity:
    start, end, sub, when = hit
    kind = dp_kind(sub, when)
    if kind == "time":
        lead = N._TIME_BOUND.search(text[max(0, start - 40) : start])
        bound = "~" if lead and re.search(r"around|about|shortly|just|approximately|roughly|nearly|some",
                                          lead.group() + sub, re.I) else ""
        twelve = when.hour <= 12 and not _AMPM.search(text[start : end + 5])
        return N.Quantity(float(when.hour * 60 + when.minute), "time", "12h" if twelve else "", start, end, bound,
                          N._context(text, start, end))
    if kind == "weekday":
        return N.Quantity(float(when.weekday()), "date", "weekday", start, end, "",
                          N._context(text, start, end, 6, clause=False))
    year = str(when.year) if re.search(r"\b(?:19|20)\d\d\b", sub) else ""
    return N.Quantity(float(when.month * 31 + when.day), "date", "", start, end, "",
                      N._context(text, start, end, 6, clause=False), written_unit=year)


# Variants: which date/time readings a sentence gets.
def keep_ours(text: str, o: tuple, mode: str) -> bool:
    if mode == "ours&dp":
        return any(overlaps(o, h) and same_value(o, h) for h in dp_hits(text))
    return mode != "dp"


def extra_dp(text: str, mode: str) -> list[tuple]:
    if mode in ("shipped", "ours&dp"):
        return []
    hits = [h for h in dp_hits(text) if not in_dateline(text, h[0], h[1])]
    if mode == "dp":
        return hits
    mine = ours(text)
    hits = [h for h in hits if not any(overlaps(o, h) for o in mine)]
    if mode == "ours+dp-weekday":
        hits = [h for h in hits if dp_kind(h[2], h[3]) == "weekday"]
    return hits


def make_quantities(mode: str):
    cache: dict[str, list] = {}

    def quantities(text: str) -> list[N.Quantity]:
        if text not in cache:
            base = [q for q in _ORIG_QUANTITIES(text)
                    if q.kind not in ("time", "date") or keep_ours(text, (q.start, q.end, q.kind, q.value, q.unit), mode)]
            base += [dp_quantity(text, h) for h in extra_dp(text, mode)]
            cache[text] = sorted(base, key=lambda q: q.start)
        return cache[text]
    return quantities


def make_text_figures(mode: str):
    def text_figures(text: str):
        dl = DATELINE.match(text)
        begin = dl.end() if dl else 0
        out = [(q, q.start, q.end, q.kind) for q in D.quantities(text) if q.start >= begin and q.kind in D._FIGURE_KINDS]
        for m in D._DATE.finditer(text):  # detail's own date spans (numbers' dates are not figures there)
            if m.start() >= begin and keep_ours(text, detail_date(m), mode):
                out.append((None, m.start(), m.end(), "date"))
        for h in extra_dp(text, mode):
            if h[0] >= begin and dp_kind(h[2], h[3]) != "time" and not any(s < h[1] and h[0] < e for _, s, e, k in out
                                                                            if k == "date"):
                out.append((None, h[0], h[1], "date"))
        return tuple(out)
    return text_figures


@contextmanager
def variant(mode: str):
    q = make_quantities(mode)
    saved = (N.quantities, D.quantities, D._text_figures, D._spelled_values)
    N.quantities, D.quantities = q, q
    D._text_figures = make_text_figures(mode)
    D._spelled_values = D._spelled_values.__wrapped__  # uncached: it calls quantities
    try:
        yield
    finally:
        N.quantities, D.quantities, D._text_figures, D._spelled_values = saved


# ---------------------------------------------------------------------------- 1. component level
def component() -> None:
    texts = sorted({s.compare_text for _, a, b, _ in cases() for d in (a, b) for s in d.sentences})
    counts: Counter = Counter()
    only_ours: list = []
    only_dp: list = []
    value_diff: list = []
    for text in texts:
        mine, hits = ours(text), dp_hits(text)
        for o in mine:
            match = [h for h in hits if overlaps(o, h)]
            if not match:
                counts["ours only: " + o[2]] += 1
                only_ours.append((text, o))
            elif any(same_value(o, h) for h in match):
                counts["agree (span and value): " + o[2]] += 1
            else:
                counts["agree span, value differs: " + o[2]] += 1
                value_diff.append((text, o, match[0]))
        for h in hits:
            if not any(overlaps(o, h) for o in mine):
                sub = h[2]
                cat = ("weekday" if _WEEKDAY.search(sub) else
                       "clock/number" if re.search(r"\d", sub) else
                       "month word alone" if _MONTHWORD.fullmatch(sub.strip()) else
                       "other words")
                counts["dateparser only: " + cat] += 1
                only_dp.append((text, h, cat))
    print(f"1. Component level: {len(texts)} distinct sentences (dev cases + enrichment pairs)")
    print(f"   our spans {sum(len(ours(t)) for t in texts)}, dateparser hits {sum(len(dp_hits(t)) for t in texts)}")
    for k in sorted(counts):
        print(f"   {k:<45} {counts[k]:>4}")
    words = Counter(h[2].strip().lower() for _, h, cat in only_dp if cat in ("other words", "month word alone"))
    print("   dateparser-only word hits (most common):", ", ".join(f"{w!r} x{n}" for w, n in words.most_common(15)))

    def show(text: str, s: int, e: int) -> str:
        return "…" + text[max(0, s - 45) : s] + "[" + text[s:e] + "]" + text[e : e + 35] + "…"
    print("   examples, ours only:")
    for text, o in only_ours[:6]:
        print(f"     {o[2]:<5} {show(text, o[0], o[1])}")
    print("   examples, span agreed but value differs (ours / dateparser):")
    for text, o, h in value_diff[:6]:
        print(f"     {o[2]:<5} {show(text, o[0], o[1])}  ours {o[3]:.0f}  dp {h[2]!r} -> {h[3]:%Y-%m-%d %H:%M}")
    print("   examples, dateparser only (by kind):")
    seen: Counter = Counter()
    for text, h, cat in only_dp:
        if seen[cat] < 3:
            seen[cat] += 1
            print(f"     {cat:<16} {show(text, h[0], h[1])}  -> {h[3]:%Y-%m-%d %H:%M}")


# ---------------------------------------------------------------------------- 2. detector level
def detectors() -> dict:
    print("2. Detector level (common.score on gold strong links; ms/link leaves out dateparser's own time:"
          " its hits are cached from part 1, see part 3)")
    modes = ["shipped", "ours&dp", "dp", "ours+dp", "ours+dp-weekday"]
    preds: dict = {}
    for t in ("number", "detail"):
        for part in ("dev", "enrich"):
            for mode in modes:
                with variant(mode):
                    s = score(DETECTORS[t].detect, t, part)
                print(row(f"{t:<6} {part:<6} {mode}", s))
    return preds


def changes() -> None:
    """Links whose finding differs from the shipped detector's, with the labellers' verdict."""
    from findings_eval import enrich_labelled, labelled
    loose = labelled("l1") | enrich_labelled("l1") | labelled("l2") | enrich_labelled("l2")
    strict = (labelled("l1") | enrich_labelled("l1")) & (labelled("l2") | enrich_labelled("l2"))
    print("   changed findings (vs shipped) on dev+enrich; gold: both labellers / one / none")
    for t in ("number", "detail"):
        for mode in ["ours&dp", "dp", "ours+dp", "ours+dp-weekday"]:
            diffs = []
            for pid, a, b, links in cases():
                for i, j in links:
                    link = N.Link((i,), (j,), 1.0, "strong")
                    f0 = DETECTORS[t].detect(a, b, link)
                    with variant(mode):
                        f1 = DETECTORS[t].detect(a, b, link)
                    s0 = f0.summary if f0 is not None and f0.type == t else None
                    s1 = f1.summary if f1 is not None and f1.type == t else None
                    if s0 != s1:
                        key = (pid, i, j, t)
                        gold = "both" if key in strict else "one" if key in loose else "none"
                        diffs.append((gold, pid, s0, s1))
            tally = Counter((("lost" if d[3] is None else "new" if d[2] is None else "changed"), d[0]) for d in diffs)
            print(f"   {t} {mode}: {len(diffs)} changed; " + ", ".join(f"{k[0]}/{k[1]} {n}" for k, n in sorted(tally.items())))
            for gold, pid, s0, s1 in diffs[:4]:
                print(f"      [{gold}] {pid[:38]}: shipped {str(s0)[:80]!r} -> {str(s1)[:80]!r}")


def evidence() -> None:
    """`detail` on dev: a finding counts right in common.score when a labeller recorded any detail on
    its link. Here: how many of those also point at what the labeller wrote down (the finding's span
    overlaps a labeller's a_text/b_text for that link), so a date "added" by a misread word ("we",
    "now") that lands on a link with some other labelled addition is not credited."""
    import json
    from findings_eval import LABELS
    dev = [c for c in cases() if not c[0].startswith("enrich__")]
    ids = {c[0] for c in dev}
    texts: dict = {}
    for lab in ("l1", "l2"):
        for path in sorted((LABELS / lab).glob("*/*.json")):
            pid = f"{path.parent.name}__{path.stem}"
            if pid not in ids:
                continue  # only the dev pairs' labels are opened
            for f in json.loads(path.read_text(encoding="utf-8"))["findings"]:
                if f["type"] == "detail":
                    texts.setdefault((pid, int(f["a"]), int(f["b"])), []).append((f.get("a_text", ""), f.get("b_text", "")))

    def hit(sentence: str, span, label: str) -> bool:
        if not label:
            return False
        k = sentence.lower().find(label.lower().strip(" .\"“”"))
        if k < 0:
            words = set(re.findall(r"\w+", label.lower()))
            return len(words & set(re.findall(r"\w+", sentence[span.start:span.end].lower()))) >= 2
        return k < span.end and span.start < k + len(label)
    print("   detail on dev, findings on a labelled link whose span overlaps the labelled text")
    for mode in ["shipped", "ours&dp", "dp", "ours+dp", "ours+dp-weekday"]:
        on_link = on_text = figure = 0
        with variant(mode):
            for pid, a, b, links in dev:
                for i, j in links:
                    f = DETECTORS["detail"].detect(a, b, N.Link((i,), (j,), 1.0, "strong"))
                    if f is None or f.type != "detail" or (pid, i, j) not in texts:
                        continue
                    on_link += 1
                    side, doc = (0, a) if f.a_spans else (1, b)
                    sp = (f.a_spans or f.b_spans)[0]
                    figure += " adds the date:" in f.summary or " adds the time:" in f.summary
                    if any(hit(doc.sentences[sp.sentence].compare_text, sp, lab[side]) for lab in texts[(pid, i, j)]):
                        on_text += 1
        print(f"     {mode:<16} on a labelled link {on_link:>3}, span on the labelled text {on_text:>3}"
              f" ({on_text / max(1, on_link):.0%}); date/time findings among them {figure}")


# ---------------------------------------------------------------------------- 3. cost
def cost() -> None:
    py = sys.executable

    def fresh(code: str) -> float:
        t = time.perf_counter()
        subprocess.run([py, "-c", code], check=True)
        return time.perf_counter() - t
    base = statistics.median(fresh("pass") for _ in range(3))
    imp = statistics.median(fresh("import dateparser.search") for _ in range(3))
    per = _DP_TIMES[1:]
    print("3. Cost")
    print(f"   import dateparser.search, fresh process: {1000 * (imp - base):.0f} ms (median of 3 minus python -c pass"
          f" {1000 * base:.0f} ms)")
    print(f"   search_dates: {1000 * statistics.mean(per):.2f} ms/sentence mean, {1000 * statistics.median(per):.2f} median"
          f" over {len(per)} sentences (first call {1000 * _DP_TIMES[0]:.0f} ms, excluded)")


if __name__ == "__main__":
    component()
    print()
    detectors()
    changes()
    evidence()
    print()
    cost()
