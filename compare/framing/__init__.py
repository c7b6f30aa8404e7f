"""Framing findings (pipeline stage after diff): typed differences between linked sentences.

    detect.py    the detector registry, run over a pair's strong links
    numbers.py   number: quantities in a sentence (value, unit, kind, span)
    sources.py   attribution: reporting frames (who the claim is credited to)
    certainty.py certainty: hedges, modality, negation
    quotes.py    quote: direct quotation against paraphrase or other words
    loaded.py    loaded: evaluative wording (lexicon in data/loaded.tsv)
    entities.py  entity: participants named on one side only
    detail.py    detail: figures and clauses one side adds
    across.py    per document and across documents: ledger, prominence, sources, agreement

All seven run by default; `--findings` chooses, `--no-findings` runs none (README: their measured
precision and recall, and their limits).
"""

from .detect import DETECTORS, FINDING_TYPES, find

__all__ = ["DETECTORS", "FINDING_TYPES", "find"]
