"""The `loaded` detector (compare/framing/loaded.py): loaded wording on one side of a link only,
from the lexicon kept as data (compare/framing/data/loaded.tsv), as a user sees it."""

from __future__ import annotations

from importlib import resources

import pytest

from compare.framing import loaded
from compare.framing.detect import DETECTORS, find
from compare.result import Document, Finding, Link, Sentence

LINK = Link(a=(0,), b=(0,), score=0.9, strength="strong")


def _doc(label: str, sentences: list[str], translations: list[str] | None = None) -> Document:
    return Document(
        id=label, label=label, path=None, language="en" if translations is None else "ru", language_source="given",
        encoding=None,
        sentences=tuple(
            Sentence(index=k, start=0, end=len(s), text=s, translation=translations[k] if translations else None)
            for k, s in enumerate(sentences)
        ),
        translated=translations is not None,
    )


def _find(a: str, b: str) -> Finding | None:
    found = find(_doc("Wire", [a]), _doc("Daily", [b]), [LINK], ["loaded"])
    assert len(found) <= 1
    return found[0] if found else None


def _evidence(text: str, spans) -> list[str]:
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("a", "b", "a_words", "b_words"),
    [
        # a pejorative label against the plain word
        ("The regime cut internet access across the country on Thursday.",
         "The government cut internet access across the country on Thursday.", ["regime"], ["government"]),
        # a loaded verb of saying against "said"
        ("The opposition leader slammed the budget as a giveaway to the rich.",
         "The opposition leader said the budget was a giveaway to the rich.", ["slammed"], ["said"]),
        # an inflected verb entry (denounce -> denounced)
        ("The foreign minister denounced the sanctions in a statement on Monday.",
         "The foreign minister described the sanctions as unlawful in a statement on Monday.", ["denounced"],
         ["described"]),
        # a loaded action verb against the plain one
        ("A tanker rammed a fishing boat off the coast overnight, the coastguard said.",
         "A tanker struck a fishing boat off the coast overnight, the coastguard said.", ["rammed"], ["struck"]),
        # distancing wording, on one side only: the other side has no evidence
        ("Lawmakers approved the so-called reform package by a narrow margin.",
         "Lawmakers approved the reform package by a narrow margin.", ["so-called"], []),
        # dramatising and evaluative wording
        ("Rescuers searched the rubble after the catastrophic earthquake struck the valley.",
         "Rescuers searched the rubble after the earthquake struck the valley.", ["catastrophic"], []),
        ("The court issued a landmark ruling on water rights on Friday.",
         "The court issued a ruling on water rights on Friday.", ["landmark"], []),
    ],
)
def test_loaded_wording_on_one_side_is_reported_with_its_evidence(a, b, a_words, b_words):
    f = _find(a, b)
    assert f is not None and f.type == "loaded" and f.a == (0,) and f.b == (0,)
    assert _evidence(a, f.a_spans) == a_words
    assert _evidence(b, f.b_spans) == b_words
    assert "Wire" in f.summary and "Daily" in f.summary
    assert all(f"\u201c{w}\u201d" in f.summary for w in a_words + b_words)
    assert 0 < f.confidence <= 1 and f.caution is None


def test_the_loaded_side_can_be_b_and_the_summary_says_which():
    f = _find("Officials said the plan would cut costs.", "Officials boasted that the plan would cut costs.")
    assert f is not None and f.a_spans and f.b_spans
    assert f.summary.startswith("Daily says \u201cboasted\u201d where Wire says \u201csaid\u201d")


def test_different_loaded_words_on_both_sides_are_reported_as_such():
    a = "The embattled exchange filed for bankruptcy on Friday."
    b = "The exchange filed for bankruptcy on Friday in a stunning collapse."
    f = _find(a, b)
    assert f is not None
    assert _evidence(a, f.a_spans) == ["embattled"] and _evidence(b, f.b_spans) == ["stunning"]
    assert "different loaded wording" in f.summary


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # both sides use the same loaded word, or another form of it, or a word of its family
        ("Critics slammed the decision on Monday.", "Critics slammed the decision on Monday, calling it rushed."),
        ("The senator slams the deal as reckless.", "The senator slammed the deal as reckless."),
        ("Critics slammed the decision on Monday.", "Critics lambasted the decision on Monday."),
        ("A devastating storm hit the coast.", "A catastrophic storm hit the coast."),
        # the loaded word sits inside a direct quotation (the speaker's words, not the outlet's)
        ('"This is a sham election," the opposition leader said.', "The opposition leader rejected the election."),
        ("He called the vote \u201ca sham\u201d on Sunday.", "He called the vote \u201ca sham\u201d on Sunday."),
        # neutral senses the lexicon names
        ("The new tax regime takes effect in January.", "The new tax rules take effect in January."),
        ("The air force scrambled jets to intercept the aircraft.",
         "The air force sent jets to intercept the aircraft."),
        ("The storm dumped heavy rain on the city overnight.", "The storm brought heavy rain to the city overnight."),
        ("Crowds gathered near the city's best-known landmark.", "Crowds gathered near the old market."),
        # a capitalised form inside a sentence is a name
        ("Shares of Legendary Pictures rose on Tuesday.", "Shares of the studio rose on Tuesday."),
        # a label for someone the other side does not mention at all: a detail, not framing
        ("Ceasefire talks resumed in Geneva on Monday, although a delegation sent by the warlord who holds the port "
         "never arrived.", "Ceasefire talks resumed in Geneva on Monday."),
        # nothing loaded on either side
        ("The ship was freed on Monday after six days.", "Salvage crews freed the ship on Monday."),
    ],
)
def test_nothing_is_reported_for_shared_quoted_neutral_or_absent_loading(a, b):
    assert _find(a, b) is None


def test_a_translated_sentence_carries_a_caution():
    a = _doc("Agency", ["Режим отключил интернет."], ["The regime shut down the internet."])
    b = _doc("Wire", ["The government shut down the internet."])
    (f,) = find(a, b, [LINK], ["loaded"])
    assert f.caution is not None and "Agency" in f.caution and "translat" in f.caution
    plain = _find("The regime shut down the internet.", "The government shut down the internet.")
    assert plain is not None and f.confidence < plain.confidence


def test_only_strong_links_and_several_sentences_per_side():
    a = _doc("Wire", ["Protesters gathered outside parliament.", "Police said the mob threw stones."])
    b = _doc("Daily", ["Police said protesters threw stones outside parliament."])
    weak = Link(a=(0, 1), b=(0,), score=0.4, strength="weak")
    assert find(a, b, [weak], ["loaded"]) == ()
    (f,) = find(a, b, [Link(a=(0, 1), b=(0,), score=0.9, strength="strong")], ["loaded"])
    (span,) = f.a_spans
    assert span.sentence == 1 and a.sentences[1].compare_text[span.start : span.end] == "mob"
    assert [b.sentences[s.sentence].compare_text[s.start : s.end] for s in f.b_spans] == ["protesters"]


def test_registered_as_an_english_detector_without_the_parser():
    d = DETECTORS["loaded"]
    assert d.detect is loaded.detect and d.english and not d.parser


def test_the_lexicon_ships_as_data_and_is_read_once():
    assert resources.files("compare.framing").joinpath("data", "loaded.tsv").is_file()
    index = loaded.lexicon()
    assert loaded.lexicon() is index  # cached
    forms = {form for entries in index.values() for form, _ in entries}
    # inflected from one entry, and phrases
    assert {("denounce",), ("denounces",), ("denounced",), ("denouncing",), ("so-called",), ("so", "called")} <= forms
    assert {("regime",), ("regimes",)} <= forms
    assert len(forms) > 500
    entries = {e for v in index.values() for _, e in v}
    assert {e.category for e in entries} <= {"label", "doubt", "saying", "action", "scare", "evaluative",
                                             "intensifier", "euphemism", "contested"}


def _find_several(a: list[str], b: list[str]) -> Finding | None:
    """The finding of one strong link holding all of `a` and all of `b`."""
    link = Link(a=tuple(range(len(a))), b=tuple(range(len(b))), score=0.9, strength="strong")
    found = find(_doc("Wire", a), _doc("Daily", b), [link], ["loaded"])
    return found[0] if found else None


def test_a_loaded_verb_of_saying_needs_a_statement_on_the_other_side():
    # the other side reports the event but no statement: the statement itself is the difference
    assert _find("The prime minister hailed the opening of the new bridge over the river on Monday.",
                 "The new bridge over the river opened to traffic on Monday.") is None
    f = _find("The prime minister hailed the opening of the new bridge over the river on Monday.",
              "The prime minister praised the opening of the new bridge over the river on Monday.")
    assert f is not None and _evidence("The prime minister hailed the opening", f.a_spans) == ["hailed"]


def test_a_side_of_several_sentences_counts_loading_only_where_it_reports_the_shared_fact():
    rate = "The central bank raised its main interest rate by half a point on Thursday."
    aside = "Critics called it a reckless gamble with household budgets at a time of deep uncertainty."
    # the loaded word sits in a second sentence about something the other side does not report
    assert _find_several([rate, aside], [rate]) is None
    # the same word next to the shared fact, on a one-sentence side, is reported
    one = "The central bank made a reckless half-point rise in its main interest rate on Thursday."
    f = _find(one, rate)
    assert f is not None and _evidence(one, f.a_spans) == ["reckless"]
    # a label before the name of someone the other side never names
    a = ["The talks ended on Sunday without a deal.", "The delegation then met regional strongman Omar Hassan Farah."]
    assert _find_several(a, ["The talks ended on Sunday without a deal, the delegation said."]) is None
    f = _find_several(a, ["The delegation met Omar Hassan Farah after talks ended on Sunday without a deal."])
    assert f is not None and [a[s.sentence][s.start : s.end] for s in f.a_spans] == ["strongman"]


def test_neutral_propaganda_devices_and_evaluative_idioms():
    assert _find("Both sides agreed to switch off the propaganda loudspeakers along the border.",
                 "Both sides agreed to switch off the loudspeakers along the border.") is None
    a = "The firm, whose collapse became a byword for corporate fraud, was wound up in 2002."
    f = _find(a, "The firm, whose collapse ended in court, was wound up in 2002.")
    assert f is not None and _evidence(a, f.a_spans) == ["byword for"]
