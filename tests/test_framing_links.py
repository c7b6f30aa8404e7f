"""Findings on the aligner's n:m links: a sentence of a several-sentence side that does not
correspond to the other side's sentences gives no evidence (compare/framing/detect.py)."""

from __future__ import annotations

from compare.framing import DETECTORS
from compare.framing.detect import find, matched_part
from compare.result import Document, Link, Sentence

ALL = list(DETECTORS)
BRIDGE_B = ["The Key Bridge collapsed early on Tuesday after a cargo ship struck one of its supports."]
BRIDGE_A = "A cargo ship struck a support of the Key Bridge early on Tuesday, and the bridge collapsed into the river."


def _doc(doc_id: str, sentences: list[str]) -> Document:
    return Document(
        id=doc_id, label=doc_id, path=None, language="en", language_source="given", encoding=None,
        sentences=tuple(Sentence(index=k, start=0, end=len(s), text=s) for k, s in enumerate(sentences)),
    )


def _link(a: tuple[int, ...], b: tuple[int, ...]) -> Link:
    return Link(a=a, b=b, score=0.9, strength="strong")


def test_a_frame_in_the_sentence_that_matches_nothing_on_the_other_side_is_no_finding():
    # 2:1 link: the second sentence of A shares no word with B (the aligner joined it for its
    # neighbour's sake); its "the head of Binance said" does not credit the bridge's collapse.
    a = _doc("wire", [BRIDGE_A, "Crypto lenders have paused withdrawals, the head of Binance said."])
    b = _doc("daily", BRIDGE_B)
    assert find(a, b, [_link((0, 1), (0,))], ALL) == ()
    assert matched_part(a, b, _link((0, 1), (0,))).a == (0,)
    # The same frame on the sentence both sides report is a finding, on the link as shown.
    a2 = _doc("wire", [BRIDGE_A.rstrip(".") + ", the transport secretary said.",
                       "Crypto lenders have paused withdrawals."])
    (f,) = find(a2, b, [_link((0, 1), (0,))], ["attribution"])
    assert (f.a, f.b) == ((0, 1), (0,)) and "the transport secretary said" in f.summary


def test_a_side_whose_sentences_all_correspond_is_read_whole():
    # 1:2 link where both of B's sentences share words with A: nothing is left out, and a figure
    # in B's second sentence still differs from A's.
    a = _doc("wire", ["The cargo ship Dali struck the Key Bridge on Tuesday, and the bridge collapsed, "
                      "killing six workers."])
    b = _doc("daily", ["The Key Bridge collapsed on Tuesday after the cargo ship Dali struck it.",
                       "Eight workers on the bridge were killed when it collapsed."])
    link = _link((0,), (0, 1))
    assert matched_part(a, b, link) is link
    (f,) = find(a, b, [link], ["number"])
    assert (f.a, f.b) == ((0,), (0, 1)) and f.b_spans[0].sentence == 1


def test_a_side_keeps_its_best_sentence_when_none_shares_enough():
    a = _doc("wire", ["Markets were calm.", "Crypto lenders paused withdrawals."])
    b = _doc("daily", ["The storm reached the coast at night."])
    kept = matched_part(a, b, _link((0, 1), (0,)))
    assert len(kept.a) == 1 and kept.b == (0,)
