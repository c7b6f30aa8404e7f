"""Shared harness for measuring a library against a detector on the dev set's gold strong links.

A variant is a function with the detectors' signature, (Document, Document, Link) -> Finding | None.
It is scored exactly as `findings_eval.py --gold-links` scores the shipped detectors: on every gold
strong link of the realistic dev set and on the enrichment pairs, against the two labellers'
merged labels (recall against findings both recorded, precision against either). The test split
is never read.
"""

from __future__ import annotations

import sys
import time
from functools import cache
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from findings_eval import enrich_labelled, f1, labelled, link_cases  # noqa: E402

from compare.result import Document, Finding, Link  # noqa: E402

Variant = Callable[[Document, Document, Link], "Finding | None"]


@cache  # read once per process: every variant is scored on the same cases
def cases() -> list:
    """(pair id, a, b, strong links) of the realistic dev set and the enrichment pairs."""
    return link_cases()


@cache
def _labels() -> tuple[set, set]:
    """(findings both labellers recorded, findings either recorded)."""
    l1 = labelled("l1") | enrich_labelled("l1")
    l2 = labelled("l2") | enrich_labelled("l2")
    return l1 & l2, l1 | l2


def score(variant: Variant, finding_type: str, part: str = "dev") -> dict:
    """Precision, recall, F1, count and seconds of one variant on one part ("dev" or "enrich")."""
    strict, loose = _labels()
    chosen = [c for c in cases() if c[0].startswith("enrich__") == (part == "enrich")]
    ids = {c[0] for c in chosen}
    pred = set()
    start = time.perf_counter()
    n_links = 0
    for pid, da, db, links in chosen:
        for i, j in links:
            n_links += 1
            f = variant(da, db, Link((i,), (j,), 1.0, "strong"))
            if f is not None and f.type == finding_type:
                pred.add((pid, i, j, finding_type))
    seconds = time.perf_counter() - start
    gold = {k for k in strict if k[3] == finding_type and k[0] in ids}
    right = sum(k in loose for k in pred)
    p = right / len(pred) if pred else float("nan")
    r = len(gold & pred) / len(gold) if gold else float("nan")
    return {"p": p, "r": r, "f1": f1(p, r) if pred and gold else 0.0, "n": len(pred), "gold": len(gold),
            "seconds": seconds, "links": n_links}


def row(name: str, s: dict) -> str:
    return (f"  {name:<34} predicted {s['n']:>3}  P {s['p']:.3f}  R {s['r']:.3f}  F1 {s['f1']:.3f}"
            f"  (gold {s['gold']})  {1000 * s['seconds'] / max(1, s['links']):.2f} ms/link")
