"""Findings per document and across documents (compare/framing/across.py), through the pipeline
and the CLI as a user meets them: the omissions ledger, prominence shifts, sources per outlet,
agreement across three outlets, the time and translation cautions, and which types run."""

from __future__ import annotations

import json
from dataclasses import replace

from compare.framing import across
from compare.framing.detect import find
from compare.options import CompareOptions
from compare.pipeline import DocumentInput, compare_documents, finding_types
from compare.result import ComparisonResult, CoverageGroup, Document, Finding, Link, PairComparison, Sentence, Span

WIRE = (
    "Quake kills 207 in western Nepal\n\n"
    "A powerful earthquake struck western Nepal late on Friday, killing 207 people, police said. "
    "Rescue teams reached the remote district of Jajarkot on Saturday morning after roads were cleared. "
    "The magnitude 5.6 quake was felt as far away as New Delhi, officials said. "
    "Many of the houses that collapsed were built of mud and stone. "
    "The army joined the search for survivors, a military spokesman said. "
    "Aid agencies warned that the death toll could still rise sharply."
)
DAILY = (
    "Nepal earthquake leaves hundreds dead\n\n"
    "Aid agencies warned on Saturday that the death toll could still rise sharply in western Nepal. "
    "The earthquake struck late on Friday and killed 150 people, according to local media. "
    "Rescue teams reached the remote district of Jajarkot on Saturday morning. "
    "The tremor of magnitude 5.6 was also felt in the Indian capital New Delhi. "
    "Schools in the region will stay closed for a week. "
    "The army joined the search for survivors on Saturday."
)


def _doc(label: str, sentences: list[str], headline: bool = False) -> Document:
    out, pos = [], 0
    for k, text in enumerate(sentences):
        out.append(Sentence(k, pos, pos + len(text), text, headline=headline and k == 0))
        pos += len(text) + 1
    return Document(label, label, None, "en", "given", None, tuple(out))


def test_ledger_ranks_what_only_one_outlet_carries_by_prominence():
    result = compare_documents(
        [DocumentInput(WIRE, "wire", "en"), DocumentInput(DAILY, "daily", "en")], CompareOptions(use_cache=False)
    )
    comp = result.comparisons[0]
    assert result.ledger, "sentences only one outlet carries are listed"
    listed = {(e.carried_by, e.positions[0].sentences) for e in result.ledger}
    assert listed == {(("wire",), (i,)) for i in comp.only_in_a} | {(("daily",), (j,)) for j in comp.only_in_b}
    assert [e.prominence for e in result.ledger] == sorted((e.prominence for e in result.ledger), reverse=True)
    for e in result.ledger:
        assert e.missing_from == (("daily",) if e.carried_by == ("wire",) else ("wire",))
    daily = result.document("daily")
    schools = next(s.index for s in daily.sentences if s.text.startswith("Schools"))
    assert (("daily",), (schools,)) in listed


def test_position_and_prominence_shift():
    doc = _doc("x", ["Headline words here"] + [f"Body sentence number {k} with a few more words in it to be long." for k in range(9)], True)
    assert across.position(doc, (0,)).where == "headline"
    assert across.position(doc, (1,)).where == "lead" and across.position(doc, (1,)).prominence == 0.9
    last = across.position(doc, (9,))
    assert last.where == "sentence 9 of 9" and last.prominence < 0.2
    result = compare_documents(
        [DocumentInput(WIRE, "wire", "en"), DocumentInput(DAILY, "daily", "en")], CompareOptions(use_cache=False)
    )
    # The aid agencies' warning leads the daily and closes the wire.
    shifts = [s for s in result.prominence if s.high.document == "daily" and s.low.document == "wire"]
    assert shifts and shifts[0].high.where == "lead" and "sentence 6 of 6" in shifts[0].summary


def test_sources_per_outlet_count_named_sources_and_quotes():
    doc = _doc(
        "wire",
        [
            'Police said the bridge was closed. "Nobody was hurt," police said on Monday.',
            "The mayor said repairs would take a week, according to the city council.",
            "He said the river was rising.",
        ],
    )
    (o,) = across.outlet_sources([doc])
    named = {c.name.lower(): c for c in o.sources}
    assert named["police"].count == 1 and named["police"].quoted == 1  # one sentence, one source
    assert named["mayor"].count == 1 and named["city council"].count == 1
    assert o.unnamed == 1  # "he said"


def _three(values: dict[str, str]) -> tuple[list[Document], list[PairComparison], list[CoverageGroup]]:
    docs = [_doc(label, [f"The quake killed {v} people, officials said."]) for label, v in values.items()]
    comps = []
    labels = list(values)
    for x in range(3):
        for y in range(x + 1, 3):
            a, b = docs[x], docs[y]
            link = Link((0,), (0,), 0.9, "strong")
            found = find(a, b, [link], ["number"])
            comps.append(PairComparison(a.id, b.id, (link,), (), (), found))
    coverage = [CoverageGroup(1, {label: (0,) for label in labels})]
    return docs, comps, coverage


def test_cross_outlet_agreement_names_the_outlet_that_stands_alone():
    docs, comps, coverage = _three({"wire": "207", "daily": "207", "agency": "150"})
    (f,) = across.cross_findings(docs, comps, coverage)
    assert f.type == "number" and f.fact == 1
    assert f.stances[0].documents == ("wire", "daily") and f.stances[0].text == "207"
    assert f.alone == ("agency",) and "agency alone" in f.summary
    docs, comps, coverage = _three({"wire": "12", "daily": "twelve", "agency": "12"})
    assert across.cross_findings(docs, comps, coverage) == ()  # all agree: nothing to say
    docs, comps, coverage = _three({"wire": "12", "daily": "twelve", "agency": "15"})
    (f,) = across.cross_findings(docs, comps, coverage)
    assert f.stances[0].documents == ("wire", "daily") and f.alone == ("agency",)


def test_time_caution_on_number_findings_only():
    a = _doc("wire", ["The quake killed 207 people."])
    b = _doc("daily", ["The quake killed 150 people."])
    link = Link((0,), (0,), 0.9, "strong")
    (f,) = find(a, b, [link], ["number"])
    other = Finding("attribution", (0,), (0,), (), (), "x", 0.7)
    late = replace(b, published="2023-11-04T09:00:00+00:00")
    early = replace(a, published="2023-11-03T22:00:00+00:00")
    g, h = across.time_caution(early, late, [f, other])
    assert "published 11 hours after" in g.caution and g.confidence == f.confidence / 2
    assert h == other
    assert across.time_caution(a, late, [f]) == (f,)  # one time unknown: nothing to say


def test_published_from_html_metadata_and_cli(tmp_path, capsys):
    from compare.cli import main
    from compare.ingest import published_time

    page = '<html><head><meta property="article:published_time" content="2023-11-03T22:15:00Z"></head></html>'
    assert published_time(page) == "2023-11-03T22:15:00+00:00"
    assert published_time('<script type="application/ld+json">{"datePublished": "2023-11-04T08:00:00+05:45"}</script>')
    assert published_time('<meta name="pubdate" content="2023-11-03">') is None  # a date alone: no hours
    a, b = tmp_path / "wire.txt", tmp_path / "daily.txt"
    a.write_text("The quake killed 207 people in western Nepal on Friday night.", encoding="utf-8")
    b.write_text("The quake killed 150 people in western Nepal on Friday night.", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main([str(a), str(b), "--fast", "--json", str(out), "-q",
                 "--published", "wire=2023-11-03T22:00Z", "--published", "daily=2023-11-04T10:00Z"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["documents"][0]["published"].startswith("2023-11-03T22:00")
    (f,) = [f for f in data["comparisons"][0]["findings"] if f["type"] == "number"]
    assert "12 hours after" in f["caution"]
    capsys.readouterr()
    assert main([str(a), str(b), "--fast", "--published", "wire=last friday"]) == 2
    err = capsys.readouterr().err
    assert "--published wire=last friday" in err and "ISO 8601" in err and len(err.strip().splitlines()) == 1
    assert main([str(a), str(b), "--fast", "--published", "nobody=2023-11-03T22:00Z"]) == 2
    assert "names no document" in capsys.readouterr().err


def test_types_skipped_by_fast_and_by_another_common_language(monkeypatch):
    from compare.framing import detect

    assert finding_types(CompareOptions()) == (detect.FINDING_TYPES, {})
    parser = replace(detect.DETECTORS["entity"], parser=True)
    monkeypatch.setitem(detect.DETECTORS, "entity", parser)
    run, skipped = finding_types(CompareOptions(align_mode="fast"))
    assert "entity" not in run and skipped == {"entity": "--fast runs no parser"}
    run, skipped = finding_types(CompareOptions(target_language="de"))
    assert set(run) == {n for n, d in detect.DETECTORS.items() if not d.english}
    assert all("English" in why for why in skipped.values()) and set(run) | set(skipped) == set(detect.FINDING_TYPES)


def test_translation_caution_marks_wording_findings_from_machine_translation():
    a = _doc("wire", ["The regime said the talks failed."])
    b = _doc("agency", ["The government said the talks failed."])
    translated = replace(
        b, sentences=(replace(b.sentences[0], text="Правительство заявило о провале переговоров.", translation=b.sentences[0].text),),
        translated=True, source_language="ru", language="ru",
    )
    f = Finding("loaded", (0,), (0,), (Span(0, 4, 10),), (Span(0, 4, 14),), "wire says regime", 0.8)
    from compare.framing.detect import _translation_caution

    g = _translation_caution(a, translated, f)
    assert g.caution and "machine translation from Russian" in g.caution and g.confidence < f.confidence
    assert _translation_caution(a, b, f) == f
    flagged = replace(translated, sentences=(replace(translated.sentences[0], translation_flag="a phrase repeated 6 times"),))
    h = _translation_caution(a, flagged, f)
    assert "flagged machine translation" in h.caution


def test_result_json_round_trip_keeps_everything():
    result = compare_documents(
        [DocumentInput(WIRE, "wire", "en"), DocumentInput(DAILY, "daily", "en")], CompareOptions(use_cache=False)
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema"] == "compare/3" and data["ledger"] and data["sources"]
    back = ComparisonResult.from_dict(data)
    assert back == result
    none = compare_documents(
        [DocumentInput(WIRE, "wire", "en"), DocumentInput(DAILY, "daily", "en")],
        CompareOptions(use_cache=False, findings=()),
    )
    assert (none.ledger, none.prominence, none.sources, none.findings) == ((), (), (), ())


def test_the_samples_show_the_issues_examples():
    """The two differences the issue names, both in the bundled samples: $40 billion against $35
    billion for the trade the deal covers, and one quote credited to two different ministers."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "samples"
    result = compare_documents([root / "meridian-wire.txt", root / "harbor-review.txt"], CompareOptions(use_cache=False))
    wire, review = result.documents
    number = next(f for f in result.comparisons[0].findings if f.type == "number"
                  and any("$40 billion" in wire.sentences[i].text for i in f.a))
    (sa,), (sb,) = number.a_spans, number.b_spans
    assert wire.sentences[sa.sentence].text[sa.start : sa.end].endswith("$40 billion")
    assert review.sentences[sb.sentence].text[sb.start : sb.end].endswith("$35 billion")
    quote = next(f for f in result.comparisons[0].findings if f.type == "attribution"
                 and any("first step" in wire.sentences[i].text for i in f.a))
    assert "Tan Hui Min" in quote.summary and "Marta Kask" in quote.summary


def test_ledger_leaves_out_headlines_alone():
    from tests.test_html import three_docs

    result = three_docs()
    headlines = [g for g in result.coverage if all(result.document(d).sentences[i].headline
                                                   for d, idx in g.sentences.items() for i in idx)]
    assert headlines, "the three articles' headlines pair with each other"
    assert result.ledger and all(any(p.where != "headline" for p in e.positions) for e in result.ledger)
    assert {e.fact for e in result.ledger}.isdisjoint({g.id for g in headlines})
