"""Persistent translation cache (SQLite, WAL) wrapping any Translator.

Keyed by model id + model fingerprint + engine + decoding settings + the
document's sentence set + source sentence (see CachedTranslator.translate), so a second run of the same comparison is answered from the cache
and loads no model at all (the wrapped translator is built on the first
miss). The SQLite discipline (WAL, short writes, safe for parallel processes,
a damaged or read-only cache is one warning, never a failed run) lives in
compare/sqlite_store.py, shared with the embedding cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Sequence

from ..sqlite_store import (  # noqa: F401  (re-exported: the translation cache's public names)
    CLEAR_HINT,
    PERMISSION_HINT,
    CacheBrokenError,
    CacheInfo,
    CacheWarning,
    SqliteStore,
    chunks,
    open_db,
)
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

# Module-level, looked up at each open, so a test can force every open read-only.
_open = open_db


class TranslationCache(SqliteStore):
    """One SQLite file of translations; a fresh connection per operation (fork/thread safe).

    A cache that cannot be used (truncated or garbage file, another schema, a
    read-only file or folder) never fails a translation: it is reported once as a
    warning and translations run without it (or only read from it, if read-only).
    """

    TABLE = "translations"
    SCHEMA = _SCHEMA
    COLUMNS = frozenset({"key", "model", "source", "translation", "created"})
    NOUN, ITEMS, WITHOUT = "translation cache", "translations", "translating without it"

    def _open(self, uri: str) -> sqlite3.Connection:
        return _open(uri)

    @staticmethod
    def key(model_key: str, source: str) -> str:
        return hashlib.sha256(f"{model_key}\x00{source}".encode()).hexdigest()

    def get_many(self, model_key: str, sources: Sequence[str]) -> dict[str, str]:
        """Cached translations for those of `sources` that have one."""
        if not self.path.exists():
            return {}
        keys = {self.key(model_key, s): s for s in sources}

        def read(conn: sqlite3.Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for chunk in chunks(list(keys)):
                marks = ",".join("?" * len(chunk))
                for key, translation in conn.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({marks})", chunk
                ):
                    found[keys[key]] = translation
            return found

        return self._use(read, write=False, default={})

    def put_many(self, model_key: str, pairs: dict[str, str]) -> None:
        now = time.time()
        rows = [(self.key(model_key, s), model_key, s, t, now) for s, t in pairs.items()]
        self._write("INSERT OR IGNORE INTO translations VALUES (?, ?, ?, ?, ?)", rows)


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
        """`sentences` are one document: entries are keyed by the document's sentence set too.

        CTranslate2 can translate a sentence differently depending on the other sentences of its
        batch (padding), and the engine batches what it is given. Translating only a document's
        cache misses would make its batches, so its translations, depend on what other documents
        had cached before (batch runs in parallel would differ from serial ones). Instead a
        document is translated whole or read whole: its text alone decides its translations.
        """
        texts = [" ".join(s.split()) for s in sentences]
        wanted = sorted({t for t in texts if t})
        key = self.document_key(wanted)
        known = self.cache.get_many(key, wanted)
        if len(known) < len(wanted):
            if self._inner is None:
                self._inner = self._factory()
            known = dict(zip(wanted, self._inner.translate(wanted), strict=True))
            self.cache.put_many(key, known)
        return [known[t] if t else "" for t in texts]

    def document_key(self, wanted: Sequence[str]) -> str:
        digest = hashlib.sha256("\x00".join(wanted).encode("utf-8", "surrogatepass")).hexdigest()[:24]
        return f"{self.model_key}\x00doc={digest}"
