"""Persistent translation cache (SQLite, WAL) wrapping any Translator.

Keyed by model id + model fingerprint + engine + decoding settings + source
sentence, so a second run of the same comparison is answered from the cache
and loads no model at all (the wrapped translator is built on the first
miss). WAL lets readers and one writer work at once; writes are short
`BEGIN IMMEDIATE` transactions with a generous busy timeout, so parallel CI
jobs sharing one cache neither lose entries nor corrupt the file.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .base import Translator

FILENAME = "translations.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,      -- sha256(model key + source)
    model TEXT NOT NULL,       -- the model key (readable), for `cache info` / `clear --model`
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    created REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS translations_model ON translations(model);
"""
_CHUNK = 500  # stay below SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: Path
    entries: int
    size_bytes: int
    models: dict[str, int]


class TranslationCache:
    """One SQLite file of translations; a fresh connection per operation (fork/thread safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 60000")
        for attempt in range(50):  # switching to WAL needs a moment of exclusive access
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05 * (attempt + 1))
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @staticmethod
    def key(model_key: str, source: str) -> str:
        return hashlib.sha256(f"{model_key}\x00{source}".encode()).hexdigest()

    def get_many(self, model_key: str, sources: Sequence[str]) -> dict[str, str]:
        """Cached translations for those of `sources` that have one."""
        if not self.path.exists():
            return {}
        keys = {self.key(model_key, s): s for s in sources}
        found: dict[str, str] = {}
        with closing(self._connect()) as conn:
            for chunk in _chunks(list(keys)):
                marks = ",".join("?" * len(chunk))
                for key, translation in conn.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({marks})", chunk
                ):
                    found[keys[key]] = translation
        return found

    def put_many(self, model_key: str, pairs: dict[str, str]) -> None:
        now = time.time()
        rows = [(self.key(model_key, s), model_key, s, t, now) for s, t in pairs.items()]
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR IGNORE INTO translations VALUES (?, ?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def info(self) -> CacheInfo:
        if not self.path.exists():
            return CacheInfo(self.path, 0, 0, {})
        with closing(self._connect()) as conn:
            models = dict(conn.execute("SELECT model, COUNT(*) FROM translations GROUP BY model ORDER BY model"))
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        return CacheInfo(self.path, sum(models.values()), size, models)

    def clear(self, model: str | None = None) -> int:
        """Delete entries (all, or those whose model key contains `model`); return how many."""
        if not self.path.exists():
            return 0
        with closing(self._connect()) as conn:
            if model is None:
                n = conn.execute("DELETE FROM translations").rowcount
            else:
                n = conn.execute("DELETE FROM translations WHERE instr(model, ?) > 0", (model,)).rowcount
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("VACUUM")
        return n


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class CachedTranslator:
    """A Translator that answers from the cache and builds the real one only on a miss."""

    def __init__(self, cache: TranslationCache, model_key: str, *, model_id: str, engine: str,
                 factory: Callable[[], Translator]) -> None:
        self.cache, self.model_key = cache, model_key
        self._model_id, self._engine = model_id, engine
        self._factory = factory
        self._inner: Translator | None = None

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def engine(self) -> str:
        return self._engine

    @property
    def loaded(self) -> bool:
        """Whether the model was loaded (False after a fully cached run)."""
        return self._inner is not None

    @property
    def flags(self) -> dict[str, str]:
        return dict(getattr(self._inner, "flags", {}))

    def translate(self, sentences: Sequence[str]) -> list[str]:
        texts = [" ".join(s.split()) for s in sentences]
        wanted = sorted({t for t in texts if t})
        known = self.cache.get_many(self.model_key, wanted)
        missing = [t for t in wanted if t not in known]
        if missing:
            if self._inner is None:
                self._inner = self._factory()
            fresh = dict(zip(missing, self._inner.translate(missing), strict=True))
            self.cache.put_many(self.model_key, fresh)
            known.update(fresh)
        return [known[t] if t else "" for t in texts]
