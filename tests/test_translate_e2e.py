"""End to end through the CLI with a real (tiny) Marian model: translate, then align and report."""

from __future__ import annotations

import json

from tests.translate_fixtures import TOY_LANG, ToyEnv, toy_env, toy_pair, toy_store  # noqa: F401  (fixtures)


def _articles(tmp_path):
    pairs = [toy_pair(seed, n_words=6) for seed in (11, 12, 13, 14)]
    toy = tmp_path / "toy-outlet.txt"
    # The toy language has no capitals, so its sentences go one per line.
    toy.write_text("\n".join(src for src, _ in pairs) + "\n", encoding="utf-8")
    english = tmp_path / "english-outlet.txt"
    # The English outlet reports three of the four facts, reordered, plus one of its own.
    own = "Meanwhile the weather in the capital stayed unusually warm for the season."
    english.write_text("\n".join([pairs[2][1], pairs[0][1], own, pairs[3][1]]) + "\n", encoding="utf-8")
    return toy, english, [eng for _, eng in pairs]


def test_toy_language_document_is_translated_and_aligned(toy_env: ToyEnv, run_cli, tmp_path):
    toy, english, expected = _articles(tmp_path)
    out = tmp_path / "r.json"
    res = run_cli(toy, english, "--lang", f"toy-outlet={TOY_LANG}", "--json", out, "-q")
    assert res.exit_code == 0, res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    doc = data["documents"][0]
    assert (doc["translated"], doc["source_language"], doc["model"], doc["engine"]) == (
        True, TOY_LANG, "toy-marian", "ctranslate2"
    )
    assert [s["translation"] for s in doc["sentences"]] == expected
    source = toy.read_text(encoding="utf-8")
    assert all(source[s["start"] : s["end"]] == s["text"] for s in doc["sentences"])  # offsets stay on the original
    assert data["documents"][1]["translated"] is False
    assert data["signature"]["models"] == ["toy-marian"] and data["signature"]["engine"] == "ctranslate2"
    comp = data["comparisons"][0]
    assert {(tuple(l["a"]), tuple(l["b"])) for l in comp["links"]} == {((0,), (1,)), ((2,), (0,)), ((3,), (3,))}
    assert comp["only_in_a"] == [1] and comp["only_in_b"] == [2]
    assert all(op["op"] == "equal" for l in comp["links"] for op in l["diff"])


def test_terminal_report_shows_translation_and_original_on_request(toy_env: ToyEnv, run_cli, tmp_path):
    toy, english, expected = _articles(tmp_path)
    args = (toy, english, "--lang", f"toy-outlet={TOY_LANG}", "--no-color")
    plain = run_cli(*args)
    assert plain.exit_code == 0, plain.stderr
    assert "translated with toy-marian [ctranslate2]" in plain.stdout
    original = toy.read_text(encoding="utf-8").splitlines()[1].rstrip(".")
    assert original not in plain.stdout
    shown = run_cli(*args, "--show-original")
    assert original in shown.stdout and expected[1].rstrip(".") in shown.stdout


def test_second_run_is_served_from_the_cache(toy_env: ToyEnv, run_cli, tmp_path):
    toy, english, _ = _articles(tmp_path)
    args = (toy, english, "--lang", f"toy-outlet={TOY_LANG}", "--json", "-")
    first = run_cli(*args)
    info = run_cli("cache", "info")
    assert "entries: 4" in info.stdout
    second = run_cli(*args)
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert "entries: 4" in run_cli("cache", "info").stdout
