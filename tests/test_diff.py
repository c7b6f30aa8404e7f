"""Word diff: rebuilds both texts, ignores case and punctuation, finds the changed words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from compare.diff import word_diff, words_changed


def changed(a: str, b: str) -> list[tuple[str, str, str]]:
    return [(op.tag, op.a.strip(), op.b.strip()) for op in word_diff(a, b) if op.tag != "equal"]


def test_number_and_attribution_changes_are_found():
    got = changed(
        "Leaders agreed on a $40 billion deal, the minister said.",
        "Leaders agreed on a $35 billion deal, officials said.",
    )
    assert got == [("replace", "$40", "$35"), ("replace", "the minister", "officials")]


def test_case_and_punctuation_are_not_differences():
    assert changed('The Deal is "historic", he said.', "the deal is historic - he said!") == []


def test_digit_grouping_is_not_a_difference():
    assert changed("It cost 1,000 dollars.", "It cost 1000 dollars.") == []


def test_added_and_removed_words_are_counted():
    ops = word_diff("Protesters gathered outside the venue.", "Dozens of rioters gathered near the venue.")
    kept, removed, added = words_changed(ops)
    assert (kept, removed, added) == (3, 2, 4)


def test_chinese_is_diffed_per_character():
    assert changed("峰会周五结束。", "峰会周六结束。") == [("replace", "五", "六")]


def test_empty_side():
    assert [op.tag for op in word_diff("", "New text.")] == ["insert"]
    assert [op.tag for op in word_diff("Old text.", "")] == ["delete"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_ops_rebuild_both_texts(a, b):
    ops = word_diff(a, b)
    assert "".join(op.a for op in ops) == a
    assert "".join(op.b for op in ops) == b


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_identical_texts_have_no_changes(a):
    assert all(op.tag == "equal" for op in word_diff(a, a))
