"""Issue 9, items 12 and 14: hostile text never drives the terminal; runaway translations are marked.

Item 12: escape sequences, C0/C1 controls and bidi overrides in article text,
labels and titles are shown as visible pictures in the terminal report (plain
and colour), kept exactly in the JSON, and cannot break the HTML.
Item 14: a looping machine translation is flagged per sentence in the JSON,
the terminal and the HTML, also when the translation comes from the cache.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import ComparisonResult, compare_documents
from compare.options import CompareOptions
from compare.pipeline import DocumentInput
from compare.render.html import render_html
from compare.render.terminal import TerminalOptions, render_terminal, visible
from compare.translate.guard import runaway_reason

from .test_html import parse

EVIL = {
    "clear": "\x1b[2J",
    "title": "\x1b]0;pwned\x07",
    "csi": "\x9b31m",
    "rlo": "\u202e",
}
SHOWN = {"clear": "␛[2J", "title": "␛]0;pwned␇", "csi": "<U+009B>31m", "rlo": "<U+202E>"}
ARTICLE_A = (
    "Leaders meet in Tallinn for trade talks.\n\n"
    f"Ministers from twelve countries {EVIL['clear']}signed a framework agreement on Tuesday. "
    f"The pact cuts tariffs {EVIL['title']} on 1,200 goods by eight percent. "
    f"Fishermen protested {EVIL['csi']} outside the venue all day. "
    f"Officials say the {EVIL['rlo']}first cuts start in March.\n"
)
ARTICLE_B = (
    "Leaders meet in Tallinn for trade talks.\n\n"
    "Ministers from twelve countries signed a framework agreement on Tuesday. "
    "The pact cuts tariffs on 1,200 goods by eight percent. "
    "The first cuts start in March, officials say.\n"
)
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colour codes, the only escapes allowed out


def _dangerous(text: str) -> list[str]:
    """Characters a terminal would act on: C0 (but newline), DEL, C1, bidi embeddings/overrides/isolates."""
    return [
        ch for ch in text
        if (unicodedata.category(ch) == "Cc" and ch != "\n") or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"
    ]


@pytest.fixture
def evil_files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "wire.txt", tmp_path / "review.txt"
    a.write_text(ARTICLE_A, encoding="utf-8")
    b.write_text(ARTICLE_B, encoding="utf-8")
    return a, b


# --- item 12: terminal escape injection --------------------------------------------------------------------


def test_visible_shows_every_control_as_a_picture_and_keeps_newlines():
    assert visible("a\x1b[2Jb") == "a␛[2Jb"
    assert visible("\x1b]0;pwned\x07") == "␛]0;pwned␇"
    assert visible("\x9b31m \x85 \x7f \x00") == "<U+009B>31m <U+0085> ␡ ␀"
    assert visible("x\u202ey\u2066z") == "x<U+202E>y<U+2066>z"
    assert visible("tab\there\r\nline\rover") == "tab here\nline␍over"  # a lone CR would overwrite the line
    assert visible("Привет, 世界, مرحبا, café ✓") == "Привет, 世界, مرحبا, café ✓"  # ordinary text untouched


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_visible_leaves_nothing_a_terminal_would_act_on(text):
    shown = visible(text)
    assert _dangerous(shown) == []
    assert visible(shown) == shown  # pictures are themselves safe


def test_cli_plain_report_shows_controls_visibly_and_json_keeps_them(run_cli, evil_files, tmp_path):
    a, b = evil_files
    out = tmp_path / "r.json"
    res = run_cli(a, b, "--fast", "--no-color", "--json", out, "--title", f"Summit {EVIL['title']}",
                  "--label", f"Wire{EVIL['clear']}", "--label", "Review")
    assert res.exit_code == 0, res.stderr
    assert _dangerous(res.stdout) == [], _dangerous(res.stdout)
    for name, shown in SHOWN.items():
        assert shown in res.stdout, name
    assert f"Wire{SHOWN['clear']}" in res.stdout and f"Summit {SHOWN['title']}" in res.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["title"] == f"Summit {EVIL['title']}"
    assert data["documents"][0]["label"] == f"Wire{EVIL['clear']}"
    text = "".join(s["text"] for s in data["documents"][0]["sentences"])
    assert all(seq in text for seq in EVIL.values())  # the JSON keeps the article exactly


def test_cli_colour_report_emits_only_its_own_colour_codes(run_cli, evil_files, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    res = run_cli(*evil_files, "--fast")
    assert res.exit_code == 0, res.stderr
    assert _SGR.search(res.stdout), "colour was not on"
    assert _dangerous(_SGR.sub("", res.stdout)) == []
    for shown in SHOWN.values():
        assert shown in _SGR.sub("", res.stdout)


def test_rich_markup_in_text_and_labels_is_shown_not_interpreted():
    # Three outlets: the coverage table once parsed "[/x]" as markup and crashed.
    docs = [
        DocumentInput("Ministers signed the [/x] pact in Tallinn. Fishermen protested [bold]loudly[/bold].",
                      "[red]A", "en"),
        DocumentInput("Ministers signed the pact in Tallinn. Critics said nothing at all.", "B", "en"),
        DocumentInput("The pact was signed in Tallinn by ministers. Nothing else happened.", "C", "en"),
    ]
    for color in (False, True):
        out = io.StringIO()
        render_terminal(compare_documents(docs, CompareOptions(align_mode="fast")), out,
                        TerminalOptions(color=color, width=120))
        plain = _SGR.sub("", out.getvalue())
        assert "[/x]" in plain and "[bold]loudly[/bold]" in plain and "[red]A" in plain


def test_html_keeps_control_characters_as_text_without_breaking_the_page():
    texts = {f"Wire{EVIL['rlo']}": ARTICLE_A, "Review": ARTICLE_B, f"Third{EVIL['clear']}": ARTICLE_B}
    result = compare_documents([DocumentInput(t, label, "en") for label, t in texts.items()],
                               CompareOptions(align_mode="fast"), title=f"Summit {EVIL['title']}")
    html = render_html(result)
    page = parse(html)
    assert [t for t, _ in page.tags].count("script") == 2 and len(page.raw["style"]) == 1  # data + code
    data = json.loads(page.raw["script"][0])  # the embedded pair data still parses ...
    sentences = "".join(s[0] for s in data["s"][0])
    assert all(seq in sentences for seq in EVIL.values())  # ... and holds the text exactly
    assert f"<h1>Summit {EVIL['title']}</h1>" in html  # shown as written: no markup, no terminal
    comp = result.comparisons[0]  # every row of the first pair is there, none swallowed
    rows = len(comp.links) + len(comp.only_in_a) + len(comp.only_in_b) + sum(link.moved for link in comp.links)
    assert html.count('<tr id="r') == rows


# --- item 14: runaway translations are flagged ----------------------------------------------------------------

LOOPING = "Officials said that the talks, the talks, the talks, the talks, the talks, the talks failed."
GERMAN = (
    "Minister treffen sich in Tallinn.\n\n"
    "Die Minister aus zwölf Ländern unterzeichneten am Dienstag ein Abkommen. "
    "Beamte sagten, die Gespräche seien gescheitert. "
    "Die ersten Zollsenkungen sollen im März gelten.\n"
)
ENGLISH = (
    "Ministers meet in Tallinn.\n\n"
    "Ministers from twelve countries signed an agreement on Tuesday. "
    "Officials said the talks had failed. "
    "The first tariff cuts are due in March.\n"
)
GLOSSARY = {
    "Minister treffen sich in Tallinn.": "Ministers meet in Tallinn.",
    "Die Minister aus zwölf Ländern unterzeichneten am Dienstag ein Abkommen.":
        "Ministers from twelve countries signed an agreement on Tuesday.",
    "Beamte sagten, die Gespräche seien gescheitert.": LOOPING,
    "Die ersten Zollsenkungen sollen im März gelten.": "The first tariff cuts are due in March.",
}


class LoopingTranslator:
    """Stands in for a Marian model: a fixed glossary, one looping output, flags as the engine keeps them."""

    model_id, engine = "fake/opus-mt-de-en", "ctranslate2"

    def __init__(self) -> None:
        self.flags: dict[str, str] = {}
        self.calls = 0

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls += 1
        out = [GLOSSARY[" ".join(s.split())] for s in sentences]
        self.flags.update({s: "loop" for s, t in zip(sentences, out) if t == LOOPING})
        return out


@pytest.fixture
def looping_translator(monkeypatch, tmp_path):
    """get_translator -> the real translation cache in front of LoopingTranslator; returns the built translators."""
    import compare.translate as translate
    from compare.translate.cache import CachedTranslator, TranslationCache

    cache = TranslationCache(tmp_path / "cache" / "translations.sqlite3")
    made: list[CachedTranslator] = []

    def fake_get_translator(source_language, options, progress=False, **_):  # noqa: ANN001, ANN202
        assert source_language == "de"
        made.append(CachedTranslator(cache, "fake|de-en", model_id=LoopingTranslator.model_id,
                                     engine=LoopingTranslator.engine, factory=LoopingTranslator))
        return made[-1]

    monkeypatch.setattr(translate, "get_translator", fake_get_translator)
    return made


def test_runaway_reason_judges_text_pairs_like_the_decoder_guard():
    assert "repeated" in runaway_reason("Beamte sagten, die Gespräche seien gescheitert.", LOOPING)
    assert "ratio" in runaway_reason("Ja.", "Yes, " + "and then the minister spoke again " * 3)
    assert runaway_reason("Die Minister unterzeichneten.", "The ministers signed.") is None
    assert runaway_reason("Nein, nein, nein, nein, nein!", "No, no, no, no, no!") is None  # the source repeats too
    # Chinese has no spaces: characters count, so a normal translation is not "too long".
    assert runaway_reason("北京今天的天气很好，市民纷纷走上街头享受阳光。",
                          "The weather in Beijing is very good today, and citizens took to the streets.") is None
    assert runaway_reason("", "") is None


def test_flag_reaches_json_terminal_and_html_on_first_and_cached_runs(run_cli, looping_translator, tmp_path):
    a, b = tmp_path / "wire.txt", tmp_path / "zeitung.txt"
    a.write_text(ENGLISH, encoding="utf-8")
    b.write_text(GERMAN, encoding="utf-8")
    for run in ("first", "cached"):
        out_json, out_html = tmp_path / f"{run}.json", tmp_path / f"{run}.html"
        res = run_cli(a, b, "--lang", "zeitung=de", "--fast", "--no-color", "--json", out_json, "--html", out_html)
        assert res.exit_code == 0, res.stderr
        # JSON: exactly the looping sentence carries the reason.
        doc = json.loads(out_json.read_text(encoding="utf-8"))["documents"][1]
        flags = {s["translation"]: s["translation_flag"] for s in doc["sentences"]}
        assert "repeated" in flags.pop(LOOPING) and set(flags.values()) == {None}, run
        # Terminal: the legend, the count on the outlet's line, and the marker on the sentence.
        assert "⚠ marks a machine translation that looks wrong" in res.stdout
        assert "zeitung  German (de), 4 sentences" in res.stdout and "⚠ 1 translation flagged" in res.stdout
        marked = [line for line in res.stdout.splitlines() if "the talks, the talks" in line]
        assert marked and all(line.lstrip().startswith("⚠") for line in marked), marked
        assert re.search(r"\n +⚠ translation looks wrong: a phrase repeated \d+ times\n", res.stdout)  # the reason
        # HTML: a header line with the count, the sentence marked with the reason as tooltip and note.
        html = out_html.read_text(encoding="utf-8")
        assert re.search(r'<p class="flags" id="flagged">⚠ 1 machine translation flagged[^<]*zeitung: 1\)', html)
        assert re.search(r'<p class="s flagged" title="Machine translation looks wrong: a phrase repeated \d+ times',
                         html)
        assert html.count('class="s flagged"') == 1 and html.count('<p class="flag">⚠ translation looks wrong') == 1
    first, cached = looping_translator
    assert first.loaded and not cached.loaded and cached.flags == {}  # the second run never loaded the "model"


def test_json_without_the_flag_still_reads_and_round_trips_with_it():
    result = compare_documents([DocumentInput(ENGLISH, "wire", "en"), DocumentInput(ENGLISH, "copy", "en")])
    data = result.to_dict()
    for doc in data["documents"]:
        for s in doc["sentences"]:
            del s["translation_flag"]  # a compare/1 file written before the field existed
    data["schema"] = "compare/1"
    for comp in data["comparisons"]:
        del comp["findings"]  # compare/1 had no pair findings
    assert ComparisonResult.from_dict(data).to_dict() == result.to_dict()


def test_flag_is_kept_through_json_and_html_drawn_pairs(looping_translator):
    docs = [DocumentInput(ENGLISH, "wire", "en"), DocumentInput(GERMAN, "zeitung", "de"),
            DocumentInput(ENGLISH, "copy", "en")]
    result = compare_documents(docs, CompareOptions(align_mode="fast"))
    again = ComparisonResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.documents[1].flagged == result.documents[1].flagged == (2,)
    page = parse(render_html(again))
    data = json.loads(page.raw["script"][0])
    assert [len(s) for s in data["s"][1]] == [2, 2, 3, 2]  # [translation, original, flag] for the flagged one
    assert "repeated" in data["s"][1][2][2]


# --- the script draws flagged rows exactly as the server does (Chromium; skips without it) --------------------

try:  # the browser fixtures of the HTML browser tests
    from .test_html_browser import _row_structure, browser, open_report  # noqa: F401
except ImportError:  # pragma: no cover
    pass


@pytest.mark.browser
def test_script_draws_flagged_rows_like_the_server(looping_translator, open_report, tmp_path):
    docs = [DocumentInput(GERMAN, "zeitung", "de"), DocumentInput(ENGLISH, "wire", "en"),
            DocumentInput(ENGLISH, "copy", "en")]
    path = tmp_path / "flagged.html"
    path.write_text(render_html(compare_documents(docs, CompareOptions(align_mode="fast"))), encoding="utf-8")
    r = open_report(path)
    server = _row_structure(r.page)
    assert r.page.locator("#rows p.s.flagged").count() == 1
    r.page.evaluate("window.compareReport.showPair(0)")
    assert _row_structure(r.page) == server
    r.check_clean()
