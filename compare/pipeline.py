"""compare_documents: read -> detect -> segment -> translate -> align -> diff -> result.

Each stage is a small module with typed data in and out; this file only wires
them together. Nothing here prints or exits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence


from . import __version__
from .align import STRONG_THRESHOLD, Aligner, PairAlignment, PairScores, RawLink
from .align.facts import group_facts
from .diff import word_diff, words_changed
from .errors import CompareError, InputError, UsageError
from .fetch import has_scheme, is_url, read_url
from .ingest import Source, read_source
from .language import detect_language
from .options import CompareOptions
from .result import (
    ComparisonResult,
    CoverageGroup,
    Document,
    Finding,
    Link,
    PairComparison,
    Sentence,
    Signature,
)
from .segment import Span, is_headline, split_sentences
from .translate.paths import cache_dir

if TYPE_CHECKING:
    from .fetch import Fetcher

@dataclass(frozen=True, slots=True)
class DocumentInput:
    """Text given directly (library use): no file involved."""

    text: str
    label: str
    language: str | None = None


def compare_documents(
    inputs: Sequence[str | Path | DocumentInput | Source],
    options: CompareOptions | None = None,
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    progress: bool = False,
) -> ComparisonResult:
    """Compare two or more articles about the same event.

    Args:
        inputs: file paths ("-" for stdin), DocumentInput texts or read Sources.
        options: how to translate and align; defaults to CompareOptions().
        labels: display names in input order (default: file stems).
        title: the event's name for reports (default: none).
        progress: show progress bars on stderr (downloads, long translations).

    Returns:
        The ComparisonResult every renderer reads.

    Raises:
        CompareError: bad input, unknown language, missing model.
    """
    options = options or CompareOptions()
    if len(inputs) < 2:
        raise UsageError(f"need at least two documents to compare, got {len(inputs)}")
    if labels is not None and len(labels) > len(inputs):
        raise UsageError(f"got {len(labels)} --label values for {len(inputs)} documents")
    fetcher = _fetcher(options)
    sources = [
        _to_source(item, labels[k] if labels and k < len(labels) else None, options, fetcher)
        for k, item in enumerate(inputs)
    ]
    ids = unique_ids([s.label for s in sources])
    for flag, given in (("--lang", options.languages), ("--published", options.published)):
        unknown = set(given) - {s.label for s in sources} - set(ids)
        if unknown:
            raise UsageError(
                f"{flag} names no document: {', '.join(sorted(unknown))} "
                f"(documents: {', '.join(s.label for s in sources)})"
            )
    given_inline = {k: item.language for k, item in enumerate(inputs) if isinstance(item, DocumentInput)}
    documents = [
        _build_document(segment_document(doc_id, src, given_inline.get(k), options), options, progress)
        for k, (doc_id, src) in enumerate(zip(ids, sources))
    ]
    aligner = Aligner(
        [[s.compare_text for s in d.sentences] for d in documents],
        threshold=options.threshold,
        mode=options.align_mode,
        embed_cache=cache_dir(options) if options.use_cache else None,
        device=options.device,
    )
    types, skipped = finding_types(options)
    comparisons = []
    pair_scores: dict[tuple[int, int], PairScores] = {}
    for i, j in combinations(range(len(documents)), 2):
        scores = aligner.scores(i, j)
        if len(documents) > 2:  # read again when grouping facts across outlets
            pair_scores[(i, j)] = scores
        alignment = pair_headlines(documents[i], documents[j], aligner.align(i, j, scores), scores)
        comparisons.append(_compare_pair(documents[i], documents[j], alignment, types))
    coverage = coverage_groups(documents, comparisons, pair_scores) if len(documents) > 2 else ()
    models = tuple(sorted({d.model for d in documents if d.model}))
    engines = {d.engine for d in documents if d.engine}
    signature = Signature(
        version=__version__,
        target_language=options.target_language,
        engine=next(iter(engines)) if engines else None,
        models=models,
        align_mode=options.align_mode,
        threshold=aligner.threshold,
    )
    return ComparisonResult(
        signature=signature,
        documents=tuple(documents),
        comparisons=tuple(comparisons),
        coverage=coverage,
        title=title,
        skipped=skipped,
        **(_across(documents, comparisons, coverage, types) if types else {}),
    )


def _across(
    documents: Sequence[Document], comparisons: Sequence[PairComparison], coverage: Sequence[CoverageGroup],
    types: Sequence[str],
) -> dict[str, tuple]:
    """The findings per document and across documents (compare/framing/across.py)."""
    from .framing import across

    return {
        "findings": across.cross_findings(documents, comparisons, coverage),
        "ledger": across.ledger(documents, comparisons, coverage),
        "prominence": across.prominence_shifts(documents, comparisons, coverage),
        "sources": across.outlet_sources(documents) if "attribution" in types else (),
    }


def finding_types(options: CompareOptions) -> tuple[tuple[str, ...], dict[str, str]]:
    """The finding types to run, and those asked for but skipped with why: --fast runs no parser,
    and detectors that read English words cannot read another common language."""
    if not options.findings:
        return (), {}  # --no-findings: the framing rules are not even imported (~0.15 s)
    from .framing import DETECTORS

    run, skipped = [], {}
    for name in options.findings:
        detector = DETECTORS[name]
        if detector.parser and options.align_mode == "fast":
            skipped[name] = "--fast runs no parser"
        elif detector.english and options.target_language != "en":
            skipped[name] = f"its rules read English; the common language is {options.target_language}"
        else:
            run.append(name)
    return tuple(run), skipped


def _to_source(
    item: str | Path | DocumentInput | Source, label: str | None, options: CompareOptions,
    fetcher: Callable[[], Fetcher] | None = None,
) -> Source:
    if isinstance(item, Source):
        return item
    if isinstance(item, DocumentInput):
        if not item.text.strip():
            raise UsageError(f"{item.label}: is empty (no text to compare)")
        return Source(text=item.text, label=label or item.label, path=None, encoding=None)
    if isinstance(item, str) and (is_url(item) or has_scheme(item)):  # fetch refuses ftp:, file:, ...
        return read_url(item, (fetcher or _fetcher(options))(), label=label, max_bytes=options.max_bytes)
    return read_source(item, label=label, max_bytes=options.max_bytes)


def _fetcher(options: CompareOptions) -> Callable[[], Fetcher]:
    """One Fetcher for a comparison's URLs (one robots.txt cache, one clock per host), made on first use.

    Offline is the --offline flag only: HF_HUB_OFFLINE is about the model hub and must not
    turn a machine set up for offline models into one that cannot read the news.
    """

    @cache
    def make() -> Fetcher:
        from .fetch import Fetcher

        return Fetcher(
            options.fetch, keep_to=options.keep_fetched, offline=options.offline, max_text_bytes=options.max_bytes
        )

    return make


def unique_ids(labels: Sequence[str]) -> list[str]:
    """Stable, readable, unique document ids from labels ("reuters", "reuters-2")."""
    ids: list[str] = []
    for label in labels:
        base = re.sub(r"[^\w.-]+", "-", label.strip().lower()).strip("-") or "doc"
        candidate, n = base, 1
        while candidate in ids:
            n += 1
            candidate = f"{base}-{n}"
        ids.append(candidate)
    return ids


@dataclass(frozen=True)
class Segmented:
    """A document read, its language known and its sentences split: what translation needs."""

    doc_id: str
    source: Source
    language: str
    given: bool  # the language was given (--lang, story settings), not detected
    spans: tuple[Span, ...]
    texts: tuple[str, ...]


def segment_document(doc_id: str, src: Source, inline_language: str | None, options: CompareOptions) -> Segmented:
    """Detect the language (unless given) and split the sentences, with their offsets."""
    given = options.languages.get(src.label) or options.languages.get(doc_id) or inline_language
    language = given or detect_language(src.text).language
    spans = split_sentences(src.text, limit=options.max_sentences)  # stops just past the limit
    if len(spans) > options.max_sentences:  # keeps alignment's time and memory bounded
        raise InputError(
            f"has more than {options.max_sentences:,} sentences, the limit per document "
            f"(--max-sentences); raise it if this is really one article",
            path=src.path or src.label,
        )
    texts = tuple(src.text[s.start : s.end] for s in spans)
    return Segmented(doc_id, src, language, bool(given), tuple(spans), texts)


def segment_sources(sources: Sequence[Source], options: CompareOptions) -> list[Segmented]:
    """What compare_documents does before translating, for read Sources (the Ray executor plans
    translation and embedding work from it, so both must see the same sentences)."""
    ids = unique_ids([s.label for s in sources])
    return [segment_document(doc_id, src, None, options) for doc_id, src in zip(ids, sources)]


def _build_document(seg: Segmented, options: CompareOptions, progress: bool) -> Document:
    doc_id, src, language, given, spans, texts = seg.doc_id, seg.source, seg.language, seg.given, seg.spans, seg.texts
    translations: list[str] | None = None
    flags: list[str | None] = [None] * len(texts)
    model = engine = None
    if language != options.target_language:
        from .translate import get_translator  # engines load lazily, on first miss
        from .translate.guard import runaway_reason

        try:
            translator = get_translator(source_language=language, options=options, progress=progress)
        except CompareError as exc:  # say which document needed the model
            if exc.path is None:
                exc.path = src.path or src.label
            raise
        translations = translator.translate(list(texts))
        model, engine = translator.model_id, translator.engine
        # Judged from the texts, not read from the translator: a cached run loads no engine, same flags.
        flags = [runaway_reason(text, out) for text, out in zip(texts, translations, strict=True)]
    sentences = tuple(
        Sentence(
            index=k,
            start=s.start,
            end=s.end,
            text=texts[k],
            translation=translations[k] if translations is not None else None,
            headline=k == 0 and is_headline(src.text, s),
            translation_flag=flags[k],
        )
        for k, s in enumerate(spans)
    )
    return Document(
        id=doc_id,
        label=src.label,
        path=src.path,
        language=language,
        language_source="given" if given else "detected",
        encoding=src.encoding,
        sentences=sentences,
        translated=translations is not None,
        source_language=language if translations is not None else None,
        model=model,
        engine=engine,
        published=options.published.get(src.label) or options.published.get(doc_id) or src.published,
        url=src.url,
        page_title=src.title,
        site=src.site,
    )


def pair_headlines(a: Document, b: Document, alignment: PairAlignment, scores: PairScores) -> PairAlignment:
    """Headlines pair with headlines: outlets headline the same event, in their own framing.

    When both documents open with a headline, the two are linked to each other
    (scored by the aligner like any pair: `scores` always holds pair (0, 0)) and
    to nothing else, so a headline never merges into a body sentence's link.
    Otherwise alignment is unchanged.
    """
    if not (a.sentences and b.sentences and a.sentences[0].headline and b.sentences[0].headline):
        return alignment
    links = []
    for link in alignment.links:
        ka, kb = tuple(i for i in link.a if i), tuple(j for j in link.b if j)
        if ka and kb:
            links.append(link if (ka, kb) == (link.a, link.b) else replace(link, a=ka, b=kb))
    score = float(scores[0, 0])
    links.append(RawLink((0,), (0,), round(score, 4), "strong" if score >= STRONG_THRESHOLD else "weak"))
    in_a = {i for link in links for i in link.a}
    in_b = {j for link in links for j in link.b}
    return PairAlignment(
        links=tuple(sorted(links, key=lambda link: (link.a[0], link.b[0]))),
        only_in_a=tuple(i for i in range(len(a.sentences)) if i not in in_a),
        only_in_b=tuple(j for j in range(len(b.sentences)) if j not in in_b),
    )


def _compare_pair(
    a: Document, b: Document, alignment: PairAlignment, findings: Sequence[str] = ()
) -> PairComparison:
    raws = sorted(alignment.links, key=lambda raw: (raw.a[0], raw.b[0]))
    in_order = longest_in_order([raw.b[0] for raw in raws])
    links = []
    for k, raw in enumerate(raws):
        text_a = " ".join(a.sentences[i].compare_text for i in raw.a)
        text_b = " ".join(b.sentences[j].compare_text for j in raw.b)
        diff = word_diff(text_a, text_b)
        links.append(
            Link(
                a=raw.a,
                b=raw.b,
                score=raw.score,
                strength=raw.strength,
                diff=diff,
                moved=k not in in_order,
                words=words_changed(diff),
            )
        )
    return PairComparison(
        a=a.id,
        b=b.id,
        links=tuple(links),
        only_in_a=alignment.only_in_a,
        only_in_b=alignment.only_in_b,
        findings=_pair_findings(a, b, links, findings) if findings else (),
    )


def _pair_findings(a: Document, b: Document, links: Sequence[Link], types: Sequence[str]) -> tuple[Finding, ...]:
    from .framing import across, find

    return across.time_caution(a, b, find(a, b, links, types))


def longest_in_order(values: Sequence[int]) -> set[int]:
    """Indices of a longest strictly increasing subsequence (patience sorting, deterministic).

    Links sorted by A's order whose B positions are off this chain are the facts
    that B tells elsewhere ("moved"); the fewest links are blamed.
    """
    from bisect import bisect_left

    tails: list[int] = []  # tails[L]: index ending the best chain of length L+1
    tail_values: list[int] = []
    prev = [-1] * len(values)
    for k, v in enumerate(values):
        pos = bisect_left(tail_values, v)
        if pos > 0:
            prev[k] = tails[pos - 1]
        if pos == len(tails):
            tails.append(k)
            tail_values.append(v)
        else:
            tails[pos] = k
            tail_values[pos] = v
    keep: set[int] = set()
    k = tails[-1] if tails else -1
    while k >= 0:
        keep.add(k)
        k = prev[k]
    return keep


def coverage_groups(
    documents: Sequence[Document],
    comparisons: Sequence[PairComparison],
    scores: Mapping[tuple[int, int], PairScores],
) -> tuple[CoverageGroup, ...]:
    """Facts across outlets (compare/align/facts.py), then each sentence in no fact on its own.

    A fact holds at most one sentence per outlet and a sentence may be in several facts.
    `scores`: each document pair's link probabilities, keyed by document positions (i < j).
    Ordered by how many outlets carry the fact, then by first appearance.
    """
    position = {doc.id: k for k, doc in enumerate(documents)}
    links = {
        (position[c.a], position[c.b]): [(i, j) for link in c.links for i in link.a for j in link.b]
        for c in comparisons
    }
    prob = {
        ((da, r), (db, c)): v
        for (da, db), held in scores.items()
        for r, c, v in zip(held.rows.tolist(), held.cols.tolist(), held.values.tolist())
    }
    facts = group_facts(links, prob)
    groups = [{documents[d].id: idx for d, idx in fact.items()} for fact in facts]
    covered = {(d, i) for fact in facts for d, idx in fact.items() for i in idx}
    groups += [{doc.id: (s.index,)} for d, doc in enumerate(documents) for s in doc.sentences if (d, s.index) not in covered]
    groups.sort(key=lambda g: (-len(g), min((position[d], idx[0]) for d, idx in g.items())))
    return tuple(CoverageGroup(id=k + 1, sentences=g) for k, g in enumerate(groups))
