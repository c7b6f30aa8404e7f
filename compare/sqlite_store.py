"""One SQLite file of cached results: the machinery the translation and embedding caches share.

WAL lets readers and one writer work at once; every operation opens its own
connection (fork and thread safe) and writes are short `BEGIN IMMEDIATE`
transactions with a generous busy timeout, so parallel CI jobs sharing one
cache neither lose entries nor corrupt the file. A cache that cannot be used
(damaged file, another program's database, read-only file or folder) is one
warning per process, never a failed run: it is then only read (read-only) or
not used at all. compare never writes into a database that is not its own.

A subclass names its table, schema and the words its messages use; the table
must have `key` and `model` columns (`info` counts per model, `clear --model`).
"""

from __future__ import annotations

import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

from .errors import CompareError, UsageError

CHUNK = 500  # keys per IN query (below SQLite's bound-parameter limit), rows per write transaction
SIDE_FILES = ("-wal", "-shm", "-journal")
CLEAR_HINT = "run `compare cache clear` to reset it"
PERMISSION_HINT = "make it writable or point COMPARE_CACHE_DIR at a writable folder"
T = TypeVar("T")

# A cache found broken or read-only stays so for the rest of the process (one
# warning, no retry per batch): absolute path -> "ro" (read, never write) or "off".
_degraded: dict[str, str] = {}


class CacheWarning(UserWarning):
    """A cache cannot be used as it should (the CLI shows it as one 'compare: warning:' line)."""


class NotOurs(Exception):
    """The file is a database, but not this cache (foreign tables, wrong columns)."""


class CacheBrokenError(CompareError):
    """The cache file cannot be read (damaged, another schema); `compare cache clear` resets it."""

    def __init__(self, reason: str, *, path: Path, noun: str = "translation cache") -> None:
        super().__init__(f"the {noun} cannot be read ({reason}); {CLEAR_HINT}", path=str(path))
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: Path
    entries: int
    size_bytes: int
    models: dict[str, int]
    problem: str | None = None  # why the cache cannot be read (then entries is 0)


def open_db(uri: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) that waits for locks."""
    return sqlite3.connect(uri, uri=True, timeout=60.0, isolation_level=None)


class SqliteStore:
    """One SQLite cache file; a fresh connection per operation.

    Subclasses set TABLE, SCHEMA (idempotent CREATE ... IF NOT EXISTS script),
    COLUMNS (those a file must have to count as ours), NOUN ("translation
    cache"), ITEMS ("translations", as in "cached translations are used") and
    WITHOUT ("translating without it").
    """

    TABLE: ClassVar[str]
    SCHEMA: ClassVar[str]
    COLUMNS: ClassVar[frozenset[str]]
    NOUN: ClassVar[str]
    ITEMS: ClassVar[str]
    WITHOUT: ClassVar[str]
    CREATE_PRAGMAS: ClassVar[tuple[str, ...]] = ()  # run on a new, empty file before the schema (page size)

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def _id(self) -> str:
        return str(self.path.absolute())

    def _open(self, uri: str) -> sqlite3.Connection:
        return open_db(uri)

    def _connect(self, *, readonly: bool = False) -> sqlite3.Connection:
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._open(self.path.absolute().as_uri() + ("?mode=ro" if readonly else "?mode=rwc"))
        try:
            if readonly:
                self._check_schema(conn, create=False)
                return conn
            conn.execute("PRAGMA busy_timeout = 60000")
            for attempt in range(50):  # switching to WAL needs a moment of exclusive access
                try:
                    self._check_schema(conn, create=True)  # first: a database that is not ours stays untouched
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

    def _check_schema(self, conn: sqlite3.Connection, *, create: bool) -> None:
        """Raise NotOurs unless the database holds our table (created here in an empty database)."""
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({self.TABLE})")}
        if not columns:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if tables:
                raise NotOurs(f"not a {self.NOUN}: it holds other tables ({', '.join(tables[:5])})")
            if create:
                for pragma in self.CREATE_PRAGMAS:
                    conn.execute(pragma)
                conn.executescript(self.SCHEMA)
                return
            raise NotOurs(f"empty database: no {self.TABLE} table")
        if missing := sorted(self.COLUMNS - columns):
            raise NotOurs(f"wrong schema: the {self.TABLE} table lacks {', '.join(missing)}")

    def _use(self, op: Callable[[sqlite3.Connection], T], *, write: bool, default: T) -> T:
        """op(connection), or `default` (with one warning) if the cache cannot be used for it."""
        state = _degraded.get(self._id)
        if state == "off" or (write and state == "ro"):
            return default
        try:
            with closing(self._connect(readonly=state == "ro")) as conn:
                return op(conn)
        except (sqlite3.DatabaseError, OSError, NotOurs) as exc:
            if state is None and _is_permission(exc) and self._readable():
                self._degrade("ro", f"is read-only ({_reason(exc)}); cached {self.ITEMS} are used, "
                                    f"new ones are not saved; {PERMISSION_HINT}")
                return default if write else self._use(op, write=write, default=default)
            hint = PERMISSION_HINT if _is_permission(exc) else CLEAR_HINT
            self._degrade("off", f"cannot be used ({_reason(exc)}); {self.WITHOUT}; {hint}")
            return default

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        """executemany(sql, rows) in short write transactions (nothing if the cache is unusable).

        CHUNK rows per transaction: a large batch (thousands of word-piece vectors,
        tens of MB) never holds the write lock long enough to stall another process.
        """

        def write(conn: sqlite3.Connection) -> None:
            for start in range(0, len(rows), CHUNK):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(sql, rows[start : start + CHUNK])
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise

        if rows:
            self._use(write, write=True, default=None)

    def _readable(self) -> bool:
        try:
            with closing(self._connect(readonly=True)) as conn:
                conn.execute(f"SELECT key FROM {self.TABLE} LIMIT 1").fetchall()
            return True
        except (sqlite3.DatabaseError, OSError, NotOurs):
            return False

    def _degrade(self, state: str, message: str) -> None:
        if self._id not in _degraded:
            warnings.warn(CacheWarning(f"{self.path}: {self.NOUN} {message}"), stacklevel=4)
        _degraded[self._id] = state

    def files(self) -> list[Path]:
        """The cache file and the side files SQLite keeps next to it, those that exist."""
        names = [self.path.name, *(self.path.name + suffix for suffix in SIDE_FILES)]
        return [self.path.with_name(n) for n in names if self.path.with_name(n).exists()]

    def info(self) -> CacheInfo:
        size = sum(p.stat().st_size for p in self.files())
        if not self.path.exists():
            return CacheInfo(self.path, 0, size, {})
        try:
            with closing(self._connect(readonly=True)) as conn:
                models = dict(conn.execute(f"SELECT model, COUNT(*) FROM {self.TABLE} GROUP BY model ORDER BY model"))
        except (sqlite3.DatabaseError, OSError, NotOurs) as exc:
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
                    n = conn.execute(f"DELETE FROM {self.TABLE}").rowcount
                else:
                    n = conn.execute(f"DELETE FROM {self.TABLE} WHERE instr(model, ?) > 0", (model,)).rowcount
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
        except (sqlite3.DatabaseError, OSError, NotOurs) as exc:
            if _is_permission(exc):
                raise UsageError(f"cannot clear the {self.NOUN}: {_reason(exc)}; {PERMISSION_HINT}",
                                 path=str(self.path)) from exc
            raise CacheBrokenError(_reason(exc), path=self.path, noun=self.NOUN) from exc
        _degraded.pop(self._id, None)
        return n

    def reset(self) -> list[Path]:
        """Remove the cache file and its side files (a broken cache); return what was removed."""
        removed = []
        for path in self.files():
            try:
                path.unlink()
            except OSError as exc:
                raise UsageError(f"cannot remove the {self.NOUN}: {exc.strerror}; remove it by hand",
                                 path=str(path)) from exc
            removed.append(path)
        _degraded.pop(self._id, None)
        return removed


def chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


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
