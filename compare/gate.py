"""Thresholds for CI (issue 13): which differences in a result are worth failing a job on.

Pure functions over a ComparisonResult: `check(result, thresholds)` lists the Crossings, one
per difference that crossed a threshold, and the CLI turns "any crossing" into exit status 1.
The batch command reuses it story by story (`story=`).

What crosses:

- `omission`: an entry of the omissions ledger (compare/framing/across.py: with two documents
  a sentence linked to nothing in the other, weak links count as links; with three or more a
  fact, i.e. coverage group, that some outlet lacks; facts told only in headlines are not
  entries, since headlines sum up the body) where a carrying outlet tells the fact in its
  headline or in its first two body sentences (the lead and the one after it; the headline is
  not counted among them). One crossing per entry, naming the most prominent such carrier and
  every outlet that lacks the fact. Ledgers left empty by --no-findings are rebuilt from the
  links and facts, so omissions never depend on the finding types run.
- a finding type (number, attribution, certainty, quote, loaded, entity, detail): a pair finding
  of that type between two outlets (cross-outlet agreement findings sum up pair findings and are
  not counted again). A finding with a caution (machine translation, reports hours apart)
  counts only if its confidence is still at least STRONG_CONFIDENCE.
- `--min-coverage P`: an outlet with fewer than P of its sentences linked (weak links too) to
  a sentence of any other outlet; the same figure as the reports' two-document coverage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .errors import UsageError
from .result import FINDING_TYPES, ComparisonResult, Document, LedgerEntry

OMISSION = "omission"
GATE_TYPES: tuple[str, ...] = (OMISSION, *FINDING_TYPES)

# Detectors give 0.5-0.9; a caution multiplies by 0.5 (flagged translation, reports hours apart)
# to 0.7 (a translator's wording). At 0.6 only a clear finding (0.86 up) with a wording caution
# still fails a job: a broken translation or a story that moved on never does.
STRONG_CONFIDENCE = 0.6

# Sentences are shortened to this many characters in crossing lines (the reports show them whole).
SHORT = 80

# "Top of the story" for omissions: the headline and this many body sentences.
TOP_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What fails a comparison: finding types (and "omission") and a minimum coverage.

    An empty `fail_on` and no `min_coverage` never fail.
    """

    fail_on: tuple[str, ...] = ()
    min_coverage: float | None = None

    def __post_init__(self) -> None:
        unknown = [t for t in self.fail_on if t not in GATE_TYPES]
        if unknown:
            raise UsageError(f"--fail-on: unknown type {unknown[0]!r}; choose from: {', '.join(GATE_TYPES)}")
        value = self.min_coverage
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or math.isnan(value) or not 0.0 <= value <= 1.0):
            raise UsageError(f"--min-coverage must be a share between 0 and 1 (e.g. 0.6), not {value!r}")

    @classmethod
    def parse(cls, fail_on: Sequence[str] = (), min_coverage: float | None = None) -> "Thresholds":
        """From the command line: repeated and comma-separated --fail-on values, any case."""
        types = tuple(dict.fromkeys(t.strip().lower() for value in fail_on for t in value.split(",") if t.strip()))
        if fail_on and not types:
            raise UsageError(f"--fail-on needs at least one type; choose from: {', '.join(GATE_TYPES)}")
        return cls(types, min_coverage)

    @property
    def active(self) -> bool:
        return bool(self.fail_on) or self.min_coverage is not None


@dataclass(frozen=True, slots=True)
class Crossing:
    """One difference that crossed a threshold: where it is and why, for one line on stderr."""

    type: str  # "omission", "coverage" or a finding type
    outlets: tuple[str, ...]  # labels: for an omission the carrier first, then those lacking it
    why: str
    story: str | None = None  # the batch's story name; None for a single comparison
    document: str | None = None  # label of the outlet whose sentence is shown
    sentence: int | None = None  # its index (as in the JSON result), None for coverage
    where: str | None = None  # "headline", "lead", "sentence k of n" (as in the reports)
    text: str | None = None  # the sentence, shortened to SHORT characters

    def line(self) -> str:
        """`[story: ]type: why (outlet's where: "text")`, one line."""
        head = f"{self.story}: " if self.story else ""
        at = f' ({self.document}\'s {self.where}: "{self.text}")' if self.text is not None else ""
        return f"{head}{self.type}: {self.why}{at}"


def check(result: ComparisonResult, thresholds: Thresholds, *, story: str | None = None) -> list[Crossing]:
    """Every crossing, in a stable order: omissions (most prominent first), findings (pair order,
    link order), then coverage (document order)."""
    out: list[Crossing] = []
    if OMISSION in thresholds.fail_on:
        out += _omissions(result, story)
    types = [t for t in FINDING_TYPES if t in thresholds.fail_on]
    if types:
        out += _findings(result, types, story)
    if thresholds.min_coverage is not None:
        out += _coverage(result, thresholds.min_coverage, story)
    return out


def unchecked(result: ComparisonResult, thresholds: Thresholds) -> dict[str, str]:
    """Finding types in --fail-on the comparison did not look for, with why: they cannot cross."""
    return {t: result.skipped[t] for t in thresholds.fail_on if t in result.skipped}


def shorten(text: str, limit: int = SHORT) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def _body0(doc: Document) -> int:
    return 1 if doc.sentences and doc.sentences[0].headline else 0


def _top(doc: Document, i: int) -> bool:
    return doc.sentences[i].headline or i - _body0(doc) < TOP_SENTENCES


def _where(doc: Document, i: int) -> str:
    """Where the sentence stands, as the reports say it ("headline", "lead", "sentence k of n")."""
    from .framing.across import position

    return position(doc, [i]).where


def ledger_of(result: ComparisonResult) -> Sequence[LedgerEntry]:
    """The omissions ledger, also when --no-findings left it empty."""
    if result.ledger:
        return result.ledger
    # --no-findings leaves the ledger empty; it is rebuilt from links and facts (cheap, pure).
    from .framing.across import ledger

    return ledger(result.documents, result.comparisons, result.coverage)


def _omissions(result: ComparisonResult, story: str | None) -> list[Crossing]:
    by_id = {d.id: d for d in result.documents}
    out = []
    for entry in ledger_of(result):
        top = [
            (by_id[p.document], i)
            for p in entry.positions
            for i in sorted(p.sentences)
            if _top(by_id[p.document], i)
        ]
        if not top:
            continue
        doc, i = min(top, key=lambda t: (not t[0].sentences[t[1]].headline, t[1] - _body0(t[0])))
        missing = [by_id[m].label for m in entry.missing_from]
        where = _where(doc, i)
        verb = "leaves" if len(missing) == 1 else "leave"
        out.append(
            Crossing(
                type=OMISSION,
                outlets=(doc.label, *missing),
                why=f"{', '.join(missing)} {verb} out a fact {doc.label} tells in its {where}",
                story=story,
                document=doc.label,
                sentence=i,
                where=where,
                text=shorten(doc.sentences[i].compare_text),
            )
        )
    return out


def _findings(result: ComparisonResult, types: Sequence[str], story: str | None) -> list[Crossing]:
    out = []
    for comp in result.comparisons:
        a, b = result.document(comp.a), result.document(comp.b)
        for f in comp.findings:
            if f.type not in types or (f.caution and f.confidence < STRONG_CONFIDENCE):
                continue
            # Show the side that carries the evidence (a or b), a first.
            doc, spans, indices = (a, f.a_spans, f.a) if f.a_spans or not f.b_spans else (b, f.b_spans, f.b)
            i = spans[0].sentence if spans else min(indices)
            why = f.summary + (f" [uncertain: {f.caution}]" if f.caution else "")
            out.append(
                Crossing(
                    type=f.type,
                    outlets=(a.label, b.label),
                    why=why,
                    story=story,
                    document=doc.label,
                    sentence=i,
                    where=_where(doc, i),
                    text=shorten(doc.sentences[i].compare_text),
                )
            )
    return out


def top_omissions(result: ComparisonResult) -> int:
    """How many ledger entries `--fail-on omission` would fail on (facts from a headline or lead)."""
    return len(_omissions(result, None))


def _linked(result: ComparisonResult) -> dict[str, set[int]]:
    linked: dict[str, set[int]] = {d.id: set() for d in result.documents}
    for comp in result.comparisons:
        for link in comp.links:
            linked[comp.a].update(link.a)
            linked[comp.b].update(link.b)
    return linked


def linked_shares(result: ComparisonResult) -> dict[str, float]:
    """Per document id: the share of its sentences linked (weak links too) to another outlet's."""
    linked = _linked(result)
    return {d.id: len(linked[d.id]) / len(d.sentences) for d in result.documents if d.sentences}


def _coverage(result: ComparisonResult, minimum: float, story: str | None) -> list[Crossing]:
    linked = _linked(result)
    out = []
    for doc in result.documents:
        n = len(doc.sentences)
        if n == 0:
            continue
        share = len(linked[doc.id]) / n
        if share < minimum:
            out.append(
                Crossing(
                    type="coverage",
                    outlets=(doc.label,),
                    why=f"{doc.label}: {len(linked[doc.id])} of {n} sentences ({share:.0%}) are linked to another "
                    f"outlet, under --min-coverage {minimum:g}",
                    story=story,
                )
            )
    return out
