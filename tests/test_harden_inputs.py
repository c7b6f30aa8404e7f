"""Issue 9, inputs: bounded reading (6, 7), closed stdin (10) and nearly-UTF-8 text (11).

Endless inputs are a FIFO under tmp_path fed by a thread, or an in-memory
stream that counts what is read; /dev/zero and /dev/urandom are only read.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import warnings

import pytest

from compare import CompareOptions, DocumentInput, compare_documents
from compare.errors import InputError, UsageError
from compare.ingest import InputWarning, decode_bytes, extract_html, read_source

from .conftest import FIXTURES, ROOT

A = FIXTURES / "summit_a.txt"
ENGLISH = (
    "Leaders of twelve countries agreed on a trade deal on Friday after two days of talks in Geneva. "
    "The summit\u2019s host called it \u201ca historic day\u201d for the region. "
)


class EndlessStream(io.RawIOBase):
    """A stream that never ends: `pattern` forever, counting the bytes handed out."""

    def __init__(self, pattern: bytes, *, tty: bool = False) -> None:
        self.pattern, self.tty, self.bytes_read = pattern, tty, 0

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "an endless stream must be read with a bound"
        data = (self.pattern * (size // len(self.pattern) + 1))[:size]
        self.bytes_read += len(data)
        return data


def one_error_line(res, *needles: str) -> str:
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# --- item 6: every input has a byte limit and a sentence limit ------------------------------


def test_item6_limits_default_to_20_mb_and_20000_sentences_and_are_validated():
    options = CompareOptions()
    assert (options.max_bytes, options.max_sentences) == (20_000_000, 20_000)
    for bad in ({"max_bytes": 0}, {"max_bytes": -5}, {"max_sentences": 0}, {"max_sentences": True}):
        with pytest.raises(UsageError, match="must be a whole number above 0"):
            CompareOptions(**bad)


def test_item6_file_over_the_default_limit_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: 20 MB + 1 byte of nothing on disk
        fh.truncate(20_000_001)
    with pytest.raises(InputError) as info:
        read_source(big)
    assert str(info.value) == (
        f"{big}: is larger than the 20 MB input limit (--max-bytes); "
        "raise it with --max-bytes 50M if this is really one article"
    )


def test_item6_cli_max_bytes_refuses_a_larger_file_and_accepts_one_at_the_limit(run_cli, tmp_path):
    article = tmp_path / "article.txt"
    article.write_bytes((ENGLISH * 20).encode("utf-8")[:1500])
    line = one_error_line(run_cli(A, article, "--fast", "--max-bytes", "1000"), str(article), "--max-bytes")
    assert "larger than the 1 kB input limit" in line and "raise it with --max-bytes 3K" in line
    res = run_cli(A, article, "--fast", "--max-bytes", "1500", "--json", "-")
    assert res.exit_code == 0, res.stderr


def test_item6_endless_stdin_is_read_only_up_to_the_limit():
    stream = EndlessStream(b"The summit went on and on. ")
    with pytest.raises(InputError, match=r"<stdin>: is larger than the 1 kB input limit \(--max-bytes\)"):
        read_source("-", stdin=stream, max_bytes=1000)
    assert stream.bytes_read == 1001


def test_item6_binary_stream_is_refused_from_its_first_bytes():
    stream = EndlessStream(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputError, match="is a PNG image"):
        read_source("-", stdin=stream)
    assert stream.bytes_read <= 1 << 20  # one read, not the 20 MB limit


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_item6_endless_devices_are_refused_after_a_bounded_read(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    with pytest.raises(InputError, match=f"{device}: looks binary"):
        read_source(device)  # only read: reading either device is harmless


def test_item6_fifo_with_an_endless_writer_stops_at_the_limit(run_cli, tmp_path):
    fifo = tmp_path / "feed.txt"
    try:
        os.mkfifo(fifo)
    except (AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a FIFO here: {exc}")
    written = []

    def writer() -> None:
        try:
            with open(fifo, "wb", buffering=0) as fh:
                while True:  # ends when the reader closes the FIFO
                    fh.write(b"Talks went on and on in Geneva. " * 256)
                    written.append(1)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    one_error_line(run_cli(A, fifo, "--fast", "--max-bytes", "100K"), str(fifo), "larger than the 100 kB input limit")
    thread.join(timeout=30)
    assert not thread.is_alive(), "the writer should stop once compare closes the FIFO"
    assert written  # the reader really did consume a stream


def test_item6_too_many_sentences_are_refused_naming_the_file(run_cli, tmp_path):
    many = tmp_path / "many.txt"
    many.write_text(" ".join(f"Sentence number {n} is here." for n in range(12)), encoding="utf-8")
    line = one_error_line(run_cli(A, many, "--fast", "--max-sentences", "10"), str(many), "--max-sentences")
    assert "has more than 10 sentences, the limit per document" in line
    assert run_cli(A, many, "--fast", "--max-sentences", "12", "-q").exit_code == 0


def test_item6_sentence_limit_applies_to_library_texts():
    text = "One fact. Two facts. Three facts."
    with pytest.raises(InputError, match=r"long: has more than 2 sentences, the limit per document"):
        compare_documents(
            [DocumentInput("One fact.", "short", "en"), DocumentInput(text, "long", "en")],
            CompareOptions(max_sentences=2, align_mode="fast"),
        )


# --- item 7: HTML pages are bounded like any input, and listing pages are named -----------


def _page(paragraphs: int) -> str:
    body = "".join(
        f"<p>Paragraph {n}: leaders of twelve countries agreed on a trade deal on Friday in Geneva.</p>"
        for n in range(paragraphs)
    )
    return f"<!doctype html><html><body><article><h1>Summit ends</h1>{body}</article></body></html>"


def test_item7_html_page_over_the_byte_limit_is_refused_before_extraction(run_cli, tmp_path):
    page = tmp_path / "archive.html"
    page.write_text(_page(400), encoding="utf-8")
    one_error_line(run_cli(A, page, "--fast", "--max-bytes", "10K"), str(page), "input limit (--max-bytes)")


def test_item7_extracted_article_text_is_held_to_the_limit():
    with pytest.raises(InputError, match="page.html: has article text larger than the 1 kB input limit"):
        extract_html(_page(40), name="page.html", max_bytes=1000)


def test_item7_page_far_longer_than_an_article_gets_a_warning(run_cli, tmp_path, monkeypatch):
    import compare.ingest

    monkeypatch.setattr(compare.ingest, "ARTICLE_CHARS", 2000)  # the real bound is 500,000 characters
    page = tmp_path / "listing.html"
    page.write_text(_page(60), encoding="utf-8")
    with pytest.warns(InputWarning, match=r"listing.html: .* characters, far more than one article.*archive page"):
        src = read_source(page)
    assert "Paragraph 59" in src.text  # a warning, not a refusal: the text is still compared


def test_item7_cli_prints_the_listing_page_warning_as_one_line(run_cli, tmp_path, monkeypatch):
    import compare.ingest

    monkeypatch.setattr(compare.ingest, "ARTICLE_CHARS", 2000)
    page = tmp_path / "listing.html"
    page.write_text(_page(60), encoding="utf-8")
    res = run_cli(A, page, "--fast", "-q")
    assert res.exit_code == 0
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"compare: warning: {page}: ") and line.endswith("is this a listing or archive page?")


# --- item 10: stdin closed or a terminal ---------------------------------------------------


def test_item10_stdin_closed(run_cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # how Python starts with fd 0 closed
    one_error_line(run_cli("-", A, "--fast"), "<stdin>: standard input is closed; pipe an article in or pass a file")


def test_item10_stdin_closed_stream_gives_the_same_line():
    stream = io.BytesIO(b"never read")
    stream.close()
    with pytest.raises(InputError, match="<stdin>: standard input is closed"):
        read_source("-", stdin=stream)


def test_item10_stdin_closed_by_the_shell(tmp_path):
    """The real thing: `compare - a.txt <&-` in a shell."""
    cmd = f'"{sys.executable}" -m compare - "{A}" --fast --offline <&-'
    res = subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == "compare: error: <stdin>: standard input is closed; pipe an article in or pass a file"


def test_item10_stdin_terminal_says_how_to_end_the_article():
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    with pytest.warns(InputWarning, match="reading the article from the terminal; end it with Ctrl-"):
        src = read_source("-", stdin=Terminal(b"Typed by hand. Two sentences."))
    assert src.text == "Typed by hand. Two sentences."
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # no hint for a pipe
        assert read_source("-", stdin=io.BytesIO(b"Piped in. Two sentences.")).text == "Piped in. Two sentences."


def test_item10_cli_hints_before_reading_the_terminal(run_cli, monkeypatch):
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(Terminal(FIXTURES.joinpath("summit_b.txt").read_bytes())))
    res = run_cli(A, "-", "--fast", "-q")
    assert res.exit_code == 0, res.stderr
    assert res.stderr.splitlines() == [
        "compare: warning: <stdin>: reading the article from the terminal; end it with Ctrl-D"
    ]


# --- item 11: nearly-UTF-8 text is UTF-8, never an exotic code page -----------------------


def _nearly_utf8(bad_bytes: int) -> bytes:
    data = bytearray((ENGLISH * 20).encode("utf-8"))  # about 4 KB, curly quotes included
    for k in range(bad_bytes):
        data[200 + 500 * k] = 0xFF
    return bytes(data)


@pytest.mark.parametrize("bad_bytes", [1, 4])  # 4 in ~4 KB: the 99.9%-valid case
def test_item11_nearly_utf8_is_decoded_as_utf8_with_a_count_of_replaced_bytes(tmp_path, bad_bytes):
    path = tmp_path / "wire.txt"
    path.write_bytes(_nearly_utf8(bad_bytes))
    plural = "byte" if bad_bytes == 1 else "bytes"
    with pytest.warns(InputWarning) as record:
        src = read_source(path)
    assert [str(w.message) for w in record] == [
        f"{path}: {bad_bytes} invalid UTF-8 {plural} replaced with U+FFFD (the rest is valid UTF-8)"
    ]
    assert src.encoding == "utf-8"
    assert src.text.count("\ufffd") == bad_bytes
    assert "summit\u2019s host" in src.text and "\u201ca historic day\u201d" in src.text


def test_item11_cli_prints_the_replaced_byte_count_as_one_line(run_cli, tmp_path):
    path = tmp_path / "wire.txt"
    path.write_bytes(_nearly_utf8(1))
    res = run_cli(A, path, "--fast", "-q")
    assert res.exit_code == 0, res.stderr
    assert res.stderr.strip().splitlines() == [
        f"compare: warning: {path}: 1 invalid UTF-8 byte replaced with U+FFFD (the rest is valid UTF-8)"
    ]


@pytest.mark.filterwarnings("ignore::compare.ingest.InputWarning")
@pytest.mark.parametrize("byte", range(0x80, 0x100), ids=lambda b: f"0x{b:02x}")
def test_item11_one_stray_byte_in_english_never_picks_an_exotic_code_page(byte):
    eng = (ENGLISH.encode("ascii", "replace") * 10).replace(b"?", b"'")
    with_utf8 = eng + "The summit\u2019s end.".encode("utf-8")
    for data in (eng + bytes([byte]) + eng, with_utf8 + bytes([byte]) + with_utf8):
        text, encoding = decode_bytes(data, name="x.txt")
        assert encoding in ("utf-8", "cp1252"), encoding
        assert text.startswith(eng.decode("ascii"))


def test_item11_mostly_ascii_cp1252_keeps_its_curly_quotes(tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes("He called it \u201ca historic day\u201d; the summit\u2019s host agreed.".encode("cp1252"))
    src = read_source(path)
    assert src.text == "He called it \u201ca historic day\u201d; the summit\u2019s host agreed."
    assert src.encoding == "cp1252"
