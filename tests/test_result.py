"""The result model and its JSON form (schema compare/2), as documented in docs/schema.md."""

from __future__ import annotations

import json

from compare import CompareOptions, ComparisonResult, DocumentInput, compare_documents
from compare.render.json import render_json

from .conftest import FIXTURES

A = FIXTURES / "summit_a.txt"
B = FIXTURES / "summit_b.txt"


def _check_keys(obj: dict, keys: dict) -> None:
    assert set(obj) == set(keys), set(obj) ^ set(keys)
    for key, kind in keys.items():
        assert isinstance(obj[key], kind), (key, type(obj[key]))


def test_json_has_the_documented_shape():
    data = json.loads(render_json(compare_documents([A, B])))
    _check_keys(
        data,
        {"schema": str, "signature": dict, "title": (str, type(None)), "created": (str, type(None)),
         "documents": list, "comparisons": list, "coverage": list, "summary": list, "findings": list,
         "ledger": list, "prominence": list, "sources": list, "skipped": dict},
    )
    assert data["schema"] == "compare/3"
    for entry in data["ledger"]:
        _check_keys(entry, {"fact": (int, type(None)), "carried_by": list, "missing_from": list, "positions": list,
                            "prominence": float})
        for pos in entry["positions"]:
            _check_keys(pos, {"document": str, "sentences": list, "where": str, "prominence": float})
    for outlet in data["sources"]:
        _check_keys(outlet, {"document": str, "sources": list, "unnamed": int})
        for c in outlet["sources"]:
            _check_keys(c, {"name": str, "count": int, "quoted": int, "sentences": list})
    doc = data["documents"][0]
    _check_keys(
        doc,
        {"id": str, "label": str, "path": (str, type(None)), "language": str, "language_source": str,
         "encoding": (str, type(None)), "translated": bool, "source_language": (str, type(None)),
         "model": (str, type(None)), "engine": (str, type(None)), "published": (str, type(None)), "sentences": list},
    )
    text = A.read_text(encoding="utf-8")
    for s in doc["sentences"]:
        _check_keys(
            s,
            {"index": int, "start": int, "end": int, "text": str, "translation": (str, type(None)),
             "translation_flag": (str, type(None)), "headline": bool},
        )
        assert text[s["start"] : s["end"]] == s["text"]
    comp = data["comparisons"][0]
    _check_keys(comp, {"a": str, "b": str, "links": list, "only_in_a": list, "only_in_b": list, "findings": list})
    assert comp["a"] == doc["id"]
    link = comp["links"][0]
    _check_keys(
        link, {"a": list, "b": list, "score": float, "strength": str, "moved": bool, "words": dict, "diff": list}
    )
    assert 0.0 <= link["score"] <= 1.0 and link["strength"] in ("strong", "weak")
    for op in link["diff"]:
        assert op["op"] in ("equal", "delete", "insert", "replace")
    for f in comp["findings"]:
        _check_keys(f, {"type": str, "a": list, "b": list, "a_spans": list, "b_spans": list, "summary": str,
                        "confidence": (float, int), "caution": (str, type(None))})


def test_summary_counts_agree_with_links():
    data = compare_documents([A, B]).to_dict()
    comp = data["comparisons"][0]
    for side, summary, doc in zip("ab", data["summary"], data["documents"]):
        assert summary["document"] == doc["id"]
        assert summary["shared"] == len({i for link in comp["links"] for i in link[side]})
        assert summary["only_here"] == len(comp[f"only_in_{side}"])
        assert summary["shared"] + summary["only_here"] == summary["sentences"] == len(doc["sentences"])


def test_every_sentence_is_linked_or_listed_as_only_in():
    data = compare_documents([A, B]).to_dict()
    comp = data["comparisons"][0]
    for side, doc in (("a", data["documents"][0]), ("b", data["documents"][1])):
        linked = {i for link in comp["links"] for i in link[side]}
        only = set(comp[f"only_in_{side}"])
        assert not linked & only
        assert linked | only == {s["index"] for s in doc["sentences"]}


def test_round_trip_through_json():
    result = compare_documents([A, B], CompareOptions(), title="Summit")
    again = ComparisonResult.from_dict(json.loads(render_json(result)))
    assert again.to_dict() == result.to_dict()


def test_same_input_gives_byte_identical_json():
    assert render_json(compare_documents([A, B])) == render_json(compare_documents([A, B]))


def test_library_api_with_texts():
    result = compare_documents(
        [
            DocumentInput("Police arrested two men near the stadium. The match was cancelled.", "wire", "en"),
            DocumentInput("The game was called off. Two men were arrested by police close to the stadium.", "paper", "en"),
        ]
    )
    (comp,) = result.comparisons
    pairs = {(link.a, link.b) for link in comp.links}
    assert ((0,), (1,)) in pairs
    assert result.signature.target_language == "en"


def test_headlines_pair_with_headlines_only():
    a = "Summit ends with a deal\n\nLeaders signed a trade pact on Friday. Police arrested two protesters."
    b = "Trade pact signed as protests flare\n\nTwo protesters were arrested by police. The leaders signed a trade pact."
    result = compare_documents([DocumentInput(a, "a", "en"), DocumentInput(b, "b", "en")])
    assert [s.headline for s in result.documents[0].sentences] == [True, False, False]
    (comp,) = result.comparisons
    links = {(link.a, link.b) for link in comp.links}
    assert ((0,), (0,)) in links
    assert all(0 not in link.a[1:] and (link.a == (0,)) == (link.b == (0,)) for link in comp.links)
    assert ((1,), (2,)) in links and ((2,), (1,)) in links


def test_no_headline_without_a_line_of_its_own():
    result = compare_documents([DocumentInput("One sentence here. Another one.", "a", "en"),
                                DocumentInput("Another one. One sentence here.", "b", "en")])
    assert not any(s.headline for d in result.documents for s in d.sentences)
