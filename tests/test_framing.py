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
    assert quantities("Leaders of twelve countries met.")[0].noun == "country"  # what is counted
    assert _value("Her plane landed at 10:40 pm.")[:2] == _value("The plane landed at 22:40.")[:2] == (1360.0, ("time", ""))
    assert _value("It lasted about 9 1/2 minutes.")[:2] == (9.5 / 60, ("duration", "hour"))
    assert _value("The toll topped 5,300, officials said.")[0] == 5300  # a comma after the number
    assert _value("It was 125 miles away.")[:2] == (125 * 1609.344, ("distance", "m"))
    assert _value("A range of 4.50% to 4.75%.")[2] == "4.50% to 4.75%"
    assert _value("The rocks are three billion years old.")[:2] == (3e9, ("age", ""))  # an age keeps its scale
    assert quantities("Someone phoned.") == []


def test_numbers_in_names_dates_and_datelines_are_not_counts():
    for text in ("The Chang'e-5 lander set down near Mons Rumker.", "FTX filed for Chapter 11 protection.",
                 "The Luna 24 mission returned soil.", "Covid-19 cases rose."):
        assert [q for q in quantities(text) if q.kind not in ("year", "number")] == [], text
    (date,) = quantities("COLOMBO, April 21 (Reuters) - The vote was held on May 3.")
    assert date.kind == "date"  # the dateline's date is left out
    (q,) = quantities("The bridge, 2.6 km (1.6 miles) long, fell.")  # a conversion in brackets is one quantity
    assert q.kind == "distance"
    (age,) = quantities("He died at his home, aged 101.")
    assert (age.kind, age.value) == ("age", 101.0)


def test_counts_know_what_they_count():
    killed, wounded = quantities("Bombs killed 207 people and wounded 450 on Sunday.")
    assert (killed.concept, wounded.concept) == ("dead", "injured")
    (toll,) = quantities("The death toll from the floods has risen to more than 5,300, officials said.")
    assert toll.concept == "dead" and toll.bound == ">"
    dams = quantities("Thousands were feared dead after a storm burst two dams above the city.")[1]
    assert dams.noun == "dam" and dams.concept == ""  # the dams are not the dead
    (vague,) = quantities("It filed along with dozens of other entities.")
    assert vague.approximate and vague.noun == "company" and vague.high == 99.0


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
        # Positives: one quantity, two values.
        ("The earthquake killed 2,000 people.", "The earthquake killed 2,500 people.", ("2,000", "2,500")),
        ("Bombs killed 207 people and wounded hundreds.", "At least 192 people were killed and 400 injured.",
         ("207", "At least 192")),
        ("The ship was carrying 20,000 containers.", "The vessel had 18,000 containers on board.",
         ("20,000", "18,000")),
        ("The fire destroyed 1,000 homes.", "The blaze razed 1,200 houses.", ("1,000", "1,200")),
        ("It filed with dozens of other entities.", "About 130 other companies filed as well.",
         ("dozens", "About 130")),
        ("Firefighters fought a 10-hour battle to contain the blaze.",
         "It took firefighters 14 hours to contain the blaze.", ("10-hour", "14 hours")),
        ("The quake struck at a depth of 10 km.", "The quake struck at a depth of 35 kilometres.",
         ("10 km", "35 kilometres")),
        ("The plane crashed at 10:15 a.m., shortly after take-off.",
         "The plane went down at 11:40 a.m. after take-off.", ("10:15 a.m.", "11:40 a.m.")),
        ("The ceasefire will begin on March 3.", "The ceasefire takes effect on March 5.", ("March 3", "March 5")),
        ("The central bank raised rates by half a percentage point.", "The central bank raised rates a quarter point.",
         ("half a percentage point", "a quarter point")),
        ("It was the ninth straight increase.", "It was the tenth consecutive increase.",
         ("ninth straight", "tenth consecutive")),
        # Traps: the same value written differently, or different quantities.
        ("The bridge is 1.6 miles long.", "The bridge is about 2.6 km long.", None),
        ("The militia got within 125 miles of the city.", "The militia came within 200 km of the city.", None),
        ("Temperatures reached 40 degrees Celsius in Seville.", "Temperatures hit 104 degrees Fahrenheit in Seville.",
         None),
        ("The central bank raised rates by 25 basis points.", "The bank raised rates by a quarter of a point.", None),
        ("Canal revenue reached $5.61 billion last year.", "The canal earned about $5.6bn last year.", None),
        ("The strike lasted 53 days.", "The seven-week strike ended on Friday.", None),
        ("The plane landed at 10:43 pm.", "The plane landed at around 22:40.", None),
        ("Hundreds were injured, and 207 people died.", "Bombs killed 207 people and wounded 450.", None),
        ("Over 1,000 people attended the rally.", "Thousands of people attended the rally.", None),
        ("The death toll rose to 50 on Tuesday, up from 30.", "The death toll has risen to 50.", None),
        ("Prices rose 5 percent while wages rose 3 percent.", "Wages climbed 3% as prices jumped 5%.", None),
        ("Bitcoin has fallen about 20 percent this week.", "FTT has lost about 90% of its value this week.", None),
        ("Christians, a minority of about 1.5 million people, were targeted.",
         "Christians make up 7 percent of the country's 22 million people.", None),
        ("It sold $21 billion of bonds at a loss.", "Its disclosure of a $1.8bn hit on the sale of bonds came first.",
         None),
        ("The jury convicted him on all three counts.", "He was convicted on two counts of murder and one count of "
         "manslaughter.", None),
        ("The Chang'e-5 capsule landed on Thursday.", "A capsule carrying 17 kg of rock landed on Thursday.", None),
        ("Thousands were feared dead after a storm burst two dams.", "The death toll has exceeded 5,300.", None),
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
    assert data["schema"] == "compare/3"
    (f,) = data["comparisons"][0]["findings"]
    assert f["type"] == "number" and f["a"] == [0] and f["b"] == [0]
    span = f["a_spans"][0]
    assert result.documents[0].sentences[0].compare_text[span["start"] : span["end"]] == "$40 billion"
    assert ComparisonResult.from_dict(json.loads(json.dumps(data))) == result
    assert compare_documents(docs, CompareOptions(align_mode="fast", use_cache=False, findings=())).comparisons[0].findings == ()


def test_cli_findings_flags(tmp_path, capsys):
    from compare.cli import main

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Leaders agreed on a $40 billion trade deal on Friday in Geneva.", encoding="utf-8")
    b.write_text("On Friday in Geneva leaders agreed a trade deal worth $35 billion.", encoding="utf-8")
    assert main([str(a), str(b), "--fast", "--findings", "number", "--json", "-", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["comparisons"][0]["findings"][0]["type"] == "number"
    assert main([str(a), str(b), "--fast", "--findings", "tone"]) == 2
    err = capsys.readouterr().err
    assert "choose from: number" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
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
    # An apposition between the source and its verb is skipped, and read.
    (frame,) = sources("FTX, the exchange he founded in 2019, said it had filed for bankruptcy.")
    assert frame.words == {"ftx"} and frame.classes == {"company"}
    (frame,) = sources("China, which claims the island, said its military would hold drills.")
    assert frame.countries == {"china"}
    (frame,) = sources("The capsule landed at 1:59 a.m., Xinhua said, citing the space administration.")
    assert {"xinhua", "space", "administration"} <= frame.words  # "citing" adds to the frame
    # An estimate credited without a verb of saying: "X put the toll at N".
    assert frames("Officials put the value of the trade at about $35 billion.") == [("Officials put", ["officials"])]
    assert frames("Lost revenue, which the chairman put at $12 million a day, could be contested.") == [
        ("the chairman put", ["chairman"])
    ]
    for plain in (
        "Bombs tore through churches on Sunday.",
        "Two more explosions were reported in the afternoon.",  # passive: no source
        "Attacks are rare, although some churches have reported harassment.",  # a noun after the verb: an act
        "The royal palace announced three days of national mourning.",  # an act, not a claim
        "The government declared a curfew from 6 p.m.",
        "No group has said it was behind the attacks.",  # a negated source
        "The president had not mentioned the rebel leader by name.",
        "The regulator shut the bank, citing inadequate liquidity.",  # a reason, not a source
        "In the US state of Minnesota, a jury found him guilty.",
        "They put pressure on the government at the summit.",  # "put" without a figure: no estimate
        "He put the phone down at last.",
    ):
        assert frames(plain) == [], plain


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("The death toll rose to 207, police said.", "The death toll rose to 207.", "police said"),
        ("The death toll rose to 207, police said.", "The death toll rose to 207, local media reported.", "different"),
        ("The death toll rose to 207, police said.", "Police said the death toll rose to 207.", None),
        ('"The toll is 207," he said.', "The toll is 207, the minister said.", None),  # unknown: no claim
        ("The death toll rose to 207.", "The death toll reached 207 on Monday.", None),
        ("The bridge will reopen next month, the mayor said.", "The bridge will reopen next month, the transport "
         "ministry said.", "different"),
        ("Five soldiers were killed in the ambush, the army said.",
         "Five soldiers were killed in the ambush, the rebels said.", "different"),
        ("The company will close three plants, people familiar with the matter said.",
         "The company will close three plants, a spokeswoman confirmed.", "different"),
        ("Prices will keep rising this year, economists warned.", "Prices will keep rising this year.",
         "economists warned"),
        ("The rebels have seized the airport, a rebel spokesman told AFP.", "The rebels have seized the airport, the "
         "army said.", "different"),
        ("Russian forces shelled the city overnight, Ukrainian officials said.",
         "Russian forces shelled the city overnight, the Russian defence ministry said.", "different"),
        ("Videos on social media showed crews cheering as the ship moved.", "Crews cheered as the ship moved.",
         "Videos on social media showed"),
        ("According to Reuters, the deal was signed on Friday.", "The deal was signed on Friday.", "Reuters"),
        # The same source in other words, or a frame on a part the other side does not report.
        ("The ministry said the talks would resume on Monday.", "The foreign ministry said talks would resume on "
         "Monday.", None),
        ("State media said the launch was a success.", "Xinhua said the launch was a success.", None),
        ("Beijing said the drills would continue.", "China said the drills would continue.", None),
        ("The Kremlin said the talks had ended.", "Russian presidential spokesman Dmitry Peskov said the talks had "
         "ended.", None),
        ("Officials said the fire was contained by Sunday.", "The fire was contained by Sunday, authorities said.",
         None),
        ("Residents said the water rose within minutes.", "The water rose within minutes, according to witnesses.",
         None),
        ("The government declared a state of emergency.", "A state of emergency was declared.", None),
        ("The airline cancelled 300 flights, and said more cancellations were likely.", "The airline cancelled 300 "
         "flights.", None),
        ("Rescuers searched remote villages, and officials say the toll will rise.",
         "Rescuers searched remote villages after the quake, which killed over 2,000 people.", None),
        ("Egypt's president moved quickly to claim the success.", "Egypt's president said on Twitter that Egyptians "
         "had ended the crisis.", None),
        ("The senator pledged support for the bill.", "The bill has the senator's support, he said.", None),
        # End to end, links join sentences that share only a detail: the frame must credit the shared part.
        ("Orders fell 4% in May, the firm told analysts, and its shares slid 9% on Tuesday.",
         "Its shares slid 9% on Tuesday.", None),  # the new clause after the frame is not credited
        ("The governor acknowledged that the warnings had been ignored.", "The president met the governor on "
         "Tuesday.", None),  # shares only the source's name
        ("The dam burst after 400 millimetres of rain fell, officials said.", "Why did the dam burst?", None),
        ("The mayor had gone on radio to condemn the strike, and vowed that its leaders would face charges.",
         "All who led the strike would face charges, the mayor warned.", None),  # both report speech
        ("The ferry capsized with 50 people aboard, the coastguard said on Sunday evening.",
         "The ferry capsized with 50 people aboard.", "the coastguard said"),
        # An estimate is credited, though no verb of saying credits it.
        ("The deal covers trade worth about $40 billion a year, according to a final statement.",
         "Officials put the value of the trade it covers at about $40 billion a year.", None),
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
        assert "states it as fact" in f.summary and "daily" in f.summary
    else:  # the evidence is each side's frame
        assert a[f.a_spans[0].start : f.a_spans[0].end] in f.summary
        assert b[f.b_spans[0].start : f.b_spans[0].end] in f.summary


def test_weak_links_get_no_findings():
    link = Link(a=(0,), b=(0,), score=0.4, strength="weak")
    assert find(_doc("wire", ["It cost $40 billion."]), _doc("daily", ["It cost $35 billion."]), [link], ["number"]) == ()
