"""The persistent embedding cache: exact round trips, safe sharing, and a broken file never fails a run."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from compare import sqlite_store
from compare.embed_cache import FILENAME, EmbeddingCache
from compare.sqlite_store import CacheWarning
from compare.translate.cache import FILENAME as TRANSLATIONS
from compare.translate.cache import TranslationCache

DIM = 384
MODEL = "all-MiniLM-L6-v2|numpy-float32|abc123"


def _vectors(seed: int, pieces: int | None) -> tuple[np.ndarray, np.ndarray | None]:
    rng = np.random.default_rng(seed)
    vector = rng.standard_normal(DIM).astype(np.float32)
    tokens = None if pieces is None else rng.standard_normal((pieces, DIM)).astype(np.float16)
    return vector, tokens


def _same(a: tuple[np.ndarray, np.ndarray | None], b: tuple[np.ndarray, np.ndarray | None]) -> bool:
    """Bit for bit equal (dtype, shape and bytes), the word pieces too."""
    if a[0].dtype != b[0].dtype or a[0].tobytes() != b[0].tobytes():
        return False
    if a[1] is None or b[1] is None:
        return a[1] is None and b[1] is None
    return a[1].dtype == b[1].dtype and a[1].shape == b[1].shape and a[1].tobytes() == b[1].tobytes()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def cache_warnings(recwarn: pytest.WarningsRecorder):  # noqa: ANN201
    return lambda: [str(w.message) for w in recwarn if issubclass(w.category, CacheWarning)]


def test_vectors_and_word_pieces_round_trip_bit_for_bit(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / FILENAME)
    rows = {f"Sentence {i}: the minister said {i} times." if i else "": _vectors(i, 3 + i) for i in range(40)}
    rows["Ünïcödé — 北京 «quoted»"] = _vectors(99, 17)
    rows["nothing but [CLS] [SEP]"] = _vectors(98, 0)  # no word pieces at all is not "not computed"
    rows["tiny values"] = (np.full(DIM, 1e-40, np.float32), np.full((2, DIM), 6e-8, np.float16))  # subnormals
    cache.put_many(MODEL, rows)
    got = cache.get_many(MODEL, [*rows, "never stored"], tokens=True)
    assert set(got) == set(rows)
    assert all(_same(got[text], rows[text]) for text in rows)
    assert got["nothing but [CLS] [SEP]"][1].shape == (0, DIM)
    vectors_only = cache.get_many(MODEL, list(rows), tokens=False)
    assert all(_same(vectors_only[t], (rows[t][0], None)) for t in rows)  # word pieces not read
    assert cache.get_many("another model", list(rows), tokens=False) == {}  # the key includes the model
    assert cache.info().entries == len(rows) and cache.info().models == {MODEL: len(rows)}


def test_batches_larger_than_one_query_or_transaction_round_trip(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / FILENAME)
    rows = {f"text {i}": _vectors(i, i % 2 or None) for i in range(1201)}  # 3 chunks of at most 500
    cache.put_many(MODEL, rows)
    got = cache.get_many(MODEL, list(rows), tokens=False)
    assert len(got) == 1201 and all(_same(got[t], (v, None)) for t, (v, _) in rows.items())
    full = cache.get_many(MODEL, list(rows), tokens=True)
    assert sorted(full) == sorted(t for t, (_, p) in rows.items() if p is not None)
    assert all(_same(full[t], rows[t]) for t in full)


def test_word_pieces_are_a_miss_until_stored_and_are_never_dropped(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / FILENAME)
    first, later = _vectors(1, None), _vectors(2, 9)
    cache.put_many(MODEL, {"a": first})
    assert "a" not in cache.get_many(MODEL, ["a"], tokens=True)  # no word pieces: a miss
    assert _same(cache.get_many(MODEL, ["a"], tokens=False)["a"], first)
    cache.put_many(MODEL, {"a": later})  # adds the word pieces (and that pass's sentence vector)
    assert _same(cache.get_many(MODEL, ["a"], tokens=True)["a"], later)
    cache.put_many(MODEL, {"a": _vectors(3, None)})  # a sentence-only row never replaces a full one
    cache.put_many(MODEL, {"a": _vectors(4, 5)})  # nor does another full one
    assert _same(cache.get_many(MODEL, ["a"], tokens=True)["a"], later)
    assert cache.info().entries == 1


@pytest.mark.parametrize(
    ("vector", "tokens", "expected"),
    [
        (np.zeros(DIM, np.float64), None, "float64"),
        (np.zeros((1, DIM), np.float32), None, "float32 (dim,)"),
        (np.zeros(DIM, ">f4"), None, ">f4"),  # float32, but bytes another machine would read wrong
        (np.zeros(DIM, np.float32), np.zeros((3, DIM), np.float32), "float16 (pieces, 384)"),
        (np.zeros(DIM, np.float32), np.zeros((3, 100), np.float16), "(3, 100)"),
    ],
)
def test_arrays_are_stored_as_given_or_refused(tmp_path: Path, vector, tokens, expected: str) -> None:
    cache = EmbeddingCache(tmp_path / FILENAME)
    with pytest.raises(ValueError, match=re.escape(expected)):
        cache.put_many(MODEL, {"ok": _vectors(1, 2), "bad": (vector, tokens)})
    assert cache.info().entries == 0  # nothing of the batch written: converting would break cached == uncached


def _writer(args: tuple[str, int]) -> int:
    path, worker = args
    cache = EmbeddingCache(Path(path))
    for batch in range(6):
        # Half the texts are shared by every worker (some with word pieces), half are the worker's own.
        rows = {f"shared {batch} {i}": _vectors(batch * 100 + i, i % 3 or None) for i in range(15)}
        rows |= {f"own {worker} {batch} {i}": _vectors(10_000 * worker + batch * 100 + i, 4) for i in range(15)}
        cache.put_many(MODEL, rows)
        got = cache.get_many(MODEL, list(rows), tokens=False)
        assert all(_same(got[t], (v, None)) for t, (v, _) in rows.items())
    return worker


def test_four_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared" / FILENAME
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert sorted(pool.map(_writer, [(str(path), w) for w in range(4)])) == list(range(4))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    cache = EmbeddingCache(path)
    assert cache.info().entries == 6 * 15 + 4 * 6 * 15
    own = {f"own {w} {b} {i}": _vectors(10_000 * w + b * 100 + i, 4) for w in range(4) for b in range(6)
           for i in range(15)}
    got = cache.get_many(MODEL, list(own), tokens=True)
    assert len(got) == len(own) and all(_same(got[t], own[t]) for t in own)
    shared_full = {f"shared {b} {i}": _vectors(b * 100 + i, i % 3) for b in range(6) for i in range(15) if i % 3}
    got = cache.get_many(MODEL, list(shared_full), tokens=True)
    assert len(got) == len(shared_full) and all(_same(got[t], shared_full[t]) for t in shared_full)


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _truncated(path: Path) -> None:
    EmbeddingCache(path).put_many(MODEL, {f"s{i}": _vectors(i, 20) for i in range(60)})
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def _other_tables(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")


def _wrong_columns(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE embeddings (key TEXT PRIMARY KEY, vector BLOB)")


BROKEN = {"garbage": _garbage, "truncated": _truncated, "other-tables": _other_tables,
          "wrong-columns": _wrong_columns}


@pytest.mark.parametrize("damage", sorted(BROKEN))
def test_a_broken_or_foreign_file_is_one_warning_and_never_touched(tmp_path: Path, damage: str,
                                                                  cache_warnings) -> None:
    path = tmp_path / FILENAME
    BROKEN[damage](path)
    before = path.read_bytes()
    cache = EmbeddingCache(path)
    for _ in range(2):  # a second batch of the same run: no second warning
        assert cache.get_many(MODEL, ["s1", "s2"], tokens=False) == {}
        cache.put_many(MODEL, {"new": _vectors(7, 3)})  # a no-op, no exception
    (warning,) = cache_warnings()
    assert warning.startswith(f"{path}: embedding cache cannot be used (") and "\n" not in warning
    assert warning.endswith("embedding without it; run `compare cache clear` to reset it")
    assert path.read_bytes() == before


def test_a_read_only_cache_is_read_but_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     cache_warnings) -> None:
    path = tmp_path / FILENAME
    stored = {"kept": _vectors(1, 4)}
    EmbeddingCache(path).put_many(MODEL, stored)
    real = sqlite_store.open_db  # what a read-only file or folder does to SQLite (root ignores chmod)
    monkeypatch.setattr(sqlite_store, "open_db", lambda uri: real(re.sub(r"mode=rwc?\b", "mode=ro", uri)))
    cache = EmbeddingCache(path)
    assert _same(cache.get_many(MODEL, ["kept"], tokens=True)["kept"], stored["kept"])
    assert cache_warnings() == []  # nothing to write yet: nothing to say
    cache.put_many(MODEL, {"new": _vectors(2, 4)})
    (warning,) = cache_warnings()
    assert warning.startswith(f"{path}: embedding cache is read-only (attempt to write a readonly database)")
    assert "cached embeddings are used, new ones are not saved" in warning
    assert _same(cache.get_many(MODEL, ["kept", "new"], tokens=True)["kept"], stored["kept"])  # still read
    monkeypatch.undo()
    assert EmbeddingCache(path).get_many(MODEL, ["new"], tokens=False) == {}  # nothing written


def test_cache_info_lists_both_caches_and_clear_empties_them(cache_dir: Path, run_cli) -> None:
    EmbeddingCache(cache_dir / FILENAME).put_many(MODEL, {f"s{i}": _vectors(i, 2) for i in range(5)})
    EmbeddingCache(cache_dir / FILENAME).put_many("other-encoder", {"s0": _vectors(0, None)})
    TranslationCache(cache_dir / TRANSLATIONS).put_many("toy-marian|v1", {"a": "A", "b": "B"})
    info = run_cli("cache", "info")
    assert info.exit_code == 0, info.stderr
    translations, embeddings = info.stdout.split("embedding cache:")
    assert translations.startswith("translation cache:") and "entries: 2" in translations
    assert f"path: {cache_dir / FILENAME}" in embeddings and "entries: 6" in embeddings
    assert re.search(rf"^\s+5  {re.escape(MODEL)}$", embeddings, re.M)
    only = run_cli("cache", "clear", "--model", "other-encoder")
    assert only.stdout.splitlines() == ["removed 0 cached translation(s)", "removed 1 cached embedding(s)"]
    res = run_cli("cache", "clear")
    assert res.exit_code == 0 and res.stdout.splitlines() == ["removed 2 cached translation(s)",
                                                              "removed 5 cached embedding(s)"]
    after = run_cli("cache", "info").stdout
    assert after.count("entries: 0") == 2
    assert EmbeddingCache(cache_dir / FILENAME).get_many(MODEL, ["s0"], tokens=False) == {}


def test_cache_clear_removes_a_broken_embedding_cache_and_caching_works_again(cache_dir: Path, run_cli) -> None:
    path = cache_dir / FILENAME
    cache_dir.mkdir()
    _garbage(path)
    path.with_name(path.name + "-wal").write_bytes(b"\x00" * 64)
    info = run_cli("cache", "info").stdout.split("embedding cache:")[1]
    assert "status: cannot be read (file is not a database); run `compare cache clear`" in info
    res = run_cli("cache", "clear")
    assert res.exit_code == 0 and res.stderr == ""
    assert res.stdout.splitlines()[1].startswith("removed the unreadable embedding cache (file is not a database): ")
    assert sorted(p.name for p in cache_dir.iterdir()) == []  # the empty translation cache was not created either
    EmbeddingCache(path).put_many(MODEL, {"again": _vectors(5, 3)})
    assert _same(EmbeddingCache(path).get_many(MODEL, ["again"], tokens=True)["again"], _vectors(5, 3))


def test_the_cache_drops_its_oldest_entries_past_its_size_bound(tmp_path, monkeypatch):
    # Scheduled batches embed new sentences every day: the file must not grow without end.
    monkeypatch.setenv("COMPARE_EMBED_CACHE_MB", "1")
    cache = EmbeddingCache(tmp_path / FILENAME)
    sizes = []
    for day in range(24):  # ~0.37 MB of word pieces a batch: ~9 MB unbounded
        cache.put_many(MODEL, {f"day {day} sentence {k}": _vectors(day * 100 + k, 30) for k in range(16)})
        sizes.append(sum(p.stat().st_size for p in cache.files()))
    # Freed pages are reused: the file levels off a little above the bound instead of growing.
    assert max(sizes) < 3 * 1024 * 1024 and sizes[-1] <= max(sizes[:12]) * 1.25
    newest = cache.get_many(MODEL, [f"day 23 sentence {k}" for k in range(16)], tokens=True)
    oldest = cache.get_many(MODEL, [f"day 0 sentence {k}" for k in range(16)], tokens=True)
    assert len(newest) == 16 and not oldest
