"""Fuzzing the command line: any bytes in, one clear outcome out (issue 9, acceptance).

Random bytes, text in legacy encodings and English laced with control
characters and terminal escape sequences go through `compare --fast
--offline`: the exit status is 0 or 2, no traceback or "internal error"
appears, and the input files are left byte for byte as they were.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare.cli import main

from .conftest import FIXTURES

ENCODINGS = ("utf-8", "utf-16", "utf-32", "cp1251", "gb18030", "euc-kr", "latin-1", "cp1252", "shift_jis", "koi8-r")
ENGLISH = (
    "Leaders of twelve countries agreed on a trade deal on Friday after two days of talks in Geneva. "
    "The agreement cuts tariffs on steel and grain, the host government said. "
    "Protesters gathered outside, but the police reported no arrests."
)
# Terminal control: screen clearing, colours, window titles (OSC), hyperlinks, bells, C1 controls.
ESCAPES = st.sampled_from(
    [
        "\x1b[2J\x1b[H",
        "\x1b[31m",
        "\x1b[0m",
        "\x1b]0;pwned\x07",
        "\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\",
        "\x1bP+q\x1b\\",
        "\x07",
        "\x08\x08",
        "\r",
        "\x9b31m",
        "\x00",
        "\u202e",
        "\ufeff",
    ]
)
CONTROLS = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.characters(min_codepoint=0x7F, max_codepoint=0x9F)


@st.composite
def laced_english(draw: st.DrawFn) -> bytes:
    """The English article with escapes and control characters spliced in at random places."""
    words = ENGLISH.split(" ")
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, len(words)))
        words.insert(at, draw(ESCAPES | CONTROLS))
    return " ".join(words).encode(draw(st.sampled_from(("utf-8", "utf-16"))))


@st.composite
def encoded_text(draw: st.DrawFn) -> bytes:
    """Random text, saved in a random encoding (characters it cannot hold become '?')."""
    text = draw(st.text(min_size=0, max_size=300))
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """The English article in UTF-8 with a few bytes overwritten."""
    data = bytearray(ENGLISH.replace("'", "\u2019").encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0x80, 0xFF))
    return bytes(data)


@st.composite
def page(draw: st.DrawFn) -> bytes:
    """An HTML page around laced English, or around random bytes."""
    body = draw(laced_english() | st.binary(max_size=300))
    return b"<!doctype html><html><body><article><h1>Summit</h1><p>" + body + b"</p></article></body></html>"


# Mostly near-text: random bytes are refused early, near-text goes all the way through.
INPUTS = st.one_of(st.binary(max_size=600), encoded_text(), laced_english(), laced_english(), damaged(), page())


@pytest.fixture
def offline_env(tmp_path, monkeypatch):
    """Empty model store and cache; no download is possible."""
    for var, sub in (("COMPARE_MODELS_DIR", "models"), ("COMPARE_CACHE_DIR", "cache")):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=INPUTS, second=INPUTS | st.just(None), suffix=st.sampled_from((".txt", ".html")))
def test_any_input_gives_a_clean_exit_and_is_left_untouched(offline_env, capsys, first, second, suffix):
    a = offline_env / f"a{suffix}"
    b = offline_env / "b.txt"
    a.write_bytes(first)
    b.write_bytes(second if second is not None else (FIXTURES / "summit_b.txt").read_bytes())
    before = {p: p.read_bytes() for p in (a, b)}
    capsys.readouterr()
    code = main([str(a), str(b), "--fast", "--offline", "--no-color", "--json", str(offline_env / "r.json")])
    out, err = capsys.readouterr()
    assert code in (0, 2), err
    assert "Traceback" not in out + err
    assert "internal error" not in err
    if code == 2:  # one error line (input warnings may come before it)
        assert len([line for line in err.splitlines() if line.startswith("compare: error:")]) == 1, err
    assert {p: p.read_bytes() for p in (a, b)} == before
