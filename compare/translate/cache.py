"""Persistent translation cache (SQLite, WAL) wrapping any Translator.

Keyed by model id + model fingerprint + engine + decoding settings + source
sentence, so a second run of the same comparison is answered from the cache
and loads no model at all (the wrapped translator is built on the first
miss). WAL lets readers and one writer work at once; writes are short
`BEGIN IMMEDIATE` transactions with a generous busy timeout, so parallel CI
jobs sharing one cache neither lose entries nor corrupt the file. A damaged or
read-only cache is one warning, never a failed run.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..errors import CompareError, UsageError
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
_COLUMNS = frozenset({"key", "model", "source", "translation", "created"})
_CHUNK = 500  # stay below SQLite's bound-parameter limit
_SIDE_FILES = ("-wal", "-shm", "-journal")
CLEAR_HINT = "run `compare cache clear` to reset it"
PERMISSION_HINT = "make it writable or point COMPARE_CACHE_DIR at a writable folder"
T = TypeVar("T")

# A cache found broken or read-only stays so for the rest of the process (one
# warning, no retry per sentence batch): path -> "ro" (read, never write) or "off".
_degraded: dict[str, str] = {}


class CacheWarning(UserWarning):
    """The cache cannot be used as it should (the CLI shows it as one 'compare: warning:' line)."""


class _NotOurs(Exception):
    """The file is a database, but not a translation cache (foreign tables, wrong columns)."""


class CacheBrokenError(CompareError):
    """The cache file cannot be read (damaged, another schema); `compare cache clear` resets it."""

    def __init__(self, reason: str, *, path: Path) -> None:
        super().__init__(f"the translation cache cannot be read ({reason}); {CLEAR_HINT}", path=str(path))
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: Path
    entries: int
    size_bytes: int
    models: dict[str, int]
    problem: str | None = None  # why the cache cannot be read (then entries is 0)


class TranslationCache:
    """One SQLite file of translations; a fresh connection per operation (fork/thread safe).

    A cache that cannot be used (truncated or garbage file, another schema, a
    read-only file or folder) never fails a translation: it is reported once as a
    warning and translations run without it (or only read from it, if read-only).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def _id(self) -> str:
        return str(self.path.absolute())

    def _connect(self, *, readonly: bool = False) -> sqlite3.Connection:
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = _open(self.path.absolute().as_uri() + ("?mode=ro" if readonly else "?mode=rwc"))
        try:
            if readonly:
                _check_schema(conn, create=False)
                return conn
            conn.execute("PRAGMA busy_timeout = 60000")
            for attempt in range(50):  # switching to WAL needs a moment of exclusive access
                try:
                    _check_schema(conn, create=True)  # first: a database that is not ours stays untouched
                    conn.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.05 * (attempt + 1))
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _use(self, op: Callable[[sqlite3.Connection], T], *, write: bool, default: T) -> T:
        """op(connection), or `default` (with one warning) if the cache cannot be used for it."""
        state = _degraded.get(self._id)
        if state == "off" or (write and state == "ro"):
            return default
        try:
            with closing(self._connect(readonly=state == "ro")) as conn:
                return op(conn)
        except (sqlite3.DatabaseError, OSError, _NotOurs) as exc:
            if state is None and _is_permission(exc) and self._readable():
                self._degrade("ro", f"is read-only ({_reason(exc)}); cached translations are used, "
                                    f"new ones are not saved; {PERMISSION_HINT}")
                return default if write else self._use(op, write=write, default=default)
            hint = PERMISSION_HINT if _is_permission(exc) else CLEAR_HINT
            self._degrade("off", f"cannot be used ({_reason(exc)}); translating without it; {hint}")
            return default

    def _readable(self) -> bool:
        try:
            with closing(self._connect(readonly=True)) as conn:
                conn.execute("SELECT key FROM translations LIMIT 1").fetchall()
            return True
        except (sqlite3.DatabaseError, OSError, _NotOurs):
            return False

    def _degrade(self, state: str, message: str) -> None:
        if self._id not in _degraded:
            warnings.warn(CacheWarning(f"{self.path}: translation cache {message}"), stacklevel=4)
        _degraded[self._id] = state

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
            for chunk in _chunks(list(keys)):
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

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR IGNORE INTO translations VALUES (?, ?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        self._use(write, write=True, default=None)

    def files(self) -> list[Path]:
        """The cache file and the side files SQLite keeps next to it, those that exist."""
        names = [self.path.name, *(self.path.name + suffix for suffix in _SIDE_FILES)]
        return [self.path.with_name(n) for n in names if self.path.with_name(n).exists()]

    def info(self) -> CacheInfo:
        size = sum(p.stat().st_size for p in self.files())
        if not self.path.exists():
            return CacheInfo(self.path, 0, size, {})
        try:
            with closing(self._connect(readonly=True)) as conn:
                models = dict(conn.execute("SELECT model, COUNT(*) FROM translations GROUP BY model ORDER BY model"))
        except (sqlite3.DatabaseError, OSError, _NotOurs) as exc:
            return CacheInfo(self.path, 0, size, {}, problem=_reason(exc))
        return CacheInfo(self.path, sum(models.values()), size, models)

    def clear(self, model: str | None = None) -> int:
        """Delete entries (all, or those whose model key contains `model`); return how many.

        Raises:
            CacheBrokenError: the file cannot be read (`reset` removes it).
            UsageError: the cache is read-only.
        """
        if not self.path.exists():
            return 0
        try:
            with closing(self._connect()) as conn:
                if model is None:
                    n = conn.execute("DELETE FROM translations").rowcount
                else:
                    n = conn.execute("DELETE FROM translations WHERE instr(model, ?) > 0", (model,)).rowcount
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
        except (sqlite3.DatabaseError, OSError, _NotOurs) as exc:
            if _is_permission(exc):
                raise UsageError(f"cannot clear the translation cache: {_reason(exc)}; {PERMISSION_HINT}",
                                 path=str(self.path)) from exc
            raise CacheBrokenError(_reason(exc), path=self.path) from exc
        _degraded.pop(self._id, None)
        return n

    def reset(self) -> list[Path]:
        """Remove the cache file and its side files (a broken cache); return what was removed."""
        removed = []
        for path in self.files():
            try:
                path.unlink()
            except OSError as exc:
                raise UsageError(f"cannot remove the translation cache: {exc.strerror}; remove it by hand",
                                 path=str(path)) from exc
            removed.append(path)
        _degraded.pop(self._id, None)
        return removed


def _open(uri: str) -> sqlite3.Connection:
    return sqlite3.connect(uri, uri=True, timeout=60.0, isolation_level=None)


def _check_schema(conn: sqlite3.Connection, *, create: bool) -> None:
    """Raise _NotOurs unless the database holds our table (created here in an empty database)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(translations)")}
    if not columns:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        if tables:
            raise _NotOurs(f"not a translation cache: it holds other tables ({', '.join(tables[:5])})")
        if create:
            conn.executescript(_SCHEMA)
            return
        raise _NotOurs("empty database: no translations table")
    if missing := sorted(_COLUMNS - columns):
        raise _NotOurs(f"wrong schema: the translations table lacks {', '.join(missing)}")


def _is_permission(exc: BaseException) -> bool:
    """Where the cache lives is the problem (read-only, not a folder), not the file's content."""
    if isinstance(exc, OSError):  # only creating the folder raises OSError
        return True
    name = getattr(exc, "sqlite_errorname", "")
    if name:
        return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))
    return "readonly" in str(exc) or "unable to open" in str(exc)  # Python 3.10: no error names


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__


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
