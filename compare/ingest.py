"""Reading inputs: files (txt in any common encoding, html) and stdin -> Source.

Every failure is an InputError naming the file, so the CLI can print one line.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")

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


@dataclass(frozen=True, slots=True)
class Source:
    """A decoded input document. Sentence offsets index into `text`."""

    text: str
    label: str
    path: str | None  # None for stdin
    encoding: str | None
    html: bool = False


def read_source(spec: str | Path, *, label: str | None = None, stdin: BinaryIO | None = None) -> Source:
    """Read one input: a path, or "-" for standard input.

    Args:
        spec: file path, or "-" to read stdin.
        label: display name; defaults to the file stem ("stdin" for "-").
        stdin: binary stream to read for "-" (defaults to sys.stdin.buffer).
    """
    if str(spec) == "-":
        name = "<stdin>"
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read()
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
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror or exc})", path=name) from None
        is_html = path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(data)
        path_str = name
        default_label = path.stem
    text, encoding = decode_bytes(data, name=name)
    if is_html:
        text = extract_html(text, name=name)
    if not text.strip():
        raise InputError("is empty (no text to compare)", path=name)
    return Source(text=text, label=label or default_label, path=path_str, encoding=encoding, html=is_html)


def decode_bytes(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode text bytes; BOMs first, then strict UTF-8, then charset detection."""
    if not data.strip():
        raise InputError("is empty (no text to compare)", path=name)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {encoding.upper().replace('-SIG', '')} byte-order mark but is not valid "
                    f"{encoding.replace('-sig', '')} (byte {exc.start}); re-save it as UTF-8",
                    path=name,
                ) from None
            return text.removeprefix("\ufeff"), encoding.replace("-sig", "")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"is {what}, not text; pass a .txt or .html article", path=name)
    if b"\x00" in data[:8192]:
        raise InputError("looks binary (contains NUL bytes), not text; pass a .txt or .html article", path=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for legacy encodings

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(
            "cannot be decoded as text in any known encoding; re-save it as UTF-8", path=name
        )
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise InputError("looks binary (mostly control characters), not text", path=name)
    return text, best.encoding


def _control_ratio(text: str) -> float:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / max(1, len(sample))


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<!doctype html", b"\xef\xbb\xbf<html"))


def extract_html(html: str, *, name: str) -> str:
    """Main article text of an HTML page (trafilatura), paragraphs kept apart."""
    import trafilatura  # ~0.3 s of imports: only when there is HTML

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True
    )
    if not text or not text.strip():
        raise InputError("no article text found in this HTML page", path=name)
    # trafilatura puts one paragraph a line; a blank line between keeps them apart
    # for the segmenter even when a paragraph lacks final punctuation (headlines).
    return "\n\n".join(line for line in text.splitlines() if line.strip())
