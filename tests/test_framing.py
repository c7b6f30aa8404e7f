"""Framing findings (compare/framing): quantities and the number detector, as a user sees them."""

from __future__ import annotations

import json

import pytest

from compare import DocumentInput, compare_documents
from compare.framing.detect import find
from compare.framing.numbers import consistent, quantities
from compare.options import CompareOptions
from compare.result import ComparisonResult, Document, Link, Sentence


def _value(text: str):
    (q,) = quantities(text)
    return q.value, q.key, text[q.start : q.end]


def test_quantities_read_words_digits_scales_and_units():
    assert _value("The talks lasted two hours.")[:2] == _value("The talks lasted 2 hours.")[:2]
    assert _value("It cost $5bn.")[:2] == _value("It cost 5 billion dollars.")[:2] == (5e9, ("money", "USD"))
    assert _value("Trade could rise by 3 per cent.")[:2] == (3.0, ("percent", ""))
    assert _value("A 12-hour battle.")[:2] == (12.0, ("duration", "hour"))
    assert _value("The toll rose to 1,014 people.") == (1014.0, ("count", ""), "1,014")
    assert _value("Leaders of twelve countries met.")[:2] == (12.0, ("count", ""))
    assert "country" in quantities("Leaders of twelve countries met.")[0].context  # what is counted
    assert _value("Her plane landed at 10:40 pm.")[:2] == _value("The plane landed at 22:40.")[:2] == (1360.0, ("time", ""))
    assert quantities("about 9 1/2 minutes") == []  # fractions are not read (rather than read wrong)
    assert quantities("Someone phoned.") == []


def test_a_bound_is_kept_but_only_the_same_value_is_consistent():
    # The framing guide counts "more than 200" against "207" as a number difference.
    (more,) = quantities("More than 200 people died.")
    (exact,) = quantities("Bombs killed 207 people.")
    assert more.bound == ">" and not consistent(more, exact)
    assert consistent(*quantities("It took two hours."), *quantities("It took 2 hours."))


def _doc(doc_id: str, sentences: list[str], translations: list[str] | None = None) -> Document:
    return Document(
        id=doc_id, label=doc_id, path=None, language="en", language_source="given", encoding=None,
        sentences=tuple(
            Sentence(index=k, start=0, end=len(s), text=s, translation=None if translations is None else translations[k])
            for k, s in enumerate(sentences)
        ),
        translated=translations is not None,
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Leaders agreed on a $40 billion trade deal.", "The pact is worth $35 billion.", ("$40 billion", "$35 billion")),
        ("More than 200 people died.", "Bombs killed 207 people.", ("More than 200", "207")),
        ("The death toll rose to 912 people.", "At least 1,014 people have died.", ("912", "At least 1,014")),
        ("The death toll rose to 912 people.", "The toll reached 1,014 people.", ("912", "1,014")),
        ("The talks lasted two hours.", "After 2 hours of talks, they left.", None),
        ("It will cost $5bn.", "The cost is 5 billion dollars.", None),
        ("Leaders of 12 countries met.", "They signed a $12 billion deal.", None),  # different quantities
        ("Fees fall by 15 percent.", "Fees will be cut 20 percent.", ("15 percent", "20 percent")),
        ("The fire burned for 12 hours.", "The fire burned for 12 hours and more.", None),
        ("Crews dug for 12 hours.", "The crews dug for more than ten hours.", ("12 hours", "more than ten hours")),
    ],
)
def test_number_findings_only_for_the_same_quantity_with_different_values(a, b, expected):
    da, db = _doc("wire", [a]), _doc("daily", [b])
    found = find(da, db, [Link(a=(0,), b=(0,), score=0.9, strength="strong")], ["number"])
    if expected is None:
        assert found == ()
        return
    (f,) = found
    assert f.type == "number" and f.caution is None
    assert (a[f.a_spans[0].start : f.a_spans[0].end], b[f.b_spans[0].start : f.b_spans[0].end]) == expected
    assert expected[0] in f.summary and expected[1] in f.summary


def test_a_number_the_original_does_not_show_is_marked_uncertain():
    original = _doc("wire", ["Die Kosten betragen vierzig Milliarden."], ["The cost is $40 billion."])
    original_digits = _doc("wire2", ["Die Kosten betragen 40 Milliarden."], ["The cost is $40 billion."])
    other = _doc("daily", ["The cost is $35 billion."])
    link = [Link(a=(0,), b=(0,), score=0.9, strength="strong")]
    (f,) = find(original, other, link, ["number"])
    assert f.caution and "original" in f.caution and f.confidence < 0.9
    (g,) = find(original_digits, other, link, ["number"])
    assert g.caution is None


def test_findings_in_the_result_json_and_back():
    a = "Leaders of twelve countries agreed on Friday on a $40 billion trade deal. It was signed in Geneva."
    b = "Negotiators from 12 nations reached an agreement worth $35 billion on Friday. The summit was in Geneva."
    docs = [DocumentInput(a, "wire", "en"), DocumentInput(b, "daily", "en")]
    result = compare_documents(docs, CompareOptions(align_mode="fast", use_cache=False, findings=("number",)))
    data = result.to_dict()
    assert data["schema"] == "compare/2"
    (f,) = data["comparisons"][0]["findings"]
    assert f["type"] == "number" and f["a"] == [0] and f["b"] == [0]
    span = f["a_spans"][0]
    assert result.documents[0].sentences[0].compare_text[span["start"] : span["end"]] == "$40 billion"
    assert ComparisonResult.from_dict(json.loads(json.dumps(data))) == result
    assert compare_documents(docs, CompareOptions(align_mode="fast", use_cache=False)).comparisons[0].findings == ()


def test_cli_findings_flags(tmp_path, capsys):
    from compare.cli import main

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Leaders agreed on a $40 billion trade deal on Friday in Geneva.", encoding="utf-8")
    b.write_text("On Friday in Geneva leaders agreed a trade deal worth $35 billion.", encoding="utf-8")
    assert main([str(a), str(b), "--fast", "--findings", "number", "--json", "-", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["comparisons"][0]["findings"][0]["type"] == "number"
    assert main([str(a), str(b), "--fast", "--findings", "tone"]) == 2
    err = capsys.readouterr().err
    assert "available: number" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main([str(a), str(b), "--fast", "--findings", "number", "--no-findings"]) == 2


def test_sources_read_reporting_frames_not_clauses():
    from compare.framing.sources import sources

    def frames(text):
        return [(text[s.start : s.end], sorted(s.words)) for s in sources(text)]

    assert frames("The toll rose to 207, police said.") == [("police said", ["police"])]
    assert frames("According to the Lebanese Red Cross, 4,000 were hurt.") == [
        ("the Lebanese Red Cross", ["cross", "lebanese", "red"])
    ]
    assert frames('"We pulled it off!" he said.') == [("he said", [])]  # a frame, source unknown
    for plain in (
        "Bombs tore through churches on Sunday.",
        "Two more explosions were reported in the afternoon.",  # passive: no source
        "Attacks are rare, although some churches have reported harassment.",  # a clause
    ):
        assert frames(plain) == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("The death toll rose to 207, police said.", "The death toll rose to 207.", "police said"),
        ("The death toll rose to 207, police said.", "The death toll rose to 207, local media reported.", "different"),
        ("The death toll rose to 207, police said.", "Police said the death toll rose to 207.", None),
        ('"The toll is 207," he said.', "The toll is 207, the minister said.", None),  # unknown: no claim
        ("The death toll rose to 207.", "The death toll reached 207 on Monday.", None),
    ],
)
def test_attribution_findings(a, b, expected):
    found = find(_doc("wire", [a]), _doc("daily", [b]), [Link(a=(0,), b=(0,), score=0.9, strength="strong")],
                 ["attribution"])
    if expected is None:
        assert found == ()
        return
    (f,) = found
    assert f.type == "attribution" and expected in (f.summary if expected == "different" else a + b)
    if expected != "different":
        assert a[f.a_spans[0].start : f.a_spans[0].end] == expected and f.b_spans == ()


def test_weak_links_get_no_findings():
    link = Link(a=(0,), b=(0,), score=0.4, strength="weak")
    assert find(_doc("wire", ["It cost $40 billion."]), _doc("daily", ["It cost $35 billion."]), [link], ["number"]) == ()
