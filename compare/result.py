"""The result model: one versioned object that every renderer reads.

`ComparisonResult.to_dict()` *is* the JSON schema (`compare/3`, documented in
docs/schema.md); renderers (terminal, JSON, HTML) read this object and compute
nothing of their own, so all formats always agree. `from_dict()` reads a saved
JSON back, so reports can be rendered later from the JSON alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "compare/3"
# compare/1: without findings; compare/2: pair findings only (no ledger, sources, cross-outlet findings).
READABLE = ("compare/1", "compare/2", "compare/3")

DiffTag = Literal["equal", "delete", "insert", "replace"]
Strength = Literal["strong", "weak"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence; `text == document_text[start:end]` of the decoded input."""

    index: int
    start: int
    end: int
    text: str
    translation: str | None = None
    headline: bool = False  # the document's headline (first line, no final punctuation)
    # Why the machine translation looks wrong (a loop, far too long), or None: read the original.
    translation_flag: str | None = None

    @property
    def compare_text(self) -> str:
        """The text alignment and diff work on: the translation when there is one."""
        return self.translation if self.translation is not None else self.text


@dataclass(frozen=True, slots=True)
class Document:
    """One outlet's article as read, segmented and (maybe) translated."""

    id: str
    label: str
    path: str | None
    language: str
    language_source: Literal["detected", "given"]
    encoding: str | None
    sentences: tuple[Sentence, ...]
    translated: bool = False
    source_language: str | None = None
    model: str | None = None
    engine: str | None = None
    published: str | None = None  # ISO 8601 publication time (HTML metadata or --published), if known
    url: str | None = None  # the URL the article was fetched from (compare/fetch.py), as given
    site: str | None = None  # the fetched page's site name, when it states one
    page_title: str | None = None  # the fetched page's title (its headline, as the page names it)

    @property
    def flagged(self) -> tuple[int, ...]:
        """Indices of sentences whose machine translation looks wrong (`Sentence.translation_flag`)."""
        return tuple(s.index for s in self.sentences if s.translation_flag)

    def flag_of(self, indices: tuple[int, ...]) -> str | None:
        """The distinct translation flags of these sentences, joined with "; ", or None."""
        reasons = dict.fromkeys(r for i in indices if (r := self.sentences[i].translation_flag))
        return "; ".join(reasons) or None


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of the word diff. `a`/`b` are exact slices of the linked texts.

    Concatenating `a` over all ops rebuilds side A's text, and `b` side B's.
    """

    tag: DiffTag
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class Link:
    """Sentences of A and B that report the same thing (n:m allowed)."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float
    strength: Strength
    diff: tuple[DiffOp, ...] = ()
    moved: bool = False  # B tells this fact out of A's order (off the longest in-order chain)
    words: tuple[int, int, int] = (0, 0, 0)  # (kept, removed, added) words of the diff, counted by the pipeline


FindingType = Literal["number", "attribution", "certainty", "quote", "loaded", "entity", "detail"]
# The seven finding types, in report order (most checkable first).
FINDING_TYPES: tuple[FindingType, ...] = ("number", "attribution", "certainty", "quote", "loaded", "entity", "detail")


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: characters start..end of a sentence's displayed text (its translation when it
    has one, the original otherwise)."""

    sentence: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """A framing difference on one link (compare/framing): what differs, with its evidence."""

    type: FindingType
    a: tuple[int, ...]  # the link's sentences, as in Link
    b: tuple[int, ...]
    a_spans: tuple[Span, ...]  # empty where a side has no evidence
    b_spans: tuple[Span, ...]
    summary: str
    confidence: float  # in [0, 1]
    caution: str | None = None  # why it may not be the outlet's doing (machine translation, ...)


@dataclass(frozen=True, slots=True)
class Position:
    """Where sentences sit in their article, for prominence: the headline, the lead (first body
    sentence) or body sentence k of n."""

    document: str
    sentences: tuple[int, ...]
    where: str  # "headline", "lead", or "sentence k of n" (body sentences, headline not counted)
    prominence: float  # 1.0 headline, 0.9 lead, falling with position and shortness (docs/schema.md)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A fact that only some outlets carry (omissions ledger), most prominent first."""

    fact: int | None  # coverage group id (3+ outlets); None for two documents (a one-sided sentence)
    carried_by: tuple[str, ...]  # document ids
    missing_from: tuple[str, ...]
    positions: tuple[Position, ...]  # where each carrying outlet tells it
    prominence: float  # the highest of its positions


@dataclass(frozen=True, slots=True)
class ProminenceShift:
    """A shared fact in one outlet's headline or lead and in another's last third."""

    fact: int | None  # coverage group id (3+ outlets) or None (two documents: a link)
    high: Position
    low: Position
    summary: str


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One source an outlet cites: how often, and how often in direct quotation."""

    name: str  # as first written in the outlet's (displayed) text
    count: int
    quoted: int
    sentences: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class OutletSources:
    document: str
    sources: tuple[SourceCount, ...]  # most cited first
    unnamed: int  # reporting frames with no named source ("he said", "officials say")


@dataclass(frozen=True, slots=True)
class Stance:
    """What some outlets say on a point of a fact (a value, a source) in a cross-outlet finding."""

    documents: tuple[str, ...]
    text: str  # the value or source as written by the first of them; "" where stated as plain fact
    sentences: dict[str, tuple[int, ...]]  # document id -> sentence indices


@dataclass(frozen=True, slots=True)
class CrossFinding:
    """Three or more outlets on one fact: which agree on a number or a source, which stand alone."""

    type: FindingType  # "number" or "attribution"
    fact: int  # coverage group id
    stances: tuple[Stance, ...]  # largest first
    alone: tuple[str, ...]  # document ids of outlets whose stance no other outlet shares
    summary: str
    confidence: float
    caution: str | None = None


@dataclass(frozen=True, slots=True)
class PairComparison:
    """Alignment of document `a` with document `b` (ids into `documents`)."""

    a: str
    b: str
    links: tuple[Link, ...]
    only_in_a: tuple[int, ...]
    only_in_b: tuple[int, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class CoverageGroup:
    """A fact: sentences of several outlets that tell it (compare/align/facts.py), or one
    sentence that no other outlet tells. A sentence that carries several facts is in several."""

    id: int
    sentences: dict[str, tuple[int, ...]]  # document id -> sentence indices

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(self.sentences)


@dataclass(frozen=True, slots=True)
class OutletSummary:
    """Headline figures for one outlet; every report shows these same numbers.

    Two documents: `shared`/`only_here` count sentences linked to the other
    outlet / found only here, and `coverage` is shared / sentences. Three or
    more: they count facts (coverage groups) shared with another outlet / carried
    by this outlet alone, and `coverage` is facts carried / all facts.
    """

    document: str
    sentences: int
    shared: int
    only_here: int
    facts: int | None
    coverage: float


@dataclass(frozen=True, slots=True)
class Signature:
    """What produced a result, so it can be reproduced (printed in every report)."""

    version: str
    target_language: str
    engine: str | None
    models: tuple[str, ...]
    align_mode: str
    threshold: float

    def __str__(self) -> str:
        models = ",".join(self.models) or "none"
        return (
            f"compare {self.version}|to:{self.target_language}|engine:{self.engine or 'none'}"
            f"|models:{models}|align:{self.align_mode}|threshold:{self.threshold:g}"
        )


@dataclass(frozen=True, slots=True)
class ComparisonResult:
    """Everything a comparison found; the single source for every renderer."""

    signature: Signature
    documents: tuple[Document, ...]
    comparisons: tuple[PairComparison, ...]
    coverage: tuple[CoverageGroup, ...] = ()
    findings: tuple[CrossFinding, ...] = ()  # across 3+ outlets (pair findings are in comparisons)
    ledger: tuple[LedgerEntry, ...] = ()
    prominence: tuple[ProminenceShift, ...] = ()
    sources: tuple[OutletSources, ...] = ()
    # Finding types asked for but not run, with why ("--fast: needs the English parser", ...).
    skipped: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    created: str | None = None  # only when asked (--stamp): keeps reports byte-identical
    schema: str = SCHEMA

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)

    def wordings(self) -> dict[int, tuple[str, tuple[int, ...]]]:
        """For each coverage group (by id), the member that words the fact most specifically: the
        outlet whose sentences are in the fewest facts, then have the fewest words (ties: document
        order). A wire lead that packs several facts is in several groups; a member of one group
        only says which fact that group is."""
        uses: dict[tuple[str, int], int] = {}
        for group in self.coverage:
            for doc_id, indices in group.sentences.items():
                for i in indices:
                    uses[(doc_id, i)] = uses.get((doc_id, i), 0) + 1

        def key(item: tuple[str, tuple[int, ...]]) -> tuple[int, int]:
            doc = self.document(item[0])
            shared = max((uses.get((item[0], i), 1) for i in item[1]), default=1)
            return shared, sum(len(doc.sentences[i].compare_text.split()) for i in item[1])

        return {group.id: min(group.sentences.items(), key=key) for group in self.coverage}

    def outlet_summary(self) -> tuple[OutletSummary, ...]:
        """Per-outlet figures (derived from the links; see OutletSummary)."""
        if len(self.documents) == 2 and len(self.comparisons) == 1:
            (comp,) = self.comparisons
            out = []
            for doc, side, only in ((self.documents[0], "a", comp.only_in_a), (self.documents[1], "b", comp.only_in_b)):
                shared = len({i for link in comp.links for i in getattr(link, side)})
                n = len(doc.sentences)
                out.append(OutletSummary(doc.id, n, shared, len(only), None, shared / n if n else 0.0))
            return tuple(out)
        total = len(self.coverage)
        out = []
        for doc in self.documents:
            carried = sum(1 for g in self.coverage if doc.id in g.sentences)
            alone = sum(1 for g in self.coverage if list(g.sentences) == [doc.id])
            out.append(
                OutletSummary(doc.id, len(doc.sentences), carried - alone, alone, carried, carried / total if total else 0.0)
            )
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (schema `compare/2`)."""
        return {
            "schema": self.schema,
            "signature": {
                "version": self.signature.version,
                "target_language": self.signature.target_language,
                "engine": self.signature.engine,
                "models": list(self.signature.models),
                "align_mode": self.signature.align_mode,
                "threshold": self.signature.threshold,
                "text": str(self.signature),
            },
            "title": self.title,
            "created": self.created,
            "documents": [_document_dict(d) for d in self.documents],
            "comparisons": [
                {
                    "a": c.a,
                    "b": c.b,
                    "links": [_link_dict(link) for link in c.links],
                    "only_in_a": list(c.only_in_a),
                    "only_in_b": list(c.only_in_b),
                    "findings": [_finding_dict(f) for f in c.findings],
                }
                for c in self.comparisons
            ],
            "coverage": [
                {"id": g.id, "sentences": {k: list(v) for k, v in g.sentences.items()}}
                for g in self.coverage
            ],
            "summary": [
                {
                    "document": o.document,
                    "sentences": o.sentences,
                    "shared": o.shared,
                    "only_here": o.only_here,
                    "facts": o.facts,
                    "coverage": round(o.coverage, 4),
                }
                for o in self.outlet_summary()
            ],
            "findings": [_cross_dict(f) for f in self.findings],
            "ledger": [
                {
                    "fact": e.fact,
                    "carried_by": list(e.carried_by),
                    "missing_from": list(e.missing_from),
                    "positions": [_position_dict(p) for p in e.positions],
                    "prominence": round(e.prominence, 4),
                }
                for e in self.ledger
            ],
            "prominence": [
                {"fact": s.fact, "high": _position_dict(s.high), "low": _position_dict(s.low), "summary": s.summary}
                for s in self.prominence
            ],
            "sources": [
                {
                    "document": o.document,
                    "sources": [
                        {"name": c.name, "count": c.count, "quoted": c.quoted, "sentences": list(c.sentences)}
                        for c in o.sources
                    ],
                    "unnamed": o.unnamed,
                }
                for o in self.sources
            ],
            "skipped": dict(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ComparisonResult":
        """Read a result back from its JSON form."""
        if data.get("schema") not in READABLE:
            raise ValueError(f"unsupported schema {data.get('schema')!r}; expected {SCHEMA!r}")
        sig = data["signature"]
        return cls(
            signature=Signature(
                version=sig["version"],
                target_language=sig["target_language"],
                engine=sig["engine"],
                models=tuple(sig["models"]),
                align_mode=sig["align_mode"],
                threshold=sig["threshold"],
            ),
            title=data.get("title"),
            created=data.get("created"),
            documents=tuple(
                Document(
                    id=d["id"],
                    label=d["label"],
                    path=d["path"],
                    language=d["language"],
                    language_source=d["language_source"],
                    encoding=d["encoding"],
                    translated=d["translated"],
                    source_language=d["source_language"],
                    model=d["model"],
                    engine=d["engine"],
                    published=d.get("published"),
                    url=d.get("url"),
                    site=d.get("site"),
                    page_title=d.get("page_title"),
                    sentences=tuple(
                        Sentence(
                            index=s["index"],
                            start=s["start"],
                            end=s["end"],
                            text=s["text"],
                            translation=s.get("translation"),
                            headline=s.get("headline", False),
                            translation_flag=s.get("translation_flag"),
                        )
                        for s in d["sentences"]
                    ),
                )
                for d in data["documents"]
            ),
            comparisons=tuple(
                PairComparison(
                    a=c["a"],
                    b=c["b"],
                    links=tuple(
                        Link(
                            a=tuple(link["a"]),
                            b=tuple(link["b"]),
                            score=link["score"],
                            strength=link["strength"],
                            diff=tuple(DiffOp(op["op"], op["a"], op["b"]) for op in link["diff"]),
                            moved=link.get("moved", False),
                            words=(link["words"]["kept"], link["words"]["removed"], link["words"]["added"])
                            if "words" in link else (0, 0, 0),
                        )
                        for link in c["links"]
                    ),
                    only_in_a=tuple(c["only_in_a"]),
                    only_in_b=tuple(c["only_in_b"]),
                    findings=tuple(_finding(f) for f in c.get("findings", [])),
                )
                for c in data["comparisons"]
            ),
            coverage=tuple(
                CoverageGroup(id=g["id"], sentences={k: tuple(v) for k, v in g["sentences"].items()})
                for g in data.get("coverage", [])
            ),
            findings=tuple(_cross(f) for f in data.get("findings", [])),
            ledger=tuple(
                LedgerEntry(
                    fact=e["fact"],
                    carried_by=tuple(e["carried_by"]),
                    missing_from=tuple(e["missing_from"]),
                    positions=tuple(_position(p) for p in e["positions"]),
                    prominence=e["prominence"],
                )
                for e in data.get("ledger", [])
            ),
            prominence=tuple(
                ProminenceShift(fact=s["fact"], high=_position(s["high"]), low=_position(s["low"]), summary=s["summary"])
                for s in data.get("prominence", [])
            ),
            sources=tuple(
                OutletSources(
                    document=o["document"],
                    sources=tuple(
                        SourceCount(c["name"], c["count"], c["quoted"], tuple(c["sentences"])) for c in o["sources"]
                    ),
                    unnamed=o["unnamed"],
                )
                for o in data.get("sources", [])
            ),
            skipped=dict(data.get("skipped", {})),
        )


def _position(p: dict[str, Any]) -> Position:
    return Position(p["document"], tuple(p["sentences"]), p["where"], p["prominence"])


def _position_dict(p: Position) -> dict[str, Any]:
    return {"document": p.document, "sentences": list(p.sentences), "where": p.where, "prominence": round(p.prominence, 4)}


def _cross(f: dict[str, Any]) -> CrossFinding:
    return CrossFinding(
        type=f["type"],
        fact=f["fact"],
        stances=tuple(
            Stance(tuple(s["documents"]), s["text"], {k: tuple(v) for k, v in s["sentences"].items()})
            for s in f["stances"]
        ),
        alone=tuple(f["alone"]),
        summary=f["summary"],
        confidence=f["confidence"],
        caution=f.get("caution"),
    )


def _cross_dict(f: CrossFinding) -> dict[str, Any]:
    return {
        "type": f.type,
        "fact": f.fact,
        "stances": [
            {"documents": list(s.documents), "text": s.text, "sentences": {k: list(v) for k, v in s.sentences.items()}}
            for s in f.stances
        ],
        "alone": list(f.alone),
        "summary": f.summary,
        "confidence": round(f.confidence, 4),
        "caution": f.caution,
    }


def _finding(f: dict[str, Any]) -> Finding:
    return Finding(
        type=f["type"],
        a=tuple(f["a"]),
        b=tuple(f["b"]),
        a_spans=tuple(Span(s["sentence"], s["start"], s["end"]) for s in f["a_spans"]),
        b_spans=tuple(Span(s["sentence"], s["start"], s["end"]) for s in f["b_spans"]),
        summary=f["summary"],
        confidence=f["confidence"],
        caution=f.get("caution"),
    )


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "type": f.type,
        "a": list(f.a),
        "b": list(f.b),
        "a_spans": [{"sentence": s.sentence, "start": s.start, "end": s.end} for s in f.a_spans],
        "b_spans": [{"sentence": s.sentence, "start": s.start, "end": s.end} for s in f.b_spans],
        "summary": f.summary,
        "confidence": round(f.confidence, 4),
        "caution": f.caution,
    }


def _document_dict(d: Document) -> dict[str, Any]:
    # url, site and page_title appear only for fetched articles: results of files stay byte-identical.
    fetched = {k: v for k, v in (("url", d.url), ("site", d.site), ("page_title", d.page_title)) if v is not None}
    return {
        "id": d.id,
        "label": d.label,
        "path": d.path,
        "language": d.language,
        "language_source": d.language_source,
        "encoding": d.encoding,
        "translated": d.translated,
        "source_language": d.source_language,
        "model": d.model,
        "engine": d.engine,
        "published": d.published,
        **fetched,
        "sentences": [
            {
                "index": s.index,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "translation": s.translation,
                "translation_flag": s.translation_flag,
                "headline": s.headline,
            }
            for s in d.sentences
        ],
    }


def _link_dict(link: Link) -> dict[str, Any]:
    kept, removed, added = link.words
    return {
        "a": list(link.a),
        "b": list(link.b),
        "score": round(link.score, 4),
        "strength": link.strength,
        "moved": link.moved,
        "words": {"kept": kept, "removed": removed, "added": added},
        "diff": [{"op": op.tag, "a": op.a, "b": op.b} for op in link.diff],
    }
