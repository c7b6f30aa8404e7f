"""Articles from the web: a polite, bounded HTTP client -> Fetched (text, metadata, kept copy).

Politeness and safety, each checked on every hop of a redirect chain:
http(s) only, no credentials or cookies, public addresses only (unless
allow_private), robots.txt honoured for our user agent, at least
`per_host_interval` seconds between two requests to one host, bodies read up
to `max_bytes` + 1 bytes. Every failure is one InputError line naming the URL:
what went wrong and what to do. httpx is imported on the first fetch, so file
comparisons never load it.

Kept copies (`keep_to`) tie a report to the exact text it compared, and let
`offline` runs read them instead of the network.
"""

from __future__ import annotations

import codecs
import hashlib
import ipaddress
import json
import os
import re
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence
from urllib.parse import urlsplit

from . import __version__
from .errors import InputError, OutputError, UsageError

if TYPE_CHECKING:
    import httpx
    from urllib.robotparser import RobotFileParser

    from .ingest import Source

USER_AGENT = f"compare/{__version__} (news coverage comparison; +https://pypi.org/project/compare-news/)"
_SCHEMES = ("http://", "https://")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: not a Windows drive (C:)
_REDIRECTS = (301, 302, 303, 307, 308)
_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.8"
_Check = Callable[[str, dict[str, str]], None]  # (origin, headers) -> None; raises to refuse before the body
_RETRY_AFTER_CAP = 60.0  # seconds; a server asking for longer is told "try later" instead
_CRAWL_DELAY_CAP = 30.0  # a robots.txt Crawl-delay slows us down, up to this
_ROBOTS_BYTES = 512 * 1024  # RFC 9309: parse at least the first 500 KiB, ignore the rest
# Less than this is a teaser, a paywall stub or a page that is not an article: too little to
# align, and comparing it would report every fact of the other outlet as "omitted".
MIN_TEXT_CHARS = 300
MIN_TEXT_SENTENCES = 3
# HTML treats these charset labels as windows-1252 (WHATWG Encoding); servers mislabel cp1252 pages with them.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)


def is_url(spec: str) -> bool:
    """True for an http:// or https:// URL (any case); files and "-" are not."""
    return spec[:8].lower().startswith(_SCHEMES)


def has_scheme(spec: str) -> bool:
    """True for anything written as a URL ("ftp://x", "file:///y"): fetch refuses it with a clear line."""
    return bool(_SCHEME.match(spec))


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how far the fetcher goes (defaults suit scheduled runs; tests pass 0 waits).

    Args:
        timeout: seconds per request (connect, and each read).
        max_bytes: refuse a page body larger than this (at most max_bytes + 1 bytes are read).
        retries: extra tries on connection errors, timeouts, HTTP 429 and 5xx.
        backoff: seconds before the first retry, doubled for each next one.
        per_host_interval: at least this many seconds between two requests to one host.
        max_redirects: hops followed, each one checked like the first URL.
        allow_private: fetch from loopback, private, link-local and reserved addresses (--allow-private).
        robots: honour the site's robots.txt for our user agent.
        user_agent: sent with every request; its first word is the robots.txt agent name.
    """

    timeout: float = 20.0
    max_bytes: int = 5_000_000
    retries: int = 2
    backoff: float = 1.0
    per_host_interval: float = 1.0
    max_redirects: int = 5
    allow_private: bool = False
    robots: bool = True
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        for name in ("timeout", "max_bytes"):
            if not getattr(self, name) > 0:
                raise UsageError(f"FetchOptions.{name} must be above 0, not {getattr(self, name)!r}")
        for name in ("retries", "backoff", "per_host_interval", "max_redirects"):
            if not getattr(self, name) >= 0:
                raise UsageError(f"FetchOptions.{name} must be 0 or more, not {getattr(self, name)!r}")
        if not self.user_agent.strip():
            raise UsageError("FetchOptions.user_agent must not be empty")


@dataclass(frozen=True)
class Fetched:
    """One fetched article page, as compared and as kept."""

    url: str  # as given
    final_url: str  # after redirects
    fetched_at: str  # ISO 8601 UTC, seconds: the only timestamp anywhere
    status: int
    sha256: str  # of the raw body bytes; names the kept page <sha256>.html
    html: str  # the decoded page ("" when read from a kept copy without its page)
    text: str  # the extracted article text that is compared
    title: str | None = None
    site: str | None = None
    published: str | None = None  # ISO 8601 time, when the page states one
    encoding: str | None = None
    content_type: str = "text/html"  # or "text/plain" (taken as the article text itself)

    @property
    def is_html(self) -> bool:
        """False for a text/plain page, whose text is the article itself."""
        return self.content_type != "text/plain"


@dataclass
class _Response:
    """A finished request: status, headers and body (read only for 2xx)."""

    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes = b""
    tries: int = 1


class _Unreachable(Exception):
    """No HTTP answer at all (connection refused, timeouts, TLS failure) after every try."""


@dataclass
class _Robots:
    """One host's robots.txt verdict: a parser, or all allowed / all disallowed with why."""

    parser: RobotFileParser | None = None
    allow_all: bool = False
    why: str = ""
    crawl_delay: float = 0.0


class Fetcher:
    """Fetches article pages; holds the robots.txt cache and per-host timing across fetches.

    One HTTP client per fetch() (robots.txt, redirects and the page share its connections), so
    nothing needs closing. `sleep` and `clock` are injectable for tests.

    Args:
        options: limits and politeness settings.
        keep_to: folder to write kept copies into (<sha256-of-url[:16]>.json and <sha256-of-body>.html).
        kept_from: older folders of kept copies, read when offline (after keep_to).
        offline: never touch the network; read kept copies only.
        max_text_bytes: largest extracted article text, in UTF-8 bytes (default CompareOptions.max_bytes).
    """

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        keep_to: Path | None = None,
        kept_from: Sequence[Path] = (),
        offline: bool = False,
        max_text_bytes: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or FetchOptions()
        self.keep_to = Path(keep_to) if keep_to is not None else None
        self.kept_from = tuple(Path(p) for p in kept_from)
        self.offline = offline
        if max_text_bytes is None:
            from .options import CompareOptions

            max_text_bytes = CompareOptions.max_bytes
        self.max_text_bytes = max_text_bytes
        self.sleep, self.clock = sleep, clock
        self._robots: dict[str, _Robots] = {}  # by scheme://host:port, as RFC 9309 scopes them
        self._crawl_delay: dict[str, float] = {}  # a robots.txt Crawl-delay, by host name
        self._last: dict[str, float] = {}  # clock() of the last request, by host name

    def fetch(self, url: str) -> Fetched:
        """The article at `url`: fetched (and kept, with keep_to), or its kept copy when offline.

        Raises:
            InputError: one line: the URL, what went wrong, what to do.
            OutputError: a kept copy cannot be written.
        """
        if self.offline:
            return self._read_kept(url)
        fetched, body = self._fetch(url)
        if self.keep_to is not None:
            _keep(self.keep_to, fetched, body)
        return fetched

    # --- network ------------------------------------------------------------------------------

    def _fetch(self, url: str) -> tuple[Fetched, bytes]:
        _check_url(url, url)
        try:
            with self._client() as client:
                response = self._get(client, url, origin=url, limit=self.options.max_bytes, check=_page_type)
        except _Unreachable as exc:
            raise InputError(f"{exc}; check the URL and your network, or try again later", path=url) from None
        if not 200 <= response.status < 300:
            raise _status_error(url, response)
        content_type = _media_type(response.headers.get("content-type", "")) or _sniff_type(response.body)
        page, encoding = _decode(response.body, response.headers.get("content-type", ""), url)
        text, title, site, published = _article(page, content_type, response.url, url, self.max_text_bytes)
        fetched = Fetched(
            url=url,
            final_url=response.url,
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            status=response.status,
            sha256=hashlib.sha256(response.body).hexdigest(),
            html=page,
            text=text,
            title=title,
            site=site,
            published=published,
            encoding=encoding,
            content_type="text/plain" if content_type == "text/plain" else "text/html",
        )
        return fetched, response.body

    def _client(self) -> "httpx.Client":
        import httpx  # only when a URL is fetched
        from http.cookiejar import CookieJar, DefaultCookiePolicy

        # trust_env: HTTP(S)_PROXY / NO_PROXY and SSL_CERT_FILE are honoured, so users behind a
        # proxy can fetch; since httpx 0.24 it no longer reads ~/.netrc, so no credentials are sent.
        return httpx.Client(
            headers={"User-Agent": self.options.user_agent, "Accept": _ACCEPT},
            timeout=self.options.timeout,
            follow_redirects=False,  # each hop is checked here
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),  # accept no cookie, send none
            trust_env=True,
        )

    def _get(
        self, client: "httpx.Client", url: str, *, origin: str, limit: int, check: _Check | None,
        robots: bool = True, truncate: bool = False,
    ) -> _Response:
        """GET with redirects followed by hand: every hop is checked (scheme, address, robots.txt)."""
        seen = {url}
        for _ in range(self.options.max_redirects + 1):
            _check_url(url, origin)
            self._check_address(url, origin)
            if robots and self.options.robots:
                self._check_robots(client, url, origin)
            response = self._request(client, url, origin=origin, limit=limit, check=check, truncate=truncate)
            if response.status not in _REDIRECTS:
                return response
            location = response.headers.get("location", "").strip()
            if not location:
                raise InputError(f"HTTP {response.status} redirect without a Location; the site is broken", path=origin)
            import httpx

            try:
                target = str(httpx.URL(url).join(location).copy_with(fragment=None))
            except httpx.InvalidURL:
                raise InputError(f"redirects to an invalid URL ({location[:100]})", path=origin) from None
            if not is_url(target):
                scheme = target.split(":", 1)[0]
                raise InputError(f"redirects to a {scheme}: URL; only http and https pages are fetched", path=origin)
            if target in seen:
                raise InputError(
                    f"redirect loop (back to {target}); open it in a browser and pass the final URL", path=origin
                )
            seen.add(target)
            url = target
        raise InputError(
            f"more than {self.options.max_redirects} redirects; open it in a browser and pass the final URL",
            path=origin,
        )

    def _request(
        self, client: "httpx.Client", url: str, *, origin: str, limit: int, check: _Check | None,
        truncate: bool,
    ) -> _Response:
        """One GET with retries (backoff doubling) on no answer, 429 and 5xx; the last answer is returned."""
        import httpx

        host = urlsplit(url).hostname or ""
        tries = self.options.retries + 1
        delay = 0.0
        failure = ""
        for attempt in range(tries):
            if attempt and delay > 0:
                self.sleep(delay)
            self._wait_turn(host)
            try:
                with client.stream("GET", url) as r:
                    status, reason = r.status_code, r.reason_phrase
                    headers = {k.lower(): v for k, v in r.headers.items()}
                    if (status == 429 or status >= 500) and attempt + 1 < tries:
                        wait = _retry_after(headers.get("retry-after"))
                        if wait is None or wait <= _RETRY_AFTER_CAP:
                            delay = max(self.options.backoff * 2**attempt, wait or 0.0)
                            continue
                    if not 200 <= status < 300:
                        return _Response(url, status, reason, headers, tries=attempt + 1)
                    if check is not None:
                        check(origin, headers)
                    body = _read_body(r, limit, origin=origin, truncate=truncate)
                    return _Response(url, status, reason, headers, body, tries=attempt + 1)
            except httpx.TimeoutException:
                failure = f"timed out after {self.options.timeout:g} s"
            except httpx.TransportError as exc:  # refused, reset, DNS, TLS, proxy
                failure = f"cannot connect ({_one_line(exc) or type(exc).__name__})"
            except httpx.DecodingError as exc:
                damaged = f"the server sent a damaged response ({_one_line(exc)}); try again later"
                raise InputError(damaged, path=origin) from None
            delay = self.options.backoff * 2**attempt
        raise _Unreachable(f"{failure} ({_tries(tries)})")

    def _wait_turn(self, host: str) -> None:
        """Sleep only as long as needed to keep `per_host_interval` (or a robots Crawl-delay) between requests."""
        interval = max(self.options.per_host_interval, self._crawl_delay.get(host, 0.0))
        now = self.clock()
        last = self._last.get(host)
        if last is not None and interval > 0 and now - last < interval:
            self.sleep(interval - (now - last))
            now = self.clock()
        self._last[host] = now

    def _check_address(self, url: str, origin: str) -> None:
        """Refuse hosts that resolve to loopback, private, link-local, ... addresses (server-side request forgery).

        The client resolves the name again when it connects; a DNS answer that changes in
        between (rebinding) is not caught here. Behind a proxy the proxy resolves, so a name
        that does not resolve locally is left to it.
        """
        if self.options.allow_private:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            addresses = _resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        except (socket.gaierror, UnicodeError) as exc:
            if _proxied(parts.scheme, host):
                return
            why = exc.strerror if isinstance(exc, socket.gaierror) else "not a valid host name"
            raise InputError(f"cannot resolve {host} ({why}); check the URL and your network", path=origin) from None
        for address in addresses:
            kind = _non_public(address)
            if kind:
                via = "" if url == origin else f" (redirected to {url})"
                raise InputError(
                    f"{host}{via} is a {kind} address ({address}); compare fetches only public pages "
                    "(pass --allow-private to fetch from your own network)",
                    path=origin,
                )

    def _check_robots(self, client: "httpx.Client", url: str, origin: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        site = f"{parts.scheme}://{parts.netloc}".lower()
        robots = self._robots.get(site)
        if robots is None:
            robots = self._robots[site] = self._read_robots(client, f"{site}/robots.txt")
            self._crawl_delay[host] = max(self._crawl_delay.get(host, 0.0), robots.crawl_delay)
        agent = self.options.user_agent.split("/", 1)[0].strip()
        if robots.parser is not None:
            allowed = robots.parser.can_fetch(agent, url)
        else:
            allowed = robots.allow_all
        if not allowed:
            why = f" ({robots.why})" if robots.why else ""
            raise InputError(
                f"robots.txt of {host} disallows fetching this page for {agent}{why}; "
                "save the page from a browser and pass the .html file",
                path=origin,
            )

    def _read_robots(self, client: "httpx.Client", robots_url: str) -> _Robots:
        """RFC 9309: 2xx rules apply; 4xx means no rules, except 401/403 (shut out: disallow, as
        urllib.robotparser does); 5xx, 429 or no answer means unreachable: disallow everything."""
        try:
            response = self._get(
                client, robots_url, origin=robots_url, limit=_ROBOTS_BYTES, check=None, robots=False, truncate=True
            )
        except _Unreachable as exc:
            return _Robots(why=f"robots.txt unreachable: {exc}")
        except InputError as exc:  # a redirect to somewhere refused
            return _Robots(why=f"robots.txt: {exc.message}")
        if response.status in (401, 403):
            return _Robots(why=f"robots.txt answers HTTP {response.status}")
        if 400 <= response.status < 500 and response.status != 429:
            return _Robots(allow_all=True)
        if not 200 <= response.status < 300:
            return _Robots(why=f"robots.txt answers HTTP {response.status}; try again later")
        from urllib.robotparser import RobotFileParser  # imports urllib.request (~45 ms): only when fetching

        parser = RobotFileParser()
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        agent = self.options.user_agent.split("/", 1)[0].strip()
        delay = parser.crawl_delay(agent)
        return _Robots(parser=parser, crawl_delay=min(float(delay or 0), _CRAWL_DELAY_CAP))

    # --- kept copies --------------------------------------------------------------------------

    def _read_kept(self, url: str) -> Fetched:
        folders = [p for p in (self.keep_to, *self.kept_from) if p is not None]
        for folder in folders:
            record_path = folder / f"{url_key(url)}.json"
            if not record_path.is_file():
                continue
            fetched = _load_kept(record_path, url)
            if self.keep_to is not None and folder != self.keep_to:  # the new run's folder stands alone
                page = folder / f"{fetched.sha256}.html"
                _keep(self.keep_to, fetched, page.read_bytes() if page.is_file() else None)
            return fetched
        where = " or ".join(str(p) for p in folders) if folders else "any folder (none given: --keep-fetched DIR)"
        raise InputError(f"no kept copy in {where}; run once without --offline", path=url)


def read_url(url: str, fetcher: Fetcher, *, label: str | None = None, max_bytes: int | None = None) -> Source:
    """Read one article from the web (or, offline, its kept copy) as a Source, like read_source.

    Args:
        url: an http(s) URL.
        fetcher: holds the politeness state and the kept-copy folders; share one across a run.
        label: display name; defaults to the site name, else host and the path's last part.
        max_bytes: refuse article text larger than this (UTF-8 bytes); default fetcher.max_text_bytes.
    """
    from .ingest import Source, too_large  # ingest imports this module

    fetched = fetcher.fetch(url)
    limit = fetcher.max_text_bytes if max_bytes is None else max_bytes
    if len(fetched.text.encode("utf-8", "surrogatepass")) > limit:  # a kept copy from a run with a higher limit
        raise too_large(url, limit, what="has article text")
    return Source(
        text=fetched.text,
        label=label or url_label(fetched.final_url, fetched.site),
        path=None,
        encoding=fetched.encoding,
        html=fetched.is_html,
        published=fetched.published,
        url=url,
        title=fetched.title,
        site=fetched.site,
    )


def url_label(url: str, site: str | None = None) -> str:
    """A short, stable name for a fetched page: its site name, else "host/last-path-part"
    ("https://www.example.com/world/2024/trade-deal.html" -> "example.com/trade-deal")."""
    if site and len(site) <= 40:
        return site
    parts = urlsplit(url)
    host = (parts.hostname or "web").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    stem = re.sub(r"\.(?:s?html?|php|aspx?)$", "", segments[-1], flags=re.IGNORECASE)[:40] if segments else ""
    return f"{host}/{stem}" if stem else host


def url_key(url: str) -> str:
    """The kept record's file stem: the first 16 hex digits of the URL's SHA-256 (the URL as given)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _check_url(url: str, origin: str) -> None:
    """Scheme http(s), a host, no user name or password."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise InputError(f"only http:// and https:// URLs are fetched, not {shown}", path=origin)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        host = None
    if not host:
        raise InputError("is not a valid URL (no host name); check it", path=origin)
    if parts.username is not None or parts.password is not None:
        raise InputError("has a user name or password in it; compare sends no credentials, remove them", path=origin)


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]  # drop an IPv6 %scope


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Which kind of non-public address this is, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    for kind, flag in (
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("unspecified", address.is_unspecified),
        ("non-public", not address.is_global),  # shared address space (100.64.0.0/10) and the like
    ):
        if flag:
            return kind
    return None


def _proxied(scheme: str, host: str) -> bool:
    """True when the environment sends this URL through a proxy (HTTP(S)_PROXY, not NO_PROXY)."""
    import urllib.request  # ~45 ms of imports (http.client, email): only when fetching

    proxies = urllib.request.getproxies_environment()
    return bool(proxies.get(scheme) or proxies.get("all")) and not urllib.request.proxy_bypass_environment(host)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the delta form; an HTTP date is ignored)."""
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _tries(n: int) -> str:
    return "1 try" if n == 1 else f"{n} tries"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _status_error(url: str, response: _Response) -> InputError:
    """The one line for a final non-2xx answer."""
    status = f"HTTP {response.status}" + (f" {response.reason}" if response.reason else "")
    tries = f" after {_tries(response.tries)}" if response.tries > 1 else ""
    if response.status == 404 or response.status == 410:
        todo = "check the URL (the article may have moved or been taken down)"
    elif response.status in (401, 403, 451):
        todo = "the site refuses compare (login, paywall or bot block); save the page from a browser, pass the .html"
    elif response.status == 429:
        todo = "the site asks to slow down; try again later"
    elif response.status >= 500:
        todo = "the site is failing; try again later"
    else:
        todo = "check the URL"
    return InputError(f"{status}{tries}; {todo}", path=url)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _page_type(origin: str, headers: dict[str, str]) -> None:
    """Refuse, before reading the body, what is not an article page (PDF, image, JSON)."""
    media = _media_type(headers.get("content-type", ""))
    if media and media not in _PAGE_TYPES and media != "text/plain":
        raise InputError(
            f"is not an article page (content type {media}); pass the URL of the article's web page", path=origin
        )


def _sniff_type(body: bytes) -> str:
    """A page sent without a Content-Type: HTML if it looks like it, else plain text."""
    head = body[:4096].lstrip().lower()
    looks_html = head.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<")) or b"<body" in head
    return "text/html" if looks_html else "text/plain"


def _read_body(response: Any, limit: int, *, origin: str, truncate: bool) -> bytes:
    """The (decompressed) body, never more than `limit` + 1 bytes read."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise _too_large(origin, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                return b"".join(chunks)[:limit]
            raise _too_large(origin, limit)
    return b"".join(chunks)


def _too_large(origin: str, limit: int) -> InputError:
    return InputError(
        f"the page is larger than {limit:,} bytes (FetchOptions.max_bytes); is it really one article?", path=origin
    )


def _decode(body: bytes, content_type: str, url: str) -> tuple[str, str]:
    """The page's text: a BOM, else the charset the header or the page declares, else detection."""
    from .ingest import decode_bytes, refuse_binary

    if not body.strip():
        raise InputError("the page is empty; check the URL", path=url)
    refuse_binary(body[:8192], name=url)
    if not body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        header = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
        meta = _META_CHARSET.search(body[:4096])
        for declared in (header.group(1) if header else None, meta.group(1).decode("ascii") if meta else None):
            if not declared:
                continue
            encoding = "cp1252" if declared.lower() in _AS_CP1252 else declared.lower()
            try:
                return body.decode(encoding), codecs.lookup(encoding).name
            except (LookupError, UnicodeDecodeError):
                continue  # unknown or wrong label: detect instead
    return decode_bytes(body, name=url)


def _article(
    page: str, content_type: str, final_url: str, url: str, max_text_bytes: int
) -> tuple[str, str | None, str | None, str | None]:
    """(text, title, site, published) of a page; refuses pages with too little text to compare."""
    from .ingest import extract_html, published_time

    title = site = published = None
    if content_type == "text/plain":
        text = "\n\n".join(line.strip() for line in page.splitlines() if line.strip())
        if len(text.encode("utf-8", "surrogatepass")) > max_text_bytes:
            raise _too_large(url, max_text_bytes)
    else:
        try:
            text = extract_html(page, name=url, max_bytes=max_text_bytes)
        except InputError as exc:
            if not exc.message.startswith("no article text"):
                raise
            text = ""  # reported below, with the likely reasons
        title, site = _metadata(page, final_url)
        published = published_time(page)
    _require_article(text, url)
    return text, title, site, published


def _metadata(page: str, final_url: str) -> tuple[str | None, str | None]:
    """The page's title and site name (trafilatura reads og:, schema.org and <title>)."""
    import trafilatura

    try:
        meta = trafilatura.extract_metadata(page, default_url=final_url)
    except Exception:  # metadata is a nicety: a parser failure must not lose the article  # noqa: BLE001
        return None, None
    title = " ".join(meta.title.split()) if meta and meta.title else None
    site = " ".join(meta.sitename.split()) if meta and meta.sitename else None
    return title or None, site or None


def _require_article(text: str, url: str) -> None:
    """At least MIN_TEXT_CHARS characters in MIN_TEXT_SENTENCES sentences, or it is not an article."""
    from .segment import split_sentences

    stripped = text.strip()
    if len(stripped) < MIN_TEXT_CHARS or len(split_sentences(stripped, limit=MIN_TEXT_SENTENCES)) < MIN_TEXT_SENTENCES:
        raise InputError(
            f"no article text (a paywall stub or a page that is not an article?): {len(stripped)} characters "
            "extracted; save the full article from a browser and pass the file",
            path=url,
        )


def _record(fetched: Fetched) -> dict[str, Any]:
    return {
        "url": fetched.url,
        "final_url": fetched.final_url,
        "fetched_at": fetched.fetched_at,
        "status": fetched.status,
        "sha256": fetched.sha256,
        "title": fetched.title,
        "site": fetched.site,
        "published": fetched.published,
        "encoding": fetched.encoding,
        "content_type": fetched.content_type,
        "text": fetched.text,
    }


def _keep(folder: Path, fetched: Fetched, body: bytes | None) -> None:
    """Write <sha256-of-url[:16]>.json (the record) and <sha256-of-body>.html (the raw page), atomically."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if body is not None:
            page = folder / f"{fetched.sha256}.html"
            if not page.is_file():  # named by its content: an existing one is the same page
                _write_atomic(page, body)
        text = json.dumps(_record(fetched), ensure_ascii=False, indent=2) + "\n"
        _write_atomic(folder / f"{url_key(fetched.url)}.json", text.encode("utf-8"))
    except OSError as exc:
        why = f"cannot write the kept copy of {fetched.url} ({exc.strerror or exc})"
        raise OutputError(why, path=str(folder)) from None


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_kept(record_path: Path, url: str) -> Fetched:
    """A kept record (and its page, when kept beside it) as Fetched."""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record["url"] != url:
            raise ValueError("the record is for another URL")
        page_path = record_path.parent / f"{record['sha256']}.html"
        encoding = record.get("encoding") or "utf-8"
        page = page_path.read_bytes().decode(encoding, "replace") if page_path.is_file() else ""
        return Fetched(
            url=url,
            final_url=record["final_url"],
            fetched_at=record["fetched_at"],
            status=int(record["status"]),
            sha256=record["sha256"],
            html=page,
            text=record["text"],
            title=record.get("title"),
            site=record.get("site"),
            published=record.get("published"),
            encoding=record.get("encoding"),
            content_type=record.get("content_type") or "text/html",
        )
    except (OSError, ValueError, KeyError, TypeError, LookupError) as exc:
        raise InputError(
            f"its kept copy {record_path} cannot be read ({_one_line(exc)}); delete it, or run without --offline",
            path=url,
        ) from None

