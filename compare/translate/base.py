"""The Translator protocol every engine and wrapper implements.

The pipeline only sees this interface; the cache, the pivot and both engines
are Translators, so they compose (argos-translate's CachedTranslation idea).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class Translator(Protocol):
    """Translates sentences; `translate` returns one string per input, in order."""

    @property
    def model_id(self) -> str: ...

    @property
    def engine(self) -> str: ...

    def translate(self, sentences: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One decoded output: its text and its target pieces (for the runaway guard)."""

    text: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Job:
    """One batch to decode: texts (transformers reads these), pieces (CTranslate2 reads these)."""

    texts: list[str]
    pieces: list[list[str]]
    max_decoding_length: int


class Backend(Protocol):
    """What an engine must provide: decode batches of sentences.

    The shared loop in `marian.py` does everything else (dedupe, split,
    sort, batch, guard, reorder), so the engines agree by construction.
    """

    max_positions: int  # the model's position table: no input or output may be longer

    def translate_batches(self, jobs: Sequence[Job], *, beam: int, no_repeat_ngram_size: int = 0
                          ) -> Iterator[list[Hypothesis]]:
        """Yield each job's hypotheses, in job order (an engine may run several jobs at once)."""
        ...
