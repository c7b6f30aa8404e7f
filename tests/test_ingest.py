"""Reading inputs: encodings, HTML, stdin, and one clear error per bad file."""

from __future__ import annotations

import gzip
import io

import pytest

from compare.errors import InputError
from compare.ingest import InputWarning, read_source

RUSSIAN = "Саммит завершился в пятницу. Лидеры подписали соглашение о торговле на 40 миллиардов долларов."
CHINESE = "峰会于周五闭幕。各国领导人签署了价值四百亿美元的贸易协议，双方同意继续合作。"
KOREAN = "정상회의가 금요일 폐막했다. 정상들은 400억 달러 규모의 무역 협정에 서명했다."
FRENCH = "Le sommet s'est achevé vendredi à Genève. Les dirigeants ont signé un accord élevé à quarante milliards."
PORTUGUESE = "A informação sobre a reunião foi divulgada na sexta-feira. As negociações continuarão em março."
JAPANESE = "首脳会議は金曜日に閉幕した。首脳らは四百億ドル規模の貿易協定に署名した。"
CURLY = "The summit’s host called it “a historic day” – and the deal “binding”. "


@pytest.mark.parametrize(
    ("text", "encoding", "expected_name"),
    [
        ("Plain English text. Second sentence.", "utf-8", "utf-8"),
        (RUSSIAN, "utf-8-sig", "utf-8"),
        (RUSSIAN, "utf-16", "utf-16"),
        (KOREAN, "utf-16-be", None),  # BOM added below
        (RUSSIAN * 3, "cp1251", "cp1251"),
        (CHINESE * 3, "gb18030", "gb18030"),
        (KOREAN * 3, "euc-kr", "euc_kr"),
        (FRENCH * 3, "latin-1", None),
        (CURLY * 3, "cp1252", "cp1252"),  # Windows curly quotes, not U+FFFD or a Mac code page
        (CURLY * 40, "cp1252", "cp1252"),
        (PORTUGUESE * 3, "cp1252", "cp1252"),  # ties with cp1250 ("informaçăo") go to cp1252
        (JAPANESE * 3, "shift_jis", None),
    ],
)
def test_decodes_common_encodings(tmp_path, text, encoding, expected_name):
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    src = read_source(path)
    assert src.text == text
    assert src.label == "article"
    if expected_name:
        # cp949 is Microsoft's superset of EUC-KR: either name decodes the same text.
        assert src.encoding.replace("-", "_").lower() in {expected_name.replace("-", "_"), "cp949"}


def test_bom_is_removed_so_offsets_index_the_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffHello world.".encode("utf-8"))
    assert read_source(path).text == "Hello world."


def test_html_main_text_is_extracted(tmp_path):
    page = """<!doctype html><html><head><title>Site</title></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
    <article><h1>Summit ends with a deal</h1>
    <p>Leaders of twelve countries agreed on a trade deal on Friday after two days of talks in Geneva.</p>
    <p>The agreement cuts tariffs on steel and grain, the host government said in a statement.</p>
    <p>Protesters gathered outside the conference centre, but the police reported no arrests.</p>
    </article><footer>Copyright 2026 Example News. All rights reserved. Subscribe now.</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    src = read_source(path)
    assert src.html
    assert "Leaders of twelve countries agreed" in src.text
    assert "cuts tariffs on steel" in src.text
    assert "Subscribe now" not in src.text
    assert "<p>" not in src.text


def test_stdin_is_read_with_label(tmp_path):
    src = read_source("-", stdin=io.BytesIO("From standard input. Two sentences.".encode()))
    assert src.text.startswith("From standard input")
    assert src.label == "stdin" and src.path is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(b"  \n\t\n  "), "is empty"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256))), "png image"),
        (lambda p: p.write_bytes(gzip.compress(b"hello world " * 50)), "gzip"),
        (lambda p: p.write_bytes(b"abc\x00\x01\x02def" * 20), "binary"),
        (lambda p: p.write_bytes(b"\xef\xbb\xbfvalid start \xff\xfe\xfa broken"), "not valid utf-8"),
    ],
    ids=["missing", "directory", "empty", "whitespace", "png", "gzip", "nul-bytes", "bad-utf8-bom"],
)
def test_bad_inputs_raise_one_clear_error(tmp_path, make, message):
    path = tmp_path / "input.txt"
    make(path)
    with pytest.raises(InputError) as info:
        read_source(path)
    assert message in str(info.value).lower()
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_html_without_article_text_is_an_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><script>var x = 1;</script></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no article text"):
        read_source(path)


def test_nearly_utf8_text_stays_utf8_with_the_bad_bytes_replaced(tmp_path):
    """99.9% valid UTF-8 (3 bad bytes in 3 KB): UTF-8 and a warning, not mac_iceland ("summit‚Äôs")."""
    data = bytearray((CURLY * 40).encode("utf-8"))
    for at in (100, 1100, 2100):
        data[at] = 0x9C
    path = tmp_path / "wire.txt"
    path.write_bytes(bytes(data))
    with pytest.warns(InputWarning, match="3 invalid UTF-8 bytes replaced with U\\+FFFD"):
        src = read_source(path)
    assert src.encoding == "utf-8"
    assert src.text.count("\ufffd") == 3 and "summit\u2019s host" in src.text
