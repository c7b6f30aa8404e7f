"""The `certainty` and `quote` framing detectors, as a user sees them: what is reported on a pair
of linked sentences, what is not, and the evidence spans (sentences written for these tests)."""

from __future__ import annotations

import time

import pytest

from compare.framing.detect import find
from compare.framing.quotes import quotations
from compare.result import Document, Finding, Link, Sentence


def _doc(label: str, sentences: list[str], translations: list[str] | None = None, flag: str | None = None) -> Document:
    return Document(
        id=label, label=label, path=None, language="en" if translations is None else "de", language_source="given",
        encoding=None,
        sentences=tuple(
            Sentence(index=k, start=0, end=len(s), text=s,
                     translation=None if translations is None else translations[k],
                     translation_flag=flag if translations is not None else None)
            for k, s in enumerate(sentences)
        ),
        translated=translations is not None,
    )


def _find(kind: str, a: str, b: str) -> Finding | None:
    found = find(_doc("Wire", [a]), _doc("Daily", [b]), [Link(a=(0,), b=(0,), score=0.9, strength="strong")], [kind])
    assert len(found) <= 1
    return found[0] if found else None


def _evidence(f: Finding, a: str, b: str) -> tuple[list[str], list[str]]:
    return [a[s.start : s.end] for s in f.a_spans], [b[s.start : s.end] for s in f.b_spans]


# --- quote -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('The mayor said "we will rebuild every house" on Monday.', ['"we will rebuild every house"']),
        ("\u201cWe will not give up,\u201d the coach said.", ["\u201cWe will not give up,\u201d"]),
        ("The union said \u2018the strike goes on\u2019 after the vote.", ["\u2018the strike goes on\u2019"]),
        ("The workers' union said 'pay is too low' on Friday.", ["'pay is too low'"]),
        ("Er sagte \u201ewir schaffen das\u201c.", ["\u201ewir schaffen das\u201c"]),
        ("Il a dit \u00ab nous ne partirons pas \u00bb.", ["\u00ab nous ne partirons pas \u00bb"]),
        ("\u4ed6\u8bf4\u300c\u6211\u4eec\u4e0d\u4f1a\u653e\u5f03\u300d\u3002",
         ["\u300c\u6211\u4eec\u4e0d\u4f1a\u653e\u5f03\u300d"]),
        # A quotation that goes on in the next sentence, and one that began in the sentence before.
        ("She began: \u201cThe town is gone.", ["\u201cThe town is gone."]),
        ("The town is gone,\u201d she said.", ["The town is gone,\u201d"]),
        # Not statements: apostrophes, a scare-quoted word, a so-called phrase, a title.
        ("Don't go, it's the farmers' day.", []),
        ('Officials called the "peace" plan a trap.', []),
        ('The so-called "peace plan" was rejected.', []),
        ('The film "Ashes Of The Valley" opened on Friday.', []),
    ],
)
def test_quotations_are_read_by_their_marks(text, quoted):
    assert [text[q.start : q.end] for q in quotations(text)] == quoted


def test_a_direct_quote_against_a_paraphrase_is_reported_with_the_quotation_as_evidence():
    a = '"We will rebuild every school that was destroyed," the education minister told parliament on Tuesday.'
    b = "The education minister pledged on Tuesday that the government would rebuild the destroyed schools."
    f = _find("quote", a, b)
    assert f is not None and f.type == "quote" and f.caution is None and 0 < f.confidence <= 1
    assert _evidence(f, a, b) == (['"We will rebuild every school that was destroyed,"'], [])
    assert "Wire quotes directly" in f.summary and "Daily paraphrases" in f.summary


def test_the_same_words_quoted_on_one_side_and_unquoted_on_the_other():
    a = 'The general described the offensive as "a complete success" on state television.'
    b = "The general described the offensive as a complete success on state television."
    f = _find("quote", a, b)
    assert f is not None
    assert _evidence(f, a, b) == (['"a complete success"'], ["a complete success"])
    assert "without quotation marks" in f.summary


def test_two_sides_quoting_different_words_of_one_statement():
    a = 'The central bank governor said inflation was "far too high" and rates would stay up.'
    b = 'The central bank governor said the bank was "ready to act again" if prices kept rising.'
    f = _find("quote", a, b)
    assert f is not None
    assert _evidence(f, a, b) == (['"far too high"'], ['"ready to act again"'])
    assert "quotes other words" in f.summary


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Both quote the same words, with small differences (marks, spelling, one word).
        ('"We will not privatise the railways," the minister said.',
         "\u201cWe will not privatize the railways,\u201d the transport minister said on Sunday."),
        ('The coach said the team had played "the best football of the season".',
         'The coach said his side had played "the best football of this season".'),
        # Both quote, but two different people: that is attribution, not a quote difference.
        ('"The water came in minutes," said Maria Lopez, a shop owner.',
         '"The river rose faster than anyone expected," said Tom Becker, a firefighter.'),
        # Scare quotes and titles are not quotations of a statement.
        ('Rebels seized the town in what they called a "liberation".', "Rebels seized the town on Sunday."),
        ('The documentary "Rivers Of Iron" won the top prize.', "The documentary won the top prize, the jury said."),
        # Apostrophes are not quotation marks.
        ("The nurses' union said it wouldn't accept the offer.", "The nurses' union said it rejected the offer."),
        # One side quotes, the other states the fact in its own words without reporting anyone's.
        ('"The bridge will reopen in May," the city engineer said.', "Traffic should be back on the bridge by May."),
        # The quotation is a remark the other side does not report: the two share the rest.
        ('"The ship came through without a scratch," the canal chief told reporters, adding that '
         "300 vessels were waiting and the backlog would be cleared within four days.",
         "About 300 vessels were waiting, and the canal authority said the backlog would be cleared in four days."),
    ],
)
def test_no_quote_finding(a, b):
    assert _find("quote", a, b) is None


def test_a_short_phrase_quoted_from_someone_the_other_side_does_not_cite():
    a = 'The prime minister said the attack was "an act of cowardice".'
    b = "Police said the attacker acted alone and had no criminal record."
    assert _find("quote", a, b) is None


def test_quotes_in_a_machine_translated_sentence_carry_a_caution():
    a = _doc("Wire", ["\u201eWir bauen alles wieder auf\u201c, sagte der B\u00fcrgermeister."],
             ['"We will rebuild everything," the mayor said.'], flag="looks like a loop")
    b = _doc("Daily", ["The mayor promised to rebuild the town."])
    (f,) = find(a, b, [Link(a=(0,), b=(0,), score=0.9, strength="strong")], ["quote"])
    assert f.caution is not None and "machine translation" in f.caution
    text = a.sentences[0].compare_text
    assert text[f.a_spans[0].start : f.a_spans[0].end] == '"We will rebuild everything,"'


def test_quote_marks_are_read_in_any_language():
    # Without English text only the mark-based cases are reported: the same words unquoted ...
    a = "Der Minister nannte den Plan \u201eeinen schweren Fehler\u201c."
    b = "Der Minister nannte den Plan einen schweren Fehler."
    f = _find("quote", a, b)
    assert f is not None and _evidence(f, a, b) == (["\u201eeinen schweren Fehler\u201c"], ["einen schweren Fehler"])
    # ... and different quoted words; a paraphrase is not judged.
    here, fight = "Il a dit \u00ab nous resterons ici \u00bb.", "Il a dit \u00ab le combat continue \u00bb."
    assert _find("quote", here, fight) is not None
    assert _find("quote", "Er sagte \u201ewir bleiben hier\u201c.", "Der Minister will bleiben.") is None


# --- certainty ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "evidence"),
    [
        ("The former mayor will be sentenced in six weeks, the court said.",
         "The former mayor is expected to be sentenced in six weeks.",
         ("will be sentenced", "is expected to be sentenced")),
        ("The rebels have reportedly seized the northern airport.",
         "The rebels have seized the northern airport, the army said.",
         ("reportedly seized", "have seized")),
        ("The senator allegedly took bribes from a construction firm, prosecutors say.",
         "The senator took bribes from a construction firm, prosecutors say.",
         ("allegedly took", "took")),
        ("The missile may have been fired from a ship in the gulf.",
         "The missile was fired from a ship in the gulf, officials said.",
         ("may have been fired", "was fired")),
        ("Four climbers are feared dead in the north face avalanche.",
         "Four climbers died in the north face avalanche, rescuers said.",
         ("are feared dead", "Four climbers died in the north face avalanche")),
        ("The outage appears to have been caused by a faulty update.",
         "The outage was caused by a faulty update, the company said.",
         ("appears to have been caused", "was caused")),
        ("The central bank is likely to cut rates on Thursday.",
         "The central bank will cut rates on Thursday.",
         ("is likely to cut", "will cut")),
        ("The alleged smuggling ring moved cocaine through the port.",
         "The smuggling ring moved cocaine through the port, police said.",
         ("alleged smuggling", "smuggling")),
    ],
)
def test_a_hedge_on_one_side_only_is_reported(a, b, evidence):
    f = _find("certainty", a, b)
    assert f is not None and f.type == "certainty" and f.caution is None
    (ea,), (eb,) = _evidence(f, a, b)
    hedged, plain = evidence
    assert {ea, eb} == {hedged, plain}
    assert "hedges it" in f.summary and "states it as certain" in f.summary


@pytest.mark.parametrize(
    ("a", "b", "evidence"),
    [
        ("The minister will not attend the summit in Oslo, her office said.",
         "The minister will attend the summit in Oslo, her office said.",
         ("not attend", "will attend")),
        ("The new runway is not ready for heavy aircraft, inspectors found.",
         "The new runway is ready for heavy aircraft, inspectors found.",
         ("not ready", "is ready")),
        ("The regulator has yet to approve the merger of the two airlines.",
         "The regulator has approved the merger of the two airlines.",
         ("yet to approve", "has approved")),
    ],
)
def test_a_polarity_flip_is_reported(a, b, evidence):
    f = _find("certainty", a, b)
    assert f is not None
    assert _evidence(f, a, b) == ([evidence[0]], [evidence[1]])
    assert "Wire negates it" in f.summary and "Daily states it" in f.summary


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Both hedged alike (different words, same doubt).
        ("The fire may have started in the kitchen.", "The fire could have started in the kitchen."),
        ("The striker is reportedly close to joining the club.",
         "The striker is close to joining the club, according to media reports."),
        ("The shortfall could reach $2 billion, the chairman said.",
         "The shortfall is up to $2 billion, the chairman said."),
        ("Talks are expected to resume next week.", "Talks should resume next week, diplomats said."),
        # The hedge is in another clause than the shared fact.
        ("Police said the fire, which may have started in a kitchen, killed three people.",
         "The fire killed three people, police said."),
        ("The ship was towed to the lake, where it could be inspected.", "The ship was towed to the lake on Monday."),
        ("Officials are checking whether the dam could fail again.", "Officials are checking the dam."),
        # Not hedges: ability, a comparison, an adjective, the month.
        ("He said he could not breathe.", "He said he was unable to breathe."),
        ("Prices rose faster than expected in March.", "Prices rose fast in March."),
        ("The rescue became an unlikely success story.", "The rescue became a success story."),
        ("The vote was held on May 25 in the capital.", "The vote was held on 25 May in the capital."),
        # Negations that do not flip the shared claim.
        ("The law covers not only farmers but also fishermen.", "The law covers farmers and fishermen."),
        ("A source, who asked not to be named, said the deal was signed.", "The deal was signed, a source said."),
        ("No one was hurt in the blast.", "Nobody was injured in the blast."),
        ("The government does not control the eastern provinces.",
         "The eastern provinces are controlled by the militia."),
        ("His men had not fired a single shot, he said.", "He ordered his men back to avoid firing a shot."),
        ("The talks will not resume this year.", "There will be no talks this year."),
    ],
)
def test_no_certainty_finding(a, b):
    assert _find("certainty", a, b) is None


def test_both_detectors_read_multi_sentence_links_and_stay_cheap():
    a = _doc("Wire", ["Heavy rain hit the coast overnight.", "Three bridges may have collapsed, officials said.",
                      '"We are doing everything we can," the governor said.'])
    b = _doc("Daily", ["Three bridges collapsed after heavy rain hit the coast overnight.",
                       "The governor promised that the state would do everything it could."])
    links = [Link(a=(0, 1), b=(0,), score=0.9, strength="strong"), Link(a=(2,), b=(1,), score=0.8, strength="strong")]
    found = find(a, b, links, ["certainty", "quote"])
    assert [(f.type, f.a, f.b) for f in found] == [("certainty", (0, 1), (0,)), ("quote", (2,), (1,))]
    (hedge,) = found[0].a_spans
    assert hedge.sentence == 1 and a.sentences[1].text[hedge.start : hedge.end] == "may have collapsed"
    # A weak link shares a detail, not the fact: no finding.
    assert find(a, b, [Link(a=(1,), b=(0,), score=0.4, strength="weak")], ["certainty", "quote"]) == ()
    # A runaway machine translation (one endless sentence) costs milliseconds, not seconds.
    runaway = _doc("Wire", ["x"], ["\u2018they may \u201cnot " * 4000])
    start = time.perf_counter()
    find(runaway, runaway, [Link(a=(0,), b=(0,), score=0.9, strength="strong")], ["certainty", "quote"])
    assert time.perf_counter() - start < 0.5


def test_quotation_marks_the_machine_translation_added_or_dropped_carry_a_caution():
    # The original quotes nobody: the translator's quotation marks may be the whole difference.
    a = _doc("Wire", ["Der B\u00fcrgermeister versprach, alles wieder aufzubauen."],
             ['The mayor said "we will rebuild everything".'])
    b = _doc("Daily", ["The mayor promised to rebuild the town."])
    (f,) = find(a, b, [Link(a=(0,), b=(0,), score=0.9, strength="strong")], ["quote"])
    assert f.caution is not None and "no quotation marks" in f.caution and "Wire" in f.caution
    # The original quotes, as its translation does: not that caution.
    a = _doc("Wire", ["\u201eWir bauen alles wieder auf\u201c, sagte der B\u00fcrgermeister."],
             ['"We will rebuild everything," the mayor said.'])
    (f,) = find(a, b, [Link(a=(0,), b=(0,), score=0.9, strength="strong")], ["quote"])
    assert "no quotation marks" not in (f.caution or "")
