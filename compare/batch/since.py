"""`compare batch --since OLD_DIR`: what changed in a story since an earlier run.

Compares the story's new result.json with the one in OLD_DIR (any readable result schema,
compare/1 to the current one; run.json is not needed, so runs of earlier batch versions and
folders of single `compare --json` results laid out as DIR/STORY/result.json work too).
Facts are matched by their sentences' text, so reordered or renumbered sentences are not changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..gate import ledger_of, linked_shares, shorten
from ..result import ComparisonResult, LedgerEntry
from .run import RESULT, StoryOutcome

COVERAGE_MOVE = 0.05  # smaller moves of an outlet's linked share are noise of alignment
MAX_LINES = 20  # per story; the rest is counted


def changes_since(old_dir: Path, outcome: StoryOutcome, new_dir: Path) -> tuple[str, ...]:
    """One line per change in this story since the run in `old_dir` (empty: nothing changed)."""
    if outcome.status not in ("ok", "crossed"):
        return ()
    old = _load(old_dir / outcome.name / RESULT)
    if old is None:
        return ("new story (not in the earlier run)",)
    new = _load(new_dir / outcome.name / RESULT)
    if new is None:  # written a moment ago: only a bug gets here
        return ()
    lines: list[str] = []
    old_labels = [d.label for d in old.documents]
    new_labels = [d.label for d in new.documents]
    lines += [f"outlet added: {x}" for x in new_labels if x not in old_labels]
    lines += [f"outlet dropped: {x}" for x in old_labels if x not in new_labels]
    lines += _omissions(old, new)
    lines += _numbers(old, new)
    lines += _coverage(old, new)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"… {len(lines) - MAX_LINES} more changes"]
    return tuple(lines)


def _load(path: Path) -> ComparisonResult | None:
    try:
        return ComparisonResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, or not a result this version can read: the story counts as new


def _fact_texts(result: ComparisonResult, entry: LedgerEntry) -> set[tuple[str, str]]:
    by_id = {d.id: d for d in result.documents}
    return {
        (by_id[p.document].label, by_id[p.document].sentences[i].compare_text)
        for p in entry.positions
        for i in p.sentences
    }


def _omissions(old: ComparisonResult, new: ComparisonResult) -> list[str]:
    before = set().union(*(_fact_texts(old, e) for e in ledger_of(old))) if ledger_of(old) else set()
    after_entries = ledger_of(new)
    labels = {d.id: d.label for d in new.documents}
    out = []
    for entry in after_entries:
        texts = _fact_texts(new, entry)
        if texts and not texts & before:
            label, text = min(texts)
            missing = ", ".join(labels[m] for m in entry.missing_from)
            out.append(f"new omission: {missing} leave(s) out \"{shorten(text)}\" ({label})")
    now = set().union(*(_fact_texts(new, e) for e in after_entries)) if after_entries else set()
    gone = sum(1 for e in ledger_of(old) if (t := _fact_texts(old, e)) and not t & now)
    if gone:
        out.append(f"{gone} omission(s) of the earlier run no longer found")
    return out


def _number_findings(result: ComparisonResult) -> set[tuple[str, str, str]]:
    labels = {d.id: d.label for d in result.documents}
    return {
        (labels[c.a], labels[c.b], f.summary)
        for c in result.comparisons
        for f in c.findings
        if f.type == "number"
    }


def _numbers(old: ComparisonResult, new: ComparisonResult) -> list[str]:
    before, after = _number_findings(old), _number_findings(new)
    out = [f"number difference now: {a} / {b}: {s}" for a, b, s in sorted(after - before)]
    out += [f"number difference gone: {a} / {b}: {s}" for a, b, s in sorted(before - after)]
    return out


def _coverage(old: ComparisonResult, new: ComparisonResult) -> list[str]:
    before = {old.document(k).label: v for k, v in linked_shares(old).items()}
    after = {new.document(k).label: v for k, v in linked_shares(new).items()}
    return [
        f"coverage of {label}: {before[label]:.0%} → {share:.0%}"
        for label, share in after.items()
        if label in before and abs(share - before[label]) >= COVERAGE_MOVE
    ]
