"""Properties of the whole comparison, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from compare import DocumentInput, compare_documents

WORDS = st.sampled_from(
    "summit leaders trade deal tariffs steel grain police protesters minister signed agreed talks "
    "billion countries Geneva Friday March historic host venue officials said rose fell".split()
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=12, unique=True).map(lambda ws: " ".join(ws).capitalize() + ".")
ARTICLE = st.lists(SENTENCE, min_size=1, max_size=12, unique=True).map(" ".join)


def _pairs(result):
    (comp,) = result.comparisons
    return comp, {(link.a, link.b): link for link in comp.links}


@settings(max_examples=40, deadline=None)
@given(ARTICLE)
def test_a_document_compared_with_itself_links_every_sentence_to_itself(text):
    result = compare_documents([DocumentInput(text, "a", "en"), DocumentInput(text, "b", "en")])
    comp, _ = _pairs(result)
    n = len(result.documents[0].sentences)
    pairs = {(i, j) for link in comp.links for i in link.a for j in link.b}
    assert {(i, i) for i in range(n)} <= pairs
    # Other pairs join two near-duplicate sentences of the article ("Summit leaders trade." /
    # "Summit leaders trade deal."), and then both ways: a comparison with itself is symmetric.
    assert pairs == {(j, i) for i, j in pairs}
    assert comp.only_in_a == comp.only_in_b == ()
    assert all(op.tag == "equal" for link in comp.links if link.a == link.b and len(link.a) == 1 for op in link.diff)


@settings(max_examples=40, deadline=None)
@given(ARTICLE, ARTICLE)
def test_swapping_documents_mirrors_the_links(x, y):
    ab = compare_documents([DocumentInput(x, "x", "en"), DocumentInput(y, "y", "en")])
    ba = compare_documents([DocumentInput(y, "y", "en"), DocumentInput(x, "x", "en")])
    (cab,), (cba,) = ab.comparisons, ba.comparisons
    # The same links; scores equal up to one unit of their 4-decimal rounding (the blocked
    # scorer sums rows and columns in different orders, so float32 sums can differ in the last bit).
    assert {(l.a, l.b) for l in cab.links} == {(l.b, l.a) for l in cba.links}
    mirrored = {(l.b, l.a): l.score for l in cba.links}
    assert all(abs(l.score - mirrored[(l.a, l.b)]) <= 1.5e-4 for l in cab.links)
    assert cab.only_in_a == cba.only_in_b and cab.only_in_b == cba.only_in_a


@settings(max_examples=40, deadline=None)
@given(ARTICLE, ARTICLE)
def test_scores_are_probabilities(x, y):
    result = compare_documents([DocumentInput(x, "x", "en"), DocumentInput(y, "y", "en")])
    assert all(0.0 <= link.score <= 1.0 for link in result.comparisons[0].links)
