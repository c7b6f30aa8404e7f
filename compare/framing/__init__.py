"""Framing findings (pipeline stage after diff): typed differences between linked sentences.

    numbers.py   quantities in a sentence (value, unit, kind, span)
    detect.py    the detectors, one per finding type, over a pair's links

Only the `number` detector exists so far (issue 11 is under way); `--findings`
names which detectors run and `--no-findings` runs none.
"""

from .detect import DETECTORS, FINDING_TYPES, find

__all__ = ["DETECTORS", "FINDING_TYPES", "find"]
