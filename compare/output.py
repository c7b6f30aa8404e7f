"""Writing reports: checked before the work starts, committed atomically after.

A report for a regular file is written to a temporary file beside it and
renamed over it: the rename is the commit point, so an interrupted run leaves
the previous report intact and no temporary file behind. Character devices,
FIFOs and standard output are written through (renaming over them would
replace the device or pipe with a plain file); a symlink is followed, so the
file it points to is replaced, never the link.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from typing import IO, Iterator, Literal, NamedTuple, Sequence

from .errors import OutputError, StdoutError, UsageError

STDOUT = "-"
Kind = Literal["stdout", "stream", "file"]
# Room left in a file name for the temp file's dot, random part and suffix.
_TEMP_NAME_BYTES = 200


class OutputRequest(NamedTuple):
    """One report the user asked for: the flag, its value and what it writes."""

    flag: str  # "--json"
    target: str  # a path, or "-" for standard output
    what: str  # "JSON", "HTML report"
    format: str = "json"  # the renderer that writes it (compare.render.FORMATS)


def check_outputs(requests: Sequence[OutputRequest], inputs: Sequence[str]) -> bool:
    """Refuse, before any work, outputs that cannot be written or would destroy something.

    Returns True when one of the outputs takes standard output (the terminal
    report must then stay off it).
    """
    identities: dict[tuple[object, ...], OutputRequest] = {}
    for request in requests:
        identity = _check_output(request)
        other = identities.get(identity)
        if other is not None:
            if identity == ("stdout",):
                raise UsageError(
                    f"{other.flag} and {request.flag} both write to standard output; send one of them to a file"
                )
            raise OutputError(
                f"{other.flag} and {request.flag} name the same file; give each its own path", path=request.target
            )
        identities[identity] = request
    for spec in inputs:
        request = identities.get(_input_identity(spec)) if spec != STDOUT else None
        if request is not None:
            raise OutputError(
                f"{request.flag} names the input {spec}; writing the {request.what} there would destroy it. "
                "Choose another output path",
                path=request.target,
            )
    return ("stdout",) in identities


def _check_output(request: OutputRequest) -> tuple[object, ...]:
    """Check one output can be written; return what it names (for collisions)."""
    if request.target == "":
        raise UsageError(f"{request.flag} needs a file name, or - for standard output")
    kind, path = classify(request.target, what=request.what)
    if kind == "stdout":
        return ("stdout",)
    if kind == "stream":
        if not os.access(path, os.W_OK):
            raise OutputError(f"cannot write {request.what}: permission denied", path=request.target)
        return _identity_of(path)
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise OutputError(f"cannot write {request.what}: folder {parent} does not exist", path=request.target)
    if not os.access(parent, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write {request.what}: permission denied", path=request.target)
    return _identity_of(path)


def classify(target: str, *, what: str) -> tuple[Kind, str]:
    """How `target` is written: ("stdout", "-"), ("stream", target) or ("file", resolved path).

    A path that is standard output itself (/dev/stdout, or the file stdout is
    redirected to) counts as standard output.
    """
    if target == STDOUT:
        return "stdout", STDOUT
    try:
        st = os.stat(target)
    except FileNotFoundError:  # a new file (or a dangling symlink: create what it points to)
        return "file", os.path.realpath(target)
    except OSError as exc:  # too long, a loop of symlinks, a file used as a folder
        raise OutputError(f"cannot write {what}: {_reason(exc)}", path=target) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {what}: it is a directory; give a file name", path=target)
    if _same_file(st, _stdout_stat()):
        return "stdout", STDOUT
    if stat.S_ISREG(st.st_mode):
        return "file", os.path.realpath(target)
    return "stream", target


def write_text(target: str, text: str, *, what: str) -> None:
    """Write `text` to `target`: atomically for a file, straight through for stdout, devices and FIFOs.

    Raises:
        OutputError: the report cannot be written (the previous file is kept).
        StdoutError: standard output cannot be written.
        BrokenPipeError: the reader of a pipe went away (not an error to report).
    """
    kind, path = classify(target, what=what)
    if kind == "stdout":
        with writing_stdout():
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        if kind == "stream":
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                _fill(fh, text)
        else:
            _replace_atomically(path, text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {what}: {_reason(exc)}", path=target) from None


@contextmanager
def writing_stdout() -> Iterator[None]:
    """Write to sys.stdout inside this block; a failed write or flush becomes one StdoutError.

    BrokenPipeError passes through: a reader that closed early is not an error.
    """
    if sys.stdout is None:  # Python's stdout when it started with fd 1 closed (`>&-`)
        raise StdoutError("cannot write to standard output: it is closed; redirect it, e.g. > report.txt")
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise StdoutError(f"cannot write to standard output: {_reason(exc)}") from None
    except SystemExit as exc:
        # rich's Console answers a closed pipe with SystemExit(1); give it the status of any closed pipe.
        if isinstance(exc.__context__, BrokenPipeError):
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)) from None
        raise


def flush_stdout() -> None:
    """Flush what has been printed while a failure can still be reported (nothing to do if stdout is closed)."""
    if sys.stdout is not None:
        with writing_stdout():
            pass


def _replace_atomically(path: str, text: str) -> None:
    """Write a temp file beside `path`, then rename it over `path` (the commit point)."""
    folder, name = os.path.split(path)
    # The temp name must fit the file-system limit even when `name` is close to it.
    short = os.fsdecode(os.fsencode(name)[:_TEMP_NAME_BYTES])
    fd, tmp = tempfile.mkstemp(prefix=f".{short}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            _fill(fh, text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:  # also KeyboardInterrupt and Signalled: never leave the temp file
        os.unlink(tmp)
        raise


def _fill(fh: IO[str], text: str) -> None:
    """Write the report's text (a seam for tests that interrupt a write half-way)."""
    fh.write(text)


def _mode_for(path: str) -> int:
    """Keep an existing report's permissions; a new one gets 0666 less the umask (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _identity_of(path: str) -> tuple[object, ...]:
    """The file `path` names: its inode when it exists (sees through links), else its resolved path."""
    try:
        st = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    return ("inode", st.st_dev, st.st_ino)


def _input_identity(spec: str) -> tuple[object, ...] | None:
    """The inode of an input file; None when it cannot be read (ingest reports that)."""
    try:
        st = os.stat(spec)
    except (OSError, ValueError):
        return None
    return ("inode", st.st_dev, st.st_ino)


def _stdout_stat() -> os.stat_result | None:
    try:
        return os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # replaced or closed stdout has no file behind it
        return None


def _same_file(a: os.stat_result, b: os.stat_result | None) -> bool:
    return b is not None and (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


# What to do about the failures a user can fix, after the OS's own words.
_HINTS = {
    errno.ENAMETOOLONG: "use a shorter name",
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EROFS: "write elsewhere",
    errno.EACCES: "write elsewhere or fix the permissions",
    errno.EPERM: "write elsewhere or fix the permissions",
    errno.ELOOP: "fix the symlinks",
}


def _reason(exc: OSError) -> str:
    """The OS's words for a failure (without repeating the path) and what to do."""
    reason = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno or 0)
    return f"{reason}; {hint}" if hint else reason
