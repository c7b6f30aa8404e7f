"""Errors the library raises and the exit codes the CLI maps them to.

Library code never exits: it raises a CompareError; only cli.py turns it into
one line on stderr and an exit status.
"""

from __future__ import annotations

import re
import signal
from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes; CI scripts can tell these apart."""

    # As diff(1) and linters: 1 is a finding (CI fails the job), not a crash.
    OK = 0  # done, nothing crossed a threshold (--fail-on, --min-coverage)
    THRESHOLD = 1  # done, and a difference crossed a threshold (0 with --exit-zero)
    BAD_INPUT = 2  # bad file, bad option, missing model: the user can fix it
    INTERNAL = 3  # unexpected failure (a bug): traceback only with --traceback
    INTERRUPTED = 130  # 128 + SIGINT (Ctrl-C)
    BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader closed early (`compare a b | head`), no message
    # SIGTERM, SIGHUP: 128 + the signal's number (143, 129)


def signal_status(signum: int) -> int:
    """The shell's exit status for a process ended by signal `signum`."""
    return 128 + signum


class Signalled(BaseException):
    """Raised by the CLI's SIGTERM/SIGHUP handlers so `finally` blocks and temp-file cleanup run.

    A BaseException, like KeyboardInterrupt, so `except Exception` cannot swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        description = (signal.strsignal(self.signum) or "signal").lower()
        return f"{description} ({signal.Signals(self.signum).name})"


# C0/C1 controls, lone surrogates (undecodable bytes of a file name), line separators and
# bidi overrides: printed raw they corrupt the one-line message or drive the terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe for one terminal line: unprintable characters become escapes (a raw byte 0xff: \\xff)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class CompareError(Exception):
    """An expected failure, reported as one line: `<path>: <message>`."""

    exit_status = ExitStatus.BAD_INPUT

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(CompareError):
    """An input document cannot be used (missing, empty, binary, undecodable)."""


class UsageError(CompareError):
    """Options that do not make sense (too few documents, unknown language code)."""


class ModelMissingError(CompareError):
    """No translation model is available for a document's language."""


class OutputError(CompareError):
    """A report cannot be written where the user asked."""


class StdoutError(OutputError):
    """Standard output cannot be written (full disk, closed terminal); a closed pipe is not one."""


class TranslationError(CompareError):
    """A translation engine failed at run time (corrupt model, engine crash): not a finding, and
    not known to be the user's to fix, so it ends as an internal error."""

    exit_status = ExitStatus.INTERNAL
