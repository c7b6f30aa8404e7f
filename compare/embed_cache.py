"""Persistent sentence-embedding cache (SQLite, WAL), next to the translation cache.

One row per (model key, exact text): the float32 sentence vector and, when
they were computed, the float16 word-piece vectors (pieces x dim), both as raw
bytes, so a cached run gets bit for bit what the uncached run computed. The
model key must name everything the vectors depend on (weights, backend and
its quantisation). Same discipline as the translation cache
(compare/sqlite_store.py): safe for parallel processes, and a damaged,
foreign or read-only file is one warning, never a failed run.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .sqlite_store import SqliteStore, chunks

if TYPE_CHECKING:
    import numpy as np

FILENAME = "embeddings.sqlite3"
ENV_MAX_MB = "COMPARE_EMBED_CACHE_MB"
DEFAULT_MAX_MB = 2048


def max_bytes() -> int:
    """The size past which the oldest entries are dropped: $COMPARE_EMBED_CACHE_MB, else 2 GB."""
    try:
        return max(1, int(float(os.environ.get(ENV_MAX_MB, DEFAULT_MAX_MB)) * 1024 * 1024))
    except ValueError:
        return DEFAULT_MAX_MB * 1024 * 1024
# A rowid table, not WITHOUT ROWID: rows of ~20 KB live on overflow pages, which a
# WITHOUT ROWID b-tree reads 3-4x slower (measured). `tokens` comes last so that
# reading only sentence vectors never touches its overflow pages.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key TEXT PRIMARY KEY,      -- sha256(model key + "\\0" + text)
    model TEXT NOT NULL,       -- the model key (readable), for `cache info` / `clear --model`
    text TEXT NOT NULL,
    vector BLOB NOT NULL,      -- float32 sentence vector (dim values)
    created REAL NOT NULL,
    tokens BLOB                -- float16 word-piece vectors (pieces x dim); NULL: not computed
);
CREATE INDEX IF NOT EXISTS embeddings_model ON embeddings(model);
"""
# Adds word-piece vectors to a row that lacked them; otherwise the first row stays.
_UPSERT = """
INSERT INTO embeddings (key, model, text, vector, created, tokens) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(key) DO UPDATE SET vector = excluded.vector, created = excluded.created, tokens = excluded.tokens
WHERE embeddings.tokens IS NULL AND excluded.tokens IS NOT NULL
"""

Vectors = tuple["np.ndarray", "np.ndarray | None"]  # (sentence vector, word pieces or None)


class EmbeddingCache(SqliteStore):
    """One SQLite file of sentence (and word-piece) vectors; a fresh connection per operation.

    Arrays read back are read-only views of the stored bytes (copy to modify).
    """

    TABLE = "embeddings"
    SCHEMA = _SCHEMA
    COLUMNS = frozenset({"key", "model", "text", "vector", "created", "tokens"})
    NOUN, ITEMS, WITHOUT = "embedding cache", "embeddings", "embedding without it"
    # 16 KB pages read a 4,000-row batch with word pieces ~20% faster than 4 KB (measured).
    CREATE_PRAGMAS = ("PRAGMA page_size = 16384",)

    @staticmethod
    def key(model_key: str, text: str) -> str:
        return hashlib.sha256(f"{model_key}\x00{text}".encode()).hexdigest()

    def get_many(self, model_key: str, texts: Sequence[str], *, tokens: bool) -> dict[str, Vectors]:
        """Cached vectors of those of `texts` that have them: text -> (vector, word pieces).

        With tokens=True only rows holding word-piece vectors count; with
        tokens=False the word pieces are not read (None).
        """
        if not self.path.exists():
            return {}
        import numpy as np

        keys = {self.key(model_key, t): t for t in texts}
        columns, where = ("vector, tokens", " AND tokens IS NOT NULL") if tokens else ("vector, NULL", "")

        def read(conn: sqlite3.Connection) -> dict[str, Vectors]:
            found: dict[str, Vectors] = {}
            for chunk in chunks(list(keys)):
                marks = ",".join("?" * len(chunk))
                for key, vector, pieces in conn.execute(
                    f"SELECT key, {columns} FROM embeddings WHERE key IN ({marks}){where}", chunk
                ):
                    dim = len(vector) // 4
                    if not dim or len(vector) % 4 or pieces is not None and len(pieces) % (2 * dim):
                        continue  # not something put_many wrote: a miss, computed afresh
                    found[keys[key]] = (
                        np.frombuffer(vector, dtype=np.float32),
                        None if pieces is None else np.frombuffer(pieces, dtype=np.float16).reshape(-1, dim),
                    )
            return found

        return self._use(read, write=False, default={})

    def rows(self, model_key: str) -> dict[str, Vectors]:
        """Every row of one model: text -> (vector, word pieces or None). For small caches, such
        as the one a Ray comparison task fills and reads back (compare/batch/ray_executor.py)."""
        if not self.path.exists():
            return {}
        import numpy as np

        def read(conn: sqlite3.Connection) -> dict[str, Vectors]:
            found: dict[str, Vectors] = {}
            for text, vector, pieces in conn.execute(
                "SELECT text, vector, tokens FROM embeddings WHERE model = ?", (model_key,)
            ):
                dim = len(vector) // 4
                found[text] = (
                    np.frombuffer(vector, dtype=np.float32),
                    None if pieces is None else np.frombuffer(pieces, dtype=np.float16).reshape(-1, dim),
                )
            return found

        return self._use(read, write=False, default={})

    def put_many(self, model_key: str, rows: Mapping[str, Vectors]) -> None:
        """Store text -> (float32 vector, float16 (pieces x dim) word pieces or None).

        A text already stored keeps its row, unless this adds word pieces it lacked.

        Raises:
            ValueError: an array of another dtype or shape (stored as given, never
                converted, so a cached run equals the uncached one).
        """
        now = time.time()
        records: list[tuple[object, ...]] = []
        for text, (vector, pieces) in rows.items():
            blob, pieces_blob = _blobs(text, vector, pieces)
            records.append((self.key(model_key, text), model_key, text, blob, now, pieces_blob))
        self._write(_UPSERT, records)
        self._bound()

    def _bound(self) -> None:
        """Keep the file near max_bytes(): past it, the oldest quarter of the rows goes (SQLite
        reuses their pages, so the file stops growing). Word pieces take ~25 KB a sentence, and
        scheduled batches see new sentences every day."""
        limit = max_bytes()
        try:
            size = sum(p.stat().st_size for p in self.files())
        except OSError:
            return
        if size <= limit:
            return

        def prune(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                (rows,) = conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()
                conn.execute(
                    "DELETE FROM embeddings WHERE rowid IN (SELECT rowid FROM embeddings ORDER BY created LIMIT ?)",
                    (max(1, rows // 4),),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        self._use(prune, write=True, default=None)


def _blobs(text: str, vector: np.ndarray, pieces: np.ndarray | None) -> tuple[bytes, bytes | None]:
    """The raw bytes stored for one text, after checking dtypes and shapes."""
    if vector.dtype.name != "float32" or not vector.dtype.isnative or vector.ndim != 1 or not vector.size:
        raise ValueError(f"embedding cache: the vector of {text[:40]!r} is {vector.dtype} {vector.shape}, "
                         "expected a float32 (dim,) array")
    if pieces is None:
        return vector.tobytes(), None
    shape_ok = pieces.ndim == 2 and pieces.shape[1] == vector.size
    if pieces.dtype.name != "float16" or not pieces.dtype.isnative or not shape_ok:
        raise ValueError(f"embedding cache: the word pieces of {text[:40]!r} are {pieces.dtype} {pieces.shape}, "
                         f"expected a float16 (pieces, {vector.size}) array")
    return vector.tobytes(), pieces.tobytes()
