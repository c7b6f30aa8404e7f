"""The detector registry: each detector reads one link (its sentences on both sides) and returns
at most one finding of its type. One module per type holds its rules and its data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ..result import Document, Finding, Link
from . import certainty, detail, entities, loaded, numbers, quotes, sources

# The seven types of issue 11, in report order.
FINDING_TYPES = ("number", "attribution", "certainty", "quote", "loaded", "entity", "detail")


@dataclass(frozen=True, slots=True)
class Detector:
    name: str
    detect: Callable[[Document, Document, Link], Finding | None]
    parser: bool = False  # needs the English parser (spaCy): skipped by --fast
    english: bool = True  # reads English words (lexicons, frames): skipped when the common language is not English


DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        Detector("number", numbers.detect),
        Detector("attribution", sources.detect),
        Detector("certainty", certainty.detect),
        Detector("quote", quotes.detect),
        Detector("loaded", loaded.detect),
        Detector("entity", entities.detect),
        Detector("detail", detail.detect),
    )
}


def find(a: Document, b: Document, links: Sequence[Link], types: Sequence[str]) -> tuple[Finding, ...]:
    """The findings of a document pair's links, link by link, in FINDING_TYPES order within a link."""
    chosen = [DETECTORS[name] for name in FINDING_TYPES if name in types]
    out = []
    for link in links:
        if link.strength != "strong":
            continue  # a weak link shares a detail, not the fact: its differences are not framing
        for detector in chosen:
            found = detector.detect(a, b, link)
            if found is not None:
                out.append(found)
    return tuple(out)
