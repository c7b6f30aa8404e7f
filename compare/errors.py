"""Errors the library raises and the exit codes the CLI maps them to.

Library code never exits: it raises a CompareError; only cli.py turns it into
one line on stderr and an exit status.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes; CI scripts can tell these apart."""

    OK = 0
    ERROR = 1  # unexpected failure (a bug): traceback only with --traceback
    BAD_INPUT = 2  # bad file, bad option, missing model: the user can fix it
    INTERRUPTED = 130


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


class TranslationError(CompareError):
    """A translation engine failed at run time (corrupt model, engine crash)."""

    exit_status = ExitStatus.ERROR
