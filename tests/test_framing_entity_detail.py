"""The `entity` and `detail` framing findings, as a reader of the report sees them: who one outlet
names that the other leaves unnamed, and what one outlet adds to the shared fact."""

from __future__ import annotations

import pytest

from compare.framing.detect import DETECTORS, find
from compare.framing.entities import names
from compare.result import Document, Finding, Link, Sentence

LINK = [Link(a=(0,), b=(0,), score=0.9, strength="strong")]


def _doc(doc_id: str, sentences: list[str], translations: list[str] | None = None,
         flags: list[str | None] | None = None) -> Document:
    return Document(
        id=doc_id, label=doc_id, path=None, language="en", language_source="given", encoding=None,
        sentences=tuple(
            Sentence(index=k, start=0, end=len(s), text=s,
                     translation=None if translations is None else translations[k],
                     translation_flag=None if flags is None else flags[k])
            for k, s in enumerate(sentences)
        ),
        translated=translations is not None,
    )


def _one(a: str | Document, b: str | Document, kind: str, link: list[Link] = LINK) -> Finding | None:
    da = a if isinstance(a, Document) else _doc("Wire", [a])
    db = b if isinstance(b, Document) else _doc("Daily", [b])
    found = find(da, db, link, [kind])
    assert len(found) <= 1
    return found[0] if found else None


def _evidence(f: Finding, a: str, b: str) -> tuple[list[str], list[str]]:
    return [a[s.start : s.end] for s in f.a_spans], [b[s.start : s.end] for s in f.b_spans]


def test_both_detectors_work_without_a_parser():
    for name in ("entity", "detail"):
        assert DETECTORS[name].parser is False and DETECTORS[name].english is True


# entity ------------------------------------------------------------------------------------------

def test_a_participant_named_on_one_side_and_described_on_the_other():
    a = "The verdict was read out by Judge Marta Olsen shortly after noon in a packed courtroom."
    b = "The judge read out the verdict shortly after noon in a packed courtroom."
    f = _one(a, b, "entity")
    assert f is not None and f.type == "entity" and f.caution is None and 0 < f.confidence <= 1
    assert _evidence(f, a, b) == (["Judge Marta Olsen"], [])
    assert f.summary.startswith("Wire names Judge Marta Olsen") and "Daily" in f.summary
    # The other way round, the evidence sits on side b.
    g = _one(b, a, "entity")
    assert g is not None and _evidence(g, b, a) == ([], ["Judge Marta Olsen"])


def test_different_names_on_the_two_sides_are_both_evidence():
    a = "Rescue teams arrived from Norway and Chile on Monday to search the collapsed buildings."
    b = "Rescue teams arrived from Kenya and Peru on Monday to search the collapsed buildings."
    f = _one(a, b, "entity")
    assert f is not None
    assert _evidence(f, a, b) == (["Norway", "Chile"], ["Kenya", "Peru"])
    assert "instead" in f.summary


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # The same participant however it is spelled.
        ("The United States imposed new tariffs on steel on Monday.", "The U.S. imposed new tariffs on steel on Monday."),
        ("Xi Jinping welcomed the delegation in the capital.", "Xi welcomed the delegation in the capital."),
        ("The Kremlin rejected the proposal on Tuesday.", "Russia rejected the proposal on Tuesday."),
        ("Belarus hosted the talks at a border crossing.", "The Belarusian government hosted the talks at a border crossing."),
        ("Regulators named the FDIC as receiver of the failed lender.",
         "Regulators named the Federal Deposit Insurance Corporation as receiver of the failed lender."),
        ("Kim Jong Un crossed the border at dawn.", "Kim Jong-un crossed the border at dawn."),
        ("The army said Seoul would resume the broadcasts.", "The army said South Korea would resume the broadcasts."),
        # Capitalised, but no participant: a sentence start, a weekday, a month, a holiday, a title.
        ("Officials closed the port on Tuesday in March.", "The port was closed by officials."),
        ("Crowds gathered on Easter Sunday outside the cathedral.", "Crowds gathered outside the cathedral."),
        ("The President signed the decree late at night.", "The decree was signed late at night."),
        # A wire dateline and the outlet's own name.
        ("LISBON (Wire) - Firefighters contained the blaze near the airport.",
         "Firefighters contained the blaze near the airport."),
        # A nationality adjective is a description, not a named participant.
        ("Dutch engineers repaired the dyke within hours.", "Engineers repaired the dyke within hours."),
        # A country that only locates a place both sides name.
        ("The next round of talks will be held in Gdansk, Poland, in March.",
         "The next round of talks will be held in Gdansk in March."),
        # The speaker of a reporting frame is `attribution`'s, with the country of their office.
        ('"We are ready to sign," said Ana Duarte, Portugal\'s economy minister, after the talks.',
         '"We are ready to sign," a minister said after the talks.'),
    ],
)
def test_no_entity_finding_for_the_same_participant_or_a_capitalised_word(a, b):
    assert _one(a, b, "entity") is None
    assert _one(b, a, "entity") is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Whom a statement was told to, and the medium it was made on: the frame's, not the fact's.
        ("The harbour master told the Danish broadcaster Nordlys that the ferry had lost both engines.",
         "The harbour master said the ferry had lost both engines."),
        ("The governor wrote on his Telegram channel that the convoy had left the city.",
         "The governor said the convoy had left the city."),
        ("Testifying before the Senate Rules and Budget Committee, the minister said reserves were ample.",
         "The minister said reserves were ample."),
        # A place the other side refers to unnamed, an epithet, a reference point, a people.
        ("The barge drifted into the Varna River after the mooring lines snapped.",
         "The barge drifted into the river after the mooring lines snapped."),
        ("The storm was the worst to strike the Pacific island in a decade, officials said.",
         "The storm was the worst to strike the island in a decade, officials said."),
        ("The aircraft flew a long detour north of the Azores before landing at the base.",
         "The aircraft made a long detour before landing at the base."),
        ("The landslide buried the stone houses of its Berber residents overnight.",
         "The landslide buried the stone houses of its residents overnight."),
        ("The ceasefire, brokered by Qatar last spring, collapsed on Monday.", "The ceasefire collapsed on Monday."),
        # One name spelled two ways.
        ("Prime Minister Dbeibah ordered the ports closed.", "Prime Minister Dbeibeh ordered the ports closed."),
    ],
)
def test_no_entity_finding_for_a_frame_an_epithet_a_reference_or_a_variant_spelling(a, b):
    assert _one(a, b, "entity") is None
    assert _one(b, a, "entity") is None


def test_no_entity_finding_on_a_link_holding_a_weakly_linked_sentence():
    wire = _doc("Wire", ["Judge Marta Olsen read the verdict shortly after noon.", "Crowds gathered outside."])
    daily = _doc("Daily", ["The judge read the verdict shortly after noon."])
    weak = [Link(a=(0, 1), b=(0,), score=0.55, strength="strong")]  # its score is its weakest pair's
    assert find(wire, daily, weak, ["entity"]) == ()
    strong = [Link(a=(0, 1), b=(0,), score=0.85, strength="strong")]
    assert [f.type for f in find(wire, daily, strong, ["entity"])] == ["entity"]


def test_a_protagonist_the_other_side_calls_he_is_no_finding():
    # The story names Varga in most sentences; the other outlet's "he" is no omission.
    wire = _doc("Wire", [
        "Former mayor Tomas Varga was convicted of fraud on Tuesday.",
        "Varga showed no emotion as the verdict was read.",
        "Prosecutors said Varga had diverted public funds for years.",
        "Varga will be sentenced in June.",
    ])
    daily = _doc("Daily", [
        "A former mayor was convicted of fraud on Tuesday.",
        "Varga's lawyers said they would appeal.",
        "He showed no emotion as the verdict was read.",
    ])
    assert find(wire, daily, [Link(a=(1,), b=(2,), score=0.9, strength="strong")], ["entity"]) == ()


def test_a_name_in_a_side_clause_is_background_not_a_participant():
    a = "The tanker, which had sailed from Rotterdam a week earlier, ran aground off the cape on Tuesday."
    b = "The tanker ran aground off the cape on Tuesday."
    assert _one(a, b, "entity") is None
    # A name in a clause the other side lacks entirely is an added detail, not a participant.
    a = "The council approved the budget, and the mayor thanked Elena Brandt for her years of service."
    b = "The council approved the budget on Thursday."
    assert _one(a, b, "entity") is None


def test_names_in_a_reporting_frame_or_a_quotation_are_left_to_attribution_and_quote():
    assert _one("The bridge will reopen next week, Transport Minister Ilse Kurz said.",
                "The bridge will reopen next week, officials said.", "entity") is None
    assert _one('"We will ask Parliament to approve the aid," the minister said of the storm damage.',
                "The minister said he would seek approval for storm aid.", "entity") is None


def test_a_name_in_a_flagged_translation_is_marked_uncertain():
    a = _doc("Wire", ["Le juge a lu le verdict."], ["The verdict was read out by Judge Marta Olsen shortly after noon."],
             flags=["runaway output"])
    b = _doc("Daily", ["The judge read out the verdict shortly after noon."])
    f = _one(a, b, "entity")
    assert f is not None and f.caution and "flagged" in f.caution


def test_different_names_in_a_machine_translation_may_be_one_name_spelled_twice():
    a = _doc("Vestnik", ["Спасатели прибыли из Норвегии."], ["Rescuers from Norvegia arrived on Monday to search the ruins."])
    b = _doc("Daily", ["Rescuers from Norway arrived on Monday to search the ruins."])
    f = _one(a, b, "entity")
    assert f is not None and f.caution and "machine translation" in f.caution and "Norvegia" in f.caution


def test_names_read_from_a_sentence():
    text = "Defence Minister Sergei Ivanov met Abdel Fattah al-Sisi and the Suez Canal Authority in Cairo."
    found = [text[n.start : n.end] for n in names(text)]
    assert found == ["Defence Minister Sergei Ivanov", "Abdel Fattah al-Sisi", "Suez Canal Authority", "Cairo"]
    text = "Police detained J. Alexander Moreno on Friday."
    assert [text[n.start : n.end] for n in names(text)] == ["J. Alexander Moreno"]


# detail ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("a", "b", "evidence", "word"),
    [
        ("The ferry capsized at 4:15 a.m. off the northern coast.",
         "The ferry capsized in the early hours off the northern coast.", "4:15 a.m.", "time"),
        ("Police arrested nine people after the protest outside parliament.",
         "Police arrested several people after the protest outside parliament.", "nine", "figure"),
        ("The club agreed to pay $12 million for the striker, ending months of talks.",
         "The club agreed a deal for the striker, ending months of talks.", "$12 million", "amount"),
        ("The ceasefire will take effect on March 4 along the whole front line.",
         "The ceasefire will take effect along the whole front line.", "March 4", "date"),
        ("Turnout fell to 41 percent in the regional vote.", "Turnout fell in the regional vote.", "41 percent",
         "percentage"),
    ],
)
def test_a_figure_one_side_gives_and_the_other_does_not(a, b, evidence, word):
    f = _one(a, b, "detail")
    assert f is not None and f.type == "detail" and f.caution is None
    (span,), none = _evidence(f, a, b)
    assert evidence in span and none == []
    assert f.summary.startswith(f"Wire adds {word}" if word != "figure" else "Wire adds a figure") or word in f.summary
    g = _one(b, a, "detail")  # the same addition, seen from the other side
    assert g is not None and not g.a_spans and evidence in b[g.b_spans[0].start : g.b_spans[0].end] + a


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # The same value, written differently.
        ("The talks lasted two hours on Friday.", "The talks lasted 2 hours on Friday."),
        ("The crew finished a 6.5-hour repair outside the station.",
         "The crew spent six and a half hours on the repair outside the station."),
        ("About half of the households lost power in the storm.", "About 50% of the households lost power in the storm."),
        ("Polls closed at 2200 GMT across the country.", "Polls closed at 10 p.m. across the country."),
        ("Prices rose 4% in the 12 months to May.", "Prices rose 4% in the year to May."),
        # A different value for the same quantity is a `number` finding, not an addition.
        ("The fire destroyed 120 homes in the valley.", "The fire destroyed 150 homes in the valley."),
        # A wire dateline, a known count, a compound modifier, a number inside a name.
        ("ATHENS, June 3 (Wire) - Firefighters contained the blaze near the port.",
         "Firefighters contained the blaze near the port."),
        ("The two leaders shook hands at the border.", "The leaders shook hands at the border."),
        ("The parties agreed to hold three-way talks next month.", "The parties agreed to hold talks next month."),
        # A count of what the other side names one by one.
        ("Three countries, Norway, Chile and Australia, stayed out of the deal.",
         "Norway, Chile and Australia did not sign the deal."),
        ("The firm filed for Chapter 11 protection in New York.", "The firm filed for bankruptcy protection in New York."),
    ],
)
def test_no_detail_finding_for_the_same_figure_or_no_real_addition(a, b):
    assert _one(a, b, "detail") is None
    assert _one(b, a, "detail") is None


@pytest.mark.parametrize(
    ("a", "b", "evidence"),
    [
        ("The lender collapsed on Friday after depositors pulled their savings in a panic.",
         "The lender collapsed on Friday.", "after depositors pulled their savings in a panic"),
        ("The storm flooded the old town, forcing hospitals to evacuate patients overnight.",
         "The storm flooded the old town.", "forcing hospitals to evacuate patients overnight"),
        ("The quake was the strongest to hit the island since records began in the last century.",
         "A quake hit the island.", "strongest to hit"),
    ],
)
def test_a_clause_adding_a_cause_a_consequence_or_a_record(a, b, evidence):
    f = _one(a, b, "detail")
    assert f is not None
    (span,), none = _evidence(f, a, b)
    assert evidence in span and none == []
    assert "Daily does not say this" in f.summary


def test_a_name_or_a_reporting_frame_alone_is_no_detail():
    # A name is the `entity` detector's, a source is `attribution`'s: "detail" is beyond them.
    assert _one("The minister met Ana Duarte, after lunch, on Monday.", "The minister met an envoy on Monday.",
                "detail") is None
    assert _one("Prices rose sharply in May, the central bank said on Tuesday.", "Prices rose sharply in May.",
                "detail") is None
    # Paraphrases with the same content.
    assert _one("Officials said the vessel was towed to port after the storm.",
                "The ship was towed to port after the storm, officials said.", "detail") is None


def test_an_ing_word_used_as_a_noun_or_a_verb_opens_no_clause():
    # "the killing" is a noun and "had been following" a verb: neither adds a consequence or a cause.
    assert _one("The mayor told reporters the killing had shocked residents across the old quarter.",
                "The mayor spoke to reporters.", "detail") is None
    assert _one("Fans who had been following the final on giant screens cheered in the square.",
                "Fans cheered in the square.", "detail") is None
    # After a comma the same word opens a consequence.
    f = _one("Gunmen attacked the convoy, killing four guards near the northern checkpoint.",
             "Gunmen attacked the convoy.", "detail")
    assert f is not None and "killing four guards" in f.summary


def test_a_figure_missing_from_the_original_sentence_is_marked_uncertain():
    a = _doc("Wire", ["Le ferry a chaviré au petit matin."], ["The ferry capsized at 4:15 a.m. off the coast."])
    b = _doc("Daily", ["The ferry capsized off the coast."])
    f = _one(a, b, "detail")
    assert f is not None and f.caution and "original" in f.caution and f.confidence < 0.6


def test_both_detectors_on_a_multi_sentence_link():
    wire = _doc("Wire", ["Judge Marta Olsen read the verdict at 2:30 p.m.", "The courtroom was silent."])
    daily = _doc("Daily", ["The judge read the verdict.", "Relatives wept outside."])
    found = find(wire, daily, [Link(a=(0, 1), b=(0,), score=0.9, strength="strong")], ["entity", "detail"])
    assert [f.type for f in found] == ["entity", "detail"]
    assert all(f.a == (0, 1) and f.b == (0,) for f in found)
    assert wire.sentences[0].text[found[1].a_spans[0].start : found[1].a_spans[0].end] == "at 2:30 p.m."
