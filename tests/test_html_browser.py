"""The HTML report in a real browser: Debian's Chromium driven by Playwright for Python.

One browser per module; each test opens the report in a fresh context. On a
developer machine without /usr/bin/chromium (or the playwright package) these
tests skip with the reason; under CI=true they fail instead, so CI never skips
them silently. Never run `playwright install`: it downloads a browser.

Screenshots of the sample report (light and dark) are written to
$COMPARE_ARTIFACTS (default: out/artifacts/) for CI to keep.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from compare.render.html import render_html
from tests.test_html import ARTICLE_A, ARTICLE_B, build, three_docs, with_translation, xss_result

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("COMPARE_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
ARTIFACTS = Path(os.environ.get("COMPARE_ARTIFACTS", ROOT / "out" / "artifacts"))
SAMPLES = [ROOT / "samples" / "meridian-wire.txt", ROOT / "samples" / "harbor-review.txt"]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: browser tests must run; install it with `apt-get install -y chromium`)")
    pytest.skip(f"{reason}; install Debian's chromium (`apt-get install -y chromium`) to run the browser tests")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The reports under test, written once: samples, translated 3-outlet, XSS (2 and 3 outlets)."""
    from compare.pipeline import compare_documents

    folder = tmp_path_factory.mktemp("reports")
    if all(p.exists() for p in SAMPLES):
        sample = compare_documents([str(p) for p in SAMPLES], labels=["Meridian Wire", "The Harbor Review"])
    elif IN_CI:
        pytest.fail(f"samples missing: {', '.join(str(p) for p in SAMPLES)}")
    else:
        sample = build({"Meridian Wire": ARTICLE_A, "Harbor Review": ARTICLE_B})
    results = {
        "sample": sample,
        "multi": with_translation(three_docs(), 1),
        "xss2": xss_result(2),
        "xss3": xss_result(3),
    }
    paths = {}
    for name, result in results.items():
        path = folder / f"{name}.html"
        path.write_text(render_html(result), encoding="utf-8")
        paths[name] = path
    return paths


@dataclass
class Opened:
    page: Any
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        assert [r for r in self.requests if r.split("#")[0] != self.url] == [], self.requests


@pytest.fixture
def open_report(browser):
    contexts = []

    def open_(path: Path, *, scheme: str = "light", js: bool = True, hash_: str = "", width: int = 1280) -> Opened:
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
            java_script_enabled=js,
            offline=True,
            service_workers="block",
        )
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page=page, url=path.as_uri())
        # Anything but the report itself is recorded and refused.
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
        )
        page.on("request", lambda req: opened.requests.append(req.url))
        page.on(
            "console",
            lambda msg: (
                opened.errors.append(f"console {msg.type}: {msg.text}") if msg.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda exc: opened.errors.append(f"pageerror: {exc}"))

        def on_dialog(dialog):  # type: ignore[no-untyped-def]
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(opened.url + hash_)
        page.wait_for_load_state("load")
        return opened

    yield open_
    for context in contexts:
        context.close()


def active_id(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement && document.activeElement.id")


def visible_diff_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "Array.from(document.querySelectorAll('#rows tr.diff')).filter(r => r.getClientRects().length).map(r => r.id)"
    )


# --- the tests ------------------------------------------------------------------------------------


def test_rows_and_highlights_present(reports, open_report):
    r = open_report(reports["sample"])
    page = r.page
    assert page.locator("#rows tr.row").count() > 5
    assert page.locator("#rows tr.changed").count() > 0
    assert page.locator("mark.ma").count() > 0 and page.locator("mark.mb").count() > 0
    assert page.locator("#rows tr.only-a, #rows tr.only-b").count() > 0
    assert page.locator("html.js").count() == 1  # the script ran (its CSP hash matched)
    assert page.locator(".controls").is_visible()
    # Highlights differ by more than colour: solid vs dotted underline.
    styles = page.evaluate(
        "['ma','mb'].map(c => getComputedStyle(document.querySelector('mark.' + c)).textDecorationStyle)"
    )
    assert styles == ["solid", "dotted"]
    r.check_clean()


def test_n_and_p_move_focus_between_differences(reports, open_report):
    r = open_report(reports["sample"])
    page = r.page
    diffs = visible_diff_ids(page)
    assert len(diffs) >= 3
    page.keyboard.press("n")
    assert active_id(page) == diffs[0]
    page.keyboard.press("n")
    assert active_id(page) == diffs[1]
    page.keyboard.press("n")
    assert active_id(page) == diffs[2]
    page.keyboard.press("p")
    assert active_id(page) == diffs[1]
    assert "current" in page.evaluate("document.activeElement.className")
    assert page.locator("#pos").inner_text() == f"Difference 2 of {len(diffs)}"
    r.check_clean()


def test_filters_only_differences_and_only_omissions(reports, open_report):
    r = open_report(reports["sample"])
    page = r.page
    total = page.locator("#rows tr").count()
    page.check("#f-omit")
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#rows tr')).filter(r => r.getClientRects().length).map(r => r.className)"
    )
    assert shown and all(("only-a" in c or "only-b" in c) for c in shown)
    page.uncheck("#f-omit")
    page.keyboard.press("d")  # key toggles "only differences"
    assert page.is_checked("#f-diff")
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#rows tr')).filter(r => r.getClientRects().length).map(r => r.className)"
    )
    assert shown and all("diff" in c for c in shown)
    page.keyboard.press("n")
    assert "diff" in page.evaluate("document.activeElement.className")
    page.keyboard.press("d")
    assert page.locator("#rows tr").count() == total
    r.check_clean()


def test_finding_type_buttons_filter_the_rows(reports, open_report):
    r = open_report(reports["sample"])
    page = r.page
    buttons = page.locator("button.ftype")
    assert buttons.count() >= 1, "the samples differ in framing: the findings panel has type buttons"
    button = buttons.first
    kind = button.get_attribute("data-type")
    count = int(button.locator("b").inner_text())
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#rows tr')).filter(r => r.getClientRects().length).map(r => r.className)"
    )
    assert shown and all(f"ft-{kind}" in c for c in shown) and len(shown) <= count
    # Evidence is marked inside the sentences of those rows.
    assert page.locator(f"#rows tr.ft-{kind} mark.ev").count() >= 1
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    visible = page.evaluate("Array.from(document.querySelectorAll('#rows tr')).filter(r => r.getClientRects().length).length")
    assert visible == page.locator("#rows tr").count()
    r.check_clean()


def test_original_text_toggle(reports, open_report):
    r = open_report(reports["multi"])
    page = r.page
    # Harbor Review (document 2) is "translated": it is side B of the first pair.
    first = page.locator("#rows td.tb details.orig").first
    original = first.locator("p.o")
    assert not original.is_visible()
    assert first.get_attribute("open") is None
    first.locator("summary").click()
    assert original.is_visible()
    assert original.inner_text().startswith("Оригинал ")
    assert original.get_attribute("lang") == "ru"
    page.keyboard.press("t")  # all originals on
    assert page.evaluate("Array.from(document.querySelectorAll('details.orig')).every(d => d.open)")
    assert page.locator("#orig-all").get_attribute("aria-pressed") == "true"
    page.locator("#orig-all").click()
    assert page.evaluate("Array.from(document.querySelectorAll('details.orig')).every(d => !d.open)")
    r.check_clean()


def test_keys_dialog(reports, open_report):
    r = open_report(reports["sample"])
    page = r.page
    assert not page.locator("#keys").is_visible()
    page.keyboard.press("?")
    assert page.locator("#keys").is_visible()
    assert "next difference" in page.locator("#keys").inner_text()
    page.keyboard.press("Escape")
    assert not page.locator("#keys").is_visible()
    r.check_clean()


def _row_structure(page) -> list:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => {
          function sig(n) {
            if (n.nodeType === 3) return n.textContent;
            if (n.nodeType !== 1) return null;
            const attrs = {};
            for (const a of n.attributes) attrs[a.name] = a.value;
            return [n.tagName, attrs, Array.from(n.childNodes).map(sig).filter(x => x !== null)];
          }
          return Array.from(document.getElementById('rows').rows).map(sig);
        }"""
    )


def test_pairs_drawn_by_script_match_the_server_rendered_ones(reports, open_report):
    r = open_report(reports["multi"])
    page = r.page
    assert page.locator("#coverage table.grid tbody tr").count() > 3
    assert page.locator("#coverage td.c.yes").first.get_attribute("title")
    server = _row_structure(page)
    page.evaluate("window.compareReport.showPair(0)")
    assert _row_structure(page) == server
    options = page.locator("#pair-select option").all_inner_texts()
    assert len(options) == 3
    page.select_option("#pair-select", "2")
    assert page.locator("#head-a").inner_text().endswith("Harbor Review")
    assert page.locator("#head-b").inner_text().endswith("Coastal Daily")
    assert page.url.endswith("#pair-2")
    assert page.locator("#rows tr.row").count() > 3
    page.keyboard.press("n")
    assert "diff" in page.evaluate("document.activeElement.className")
    r.check_clean()


def test_hash_opens_a_pair(reports, open_report):
    r = open_report(reports["multi"], hash_="#pair-1")
    assert r.page.locator("#pair-select").input_value() == "1"
    assert r.page.locator("#head-b").inner_text().endswith("Coastal Daily")
    r.check_clean()


@pytest.mark.parametrize("name", ["xss2", "xss3"])
def test_xss_inputs_run_nothing(reports, open_report, name):
    r = open_report(reports[name])
    page = r.page

    def nothing_ran() -> None:
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert (
            page.evaluate(
                "document.querySelectorAll('img, iframe, svg, math, object, embed, style:not(head style)').length"
            )
            == 0
        )
        assert (
            page.evaluate(
                "Array.from(document.querySelectorAll('*')).some(e => Array.from(e.attributes).some(a => a.name.startsWith('on')))"
            )
            is False
        )

    nothing_ran()
    text = page.locator("body").inner_text()
    assert "<script>window.__xss = 1; alert(1)</script>" in text or "<script>window.__xss=10</script>" in text
    assert "<!--" in text
    assert page.title().startswith('<script>window.__xss="title"</script>')
    # Hover and click everything a reader might touch, and draw every pair through the script.
    for summary in page.locator("details.orig summary").all()[:5]:
        summary.click()
    page.hover("h1")
    page.keyboard.press("n")
    if name == "xss3":
        for k in range(3):
            page.select_option("#pair-select", str(k))
            nothing_ran()
        page.hover("#coverage td.c.yes >> nth=0")
    nothing_ran()
    r.check_clean()


def test_no_console_errors_and_no_requests_anywhere(reports, open_report):
    for name in ("sample", "multi"):
        for scheme in ("light", "dark"):
            r = open_report(reports[name], scheme=scheme)
            r.page.keyboard.press("n")
            r.page.keyboard.press("?")
            r.page.keyboard.press("Escape")
            assert r.requests == [r.url]
            r.check_clean()


def test_reads_without_javascript_and_in_print(reports, open_report):
    r = open_report(reports["sample"], js=False)
    page = r.page
    assert page.locator("#rows tr.row").first.is_visible()
    assert not page.locator(".controls").is_visible()  # controls need the script
    r = open_report(reports["sample"])
    r.page.emulate_media(media="print")
    assert not r.page.locator(".controls").is_visible()
    assert r.page.locator("#rows tr.row").first.is_visible()
    r.check_clean()


def test_screenshots_light_and_dark(reports, open_report):
    """Artifacts for CI and the docs: the sample report's first screen, light and dark."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    backgrounds = {}
    for scheme in ("light", "dark"):
        r = open_report(reports["sample"], scheme=scheme)
        backgrounds[scheme] = r.page.evaluate("getComputedStyle(document.body).backgroundColor")
        target = ARTIFACTS / f"report-{scheme}.png"
        r.page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": 1280, "height": 1100}, full_page=True)
        assert target.stat().st_size > 10_000
        r.page.screenshot(path=str(ARTIFACTS / f"report-{scheme}-full.png"), full_page=True)
        r.check_clean()
    assert backgrounds["light"] == "rgb(255, 255, 255)"
    assert backgrounds["dark"] != backgrounds["light"]
