"""HTML report (compare/render/html.py): structure, escaping, determinism, CSP, layout, contrast.

Browser behaviour (keys, toggles, no network, XSS not running) is in test_html_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.options import CompareOptions
from compare.pipeline import DocumentInput, compare_documents, longest_in_order
from compare.render.html import layout_rows, render_html, report_title, side_segments
from compare.result import ComparisonResult, Link, PairComparison

ROOT = Path(__file__).resolve().parent.parent
XSS = Path(__file__).resolve().parent / "fixtures" / "xss"
TEMPLATES = ROOT / "compare" / "render" / "templates"

ARTICLE_A = """Leaders agree on new Baltic-Pacific trade pact

Trade ministers from twelve countries signed a framework agreement in Tallinn on Tuesday. The pact cuts tariffs on 1,200 goods by an average of 8 percent. Negotiators worked through the night to settle a dispute over fishing quotas. Environmental groups protested outside the venue, calling the deal a giveaway to shipping companies. The agreement still needs to be ratified by national parliaments. Officials expect the first tariff cuts to take effect in March. Estonia's prime minister called it "a historic day for open trade."
"""
ARTICLE_B = """Trade summit ends with tariff deal

Estonia's prime minister hailed "a historic day for free trade" as the summit closed. Ministers from twelve nations signed a framework agreement in Tallinn on Tuesday. The deal reduces tariffs on about 1,200 products by an average of 8 percent. Talks ran through the night over fishing quotas, delegates said. National parliaments must still ratify the accord. Critics say smaller ports will lose business to larger hubs. The first cuts could take effect as early as March.
"""
ARTICLE_C = """Fishing row nearly derailed Tallinn trade talks

A late-night dispute over fishing quotas almost sank the Baltic-Pacific trade talks in Tallinn. Ministers from twelve countries eventually signed a framework agreement on Tuesday. The pact cuts tariffs on 1,200 goods by 8 percent on average. Fishermen's unions said they had not been consulted. The agreement must still be ratified by national parliaments.
"""


def build(texts: dict[str, str], **kwargs) -> ComparisonResult:
    """A real pipeline result for English texts (no translation involved)."""
    return compare_documents([DocumentInput(t, label, "en") for label, t in texts.items()], **kwargs)


def with_translation(result: ComparisonResult, k: int, *, language: str = "ru") -> ComparisonResult:
    """Make document k look translated: its sentences get a made-up original; the English stays the translation."""
    doc = result.documents[k]
    sentences = tuple(replace(s, text=f"Оригинал {s.index + 1}: «{s.text}»", translation=s.text) for s in doc.sentences)
    new = replace(
        doc,
        sentences=sentences,
        language=language,
        translated=True,
        source_language=language,
        model="opus-mt-ru-en",
        engine="ctranslate2",
    )
    docs = tuple(new if i == k else d for i, d in enumerate(result.documents))
    return replace(result, documents=docs)


def two_docs(**options) -> ComparisonResult:
    return build({"Meridian Wire": ARTICLE_A, "Harbor Review": ARTICLE_B}, options=CompareOptions(**options))


def three_docs() -> ComparisonResult:
    return build({"Meridian Wire": ARTICLE_A, "Harbor Review": ARTICLE_B, "Coastal Daily": ARTICLE_C})


def xss_result(n: int = 3) -> ComparisonResult:
    labels = ['<b onmouseover="window.__xss=20">A</b>', "B & 'co'", "C</script>"]
    texts = {
        labels[k]: (XSS / name).read_text(encoding="utf-8") for k, name in enumerate(("a.txt", "b.txt", "c.txt")[:n])
    }
    return build(texts, title='<script>window.__xss="title"</script> & <!-- x -->')


class Tags(HTMLParser):
    """Collects start tags with their attributes, and script/style bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == self._in:
            self._in = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in:
            self.raw[self._in][-1] += data


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


# --- structure -------------------------------------------------------------------------------------


def test_two_documents_rows_and_highlights():
    result = two_docs()
    html = render_html(result)
    assert html.startswith("<!doctype html>")
    assert "<h1>Leaders agree on new Baltic-Pacific trade pact</h1>" in html
    comp = result.comparisons[0]
    rows = re.findall(r'<tr id="r\d+" class="([^"]+)"', html)
    assert len([c for c in rows if "ghost" not in c]) == len(comp.links) + len(comp.only_in_a) + len(comp.only_in_b)
    assert '<mark class="ma">countries</mark>' in html
    assert '<mark class="mb">nations</mark>' in html
    assert "not in Harbor Review" in html and "not in Meridian Wire" in html
    assert 'class="row changed diff moved"' in html  # the prime minister's quote: first in B, last in A
    assert "↕ moved" in html
    # The summary figures: 8 sentences each, 7 shared (headlines pair up), 1 only here, 88%.
    assert re.search(r"Meridian Wire</th>.*?</td><td>8</td><td>7</td><td>1</td><td>88%</td>", html)
    assert 'id="pair-data"' not in html  # two documents: no embedded data, all server-side
    assert 'id="coverage"' not in html


def test_every_sentence_of_both_sides_is_in_the_report():
    result = two_docs()
    html = render_html(result)
    from html import unescape

    text = unescape(re.sub(r"<[^>]+>", "", html))
    for doc in result.documents:
        for s in doc.sentences:
            assert s.text in text


def test_header_lists_outlets_languages_and_translation_model():
    result = with_translation(two_docs(), 1)
    html = render_html(result)
    assert 'Harbor Review</th><td class="l">Russian <span class="meta">(ru)</span></td>' in html
    assert '<td class="l">opus-mt-ru-en <span class="meta">(ctranslate2)</span></td>' in html
    assert 'Meridian Wire</th><td class="l">English <span class="meta">(en)</span></td>' in html
    assert '<span class="meta">not translated</span>' in html


def test_translated_document_shows_translation_and_original():
    result = with_translation(two_docs(), 1)
    html = render_html(result)
    assert html.count('<details class="orig">') == len(result.documents[1].sentences)
    assert (
        '<summary>Original (Russian)</summary><p class="o" lang="ru">Оригинал 3: «Ministers from twelve nations' in html
    )
    assert '<mark class="mb">nations</mark>' in html  # the diff is on the translation
    assert 'id="orig-all"' in html


def test_stamp_only_when_asked():
    result = two_docs()
    assert "<time" not in render_html(result)
    stamped = render_html(replace(result, created="2025-10-15T12:00:00+00:00"))
    assert '<time datetime="2025-10-15T12:00:00+00:00">2025-10-15T12:00:00+00:00</time>' in stamped


def test_title_rules():
    result = two_docs()
    assert report_title(replace(result, title="  Tallinn summit ")) == "Tallinn summit"
    assert report_title(result) == "Leaders agree on new Baltic-Pacific trade pact"
    # First sentence is not a headline (ends with a period): fall back to the outlets.
    no_headline = build({"One": ARTICLE_A.split("\n", 2)[2], "Two": ARTICLE_B.split("\n", 2)[2]})
    assert report_title(no_headline) == "One · Two"


def test_three_documents_grid_and_pair_selector():
    result = three_docs()
    html = render_html(result)
    assert 'id="coverage"' in html
    grid_rows = re.findall(r"<tr(?: class=\"lone\")?><td class=\"gid\">", html)
    assert len(grid_rows) == len(result.coverage)
    assert html.count('<td class="c yes') == sum(len(g.sentences) for g in result.coverage)
    group = result.coverage[-1]
    doc_id, idx = next(iter(group.sentences.items()))
    doc = result.document(doc_id)
    hover = f"{doc.label} {idx[0] + 1}: {doc.sentences[idx[0]].text}".replace("'", "&#39;")
    assert f'<td class="c yes" title="{hover}' in html
    options = re.findall(r'<option value="(\d+)">', html)
    assert options == [str(k) for k in range(len(result.comparisons))] and len(options) == 3
    data = embedded_data(html)
    assert [d["label"] for d in data["docs"]] == ["Meridian Wire", "Harbor Review", "Coastal Daily"]
    assert len(data["pairs"]) == 3
    assert [len(s) for s in data["s"]] == [len(d.sentences) for d in result.documents]


def embedded_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="pair-data">(.*?)</script>', html, re.DOTALL)
    assert m
    return json.loads(m.group(1))


def test_embedded_run_lengths_rebuild_the_diff():
    """The script slices the joined sentence texts by these lengths; they must add up exactly."""
    result = with_translation(three_docs(), 2)
    data = embedded_data(render_html(result))
    for pair, comp in zip(data["pairs"], result.comparisons):
        a, b = result.document(comp.a), result.document(comp.b)
        links = iter(comp.links)
        for row in pair["rows"]:
            if row[0] not in (0, 1):
                continue
            link = next(l for l in links if list(l.a) == row[1])
            for seg, doc, idx, side in ((row[6], a, link.a, "a"), (row[7], b, link.b, "b")):
                joined = " ".join(doc.sentences[i].compare_text for i in idx)
                if seg and isinstance(seg[0], list):  # explicit runs: evidence of a finding is marked
                    assert "".join(text for text, _, _ in seg) == joined
                    merged: list = []
                    for text, differs, _ in seg:
                        if merged and merged[-1][1] == bool(differs):
                            merged[-1] = (merged[-1][0] + text, bool(differs))
                        else:
                            merged.append((text, bool(differs)))
                    assert merged == side_segments(link, side)
                    continue
                assert all(isinstance(n, int) for n in seg)
                assert sum(seg) == len(joined.encode("utf-16-le")) // 2
                runs, at = [], 0
                for k, n in enumerate(seg):
                    runs.append((joined[at : at + n], bool(k % 2)))
                    at += n
                assert [r for r in runs if r[0]] == side_segments(link, side)


def test_findings_are_shown_when_present():
    from compare.result import Finding, Span

    result = two_docs(findings=())
    assert 'id="framing"' not in render_html(result)
    comp = result.comparisons[0]
    link = next(link for link in comp.links if link.strength == "strong")
    a = result.document(comp.a)
    text = a.sentences[link.a[0]].compare_text
    finding = Finding(
        "number", link.a, link.b, (Span(link.a[0], 0, 5),), (), "quote attributed to <b>Kask</b>", 0.8123
    )
    html = render_html(replace(result, comparisons=(replace(comp, findings=(finding,)),)))
    assert 'id="framing"' in html
    assert "quote attributed to &lt;b&gt;Kask&lt;/b&gt;" in html and "confidence 0.81" in html
    # The count button that filters the rows, the badge on the link's row, the evidence marked.
    assert 'data-type="number" aria-pressed="false"><span aria-hidden="true">#</span> number <b>1</b>' in html
    row = re.search(r'<tr id="r\d+" class="row[^"]*ft-number[^"]*"[^>]*>.*?</tr>', html, re.DOTALL)
    assert row and 'class="badge t-number"' in row.group(0)
    marked = re.findall(r'<mark class="(?:ma )?ev">([^<]*)</mark>', row.group(0))
    assert "".join(marked) == text[:5]


# --- self-contained, CSP, escaping -----------------------------------------------------------------


def test_self_contained_and_csp_hashes_match():
    for result in (two_docs(), three_docs()):
        html = render_html(result)
        tags = parse(html)
        for tag, attrs in tags.tags:
            assert tag not in ("link", "img", "iframe", "object", "embed", "base", "form"), tag
            assert "src" not in attrs and "srcset" not in attrs
            href = attrs.get("href")
            assert href is None or href.startswith("#"), href
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            assert "style" not in attrs  # inline style attributes would be blocked by the CSP
        assert "url(" not in html and "@import" not in html and "http://" not in html and "https://" not in html
        csp = next(
            a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
        )
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
        executable = [
            body
            for (t, a), body in zip([x for x in tags.tags if x[0] == "script"], tags.raw["script"])
            if a.get("type") is None
        ]
        assert len(executable) == 1 and len(tags.raw["style"]) == 1
        for kind, body in (("script", executable[0]), ("style", tags.raw["style"][0])):
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            assert f"{kind}-src 'sha256-{digest}'" in csp


@pytest.mark.parametrize("n", [2, 3])
def test_xss_inputs_are_text(n):
    result = xss_result(n)
    html = render_html(result)
    tags = parse(html)
    names = [t for t, _ in tags.tags]
    assert names.count("script") == (2 if n > 2 else 1)  # our script (+ the JSON data block), nothing else
    assert "img" not in names and "iframe" not in names and "svg" not in names and "math" not in names
    assert names.count("style") == 1
    for _, attrs in tags.tags:
        assert not any(k.startswith("on") for k in attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href", "data"):
            assert not (attrs.get(name) or "").lower().startswith("javascript:")
    plain = re.sub(r"</?mark[^>]*>", "", html)  # the word diff may highlight inside a payload
    assert "&lt;script&gt;window.__xss = 1; alert(1)&lt;/script&gt;" in plain
    assert "&lt;img src=x onerror=&#34;window.__xss=2;alert(2)&#34;&gt;" in plain
    assert "&lt;!-- a hidden comment --&gt;" in plain
    assert "<!--" not in html.replace("<!doctype", "")
    if n > 2:
        raw = re.search(r'<script type="application/json" id="pair-data">(.*?)</script>', html, re.DOTALL).group(1)
        assert "<" not in raw and ">" not in raw and "&" not in raw
        assert any("<script>" in s[0] for doc in json.loads(raw)["s"] for s in doc)


# --- determinism -----------------------------------------------------------------------------------


def test_byte_identical_and_same_from_saved_json():
    for result in (two_docs(), with_translation(three_docs(), 1)):
        html = render_html(result)
        assert render_html(result) == html
        again = ComparisonResult.from_dict(json.loads(json.dumps(result.to_dict())))
        assert render_html(again) == html


# --- layout (pure) ---------------------------------------------------------------------------------


def column_orders(comp: PairComparison):
    rows = layout_rows(comp)
    a_col = [i for r in rows if r.kind != "ghost" for i in r.a]
    # B's column read top to bottom: moved links are read at their ghost row.
    b_col = [j for r in rows if not r.moved for j in r.b]
    return rows, a_col, b_col


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_layout_reads_in_each_documents_own_order(data):
    n = data.draw(st.integers(0, 12))
    m = data.draw(st.integers(0, 12))
    k = data.draw(st.integers(0, min(n, m)))
    a_idx = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True)) if n else [])
    b_idx = data.draw(
        st.permutations(
            sorted(data.draw(st.lists(st.integers(0, m - 1), min_size=k, max_size=k, unique=True)) if m else [])
        )
    )
    in_order = longest_in_order(list(b_idx))  # as the pipeline marks moved links
    links = tuple(
        Link(a=(i,), b=(j,), score=0.5, strength="strong", moved=k not in in_order)
        for k, (i, j) in enumerate(zip(a_idx, b_idx))
    )
    comp = PairComparison(
        a="a",
        b="b",
        links=links,
        only_in_a=tuple(i for i in range(n) if i not in a_idx),
        only_in_b=tuple(j for j in range(m) if j not in b_idx),
    )
    rows, a_col, b_col = column_orders(comp)
    assert a_col == list(range(n))
    assert b_col == list(range(m))
    moved = [r for r in rows if r.moved]
    assert len(moved) == len([r for r in rows if r.kind == "ghost"])
    for r in moved:
        assert rows[r.target].kind == "ghost" and rows[rows[r.target].target] is r
    # Fewest moves: the links left in place are a longest in-order chain.
    b_of = [l.b[0] for l in sorted(links, key=lambda l: l.a)]
    assert len(links) - len(moved) == _lis(b_of)


def _lis(values: list[int]) -> int:
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


def test_layout_groups_n_to_m_links_on_one_row():
    link = Link(a=(1, 2), b=(0,), score=0.7, strength="strong")
    comp = PairComparison(a="a", b="b", links=(link,), only_in_a=(0,), only_in_b=(1,))
    rows, a_col, b_col = column_orders(comp)
    assert [r.kind for r in rows] == ["only-a", "same", "only-b"]
    assert rows[1].a == (1, 2) and a_col == [0, 1, 2] and b_col == [0, 1]


# --- colours ---------------------------------------------------------------------------------------


def _vars(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# (text colour, background) pairs as the stylesheet uses them.
PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("fg", "panel"),
    ("muted", "panel"),
    ("fg", "a-mark"),
    ("fg", "b-mark"),
    ("fg", "a-soft"),
    ("fg", "b-soft"),
    ("a", "bg"),
    ("b", "bg"),
    ("on-key", "a"),
    ("on-key", "b"),
    ("muted", "a-soft"),
    ("muted", "b-soft"),
]


def test_colours_meet_wcag_aa_in_light_and_dark():
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    light_block = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    dark_at = css.index("prefers-color-scheme: dark")
    dark_block = css[dark_at : css.index("}", css.index(":root {", dark_at))]
    light, dark = _vars(light_block), _vars(dark_block)
    for scheme, colours in (("light", light), ("dark", {**light, **dark})):
        for fg, bg in PAIRS:
            ratio = contrast(colours[fg], colours[bg])
            assert ratio >= 4.5, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"


# --- size ------------------------------------------------------------------------------------------


def test_ten_outlets_fifty_sentences_stay_under_two_megabytes():
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_html import synthetic_result
    finally:
        sys.path.pop(0)
    result = synthetic_result(outlets=10, sentences=50, translated=5)
    html = render_html(result)
    assert len(result.comparisons) == 45
    assert len(html.encode("utf-8")) < 2_000_000


# --- through the CLI -------------------------------------------------------------------------------


def test_cli_writes_byte_identical_reports(run_cli, tmp_path):
    a, b = tmp_path / "meridian.txt", tmp_path / "harbor.txt"
    a.write_text(ARTICLE_A, encoding="utf-8")
    b.write_text(ARTICLE_B, encoding="utf-8")
    out1, out2, out3 = (tmp_path / f"r{k}.html" for k in range(3))
    for out in (out1, out2):
        res = run_cli(a, b, "--lang", "meridian=en", "--lang", "harbor=en", "--fast", "--html", out, "-q")
        assert res.exit_code == 0, res.stderr
    assert out1.read_bytes() == out2.read_bytes()
    assert "<time" not in out1.read_text(encoding="utf-8")
    res = run_cli(a, b, "--lang", "meridian=en", "--lang", "harbor=en", "--fast", "--html", out3, "-q", "--stamp")
    assert res.exit_code == 0, res.stderr
    assert "Report generated <time datetime=" in out3.read_text(encoding="utf-8")


def test_grid_shows_which_outlet_stands_alone():
    from compare.result import CrossFinding, Stance

    result = three_docs()
    group = next(g for g in result.coverage if len(g.sentences) == 3)
    ids = list(group.sentences)
    cross = CrossFinding(
        "number", group.id,
        (Stance(tuple(ids[:2]), "12", {d: group.sentences[d] for d in ids[:2]}),
         Stance((ids[2],), "14", {ids[2]: group.sentences[ids[2]]})),
        (ids[2],), "Figures differ: 12 against <14>", 0.8,
    )
    html = render_html(replace(result, findings=(cross,)))
    row = re.search(rf'<tr><td class="gid">{group.id}</td>.*?</tr>', html, re.DOTALL).group(0)
    assert row.count('class="c yes alone"') == 1 and "stands alone" in row
    assert 'class="badge t-number"' in row and "Figures differ: 12 against &lt;14&gt;" in row
    assert "Where the outlets disagree" in html
