"""The fitted score models: a logistic model per mode, read from model.json.

model.json holds each mode's weights, bias and link threshold, and where they
came from (the sets fitted on, the command). `python eval/align_eval.py --fit`
refits them on the development sets and rewrites the file, so the figures in
docs/alignment.md can always be reproduced; nothing here is tuned by hand.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .features import resolve

MODEL_FILE = Path(__file__).with_name("model.json")
MODES = ("default", "fast")
# Links whose probability reaches this are "strong" (the calibration promise: links scored
# >= 0.8 are gold >= 90% of the time is measured by `make eval`).
STRONG_THRESHOLD = 0.7


@dataclass(frozen=True, slots=True)
class ScoreModel:
    """Logistic model: probability = sigmoid(bias + sum(weight[f] * feature f))."""

    weights: Mapping[str, float]
    bias: float

    def __post_init__(self) -> None:
        resolve(self.weights)  # unknown feature names fail here, not deep in scoring

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.weights)


@dataclass(frozen=True, slots=True)
class FittedModel:
    model: ScoreModel
    threshold: float  # minimum link probability


def parse(data: Mapping[str, Any]) -> dict[str, FittedModel]:
    """model.json's "modes" object -> a FittedModel per mode (ValueError if malformed)."""
    out = {}
    for mode in MODES:
        entry = data.get(mode)
        if not isinstance(entry, Mapping):
            raise ValueError(f"model.json: no model for mode {mode!r}")
        weights = {str(k): float(v) for k, v in dict(entry["weights"]).items()}
        bias, threshold = float(entry["bias"]), float(entry["threshold"])
        if not all(math.isfinite(v) for v in (*weights.values(), bias)) or not 0.0 < threshold < 1.0:
            raise ValueError(f"model.json: mode {mode!r} has a non-finite weight or a threshold outside (0, 1)")
        out[mode] = FittedModel(ScoreModel(weights, bias), threshold)
    return out


@lru_cache(maxsize=1)
def fitted() -> dict[str, FittedModel]:
    """The shipped models (read once)."""
    return parse(json.loads(MODEL_FILE.read_text(encoding="utf-8"))["modes"])
