"""Writing reports: checked before the work starts, replaced atomically after.

A report is written to a temporary file beside the target and renamed over it,
so an interrupted run never leaves a half-written JSON or HTML behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import OutputError


def check_writable(target: str, *, what: str) -> None:
    """Fail fast, before any translation work, if `target` cannot be written."""
    if target == "-":
        return
    path = Path(target)
    if path.is_dir():
        raise OutputError(f"{what} path is a directory; give a file name", path=target)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {what}: folder {parent} does not exist", path=target)
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write {what}: permission denied", path=target)


def write_text(target: str, text: str, *, what: str) -> None:
    """Write `text` to a file atomically, or to stdout for "-"."""
    if target == "-":
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    path = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            # mkstemp creates 0600; reports are meant to be shared, so honour the umask.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write {what}: {exc.strerror or exc}", path=target) from None
