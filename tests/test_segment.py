"""Sentence segmentation: known cases per language, and offsets that always slice back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.segment import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Mr. Smith met Dr. Jones in Geneva. They talked.", ["Mr. Smith met Dr. Jones in Geneva.", "They talked."]),
        ("The U.S. economy grew 2.5 percent. Growth slowed.", ["The U.S. economy grew 2.5 percent.", "Growth slowed."]),
        ('"We agreed," he said. "Now we sign."', ['"We agreed," he said.', '"Now we sign."']),
        ("Talks ended at 5 p.m. on Friday. Leaders left.", ["Talks ended at 5 p.m. on Friday.", "Leaders left."]),
        ("It cost $1,000.50 in total. Nobody paid.", ["It cost $1,000.50 in total.", "Nobody paid."]),
        ("J. R. Smith won. Fans cheered.", ["J. R. Smith won.", "Fans cheered."]),
        ("Wait... what happened? Nobody knows.", ["Wait... what happened?", "Nobody knows."]),
        ("Headline without a stop\n\nBody starts here. And goes on.", ["Headline without a stop", "Body starts here.", "And goes on."]),
        ("Саммит завершился в г. Женеве. Участники подписали документ.", ["Саммит завершился в г. Женеве.", "Участники подписали документ."]),
        ("«Мы договорились», — заявил министр. Переговоры продолжатся.", ["«Мы договорились», — заявил министр.", "Переговоры продолжатся."]),
        ("会议于周五结束。各方达成共识！他说：“很好。”然后离开。", ["会议于周五结束。", "各方达成共识！", "他说：“很好。”", "然后离开。"]),
        ("首脳会議は金曜日に閉幕した。合意は来月署名される。", ["首脳会議は金曜日に閉幕した。", "合意は来月署名される。"]),
        ("정상회의가 끝났다. 그는 \"좋다\"고 말했다.", ["정상회의가 끝났다.", "그는 \"좋다\"고 말했다."]),
        ("انتهت القمة يوم الجمعة. هل سيتم التوقيع؟ لا أحد يعرف.", ["انتهت القمة يوم الجمعة.", "هل سيتم التوقيع؟", "لا أحد يعرف."]),
        ("Der Gipfel endete am 12. März. Die Minister reisten ab.", ["Der Gipfel endete am 12. März.", "Die Minister reisten ab."]),
        ("First line\nSecond line\n", ["First line", "Second line"]),
        # News style: abbreviations before capitals that continue the sentence.
        ("U.S. Sen. John Smith spoke. Lt. Gen. Ray Odierno, the U.S. Army chief, agreed.",
         ["U.S. Sen. John Smith spoke.", "Lt. Gen. Ray Odierno, the U.S. Army chief, agreed."]),
        ("The U.N. Security Council met at 3 p.m. Friday. The Rev. Jesse Jackson spoke.",
         ["The U.N. Security Council met at 3 p.m. Friday.", "The Rev. Jesse Jackson spoke."]),
        ("They met in the U.S. The talks ended at 5 p.m. The leaders left.",
         ["They met in the U.S.", "The talks ended at 5 p.m.", "The leaders left."]),
        ("* * *\n\nText after a separator.", ["Text after a separator."]),
    ],
)
def test_known_boundaries(text, expected):
    assert sentences(text) == expected


def test_hard_wrapped_lines_are_joined():
    text = (
        "Leaders of twelve countries agreed on Friday on a trade deal that\n"
        "cuts tariffs on steel and grain, ending two days of tense talks in\n"
        "Geneva. The host government called it a historic day for the region\n"
        "and promised that the remaining issues would be settled by March.\n"
    )
    got = sentences(text)
    assert len(got) == 2
    assert got[0].startswith("Leaders") and got[0].endswith("Geneva.")


def test_windows_line_endings():
    assert sentences("Headline\r\n\r\nFirst sentence. Second one.\r\n") == [
        "Headline",
        "First sentence.",
        "Second one.",
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_offsets_always_slice_back_and_lose_no_words(text):
    spans = split_sentences(text)
    prev_end = 0
    for s in spans:
        assert prev_end <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece == piece.strip() and piece
        prev_end = s.end
    # every letter or digit of the input lands in exactly one sentence
    covered = sum(sum(ch.isalnum() for ch in text[s.start : s.end]) for s in spans)
    assert covered == sum(ch.isalnum() for ch in text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["The talks ended.", "Prices rose 2.5%!", "Why now?", "Mr. Lee left.", "会议结束。"]), min_size=1, max_size=12))
def test_joined_sentences_split_back(parts):
    assert sentences(" ".join(parts)) == parts
