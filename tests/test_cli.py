"""The command line: reports, JSON output, and one clear line for every bad input."""

from __future__ import annotations

import json

import pytest

from .conftest import FIXTURES

A = FIXTURES / "summit_a.txt"
B = FIXTURES / "summit_b.txt"


def test_terminal_report_shows_links_and_omissions(run_cli):
    res = run_cli(A, B, "--no-color")
    assert res.exit_code == 0, res.stderr
    assert "summit_a ↔ summit_b" in res.stdout
    assert "Only in summit_b:" in res.stdout
    assert "Several delegations arrived late because of a rail strike." in res.stdout.split("Only in summit_b:")[1]
    # without colour, changed words carry wdiff markers
    assert "[-" in res.stdout and "{+" in res.stdout


def test_json_to_file_and_stdout_agree(run_cli, tmp_path):
    out = tmp_path / "r.json"
    res = run_cli(A, B, "--json", out, "-q")
    assert res.exit_code == 0 and res.stdout == ""
    from_file = json.loads(out.read_text(encoding="utf-8"))
    res = run_cli(A, B, "--json", "-")
    assert json.loads(res.stdout) == from_file
    assert from_file["schema"] == "compare/3"


def test_labels_and_language_override(run_cli):
    res = run_cli(A, B, "--label", "Wire", "--label", "Review", "--lang", "Wire=en", "--json", "-")
    data = json.loads(res.stdout)
    assert [d["label"] for d in data["documents"]] == ["Wire", "Review"]
    assert data["documents"][0]["language_source"] == "given"
    assert data["documents"][1]["language_source"] == "detected"


def test_stdin_document(run_cli):
    res = run_cli(A, "-", "--json", "-", stdin=B.read_bytes())
    assert res.exit_code == 0, res.stderr
    docs = json.loads(res.stdout)["documents"]
    assert docs[1]["label"] == "stdin" and docs[1]["path"] is None


def test_three_documents_get_a_coverage_summary(run_cli, tmp_path):
    c = tmp_path / "third.txt"
    c.write_text("Leaders of 12 countries agreed on a trade deal on Friday. Markets rose.", encoding="utf-8")
    res = run_cli(A, B, c, "--no-color", "--json", tmp_path / "r.json")
    assert res.exit_code == 0, res.stderr
    assert "Coverage" in res.stdout
    data = json.loads((tmp_path / "r.json").read_text())
    assert len(data["comparisons"]) == 3
    assert any(len(g["sentences"]) == 3 for g in data["coverage"])


def _one_line_error(res, *needles):
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("compare: error:")
    assert "Traceback" not in res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_file(run_cli, tmp_path):
    _one_line_error(run_cli(A, tmp_path / "nope.txt"), "nope.txt", "no such file")


def test_directory(run_cli, tmp_path):
    _one_line_error(run_cli(A, tmp_path), str(tmp_path), "directory")


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"   \n\n  ", "empty"), (b"\x89PNG\r\n\x1a\n\0\0\0", "PNG"), (b"\x1f\x8b\x08\0\0\0", "gzip")],
    ids=["empty", "whitespace", "png", "gzip"],
)
def test_unusable_file(run_cli, tmp_path, content, needle):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    _one_line_error(run_cli(A, bad), "bad.txt", needle)


def test_undecodable_file(run_cli, tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\xef\xbb\xbfStarts as UTF-8 \xff\xfe\xfa then breaks")
    _one_line_error(run_cli(A, bad), "broken.txt", "not valid")


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_documents(run_cli, count):
    _one_line_error(run_cli(*[A][:count]), "at least two documents")


def test_unknown_lang_code(run_cli):
    _one_line_error(run_cli(A, B, "--lang", "summit_b=xx"), "unknown language code 'xx'")


def test_lang_for_unknown_document(run_cli):
    _one_line_error(run_cli(A, B, "--lang", "other=ru"), "--lang names no document")


def test_unknown_option(run_cli):
    _one_line_error(run_cli(A, B, "--frobnicate"), "--frobnicate")


def test_unwritable_json_path_fails_before_work(run_cli, tmp_path):
    _one_line_error(run_cli(A, B, "--json", tmp_path / "no-such-dir" / "r.json"), "does not exist")


def test_failed_run_leaves_existing_report_untouched(run_cli, tmp_path):
    out = tmp_path / "r.json"
    out.write_text("previous report", encoding="utf-8")
    res = run_cli(A, tmp_path / "missing.txt", "--json", out)
    assert res.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temp files left


def test_missing_translation_model_names_the_pull_command(run_cli, tmp_path):
    ru = tmp_path / "vestnik.txt"
    ru.write_text("Саммит завершился в пятницу. Лидеры подписали соглашение о торговле.", encoding="utf-8")
    res = run_cli(A, ru, "--offline")
    _one_line_error(res, "vestnik.txt", "compare models pull ru")


def test_version_and_help(run_cli):
    res = run_cli("--version")
    assert res.exit_code == 0 and res.stdout.startswith("compare ")
    res = run_cli("--help")
    assert res.exit_code == 0 and "--json" in res.stdout and "compare models" in res.stdout


def test_html_article_is_compared_with_a_text_one(run_cli, tmp_path):
    page = tmp_path / "network.html"
    page.write_text(
        "<!doctype html><html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
        "<h1>Summit ends with partial deal</h1>"
        "<p>Negotiators from 14 nations reached a partial agreement worth about $35 billion on Friday.</p>"
        "<p>The host country spent $2 million on security, officials said.</p>"
        "</article><footer>Subscribe to our newsletter. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    res = run_cli(A, page, "--json", "-")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)["documents"][1]
    texts = [s["text"] for s in doc["sentences"]]
    assert doc["label"] == "network"
    assert "The host country spent $2 million on security, officials said." in texts
    assert not any("Subscribe" in t or "Home" == t for t in texts)
