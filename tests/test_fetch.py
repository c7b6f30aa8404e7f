"""URL inputs: a local HTTP server on 127.0.0.1 stands in for news sites (never the internet)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from compare.errors import InputError
from compare.fetch import Fetcher, FetchOptions, is_url, url_key

from .conftest import FIXTURES

# Tests talk to 127.0.0.1 and must never wait.
FAST = FetchOptions(allow_private=True, backoff=0, per_host_interval=0, timeout=5)


def article(title: str, paragraphs: list[str], *, site: str = "Daily Planet", published: str | None = None) -> bytes:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>'
        f'<meta property="og:site_name" content="{site}"><meta property="og:title" content="{title}">{meta}</head>'
        f'<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>{body}</article>'
        f"<footer>© {site}</footer></body></html>"
    ).encode("utf-8")


def fixture_article(name: str, site: str, published: str) -> bytes:
    """A summit fixture (tests/fixtures) as a news page: headline, then its sentences as paragraphs."""
    headline, _, body = (FIXTURES / name).read_text(encoding="utf-8").partition("\n\n")
    paragraphs = [s.strip() + "." for s in body.strip().split(". ") if s.strip()]
    paragraphs = [p.replace("..", ".").replace('.".', '."') for p in paragraphs]
    return article(headline.strip(), paragraphs, site=site, published=published)


PAGE = article(
    "Leaders agree on trade deal",
    [
        "GENEVA - Leaders of 12 countries agreed on Friday on a $40 billion trade deal, the summit's host said.",
        'The deal cuts tariffs on steel and grain. "This is a historic day," said Foreign Minister Anna Berg.',
        "Protesters gathered outside the venue while delegates signed the agreement in the main hall.",
        "Talks on the remaining chapters, including services and fishing rights, will resume in March.",
    ],
    published="2024-05-03T14:30:00+02:00",
)


Answer = tuple[int, dict[str, str], bytes]


class Site:
    """A tiny web site: path -> (status, headers, body), or a list of them answered in turn (the
    last one repeats); counts requests and records their headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer | list[Answer]] = {"/robots.txt": (404, {}, b"")}
        self.hits: dict[str, int] = {}
        self.requests: list[dict[str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                site.requests.append({k.lower(): v for k, v in self.headers.items()} | {"path": self.path})
                answer = site.routes.get(self.path, (404, {}, b"not found"))
                if isinstance(answer, list):
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                status, headers, body = answer
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8"} | headers
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def page(self, path: str, body: bytes = PAGE, **headers: str) -> str:
        self.routes[path] = (200, headers, body)
        return self.url(path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def _fails(fetcher: Fetcher, url: str, *needles: str) -> str:
    with pytest.raises(InputError) as info:
        fetcher.fetch(url)
    line = str(info.value)
    assert "\n" not in line and line.startswith(url), line
    for needle in needles:
        assert needle in line, line
    return line


def test_is_url():
    assert is_url("https://example.com/a") and is_url("HTTP://example.com")
    assert not is_url("a.txt") and not is_url("-") and not is_url("file:///etc/passwd") and not is_url("ftp://x/y")


def test_article_page_gives_text_title_site_and_publication_time(site):
    got = Fetcher(FAST).fetch(site.page("/world/trade-deal"))
    assert "Leaders of 12 countries agreed on Friday" in got.text
    assert "Home" not in got.text and "©" not in got.text  # navigation and footer are not article text
    assert (got.title, got.site, got.status) == ("Leaders agree on trade deal", "Daily Planet", 200)
    assert got.published is not None and got.published.startswith("2024-05-03T14:30")
    assert got.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert got.fetched_at.endswith("+00:00")


def test_requests_carry_a_clear_user_agent_and_no_cookies(site):
    url = site.page("/a", **{"Set-Cookie": "session=abc; Path=/"})
    fetcher = Fetcher(FAST)
    fetcher.fetch(url)
    fetcher.fetch(url)
    pages = [r for r in site.requests if r["path"] == "/a"]
    assert all(r["user-agent"].startswith("compare/") and "news coverage comparison" in r["user-agent"] for r in pages)
    assert all("cookie" not in r for r in pages)


def test_redirects_are_followed_and_the_final_url_recorded(site):
    final = site.page("/story")
    site.routes["/short"] = (301, {"Location": "/story"}, b"")
    got = Fetcher(FAST).fetch(site.url("/short"))
    assert (got.url, got.final_url) == (site.url("/short"), final)
    assert "trade deal" in got.text


@pytest.mark.parametrize(
    ("routes", "needle"),
    [
        ({"/r": (302, {"Location": "file:///etc/passwd"}, b"")}, "redirects to a file: URL"),
        ({"/r": (302, {"Location": "/r2"}, b""), "/r2": (302, {"Location": "/r"}, b"")}, "redirect loop"),
        ({f"/r{k}" if k else "/r": (302, {"Location": f"/r{k + 1}"}, b"") for k in range(10)}, "more than 5 redirects"),
    ],
    ids=["non-http scheme", "loop", "too many"],
)
def test_bad_redirects_are_refused(site, routes, needle):
    site.routes.update(routes)
    _fails(Fetcher(FAST), site.url("/r"), needle)
    assert sum(site.hits.values()) <= 7  # bounded: robots.txt plus at most 6 hops


def test_404_fails_at_once_with_one_line(site):
    _fails(Fetcher(FAST), site.url("/gone"), "HTTP 404", "check the URL")
    assert site.hits["/gone"] == 1  # a 4xx is not retried


def test_500_is_retried_then_reported(site):
    site.routes["/down"] = (500, {}, b"oops")
    _fails(Fetcher(FAST), site.url("/down"), "HTTP 500", "after 3 tries", "try again later")
    assert site.hits["/down"] == 3  # retries=2


def test_a_transient_503_recovers(site):
    site.routes["/flaky"] = [(503, {}, b""), (200, {}, PAGE)]
    assert "trade deal" in Fetcher(FAST).fetch(site.url("/flaky")).text
    assert site.hits["/flaky"] == 2


def test_backoff_doubles_and_the_host_interval_is_kept():
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    s = Site()
    try:
        s.routes["/down"] = (500, {}, b"")
        options = replace(FAST, backoff=1.0, per_host_interval=0.5, robots=False)
        with pytest.raises(InputError):
            Fetcher(options, sleep=sleep, clock=lambda: now[0]).fetch(s.url("/down"))
    finally:
        s.close()
    assert slept == [1.0, 2.0]  # backoff doubled; each wait already exceeds the 0.5 s host interval

    slept.clear()
    s = Site()
    try:
        url = s.page("/a")
        fetcher = Fetcher(replace(FAST, per_host_interval=1.0, robots=False), sleep=sleep, clock=lambda: now[0])
        fetcher.fetch(url)
        fetcher.fetch(url)
    finally:
        s.close()
    assert slept == [1.0]  # the second request to the host waited its turn


def test_robots_txt_disallow_is_honoured(site):
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: compare\nDisallow: /private/\n")
    allowed, blocked = site.page("/news/a"), site.page("/private/a")
    assert Fetcher(FAST).fetch(allowed).text
    _fails(Fetcher(FAST), blocked, "robots.txt of 127.0.0.1 disallows fetching this page for compare")
    assert "/private/a" not in site.hits  # the page itself was never requested


def test_unreachable_robots_txt_means_do_not_fetch(site):
    site.routes["/robots.txt"] = (503, {}, b"")
    url = site.page("/a")
    _fails(Fetcher(FAST), url, "robots.txt", "HTTP 503")
    assert "/a" not in site.hits
    assert Fetcher(replace(FAST, robots=False)).fetch(url).text  # robots=False skips the check


def test_loopback_is_refused_unless_allowed(site):
    url = site.page("/a")
    _fails(Fetcher(replace(FAST, allow_private=False)), url, "loopback address (127.0.0.1)", "--allow-private")
    assert not site.hits  # refused before any request
    assert Fetcher(FAST).fetch(url).text


def test_redirect_to_a_private_address_is_refused(site, monkeypatch):
    from compare import fetch

    real = fetch._resolve  # pretend the test server is a public site; 10.0.0.1 stays private
    public = [ipaddress.ip_address("93.184.216.34")]
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: public if host == "127.0.0.1" else real(host, port))
    site.routes["/r"] = (302, {"Location": "http://10.0.0.1/admin"}, b"")
    fetcher = Fetcher(replace(FAST, allow_private=False))
    _fails(fetcher, site.url("/r"), "redirected to http://10.0.0.1/admin", "private address (10.0.0.1)")


@pytest.mark.parametrize("url", ["ftp://example.com/a.html", "file:///etc/passwd", "http://user:pw@example.com/a"])
def test_other_schemes_and_credentials_are_refused(url):
    _fails(Fetcher(FAST), url, "sends no credentials" if "@" in url else "only http:// and https://")


def test_file_comparisons_and_help_never_import_httpx():
    import subprocess
    import sys

    from .conftest import ROOT

    a, b = FIXTURES / "summit_a.txt", FIXTURES / "summit_b.txt"
    probe = (
        "import contextlib, io, sys\n"
        "from compare.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['--help']); main([{str(a)!r}, {str(b)!r}, '--fast', '--no-findings'])\n"
        "print('httpx' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_pages_over_the_size_limit_are_refused(site):
    url = site.page("/big", PAGE + b" " * 5000)
    _fails(Fetcher(replace(FAST, max_bytes=2000)), url, "larger than 2,000 bytes")


@pytest.mark.parametrize(("content_type", "body"), [("application/pdf", b"%PDF-1.7 ..."), ("image/png", b"\x89PNG...")])
def test_non_article_content_types_are_refused(site, content_type, body):
    url = site.page("/file", body, **{"Content-Type": content_type})
    _fails(Fetcher(FAST), url, f"not an article page (content type {content_type})")


def test_plain_text_pages_are_taken_as_the_article(site):
    text = (FIXTURES / "summit_b.txt").read_bytes()
    got = Fetcher(FAST).fetch(site.page("/b.txt", text, **{"Content-Type": "text/plain; charset=utf-8"}))
    assert "Negotiators from 14 nations" in got.text and got.content_type == "text/plain"


def test_paywall_stub_is_refused(site):
    stub = article("Leaders agree on trade deal", ["GENEVA - Leaders of 12 countries agreed.", "Subscribe to read more."])
    url = site.page("/paywalled", stub)
    _fails(Fetcher(FAST), url, "no article text (a paywall stub or a page that is not an article?)")


def test_legacy_charset_from_the_header_is_used(site):
    page = PAGE.replace(b'<meta charset="utf-8">', b"").replace(b"Berg", "Bergström".encode("cp1252"))
    got = Fetcher(FAST).fetch(site.page("/latin", page, **{"Content-Type": "text/html; charset=windows-1252"}))
    assert "Bergström" in got.text and got.encoding == "cp1252"


def test_kept_copies_are_written_and_read_back_offline(site, tmp_path):
    url = site.page("/world/trade-deal")
    kept = tmp_path / "fetched"
    live = Fetcher(FAST, keep_to=kept).fetch(url)
    record = json.loads((kept / f"{url_key(url)}.json").read_text(encoding="utf-8"))
    assert {k: record[k] for k in ("url", "final_url", "status", "sha256", "title", "site", "published", "text")} == {
        "url": url, "final_url": url, "status": 200, "sha256": live.sha256, "title": live.title,
        "site": "Daily Planet", "published": live.published, "text": live.text,
    }  # fmt: skip
    assert (kept / f"{live.sha256}.html").read_bytes() == PAGE  # the exact page the report compared
    assert not list(kept.glob(".*"))  # no temporary files left behind
    site.close()  # offline never touches the network

    again = Fetcher(FAST, kept_from=[kept], offline=True).fetch(url)
    assert again == replace(live, html=again.html)  # the same text, metadata and fetch time
    assert "Leaders of 12 countries" in again.html

    newer = tmp_path / "run2" / "fetched"
    Fetcher(FAST, keep_to=newer, kept_from=[kept], offline=True).fetch(url)  # the new run's folder stands alone
    assert (newer / f"{url_key(url)}.json").is_file() and (newer / f"{live.sha256}.html").is_file()

    other = site.url("/never-fetched")
    empty = tmp_path / "empty"
    _fails(Fetcher(FAST, keep_to=empty, offline=True), other, f"no kept copy in {empty}", "run once without --offline")


# --- the pipeline, the result and the reports --------------------------------------------------


def test_read_url_gives_a_source_named_after_the_site(site):
    from compare.fetch import read_url, url_label

    url = site.page("/world/trade-deal")
    fetcher = Fetcher(FAST)
    src = read_url(url, fetcher)
    assert (src.label, src.url, src.site, src.path, src.html) == ("Daily Planet", url, "Daily Planet", None, True)
    assert read_url(url, fetcher, label="Planet").label == "Planet"
    assert url_label("https://www.example.com/world/2024/trade-deal.html") == "example.com/trade-deal"


@pytest.fixture
def two_outlets(site):
    a = site.page("/planet/summit-deal.html", fixture_article("summit_a.txt", "Daily Planet", "2024-05-03T14:30:00Z"))
    b = site.page("/herald/summit", fixture_article("summit_b.txt", "Evening Herald", "2024-05-03T18:00:00Z"))
    return a, b


def test_cli_compares_two_urls(run_cli, tmp_path, two_outlets, site):
    a, b = two_outlets
    out, kept = tmp_path / "out.json", tmp_path / "fetched"
    res = run_cli(a, b, "--allow-private", "--keep-fetched", kept, "--json", out, "-q")
    assert res.exit_code == 0, res.stderr
    docs = json.loads(out.read_text(encoding="utf-8"))["documents"]
    assert [(d["label"], d["url"], d["site"], d["path"]) for d in docs] == [
        ("Daily Planet", a, "Daily Planet", None),
        ("Evening Herald", b, "Evening Herald", None),
    ]
    assert docs[0]["published"].startswith("2024-05-03T14:30")
    assert docs[0]["page_title"] and docs[0]["page_title"] in (FIXTURES / "summit_a.txt").read_text(encoding="utf-8")
    assert any("Negotiators from 14 nations" in s["text"] for s in docs[1]["sentences"])

    site.close()  # a later run reads the kept copies and gives the same result
    again = tmp_path / "again.json"
    res = run_cli(a, b, "--offline", "--keep-fetched", kept, "--json", again, "-q")
    assert res.exit_code == 0, res.stderr
    assert json.loads(again.read_text(encoding="utf-8")) == json.loads(out.read_text(encoding="utf-8"))


def test_cli_refuses_a_loopback_url_in_one_line(run_cli, two_outlets, site):
    res = run_cli(two_outlets[0], FIXTURES / "summit_b.txt")
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0 and "--allow-private" in res.stderr
    assert not [p for p in site.hits if p != "/robots.txt"]


def test_html_report_links_the_source_safely(two_outlets):
    from compare import compare_documents
    from compare.options import CompareOptions
    from compare.render.html import render_html

    result = compare_documents(list(two_outlets), CompareOptions(fetch=FAST, align_mode="fast"))
    html = render_html(result)
    title = result.documents[0].page_title
    assert title and f'<a href="{two_outlets[0]}" title="{title}" rel="noopener noreferrer nofollow">' in html
    assert "Evening Herald" in html

    # A result read back from a doctored JSON never becomes a script link; text stays escaped.
    doc = replace(result.documents[0], url="javascript:alert(1)", site="<b>x</b>")
    html = render_html(replace(result, documents=(doc, *result.documents[1:])))
    assert "javascript:" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_documents_from_files_keep_their_json_unchanged():
    from compare.result import ComparisonResult

    golden = json.loads((Path(__file__).parent / "golden" / "samples-en.json").read_text(encoding="utf-8"))
    assert all("url" not in d and "site" not in d for d in golden["documents"])
    back = ComparisonResult.from_dict(golden)
    assert back.to_dict()["documents"] == golden["documents"]  # absent keys read as None, emitted only when set
    assert back.documents[0].url is None and back.documents[0].site is None
