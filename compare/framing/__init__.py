"""Framing findings (pipeline stage after diff): typed differences between linked sentences.

    numbers.py   quantities in a sentence (value, unit, kind, span)
    sources.py   reporting frames in a sentence (who the claim is credited to)
    detect.py    the detectors, one per finding type, over a pair's strong links

Two detectors exist so far, `number` and `attribution` (issue 11 is under way);
both are off unless `--findings` names them (README: their measured precision).
"""

from .detect import DETECTORS, FINDING_TYPES, find

__all__ = ["DETECTORS", "FINDING_TYPES", "find"]
