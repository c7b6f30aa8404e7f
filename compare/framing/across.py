"""Findings per document and across documents (issue 11): the omissions ledger, prominence
shifts, who each outlet cites, agreement on numbers and sources across three or more outlets,
and the time caution on number findings. They read the pair findings, links and coverage
groups the earlier stages made; nothing here re-reads the texts but the source counter.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Sequence

from ..options import parse_time
from ..result import (
    CoverageGroup,
    CrossFinding,
    Document,
    Finding,
    LedgerEntry,
    OutletSources,
    PairComparison,
    Position,
    ProminenceShift,
    SourceCount,
    Stance,
)
from .numbers import Quantity, consistent, quantities
from .quotes import quotations
from .sources import _VERBS
from .sources import sources as frames

# A fact in the last third of one outlet's body while in another's headline or lead is a shift.
LOW_FROM = 2 / 3


# --- where a sentence sits ---------------------------------------------------------------------------


def position(doc: Document, indices: Sequence[int]) -> Position:
    """Prominence of sentences in their article: 1.0 the headline, 0.9 the lead (the first body
    sentence), then falling with the position in the body from 0.8 to 0.1; a sentence under 12
    words loses a tenth (a fragment, a photo credit). The best of several sentences counts."""
    body0 = 1 if doc.sentences and doc.sentences[0].headline else 0
    n_body = max(1, len(doc.sentences) - body0)
    best, where = -1.0, ""
    for i in indices:
        if doc.sentences[i].headline:
            score, label = 1.0, "headline"
        elif i == body0:
            score, label = 0.9, "lead"
        else:
            k = i - body0
            score = 0.8 - 0.7 * (k / max(1, n_body - 1))
            label = f"sentence {k + 1} of {n_body}"
        if len(doc.sentences[i].compare_text.split()) < 12:
            score *= 0.9
        if score > best:
            best, where = score, label
    return Position(doc.id, tuple(indices), where, round(best, 4))


def _relative(doc: Document, i: int) -> float:
    """Position of sentence i in the body, 0 (first) to 1 (last)."""
    body0 = 1 if doc.sentences and doc.sentences[0].headline else 0
    n_body = len(doc.sentences) - body0
    return (i - body0) / (n_body - 1) if n_body > 1 else 0.0


def _top(doc: Document, indices: Sequence[int]) -> bool:
    body0 = 1 if doc.sentences and doc.sentences[0].headline else 0
    return any(doc.sentences[i].headline or i == body0 for i in indices)


def _low(doc: Document, indices: Sequence[int]) -> bool:
    return min(_relative(doc, i) for i in indices) >= LOW_FROM and len(doc.sentences) >= 6


# --- omissions ledger --------------------------------------------------------------------------------


def ledger(
    documents: Sequence[Document], comparisons: Sequence[PairComparison], coverage: Sequence[CoverageGroup]
) -> tuple[LedgerEntry, ...]:
    """Facts only some outlets carry, most prominent first. Two documents: each sentence linked to
    nothing in the other; three or more: each coverage group that some outlet lacks. Headlines
    alone are left out (they sum up the body's facts)."""
    by_id = {d.id: d for d in documents}
    entries = []
    if len(documents) == 2 and len(comparisons) == 1:
        (comp,) = comparisons
        for doc, other, only in ((documents[0], documents[1], comp.only_in_a), (documents[1], documents[0], comp.only_in_b)):
            for i in only:
                pos = position(doc, (i,))
                entries.append(LedgerEntry(None, (doc.id,), (other.id,), (pos,), pos.prominence))
    else:
        for group in coverage:
            missing = tuple(d.id for d in documents if d.id not in group.sentences)
            if not missing:
                continue
            positions = tuple(position(by_id[d], idx) for d, idx in group.sentences.items())
            entries.append(LedgerEntry(group.id, group.outlets, missing, positions, max(p.prominence for p in positions)))
    # Headlines sum up facts the bodies tell; a headline is not itself a fact an outlet leaves out.
    entries = [e for e in entries if any(p.where != "headline" for p in e.positions)]
    order = {d.id: k for k, d in enumerate(documents)}
    entries.sort(key=lambda e: (-e.prominence, -len(e.carried_by), order[e.carried_by[0]], e.positions[0].sentences))
    return tuple(entries)


# --- prominence shifts -------------------------------------------------------------------------------


def prominence_shifts(
    documents: Sequence[Document], comparisons: Sequence[PairComparison], coverage: Sequence[CoverageGroup]
) -> tuple[ProminenceShift, ...]:
    """Shared facts that one outlet puts in its headline or lead and another in its last third."""
    by_id = {d.id: d for d in documents}
    shared: list[tuple[int | None, dict[str, tuple[int, ...]]]] = []
    if len(documents) == 2:
        for comp in comparisons:
            shared += [(None, {comp.a: link.a, comp.b: link.b}) for link in comp.links if link.strength == "strong"]
    else:
        shared = [(g.id, dict(g.sentences)) for g in coverage if len(g.sentences) > 1]
    out = []
    for fact, members in shared:
        top = [d for d, idx in members.items() if _top(by_id[d], idx)]
        low = [d for d, idx in members.items() if _low(by_id[d], idx)]
        if not top or not low:
            continue
        high_pos = position(by_id[top[0]], members[top[0]])
        for d in low:
            low_pos = position(by_id[d], members[d])
            summary = (
                f"{by_id[top[0]].label} puts it in its {high_pos.where}; "
                f"{by_id[d].label} tells it at {low_pos.where}"
            )
            out.append(ProminenceShift(fact, high_pos, low_pos, summary))
    out.sort(key=lambda s: (s.low.prominence - s.high.prominence, s.high.sentences))
    return tuple(out)


# --- who each outlet cites ---------------------------------------------------------------------------

_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_CLAUSE_CUT = re.compile(r",\s*(?:which|who|whose|where|when)\b.*$|\s+(?:familiar|close)\b.*$", re.IGNORECASE)
# Words a frame's span may end on that are not the source: auxiliaries and participles ("a statement issued").
_TAIL = {"had", "has", "have", "was", "were", "is", "are", "been", "also", "issued", "released", "published",
         "cited", "quoted", "later", "earlier", "called", "hailed", "described", "urged", "stressed", "insisted",
         "put", "puts", "putting"}  # "officials put [the toll at N]"


def _source_name(frame_text: str) -> str:
    """A frame's source as a reader names it: without the verb of saying ("police said", "said X",
    "according to X"), a relative clause, or a leading article."""
    words = frame_text.strip(" ,;:\"“”").split()
    if words[:2] and " ".join(words[:2]).lower() == "according to":
        words = words[2:]
    while words and (_VERBS.get(words[-1].lower().strip(",.")) or words[-1].lower().strip(",.") in _TAIL):
        words = words[:-1]
    while words and _VERBS.get(words[0].lower().strip(",.")):
        words = words[1:]
    name = _CLAUSE_CUT.sub("", " ".join(words)).strip(" ,;:\"“”")
    return _LEADING.sub("", name) or frame_text.strip()


def outlet_sources(documents: Sequence[Document]) -> tuple[OutletSources, ...]:
    """Who each outlet credits (reporting frames: "X said", "according to X"), how often, and how
    often with a direct quotation in the same sentence. Sources with a content word in common
    ("police", "the police chief") are counted apart: only the same words count as one source."""
    out = []
    for doc in documents:
        counts: dict[frozenset[str], list] = {}
        unnamed = 0
        for s in doc.sentences:
            text = s.compare_text
            quoted = bool(quotations(text))
            seen: set[frozenset[str]] = set()
            for f in frames(text):
                if not f.words:
                    unnamed += 1
                    continue
                if f.words in seen:
                    continue
                seen.add(f.words)
                entry = counts.setdefault(f.words, [_source_name(text[f.start : f.end]), 0, 0, []])
                entry[1] += 1
                entry[2] += quoted
                entry[3].append(s.index)
        ranked = sorted(counts.values(), key=lambda e: (-e[1], e[3][0]))
        out.append(OutletSources(doc.id, tuple(SourceCount(n, c, q, tuple(idx)) for n, c, q, idx in ranked), unnamed))
    return tuple(out)


# --- agreement across three or more outlets --------------------------------------------------------


def _evidence(doc: Document, spans: Iterable) -> str:
    spans = list(spans)
    if not spans:
        return ""
    sp = spans[0]
    return doc.sentences[sp.sentence].compare_text[sp.start : sp.end]


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[\w$€£¥%.]+", text.lower()))


def cross_findings(
    documents: Sequence[Document], comparisons: Sequence[PairComparison], coverage: Sequence[CoverageGroup]
) -> tuple[CrossFinding, ...]:
    """For each fact three or more outlets carry, and each of number / attribution: the outlets
    grouped by what they say (the evidence of the pair findings on the fact's sentences). Outlets
    with no finding against any other on that point are left out (they did not differ)."""
    by_id = {d.id: d for d in documents}
    order = {d.id: k for k, d in enumerate(documents)}
    out = []
    for group in coverage:
        if len(group.sentences) < 3:
            continue
        for kind in ("number", "attribution"):
            said: dict[str, tuple[str, tuple[int, ...], str | None]] = {}  # doc -> (evidence, sentences, caution)
            confidences = []
            for comp in comparisons:
                if comp.a not in group.sentences or comp.b not in group.sentences:
                    continue
                ga, gb = set(group.sentences[comp.a]), set(group.sentences[comp.b])
                for f in comp.findings:
                    if f.type != kind or not (ga & set(f.a)) or not (gb & set(f.b)):
                        continue
                    confidences.append(f.confidence)
                    for doc_id, spans, idx in ((comp.a, f.a_spans, f.a), (comp.b, f.b_spans, f.b)):
                        text = _evidence(by_id[doc_id], spans)
                        if doc_id not in said or (text and not said[doc_id][0]):
                            said[doc_id] = (text, tuple(sorted(set(idx) & set(group.sentences[doc_id]))), f.caution)
            if len(said) < 2:
                continue
            stances = _stances(kind, {d: said[d][0] for d in sorted(said, key=order.__getitem__)})
            if len(stances) < 2:
                continue
            groups = sorted(stances, key=lambda ds: (-len(ds), order[ds[0]]))
            alone = tuple(ds[0] for ds in groups if len(ds) == 1) if len(groups[0]) > 1 else ()
            built = tuple(
                Stance(tuple(ds), said[ds[0]][0], {d: said[d][1] for d in ds}) for ds in groups
            )
            caution = next((said[d][2] for d in said if said[d][2]), None)
            out.append(
                CrossFinding(
                    type=kind,
                    fact=group.id,
                    stances=built,
                    alone=alone,
                    summary=_cross_summary(kind, built, alone, by_id),
                    confidence=round(sum(confidences) / len(confidences), 4),
                    caution=caution,
                )
            )
    return tuple(out)


def _stances(kind: str, said: dict[str, str]) -> list[list[str]]:
    """Outlets grouped by what they say: numbers by value ("twelve" = "12"), sources by their words."""
    groups: list[tuple[object, list[str]]] = []
    for doc_id, text in said.items():
        if kind == "number":
            found = quantities(text)
            key: object = found[0] if found else _norm(text)
            same = lambda x, y: consistent(x, y) if isinstance(x, Quantity) and isinstance(y, Quantity) else x == y  # noqa: E731
        else:
            key = _source_key(text)
            same = lambda x, y: x == y  # noqa: E731
        for rep, members in groups:
            if same(key, rep):
                members.append(doc_id)
                break
        else:
            groups.append((key, [doc_id]))
    return [members for _, members in groups]


def _source_key(text: str) -> str:
    words = sorted(w for w in re.findall(r"[a-z0-9]+", _source_name(text).lower()) if len(w) > 2 and w != "the")
    return " ".join(words)


def _cross_summary(kind: str, stances: Sequence[Stance], alone: Sequence[str], by_id: dict[str, Document]) -> str:
    parts = []
    for st in stances:
        names = ", ".join(by_id[d].label for d in st.documents)
        if kind == "number":
            parts.append(f"{names}: {st.text or 'no figure'}")
        else:
            parts.append(f"{names}: " + (f"\u201c{st.text}\u201d" if st.text else "stated as fact"))
    head = "Figures differ" if kind == "number" else "Sources differ"
    tail = f" ({', '.join(by_id[d].label for d in alone)} alone)" if alone else ""
    return f"{head}: " + "; ".join(parts) + tail


# --- time caution ------------------------------------------------------------------------------------


def _hours(h: float) -> str:
    if h < 48:
        return f"{h:.0f} hour{'s' if round(h) != 1 else ''}"
    return f"{h / 24:.0f} days"


def time_caution(a: Document, b: Document, findings: Sequence[Finding], min_hours: float = 1.0) -> tuple[Finding, ...]:
    """Number findings between reports published at least `min_hours` apart say so: the story may
    have moved on (a toll rises), so the difference need not be framing. Confidence halves."""
    ta, tb = (parse_time(d.published) if d.published else None for d in (a, b))
    if ta is None or tb is None:
        return tuple(findings)
    gap = abs((tb - ta).total_seconds()) / 3600
    if gap < min_hours:
        return tuple(findings)
    later, earlier = (b, a) if tb > ta else (a, b)
    note = f"{later.label} was published {_hours(gap)} after {earlier.label}: the figure may have been updated, not framed"
    return tuple(
        replace(f, caution=f"{f.caution}; {note}" if f.caution else note, confidence=round(f.confidence * 0.5, 4))
        if f.type == "number"
        else f
        for f in findings
    )
