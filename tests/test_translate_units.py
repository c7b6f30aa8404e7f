"""Translation subsystem, no model needed: registry, splitting, batching, guard, cache, lazy imports."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from compare.errors import ModelMissingError, UsageError
from compare.options import CompareOptions
from compare.translate.batching import batches
from compare.translate.cache import CachedTranslator, TranslationCache
from compare.translate.guard import decode_limit, max_repeats, runaway
from compare.translate.registry import builtin_registry_file, load_registry, parse_registry, route
from compare.translate.splitting import clauses, joiner, split_overlong, token_windows

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COMPARE_REGISTRY", str(tmp_path / "no-user-registry.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


# -- registry ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "model"),
    [
        ("ru", "Helsinki-NLP/opus-mt-ru-en"), ("zh", "Helsinki-NLP/opus-mt-zh-en"),
        ("ko", "Helsinki-NLP/opus-mt-ko-en"), ("ja", "Helsinki-NLP/opus-mt-ja-en"),
        ("ar", "Helsinki-NLP/opus-mt-ar-en"), ("de", "Helsinki-NLP/opus-mt-de-en"),
        ("fr", "Helsinki-NLP/opus-mt-fr-en"), ("es", "Helsinki-NLP/opus-mt-es-en"),
        ("uk", "Helsinki-NLP/opus-mt-uk-en"), ("vi", "Helsinki-NLP/opus-mt-vi-en"),
        ("pt", "Helsinki-NLP/opus-mt-mul-en"),  # no direct model: the multilingual fallback
    ],
)
def test_registry_routes_each_language_to_english(source: str, model: str) -> None:
    assert [e.model_id for e in route(source, "en")] == [model]


def test_builtin_registry_is_the_top_level_models_file() -> None:
    # One source of truth: models/registry.toml (shipped in the wheel as compare/translate/registry.toml).
    assert builtin_registry_file().read_bytes() == (REPO / "models" / "registry.toml").read_bytes()
    assert all(e.license for e in load_registry())


def test_multilingual_fallback_excludes_korean() -> None:
    mul = [e for e in load_registry() if e.model_id == "Helsinki-NLP/opus-mt-mul-en"]
    assert mul and "ko" not in mul[0].sources and "ru" in mul[0].sources


def test_english_to_multi_target_model_gets_its_target_token() -> None:
    (entry,) = route("en", "zh")
    assert entry.target_token == ">>cmn_Hans<<"


def test_pivot_through_english_when_no_direct_model() -> None:
    assert [e.model_id for e in route("ru", "de")] == ["Helsinki-NLP/opus-mt-ru-en", "Helsinki-NLP/opus-mt-en-de"]


def test_unknown_pair_says_how_to_add_an_entry() -> None:
    with pytest.raises(ModelMissingError) as err:
        route("qtz", "en")
    msg = str(err.value)
    assert "no translation model for qtz (qtz) -> English (en)" in msg
    assert "[[model]]" in msg and "COMPARE_REGISTRY" in msg and "\n" not in msg


def test_user_entries_win_and_can_point_at_a_local_directory(tmp_path: Path, monkeypatch) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[[model]]\nsource = "ru"\ntarget = "en"\npath = "my-ru-en"\nlicense = "mine"\n')
    monkeypatch.setenv("COMPARE_REGISTRY", str(user))
    (entry,) = route("ru", "en")
    assert entry.path == tmp_path / "my-ru-en" and entry.model_id == "my-ru-en" and entry.hub_id is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[model]]\ntarget = "en"\nid = "x/y"\n', "needs `source`"),
        ('[[model]]\nsource = "ru"\ntarget = "en"\n', "exactly one of `id` or `path`"),
        ('[[model]]\nsource = "russian"\ntarget = "en"\nid = "x/y"\n', "unknown language code"),
        ("[[model]\n", "cannot read model registry"),
    ],
)
def test_bad_registry_entries_are_reported_with_the_file(tmp_path: Path, text: str, problem: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(UsageError, match=problem) as err:
        parse_registry(bad, origin="user")
    assert str(bad) in str(err.value)


def test_same_source_and_target_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nothing to translate"):
        route("en", "en")


# -- offline and missing ----------------------------------------------------------
def test_offline_missing_model_is_one_line_with_the_pull_command() -> None:
    from compare.translate import get_translator

    with pytest.raises(ModelMissingError) as err:
        get_translator("ru", CompareOptions())  # HF_HUB_OFFLINE=1 from the fixture
    assert str(err.value) == (
        "no translation model for Russian (ru) -> English (en) is installed: "
        "Helsinki-NLP/opus-mt-ru-en; run: compare models pull ru"
    )


def test_offline_flag_also_blocks_downloads(monkeypatch) -> None:
    from compare.translate import get_translator

    monkeypatch.delenv("HF_HUB_OFFLINE")
    with pytest.raises(ModelMissingError, match="run: compare models pull ko"):
        get_translator("ko", CompareOptions(offline=True))


def test_no_directories_created_by_import_or_lookup(tmp_path: Path) -> None:
    import compare.translate  # noqa: F401

    route("ru", "en")
    assert not (tmp_path / "models").exists() and not (tmp_path / "cache").exists()


def test_importing_translate_loads_no_engine() -> None:
    code = (
        "import sys, compare.translate, compare.translate.cli;"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'sentencepiece') if m in sys.modules];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- splitting, batching, guard ----------------------------------------------------
@pytest.mark.parametrize("text", ["a, b; c: d", "один, два, три.", "一，二；三、四。", "no clause marks", "x — y — z"])
def test_clauses_rebuild_the_text(text: str) -> None:
    assert "".join(clauses(text)) == text


def test_split_overlong_keeps_every_word_and_respects_the_limit() -> None:
    text = ", ".join(f"w{i} w{i}x w{i}y" for i in range(30)) + "."
    count = lambda t: len(t.split()) + 1  # noqa: E731
    windows = lambda t, n: [" ".join(w) for w in token_windows(t.split(), n - 1)]  # noqa: E731
    chunks = split_overlong(text, limit=10, count=count, windows=windows)
    assert len(chunks) > 1 and all(count(c) <= 10 for c in chunks)
    assert " ".join(chunks).split() == text.split()
    assert split_overlong("short one", limit=10, count=count, windows=windows) == ["short one"]


def test_a_clause_without_punctuation_is_cut_into_token_windows_at_word_starts() -> None:
    pieces = ["▁a", "b", "c", "▁d", "e", "▁f", "▁g", "h", "i", "j", "▁k"]
    windows = token_windows(pieces, 4)
    assert [p for w in windows for p in w] == pieces and all(len(w) <= 4 for w in windows)
    assert all(w[0].startswith("▁") for w in windows[1:3])


def test_joiner_uses_no_space_for_chinese_and_japanese() -> None:
    assert joiner("zh") == "" and joiner("ja") == "" and joiner("en") == " "


def test_batches_are_length_sorted_cover_everything_and_respect_the_budget() -> None:
    lengths = [5, 40, 12, 40, 3, 25, 7, 7, 30, 1]
    plan = batches(lengths, budget=80, max_size=3)
    assert sorted(i for b in plan for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 3 and len(b) * max(lengths[i] for i in b) <= 80 for b in plan)
    flat = [lengths[i] for b in plan for i in b]
    assert flat == sorted(flat, reverse=True)
    assert batches([500], budget=80, max_size=3) == [[0]]  # longer than the budget: alone


def test_guard_flags_loops_ratio_and_cap_but_not_normal_output() -> None:
    src = ["▁one", "▁two", "▁three", "▁four"]
    assert runaway(src, ["▁un", "▁deux", "▁trois", "▁quatre"], cap=40) is None
    assert "repeated" in runaway(src, ["▁la"] * 6, cap=40)
    assert "repeated" in runaway(src, ["▁a", "▁b"] * 5, cap=40)
    assert "length cap" in runaway(src, ["▁x"] * 39, cap=40)
    assert "ratio" in runaway(["▁a"], [f"▁{i}" for i in range(20)], cap=100)
    assert runaway(["▁no", ","] * 4, ["▁no", ","] * 4, cap=40) is None  # the source repeats too
    assert max_repeats(["a", "b", "a", "b", "a", "b"]) == 3
    assert decode_limit(10, 512) == 40 and decode_limit(400, 512) == 512


# -- cache -------------------------------------------------------------------------
class CountingTranslator:
    model_id, engine = "fake", "ctranslate2"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, sentences):
        self.calls.append(list(sentences))
        return [s.upper() for s in sentences]


def test_cached_translator_builds_the_engine_only_on_a_miss(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "t.sqlite3")
    inner = CountingTranslator()
    built = []
    make = lambda: built.append(1) or inner  # noqa: E731
    first = CachedTranslator(cache, "k1", model_id="fake", engine="ctranslate2", factory=make)
    assert first.translate(["b", "a", "", "b"]) == ["B", "A", "", "B"]
    assert inner.calls == [["a", "b"]]  # deduplicated, blank skipped
    second = CachedTranslator(cache, "k1", model_id="fake", engine="ctranslate2", factory=make)
    assert second.translate(["a", " b ", ""]) == ["A", "B", ""] and not second.loaded
    assert len(built) == 1
    other_model = CachedTranslator(cache, "k2", model_id="fake", engine="ctranslate2", factory=make)
    other_model.translate(["a"])
    assert other_model.loaded and inner.calls[-1] == ["a"]  # the key separates models


class BatchDependentTranslator:
    """Like CTranslate2 with padding: a sentence's output depends on the rest of its batch."""

    model_id, engine = "fake", "ctranslate2"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, sentences):
        self.calls.append(list(sentences))
        return [f"{s.upper()}/{len(sentences)}" for s in sentences]


def test_a_documents_translations_do_not_depend_on_what_other_documents_cached(tmp_path: Path) -> None:
    """Batch runs in parallel must equal serial ones: a document is translated whole, in batches made
    from its own sentences only, whatever other documents put in the cache before it."""

    def run(order: list[list[str]]) -> dict[str, list[str]]:
        cache = TranslationCache(tmp_path / f"{len(list(tmp_path.iterdir()))}.sqlite3")
        inner = BatchDependentTranslator()
        t = CachedTranslator(cache, "k", model_id="fake", engine="ctranslate2", factory=lambda: inner)
        return {"|".join(doc): t.translate(doc) for doc in order}

    shared = "the summit ended"
    doc_a, doc_b = [shared, "fees were cut"], [shared, "fuel talks failed", "more in march"]
    a_first, b_first = run([doc_a, doc_b]), run([doc_b, doc_a])
    assert a_first == b_first
    assert a_first["|".join(doc_b)][0] == "THE SUMMIT ENDED/3"  # translated with its own document
    cache = TranslationCache(tmp_path / "rerun.sqlite3")
    inner = BatchDependentTranslator()
    t = CachedTranslator(cache, "k", model_id="fake", engine="ctranslate2", factory=lambda: inner)
    t.translate(doc_b)
    assert t.translate(list(reversed(doc_b))) == list(reversed(t.translate(doc_b)))  # order alone: a cache hit
    assert len(inner.calls) == 1


def test_cache_info_and_clear(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "t.sqlite3")
    cache.put_many("m1|x", {"a": "A", "b": "B"})
    cache.put_many("m2|y", {"a": "AA"})
    info = cache.info()
    assert info.entries == 3 and info.models == {"m1|x": 2, "m2|y": 1} and info.size_bytes > 0
    assert cache.clear("m2") == 1 and cache.get_many("m1|x", ["a"]) == {"a": "A"}
    assert cache.clear() == 2 and cache.info().entries == 0


def _writer(args: tuple[str, int]) -> int:
    path, worker = args
    cache = TranslationCache(Path(path))
    for batch in range(10):
        # Half the keys are shared by every worker, half are the worker's own.
        pairs = {f"shared {batch} {i}": f"SHARED {batch} {i}" for i in range(20)}
        pairs |= {f"own {worker} {batch} {i}": f"OWN {worker} {batch} {i}" for i in range(20)}
        cache.put_many("model", pairs)
        got = cache.get_many("model", list(pairs))
        assert got == pairs
    return worker


def test_eight_processes_share_one_cache_without_loss_or_corruption(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "translations.sqlite3"
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        assert sorted(pool.map(_writer, [(str(path), w) for w in range(8)])) == list(range(8))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    rows = dict(conn.execute("SELECT source, translation FROM translations"))
    assert len(rows) == 10 * 20 + 8 * 10 * 20
    assert all(t == s.upper() for s, t in rows.items())


def test_pivot_translator_chains_its_legs_in_order() -> None:
    from compare.translate.factory import PivotTranslator

    class Leg:
        engine, loaded = "ctranslate2", False

        def __init__(self, model_id: str, suffix: str) -> None:
            self.model_id, self.suffix = model_id, suffix

        def translate(self, sentences):
            return [s + self.suffix for s in sentences]

    pivot = PivotTranslator([Leg("ru-en", " [en]"), Leg("en-de", " [de]")])
    assert pivot.translate(["a", "b"]) == ["a [en] [de]", "b [en] [de]"]
    assert (pivot.model_id, pivot.engine, pivot.loaded) == ("ru-en+en-de", "ctranslate2", False)


def test_a_gpu_without_the_cublas_ctranslate2_needs_runs_on_the_cpu(monkeypatch) -> None:
    """A GPU driver without cuBLAS 12: CTranslate2 would see the GPU and fail at the first
    product; "auto" warns and uses the CPU, "cuda" says what to install in one line."""
    ctranslate2 = pytest.importorskip("ctranslate2")
    from compare.translate import ct2

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    monkeypatch.setattr(ct2, "_missing_cublas", lambda version: "libcublas.so.12")
    monkeypatch.setattr(ct2, "_CUDA_USABLE", None)
    with pytest.warns(RuntimeWarning, match="libcublas.so.12.*running on the CPU"):
        assert ct2.resolve_device("auto") == "cpu"
    monkeypatch.setattr(ct2, "_CUDA_USABLE", None)
    with pytest.raises(UsageError, match="nvidia-cublas-cu12.*--device cpu"):
        ct2.resolve_device("cuda")
    assert ct2.resolve_device("cpu") == "cpu"


def test_gpu_batches_are_larger_than_the_cpus() -> None:
    """On CUDA a beam-4 sub-batch holds far more than the CPU's 8 sentences (a GPU fed 8 at a
    time decoded 155 sentences/s, below transformers; see the README's GPU figures)."""
    from compare.translate.ct2 import sub_batch_size
    from compare.translate.marian import batch_limits

    assert sub_batch_size(4) == 8 and sub_batch_size(4, "cuda") >= 128
    assert batch_limits("cuda")[0] > batch_limits("cpu")[0] and batch_limits("cuda")[1] > batch_limits("cpu")[1]
