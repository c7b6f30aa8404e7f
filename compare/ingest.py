"""Reading inputs: files (txt in any common encoding, html) and stdin -> Source.

Every failure is an InputError naming the file, so the CLI can print one line.
Reading is bounded: at most `max_bytes` + 1 bytes are ever read from a file,
device, FIFO or stdin, so an endless stream cannot fill memory. Things the
user should know but that do not stop the comparison (bad UTF-8 bytes
replaced, a page far longer than an article) are InputWarnings, issued with
the `warnings` module: the library never prints.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .fetch import read_url, url_label  # noqa: F401 -- URL inputs, beside read_source (compare/fetch.py)
from .options import CompareOptions

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
DEFAULT_MAX_BYTES = CompareOptions.max_bytes
# Extracted page text beyond this is far more than one article (a long feature
# is ~100,000 characters): warn, since listing and archive pages end up here.
ARTICLE_CHARS = 500_000
_CHUNK = 1 << 20
_SNIFF = 8192  # the prefix that binary checks look at

# Magic numbers of formats people drop in by mistake.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a ZIP archive (docx/xlsx/odt are ZIP too)",
    b"%PDF": "a PDF document",
    b"\x7fELF": "a program",
    b"BZh": "bzip2-compressed data",
    b"\xfd7zXZ": "xz-compressed data",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings news text is really saved in. The detector's other guesses
# (mac_iceland, cp1006, EBCDIC, ...) are noise; ties go to the earlier name.
_LEGACY_ENCODINGS = (
    "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "koi8_u", "cp866",
    "iso8859_5", "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1255", "iso8859_8", "cp1256", "iso8859_6",
    "cp1257", "iso8859_13", "cp1258", "cp874", "tis_620", "gb18030", "gbk", "gb2312", "big5", "cp950",
    "euc_kr", "cp949", "shift_jis", "cp932", "euc_jp", "iso2022_jp",
)  # fmt: skip
_LEGACY_RANK = {name: k for k, name in enumerate(_LEGACY_ENCODINGS)}
# Text with at most this many invalid UTF-8 bytes (or 1 per 1,000) is nearly
# ASCII/UTF-8: a statistical detector only guesses there (mac_iceland for one bad byte).
_FEW_BAD_BYTES = 8
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # undecodable bytes under "surrogateescape"


class InputWarning(UserWarning):
    """Something about an input worth telling the user; the comparison goes on."""


@dataclass(frozen=True, slots=True)
class Source:
    """A decoded input document. Sentence offsets index into `text`."""

    text: str
    label: str
    path: str | None  # None for stdin
    encoding: str | None
    html: bool = False
    published: str | None = None  # ISO 8601, from the HTML page's metadata
    url: str | None = None  # the URL it was fetched from (compare/fetch.py), as given
    title: str | None = None  # the fetched page's title
    site: str | None = None  # the fetched page's site name (og:site_name and the like)


def read_source(
    spec: str | Path,
    *,
    label: str | None = None,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Source:
    """Read one input: a path, or "-" for standard input.

    Args:
        spec: file path, or "-" to read stdin.
        label: display name; defaults to the file stem ("stdin" for "-").
        stdin: binary stream to read for "-" (defaults to sys.stdin.buffer).
        max_bytes: refuse inputs larger than this (raw bytes, and an HTML page's text).
    """
    if str(spec) == "-":
        name = "<stdin>"
        data = _read_stdin(stdin, max_bytes)
        is_html = _looks_like_html(data)
        path_str = None
        default_label = "stdin"
    else:
        path = Path(spec)
        name = str(path)
        if not path.exists():
            raise InputError("no such file; check the path", path=name)
        if path.is_dir():
            raise InputError("is a directory; pass the article files inside it", path=name)
        data = _read_file(path, max_bytes)
        is_html = path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(data)
        path_str = name
        default_label = path.stem
    text, encoding = decode_bytes(data, name=name)
    published = None
    if is_html:
        published = published_time(text)
        text = extract_html(text, name=name, max_bytes=max_bytes)
    if not text.strip():
        raise InputError("is empty (no text to compare)", path=name)
    return Source(
        text=text, label=label or default_label, path=path_str, encoding=encoding, html=is_html, published=published
    )


def read_bounded(stream: BinaryIO, max_bytes: int, *, name: str, size_hint: int | None = None) -> bytes:
    """Read a whole stream, but never more than `max_bytes` + 1 bytes.

    Known binary formats are refused from the first 8 KB, before the rest is read.
    Raises InputError when the stream holds more than `max_bytes`.
    """
    chunks: list[bytes] = []
    size = 0
    sniffed = False
    while size <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if not sniffed and size >= _SNIFF:
            refuse_binary(b"".join(chunks)[:_SNIFF], name=name)
            sniffed = True
    if size > max_bytes:
        raise too_large(name, max_bytes, size_hint)
    return b"".join(chunks)


def too_large(name: str, max_bytes: int, size: int | None = None, *, what: str = "is") -> InputError:
    """The one-line refusal for an input over the --max-bytes limit."""
    suggest = max(max_bytes * 5 // 2, size or 0)
    return InputError(
        f"{what} larger than the {_format_size(max_bytes)} input limit (--max-bytes); "
        f"raise it with --max-bytes {_format_flag(suggest)} if this is really one article",
        path=name,
    )


def _read_file(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            size = info.st_size if stat.S_ISREG(info.st_mode) else None
            if size is not None and size > max_bytes:  # refuse without reading
                raise too_large(name, max_bytes, size)
            return read_bounded(fh, max_bytes, name=name, size_hint=size)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path=name) from None


def _read_stdin(stream: BinaryIO | None, max_bytes: int) -> bytes:
    name = "<stdin>"
    if stream is None:
        if sys.stdin is None:  # started with stdin closed (`compare - a.txt <&-`)
            raise _stdin_closed()
        stream = getattr(sys.stdin, "buffer", sys.stdin)
    if _isatty(stream):  # otherwise it seems to hang until Ctrl-D
        eof = "Ctrl-Z then Enter" if os.name == "nt" else "Ctrl-D"
        warnings.warn(InputWarning(f"{name}: reading the article from the terminal; end it with {eof}"), stacklevel=2)
    try:
        return read_bounded(stream, max_bytes, name=name)
    except ValueError:  # "I/O operation on closed file"
        raise _stdin_closed() from None
    except OSError as exc:
        if exc.errno == errno.EBADF:  # file descriptor 0 is closed
            raise _stdin_closed() from None
        raise InputError(f"standard input cannot be read ({exc.strerror or exc})", path=name) from None


def _stdin_closed() -> InputError:
    return InputError("standard input is closed; pipe an article in or pass a file", path="<stdin>")


def _isatty(stream: BinaryIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def _format_size(n: int) -> str:
    """20000000 -> "20 MB", 1500 -> "1.5 kB" (decimal units, as --max-bytes reads them)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"


def _format_flag(n: int) -> str:
    """A --max-bytes value at least `n`, rounded up to a whole M or K: 50000000 -> "50M"."""
    for suffix, scale in (("M", 10**6), ("K", 10**3)):
        if n >= scale:
            return f"{-(-n // scale)}{suffix}"
    return str(n)


def refuse_binary(head: bytes, *, name: str) -> None:
    """Refuse known binary formats from an input's first bytes (a bounded prefix is enough)."""
    if head.startswith(tuple(bom for bom, _ in _BOMS)):
        return  # UTF-16/32 text: its NUL bytes are expected
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"is {what}, not text; pass a .txt or .html article", path=name)
    if b"\x00" in head[:_SNIFF]:
        raise InputError("looks binary (contains NUL bytes), not text; pass a .txt or .html article", path=name)


def decode_bytes(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode text bytes: BOMs first, then UTF-8 (strict, or with a few bad bytes replaced), then detection.

    Text with only a few invalid UTF-8 bytes (at most 8, or 1 per 1,000) is
    UTF-8 with those bytes replaced by U+FFFD and an InputWarning saying how
    many, if it holds at least as many valid UTF-8 characters; otherwise it is
    ASCII with a few Windows-1252 accents or curly quotes. Anything else goes
    to charset-normalizer, limited to the encodings news text is saved in.
    """
    if not data.strip():
        raise InputError("is empty (no text to compare)", path=name)
    failure: tuple[str, UnicodeDecodeError] | None = None
    for bom, encoding in _BOMS:  # UTF-16 LE text starting with U+0000 has the UTF-32 LE BOM: try both
        if data.startswith(bom):
            try:
                return data.decode(encoding).removeprefix("\ufeff"), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                failure = failure or (encoding, exc)
    if failure is not None:
        encoding, exc = failure
        raise InputError(
            f"starts with a {encoding.upper().replace('-SIG', '')} byte-order mark but is not valid "
            f"{encoding.replace('-sig', '')} (byte {exc.start}); re-save it as UTF-8",
            path=name,
        )
    refuse_binary(data[:_SNIFF], name=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    nearly = _nearly_utf8(data, name=name)
    if nearly is not None:
        return nearly
    text, encoding = _detect_legacy(data, name=name)
    if _control_ratio(text) > 0.05:
        raise InputError("looks binary (mostly control characters), not text", path=name)
    return text, encoding


def _nearly_utf8(data: bytes, *, name: str) -> tuple[str, str] | None:
    """UTF-8 or Windows-1252 for text with only a few invalid UTF-8 bytes; None for other text."""
    escaped = data.decode("utf-8", "surrogateescape")
    text, bad = _ESCAPED_BYTE.subn("\ufffd", escaped)
    if bad > max(_FEW_BAD_BYTES, len(data) // 1000):
        return None
    valid_non_ascii = len(escaped) - len(escaped.encode("ascii", "ignore")) - bad
    if valid_non_ascii < bad:  # more damage than UTF-8: ASCII with a few legacy accents or curly quotes
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass  # bytes cp1252 leaves undefined: treat them as damaged UTF-8
    plural = "byte" if bad == 1 else "bytes"
    warnings.warn(
        InputWarning(f"{name}: {bad} invalid UTF-8 {plural} replaced with U+FFFD (the rest is valid UTF-8)"),
        stacklevel=2,
    )
    return text, "utf-8"


def _detect_legacy(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode with charset-normalizer's best guess among real legacy encodings.

    Its ranking stands; only among near-ties (its own "difficult decision":
    chaos within 0.005, coherence within 0.02) the commoner encoding wins, so
    Portuguese in cp1252 is not read as cp1250.
    """
    from charset_normalizer import from_bytes  # only for legacy encodings

    lead = None
    choice: tuple[int, str] | None = None
    for match in from_bytes(data):
        known = [enc for enc in match.could_be_from_charset if enc in _LEGACY_RANK]
        if not known:
            continue
        if lead is None:
            lead = match
        elif abs(match.chaos - lead.chaos) >= 0.005 or abs(match.coherence - lead.coherence) > 0.02:
            continue
        rank, encoding = min((_LEGACY_RANK[enc], enc) for enc in known)
        if choice is None or rank < choice[0]:
            choice = (rank, encoding)
    if choice is not None:
        try:
            return data.decode(choice[1]), choice[1]
        except UnicodeDecodeError:
            pass
    raise InputError("cannot be decoded as text in any known encoding; re-save it as UTF-8", path=name)


def _control_ratio(text: str) -> float:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / max(1, len(sample))


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<!doctype html", b"\xef\xbb\xbf<html"))


def extract_html(html: str, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Main article text of an HTML page (trafilatura), paragraphs kept apart.

    The text is held to the same byte limit as any input. A page whose text is
    far longer than one article (over ARTICLE_CHARS) gets an InputWarning, not
    a refusal: --max-sentences already bounds the work, and a long report is
    legitimate, but a listing or archive page gives a useless comparison.
    """
    import trafilatura  # ~0.3 s of imports: only when there is HTML
    from trafilatura.deduplication import LRUCache

    # A fresh cache per page: with deduplicate=True alone trafilatura counts paragraphs (and whole
    # pages) process-wide, so wire copy shared by a third outlet, or a page read a third time
    # (batch runs, kept copies), would silently lose its text.
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True, deduplicate=LRUCache(maxsize=4096)
    )
    if not text or not text.strip():
        raise InputError("no article text found in this HTML page", path=name)
    # trafilatura puts one paragraph a line; a blank line between keeps them apart
    # for the segmenter even when a paragraph lacks final punctuation (headlines).
    text = "\n\n".join(line for line in text.splitlines() if line.strip())
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise too_large(name, max_bytes, what="has article text")
    if len(text) > ARTICLE_CHARS:
        warnings.warn(
            InputWarning(
                f"{name}: the page's article text is {len(text):,} characters, far more than one article "
                f"(a long one is about 100,000); is this a listing or archive page?"
            ),
            stacklevel=2,
        )
    return text


# Where news pages state their publication time: Open Graph / schema.org / Dublin Core meta tags
# and JSON-LD. Read from the page head before extraction (trafilatura keeps dates, not times).
_META_TIME = re.compile(
    r"<meta\s[^>]*?(?:property|name|itemprop)\s*=\s*[\"']"
    r"(?:article:published_time|og:published_time|datePublished|pubdate|publishdate|dc\.date\.issued|"
    r"dcterms\.created|sailthru\.date|parsely-pub-date)[\"'][^>]*>",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"content\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_JSONLD_TIME = re.compile(r"[\"']datePublished[\"']\s*:\s*[\"']([^\"']+)[\"']")


def published_time(html: str) -> str | None:
    """The page's publication time as ISO 8601, or None when it states none (or only a date)."""
    from .options import parse_time

    head = html[:200_000]
    candidates = [m.group(1) for tag in _META_TIME.finditer(head) if (m := _CONTENT.search(tag.group(0)))]
    candidates += _JSONLD_TIME.findall(head)
    for value in candidates:
        value = value.strip()
        if "T" not in value and " " not in value.strip():
            continue  # a date alone says nothing about hours apart
        parsed = parse_time(value)
        if parsed is not None:
            return parsed.isoformat()
    return None
