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
from ..result import ComparisonResult, Document, Finding, Link, PairComparison, Sentence

TEMPLATES = Path(__file__).parent / "templates"

RowKind = Literal["same", "changed", "only-a", "only-b", "ghost"]
KIND_CODES: dict[str, int] = {"same": 0, "changed": 1, "only-a": 2, "only-b": 3, "ghost": 4}
_HEADLINE_END = re.compile(r"[.!?…。！？:;,\"'”’»)\]]\s*$")
# Preferred keys, in order, for a framing finding's headline and the outlet it concerns.
_FINDING_HEAD = ("title", "label", "summary", "message", "signal", "kind", "type")
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
        "findings": [_pair_finding_view(result, comp, f) for comp in result.comparisons for f in comp.findings]
        + [_finding_view(f) for f in result.findings],
        "any_translated": any(d.translated for d in result.documents),
        "flagged": _flagged_view(result),
        "data_json": Markup(_script_json(_pairs_data(result, pairs))) if multi and pairs else None,
        "css": Markup(css),
        "js": Markup(js),
        "csp": content_security_policy(css, js),
        "version": result.signature.version,
    }
    return _environment().get_template("report.html.j2").render(context)


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
    }


def _pair_view(result: ComparisonResult, k: int, comp: PairComparison) -> dict[str, Any]:
    a, b = result.document(comp.a), result.document(comp.b)
    rows = layout_rows(comp)
    views = []
    for n, row in enumerate(rows):
        view: dict[str, Any] = {
            "id": f"r{n}",
            "kind": row.kind,
            "classes": " ".join(
                ["row", row.kind]
                + (["diff"] if row.diff else [])
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
            view.update(
                seg_a=side_segments(link, "a") or [(_joined(a, link.a), False)],
                seg_b=side_segments(link, "b") or [(_joined(b, link.b), False)],
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
    for group in result.coverage:
        cells = []
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
                cells.append({"has": True, "title": hover, "n": _numbers(tuple(indices))})
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
            }
        )
    return {"groups": groups, "outlets": len(docs)}


def _pair_finding_view(result: ComparisonResult, comp: PairComparison, f: Finding) -> dict[str, Any]:
    """A finding on one link: its summary, then where it is and how sure."""
    a, b = result.document(comp.a), result.document(comp.b)
    fields = [
        ("type", f.type),
        ("sentences", f"{a.label} {_numbers(f.a)} ↔ {b.label} {_numbers(f.b)}"),
        ("confidence", f"{f.confidence:.2f}"),
    ]
    if f.caution:
        fields.append(("uncertain", f.caution))
    return {"head": f.summary, "fields": fields}


def _finding_view(finding: dict[str, Any]) -> dict[str, Any]:
    """A framing finding, shown as the JSON holds it: a headline and its other fields."""
    head_key = next((k for k in _FINDING_HEAD if isinstance(finding.get(k), str) and finding[k]), None)
    fields = [(str(k), _plain(v)) for k, v in finding.items() if k != head_key]
    return {"head": finding[head_key] if head_key else None, "fields": fields}


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.3g}"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --- compact pair data for the script (3+ outlets) ------------------------------------------------


def _u16(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript counts."""
    return len(text.encode("utf-16-le")) // 2


def _seg_data(segments: list[Segment], expected: str) -> list[Any]:
    """Run lengths alternating plain/differs (starting plain) when they rebuild `expected`, else explicit runs."""
    if "".join(text for text, _ in segments) != expected:
        return [[text, int(differs)] for text, differs in segments]
    out: list[int] = []
    differs = False
    for text, flag in segments:
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
        rows: list[list[Any]] = []
        for row in pair["layout"]:
            code = KIND_CODES[row.kind]
            if row.kind == "ghost":
                rows.append([code, [], list(row.b), row.target, list(row.link.a) if row.link else []])
            elif row.link is not None:
                link = row.link
                seg_a = side_segments(link, "a") or [(_joined(a, link.a), False)]
                seg_b = side_segments(link, "b") or [(_joined(b, link.b), False)]
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
