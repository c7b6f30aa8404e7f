"""Self-contained HTML report: one file, no network, readable without JavaScript.

Everything is rendered server-side with jinja2 (autoescape on) from the
ComparisonResult; the page's script only adds keyboard navigation, filters and,
for three or more outlets, switching the pair shown side by side. Those other
pairs are embedded as compact JSON (sentence texts once, diffs as run lengths)
and drawn by the script with the same markup as the server-rendered pair, so a
10-outlet report (45 pairs) stays small.

Nothing analytical is computed here. The only derivations are presentational:
the order of rows (links in A's order, B-only sentences where B tells them),
which links are drawn out of B's order ("moved": links off the longest run that
is in order in both documents), and counts of what the result holds.

Control characters in article text are kept as written, like the JSON: they
are escaped text in the page, never markup, and reach no terminal.
Translations the pipeline flagged (`Sentence.translation_flag`) are marked
on their sentence, with the reason as a tooltip and a count in the header.

Determinism: the output depends only on the result (no clock, no randomness,
the result's own ordering), so the same inputs give a byte-identical file.
The Content-Security-Policy allows exactly the page's own inline style and
script (by sha256 hash) and nothing else: no network, no images, no fonts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from ..language import language_name
from ..result import FINDING_TYPES, ComparisonResult, Document, Finding, Link, PairComparison, Sentence, Span

TEMPLATES = Path(__file__).parent / "templates"

RowKind = Literal["same", "changed", "only-a", "only-b", "ghost"]
KIND_CODES: dict[str, int] = {"same": 0, "changed": 1, "only-a": 2, "only-b": 3, "ghost": 4}
_HEADLINE_END = re.compile(r"[.!?…。！？:;,\"'”’»)\]]\s*$")
# Each finding type's badge: a symbol as well as a colour (colour-blind safe), and a short name.
BADGES: dict[str, tuple[str, str]] = {
    "number": ("#", "number"),
    "attribution": ("@", "source"),
    "certainty": ("?", "certainty"),
    "quote": ("“", "quote"),
    "loaded": ("!", "wording"),
    "entity": ("⊙", "name"),
    "detail": ("+", "detail"),
}
MAX_PAIR_LISTS = 3  # more pairs: the panel lists cross-outlet findings; each pair's show on its rows
MAX_LEDGER = 12
# Said on a flagged sentence (the same words in report.js).
FLAG_TITLE = "Machine translation looks wrong: {}. Read the original."
FLAG_NOTE = "⚠ translation looks wrong: {}"


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a side-by-side pair: a link, a one-sided sentence, or a moved link's place in B."""

    kind: RowKind
    a: tuple[int, ...]
    b: tuple[int, ...]
    link: Link | None = None
    moved: bool = False
    target: int = -1  # moved link -> its ghost row; ghost -> the link's row

    @property
    def diff(self) -> bool:
        """Counts as a difference for n/p navigation and the 'only differences' filter."""
        return self.kind in ("changed", "only-a", "only-b") or self.moved


Segment = tuple[str, bool]  # (text, differs)
Run = tuple[str, bool, bool]  # (text, differs, evidence of a finding)


def render_html(result: ComparisonResult) -> str:
    """Render the whole report as one self-contained HTML document."""
    css = _asset("report.css")
    js = _asset("report.js")
    pairs = [_pair_view(result, k, comp) for k, comp in enumerate(result.comparisons)]
    multi = len(result.documents) > 2
    context = {
        "title": report_title(result),
        "created": result.created,
        "signature": str(result.signature),
        "docs": [_doc_view(d) for d in result.documents],
        "summary": _summary(result, pairs),
        "pairs": pairs,
        "pair": pairs[0] if pairs else None,
        "multi": multi,
        "coverage": _coverage_view(result) if result.coverage else None,
        "framing": _framing_view(result, pairs),
        "any_translated": any(d.translated for d in result.documents),
        "flagged": _flagged_view(result),
        "data_json": Markup(_script_json(_pairs_data(result, pairs))) if multi and pairs else None,
        "css": Markup(css),
        "js": Markup(js),
        "csp": content_security_policy(css, js),
        "version": result.signature.version,
    }
    return _environment().get_template("report.html.j2").render(context)


def render(result: ComparisonResult, options: object = None) -> str:
    """The registry's signature (compare.render): the report has no reader options."""
    return render_html(result)


# --- presentation helpers (pure) ------------------------------------------------------------------


def report_title(result: ComparisonResult) -> str:
    """The event: --title, else a headline-like first sentence, else the outlets' names."""
    if result.title and result.title.strip():
        return result.title.strip()
    if result.documents and result.documents[0].sentences:
        first = " ".join(result.documents[0].sentences[0].compare_text.split())
        if first and len(first) <= 160 and len(first.split()) >= 2 and not _HEADLINE_END.search(first):
            return first
    return " · ".join(d.label for d in result.documents) or "Comparison"


def layout_rows(comp: PairComparison) -> list[Row]:
    """Rows in A's order; B-only sentences where B tells them; moved links get a marker at B's place.

    A link is "moved" (`Link.moved`, decided by the pipeline) when B tells that
    fact out of A's order. Its row stays in A's order and a "ghost" row marks
    where B has it, so reading either column top to bottom follows that
    outlet's own order.
    """
    links = sorted(comp.links, key=lambda link: (link.a[0], link.b[0]))
    anchors = sorted((link.b[0], link.a[0]) for link in links if not link.moved)  # (b, a), increasing in both
    anchor_b = [b for b, _ in anchors]
    end = float("inf")

    def place_in_b(j: int) -> float:
        """A-position just before the next in-order link after B sentence j."""
        nxt = bisect_left(anchor_b, j + 1)
        return anchors[nxt][1] - 0.5 if nxt < len(anchors) else end

    items: list[tuple[tuple[float, int, int], Row]] = []
    for link in links:
        changed = any(op.tag != "equal" for op in link.diff) if link.diff else False
        kind: RowKind = "changed" if changed else "same"
        items.append(((link.a[0], 0, 0), Row(kind, link.a, link.b, link, moved=link.moved)))
        if link.moved:
            items.append(((place_in_b(link.b[0]), 1, link.b[0]), Row("ghost", (), link.b, link)))
    for i in comp.only_in_a:
        items.append(((i, 0, 0), Row("only-a", (i,), ())))
    for j in comp.only_in_b:
        items.append(((place_in_b(j), 1, j), Row("only-b", (), (j,))))
    items.sort(key=lambda item: item[0])
    rows = [row for _, row in items]
    # Cross-reference each moved link with its ghost row.
    where = {id(row.link): k for k, row in enumerate(rows) if row.link is not None and row.kind != "ghost"}
    ghost_of = {id(row.link): k for k, row in enumerate(rows) if row.kind == "ghost"}
    out = []
    for row in rows:
        if row.kind == "ghost":
            out.append(Row("ghost", row.a, row.b, row.link, target=where[id(row.link)]))
        elif row.moved:
            out.append(Row(row.kind, row.a, row.b, row.link, moved=True, target=ghost_of[id(row.link)]))
        else:
            out.append(row)
    return out


def side_segments(link: Link, side: Literal["a", "b"]) -> list[Segment]:
    """One side of a link's word diff as (text, differs) runs; trailing spaces never highlighted."""
    segments: list[Segment] = []
    for op in link.diff:
        text = op.a if side == "a" else op.b
        if not text:
            continue
        if op.tag == "equal":
            _push(segments, text, False)
        else:
            body = text.rstrip()
            _push(segments, body, True)
            _push(segments, text[len(body) :], False)
    return segments


def _push(segments: list[Segment], text: str, differs: bool) -> None:
    if not text:
        return
    if segments and segments[-1][1] == differs:
        segments[-1] = (segments[-1][0] + text, differs)
    else:
        segments.append((text, differs))


def _joined(doc: Document, indices: tuple[int, ...]) -> str:
    return " ".join(doc.sentences[i].compare_text for i in indices)


def _originals(doc: Document, indices: tuple[int, ...]) -> str | None:
    if not doc.translated:
        return None
    return " ".join(doc.sentences[i].text for i in indices)


def _numbers(indices: tuple[int, ...]) -> str:
    return ", ".join(str(i + 1) for i in indices)


def _flag_view(reason: str | None) -> dict[str, str] | None:
    return {"title": FLAG_TITLE.format(reason), "note": FLAG_NOTE.format(reason)} if reason else None


def _flagged_view(result: ComparisonResult) -> dict[str, Any] | None:
    """The header's count of flagged translations, per outlet; None when there are none."""
    per_doc = [(d.label, len(d.flagged)) for d in result.documents if d.flagged]
    return {"total": sum(n for _, n in per_doc), "docs": per_doc} if per_doc else None


def _doc_view(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "label": doc.label,
        "language": doc.language,
        "language_name": language_name(doc.language),
        "detected": doc.language_source == "detected",
        "sentences": len(doc.sentences),
        "translated": doc.translated,
        "source_name": language_name(doc.source_language or doc.language),
        "source_code": doc.source_language or doc.language,
        "model": doc.model,
        "engine": doc.engine,
        **_source_view(doc),
    }


def _source_view(doc: Document) -> dict[str, Any]:
    """A fetched document's site and link; only http(s) URLs become links (a result read back
    from JSON could hold a javascript: one)."""
    url = doc.url if doc.url and doc.url[:8].lower().startswith(("http://", "https://")) else None
    shown = None
    if url:
        shown = re.sub(r"^https?://(?:www\.)?", "", url, flags=re.IGNORECASE)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return {"url": url, "url_text": shown, "site": doc.site, "page_title": doc.page_title}


def _pair_view(result: ComparisonResult, k: int, comp: PairComparison) -> dict[str, Any]:
    a, b = result.document(comp.a), result.document(comp.b)
    rows = layout_rows(comp)
    on_link = findings_by_link(comp)
    views = []
    for n, row in enumerate(rows):
        types = [f.type for f in on_link.get((row.a, row.b), [])] if row.link is not None and row.kind != "ghost" else []
        view: dict[str, Any] = {
            "id": f"r{n}",
            "kind": row.kind,
            "classes": " ".join(
                ["row", row.kind]
                + (["diff"] if row.diff else [])
                + [f"ft-{t}" for t in types]
                + (["moved"] if row.moved else [])
                + (["weak"] if row.link is not None and row.link.strength == "weak" and row.kind != "ghost" else [])
            ),
            "na": _numbers(row.a),
            "nb": _numbers(row.b),
            "target": f"r{row.target}" if row.target >= 0 else None,
            "above": row.target < n,
        }
        if row.kind == "ghost":
            assert row.link is not None
            view["ghost_a"] = _numbers(row.link.a)
        elif row.link is not None:
            link = row.link
            found = on_link.get((link.a, link.b), [])
            seg_a, seg_b = link_runs(a, b, link, found)
            view.update(
                seg_a=seg_a,
                seg_b=seg_b,
                badges=[_badge(f) for f in found],
                orig_a=_originals(a, link.a),
                orig_b=_originals(b, link.b),
                flag_a=_flag_view(a.flag_of(link.a)),
                flag_b=_flag_view(b.flag_of(link.b)),
                score=f"{link.score:.2f}",
                strength=link.strength,
                nm=f"{len(link.a)}:{len(link.b)}" if len(link.a) > 1 or len(link.b) > 1 else None,
            )
        elif row.kind == "only-a":
            view.update(text_a=_joined(a, row.a), orig_a=_originals(a, row.a), flag_a=_flag_view(a.flag_of(row.a)))
        else:
            view.update(text_b=_joined(b, row.b), orig_b=_originals(b, row.b), flag_b=_flag_view(b.flag_of(row.b)))
        views.append(view)
    moved = sum(1 for row in rows if row.moved)
    return {
        "index": k,
        "row_of": {(row.a, row.b): f"r{n}" for n, row in enumerate(rows) if row.link is not None and row.kind != "ghost"},
        "a": _doc_view(a),
        "b": _doc_view(b),
        "rows": views,
        "layout": rows,
        "links": len(comp.links),
        "only_a": len(comp.only_in_a),
        "only_b": len(comp.only_in_b),
        "moved": moved,
        "linked_a": len({i for link in comp.links for i in link.a}),
        "linked_b": len({j for link in comp.links for j in link.b}),
        "diffs": sum(1 for row in rows if row.diff),
    }


def _summary(result: ComparisonResult, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-outlet figures for the header, as the result model counts them."""
    two = len(result.documents) == 2
    return [
        {
            "label": result.document(o.document).label,
            "side": ("a", "b")[k] if two else None,
            "sentences": o.sentences,
            "shared": o.shared,
            "only": o.only_here,
            **({} if o.facts is None else {"facts": o.facts}),
            "coverage": f"{round(100 * o.coverage)}%" if (o.sentences if two else result.coverage) else "–",
        }
        for k, o in enumerate(result.outlet_summary())
    ]


def _coverage_view(result: ComparisonResult) -> dict[str, Any]:
    docs = result.documents
    groups = []
    wordings = result.wordings()
    cross: dict[int, list] = {}
    for f in result.findings:
        cross.setdefault(f.fact, []).append(f)
    for group in result.coverage:
        cells = []
        alone = {d for f in cross.get(group.id, []) for d in f.alone}
        for doc in docs:
            indices = group.sentences.get(doc.id)
            if indices:
                text = _joined(doc, tuple(indices))
                orig = _originals(doc, tuple(indices))
                hover = f"{doc.label} {_numbers(tuple(indices))}: {text}"
                if flag := doc.flag_of(tuple(indices)):
                    hover += "\n\n" + FLAG_NOTE.format(flag)
                if orig:
                    hover += f"\n\nOriginal ({language_name(doc.source_language or doc.language)}): {orig}"
                if doc.id in alone:
                    hover += "\n\nStands alone: " + "; ".join(f.summary for f in cross[group.id] if doc.id in f.alone)
                cells.append({"has": True, "title": hover, "n": _numbers(tuple(indices)), "alone": doc.id in alone})
            else:
                cells.append({"has": False, "title": f"not in {doc.label}", "n": ""})
        first_id, indices = wordings[group.id]
        first = result.document(first_id)
        groups.append(
            {
                "id": group.id,
                "cells": cells,
                "count": len(group.sentences),
                "text": _joined(first, indices),
                "source": first.label,
                "only": first.label if len(group.sentences) == 1 else None,
                "flag": _flag_view(first.flag_of(indices)),
                "cross": [{**_cross_badge(f.type), "title": f.summary} for f in cross.get(group.id, [])],
            }
        )
    return {"groups": groups, "outlets": len(docs)}


def findings_by_link(comp: PairComparison) -> dict[tuple[tuple[int, ...], tuple[int, ...]], list[Finding]]:
    """Each link's findings (keyed by its sentences), in FINDING_TYPES order."""
    out: dict[tuple[tuple[int, ...], tuple[int, ...]], list[Finding]] = {}
    for f in sorted(comp.findings, key=lambda f: FINDING_TYPES.index(f.type)):
        out.setdefault((f.a, f.b), []).append(f)
    return out


def _badge(f: Finding) -> dict[str, str]:
    sym, name = BADGES[f.type]
    title = f.summary + (f" (uncertain: {f.caution})" if f.caution else "")
    return {"type": f.type, "sym": sym, "name": name, "title": title, "uncertain": "uncertain" if f.caution else ""}


def _evidence_ranges(doc: Document, indices: tuple[int, ...], spans: list[Span]) -> list[tuple[int, int]]:
    """Evidence spans as character ranges of the link side's joined text (sentences joined by a space)."""
    offset, at = {}, 0
    for i in indices:
        offset[i] = at
        at += len(doc.sentences[i].compare_text) + 1
    return sorted((offset[sp.sentence] + sp.start, offset[sp.sentence] + sp.end) for sp in spans if sp.sentence in offset)


def mark_evidence(segments: list[Segment], ranges: list[tuple[int, int]]) -> list[Run]:
    """Split diff runs where evidence starts and ends: (text, differs, evidence) runs."""
    out: list[Run] = []
    at = 0
    for text, differs in segments:
        cuts = sorted({0, len(text)} | {min(len(text), max(0, x - at)) for r in ranges for x in r})
        for lo, hi in zip(cuts, cuts[1:]):
            if hi > lo:
                ev = any(s <= at + lo and at + hi <= e for s, e in ranges)
                if out and out[-1][1] == differs and out[-1][2] == ev:
                    out[-1] = (out[-1][0] + text[lo:hi], differs, ev)
                else:
                    out.append((text[lo:hi], differs, ev))
        at += len(text)
    return out


def link_runs(a: Document, b: Document, link: Link, found: list[Finding]) -> tuple[list[Run], list[Run]]:
    """Both sides of a link as runs: the word diff, with the findings' evidence marked."""
    seg_a = side_segments(link, "a") or [(_joined(a, link.a), False)]
    seg_b = side_segments(link, "b") or [(_joined(b, link.b), False)]
    spans_a = [sp for f in found for sp in f.a_spans]
    spans_b = [sp for f in found for sp in f.b_spans]
    return (
        mark_evidence(seg_a, _evidence_ranges(a, link.a, spans_a)),
        mark_evidence(seg_b, _evidence_ranges(b, link.b, spans_b)),
    )


def _framing_view(result: ComparisonResult, pairs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The findings panel: counts by type (buttons that filter the rows), the pair findings most
    important first, agreement across outlets, the omissions ledger, prominence and sources."""
    labels = {d.id: d.label for d in result.documents}
    counts = {t: 0 for t in FINDING_TYPES}
    for comp in result.comparisons:
        for f in comp.findings:
            counts[f.type] += 1
    pair_lists = []
    if len(result.comparisons) <= MAX_PAIR_LISTS:
        for pair, comp in zip(pairs, result.comparisons):
            items = []
            for f in sorted(comp.findings, key=lambda f: (-f.confidence, FINDING_TYPES.index(f.type), f.a, f.b)):
                items.append(
                    {
                        **_badge(f),
                        "summary": f.summary,
                        "where": f"{labels[comp.a]} {_numbers(f.a)} ↔ {labels[comp.b]} {_numbers(f.b)}",
                        "row": pair["row_of"].get((f.a, f.b)) if pair["index"] == 0 else None,
                        "confidence": f"{f.confidence:.2f}",
                        "caution": f.caution,
                    }
                )
            if items:
                pair_lists.append({"a": labels[comp.a], "b": labels[comp.b], "items": items})
    cross = [
        {**_cross_badge(f.type), "summary": f.summary, "fact": f.fact, "caution": f.caution} for f in result.findings
    ]
    ledger = []
    for e in result.ledger[:MAX_LEDGER]:
        top = max(e.positions, key=lambda p: p.prominence)
        ledger.append(
            {
                "text": _joined(result.document(top.document), top.sentences),
                "where": ", ".join(f"{labels[p.document]}: {p.where}" for p in e.positions),
                "missing": ", ".join(labels[d] for d in e.missing_from),
                "fact": e.fact,
            }
        )
    shifts = [
        {"summary": s.summary, "text": _joined(result.document(s.high.document), s.high.sentences)}
        for s in result.prominence
    ]
    sources = [
        {
            "label": labels[o.document],
            "named": [(c.name, c.count, c.quoted) for c in o.sources],
            "unnamed": o.unnamed,
        }
        for o in result.sources
    ]
    if not (any(counts.values()) or cross or ledger or shifts or any(s["named"] for s in sources) or result.skipped):
        return None
    return {
        "counts": [{"type": t, "sym": BADGES[t][0], "name": BADGES[t][1], "n": n} for t, n in counts.items() if n],
        "pairs": pair_lists,
        "listed_pairs": len(result.comparisons) <= MAX_PAIR_LISTS,
        "cross": cross,
        "ledger": ledger,
        "ledger_more": max(0, len(result.ledger) - MAX_LEDGER),
        "shifts": shifts,
        "sources": sources if any(s["named"] or s["unnamed"] for s in sources) else [],
        "skipped": list(result.skipped.items()),
    }


def _cross_badge(kind: str) -> dict[str, str]:
    sym, name = BADGES[kind]
    return {"type": kind, "sym": sym, "name": name}


# --- compact pair data for the script (3+ outlets) ------------------------------------------------


def _u16(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript counts."""
    return len(text.encode("utf-16-le")) // 2


def _seg_data(runs: list[Run], expected: str) -> list[Any]:
    """Run lengths alternating plain/differs (starting plain) when they rebuild `expected` and mark
    no evidence; else explicit runs [text, differs, evidence]."""
    if "".join(text for text, _, _ in runs) != expected or any(ev for _, _, ev in runs):
        return [[text, int(differs), int(ev)] for text, differs, ev in runs]
    out: list[int] = []
    differs = False
    for text, flag, _ in runs:
        if flag != differs:
            out.append(0)
            differs = not differs
        out.append(_u16(text))
        differs = not differs
    return out


def _pairs_data(result: ComparisonResult, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    docs = result.documents
    index = {d.id: k for k, d in enumerate(docs)}
    data_pairs = []
    for pair, comp in zip(pairs, result.comparisons):
        a, b = result.document(comp.a), result.document(comp.b)
        on_link = findings_by_link(comp)
        rows: list[list[Any]] = []
        for row in pair["layout"]:
            code = KIND_CODES[row.kind]
            if row.kind == "ghost":
                rows.append([code, [], list(row.b), row.target, list(row.link.a) if row.link else []])
            elif row.link is not None:
                link = row.link
                found = on_link.get((link.a, link.b), [])
                seg_a, seg_b = link_runs(a, b, link, found)
                rows.append(
                    [
                        code,
                        list(link.a),
                        list(link.b),
                        f"{link.score:.2f}",
                        int(link.strength == "weak"),
                        row.target if row.moved else -1,
                        _seg_data(seg_a, _joined(a, link.a)),
                        _seg_data(seg_b, _joined(b, link.b)),
                    ]
                    + ([[[f.type, _badge(f)["title"]] for f in found]] if found else [])
                )
            else:
                rows.append([code, list(row.a), list(row.b)])
        data_pairs.append(
            {
                "a": index[comp.a],
                "b": index[comp.b],
                "n": [pair["links"], pair["only_a"], pair["only_b"], pair["moved"], pair["diffs"]],
                "rows": rows,
            }
        )
    return {
        "docs": [
            {
                "label": d.label,
                "lang": d.source_language or d.language,
                "name": language_name(d.source_language or d.language),
            }
            for d in docs
        ],
        # [translation, original, flag] (the flag only when there is one), or [text] when not translated.
        "s": [[_sentence_data(s) if d.translated else [s.text] for s in d.sentences] for d in docs],
        "pairs": data_pairs,
    }


def _sentence_data(s: Sentence) -> list[str]:
    return [s.compare_text, s.text, s.translation_flag] if s.translation_flag else [s.compare_text, s.text]


def _script_json(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' survive literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- assets, CSP, jinja ---------------------------------------------------------------------------


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(css: str, js: str) -> str:
    """Allow only this page's own inline style and script; load nothing, send nothing."""
    return (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; "
        "frame-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'"
    )


@cache
def _asset(name: str) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    closing = "</style" if name.endswith(".css") else "</script"
    if closing in text.lower():
        raise ValueError(f"{name} must not contain {closing}")
    return text


@lru_cache(maxsize=1)
def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env
