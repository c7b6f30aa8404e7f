"""Sentence alignment across outlets: calibrated pair scores, then links.

Pure functions over lists of sentence texts (already in the common language);
docs/alignment.md explains the method and the measured figures.

Scoring. For every sentence pair of two documents the aligner computes
- ``lex`` (fast mode only): cosine of content-word stems weighted by rarity in
  English (wordfreq) and across the compared sentences (IDF) - compare/align_lexical.py;
- ``tfidf``: plain TF-IDF cosine of lowercased words, function words kept, IDF
  over the compared sentences - compare/align_lexical.py;
- ``emb`` (default mode only): cosine of all-MiniLM-L6-v2 sentence embeddings,
  computed in numpy - compare/embed.py;
- for each, a *margin*: the score minus the mean of the k best alternatives of
  both sentences (as in LASER / Bertalign), so "better than anything else
  around" counts, not the raw level, which varies from article to article.
A logistic model over these features (weights fitted on the development gold
set, eval/dev, by ``eval/align_eval.py --fit``) turns them into the
probability that the pair reports the same main fact. That probability is the
link score, so a score means the same thing in every comparison.

Linking. Competitive linking first (highest-probability pair, remove both
sentences, repeat while the probability clears the threshold): 1:1 anchors,
order-free so reordered facts are found. Then n:m: every other pair that
clears the threshold and touches a sentence without an anchor joins, so one
outlet's sentence can pair with the two another split it into. Connected
pairs form one link; its score is the lowest probability among its pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .align_lexical import LexicalIndex, TfidfIndex, content_terms
from .errors import UsageError
from .result import Strength

# Minimum link probability per mode. For calibrated scores the F1-optimal cut is
# about half the attainable F1 (Lipton et al. 2014): ~0.4 for default mode (F1 ~0.8)
# and ~0.3-0.35 for the lexical-only fast mode (F1 ~0.75) on the dev set.
DEFAULT_THRESHOLDS: dict[str, float] = {"default": 0.4, "fast": 0.3}
DEFAULT_THRESHOLD = DEFAULT_THRESHOLDS["default"]
STRONG_THRESHOLD = 0.7
MARGIN_K = 3
MODES = ("default", "fast")


@dataclass(frozen=True, slots=True)
class ScoreModel:
    """Logistic model: probability = sigmoid(bias + sum(weight[f] * feature f))."""

    weights: Mapping[str, float]
    bias: float

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.weights)


# Fitted on eval/dev (all pairs) with `python eval/align_eval.py --fit`.
MODELS: dict[str, ScoreModel] = {
    "default": ScoreModel(weights={"emb": 5.45, "emb_margin": 8.58, "tfidf": 4.55, "tfidf_margin": 7.39}, bias=-4.67),
    "fast": ScoreModel(
        weights={"lex": 1.6, "lex_margin": 4.55, "tfidf": 6.72, "tfidf_margin": 11.58}, bias=-3.11
    ),
}


@dataclass(frozen=True, slots=True)
class RawLink:
    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float
    strength: Strength


@dataclass(frozen=True, slots=True)
class PairAlignment:
    links: tuple[RawLink, ...]
    only_in_a: tuple[int, ...]
    only_in_b: tuple[int, ...]


def content_words(text: str) -> list[str]:
    """Content-word stems of a sentence (what the lexical scorer compares)."""
    return list(content_terms(text))


def margin(scores: np.ndarray, k: int = MARGIN_K) -> np.ndarray:
    """Score minus the mean of the k best scores of its row and of its column, halved."""
    n, m = scores.shape
    if n == 0 or m == 0:
        return scores.copy()
    kr, kc = min(k, m), min(k, n)
    row = -np.partition(-scores, kr - 1, axis=1)[:, :kr].mean(axis=1)
    col = -np.partition(-scores, kc - 1, axis=0)[:kc, :].mean(axis=0)
    return scores - (row[:, None] + col[None, :]) / 2.0


class Aligner:
    """Aligns any pair among a fixed set of documents.

    Features (weighted bags of stems, sentence embeddings) are computed once per
    document, so aligning all pairs of many documents costs little per pair.

    Args:
        documents: each document as its list of sentences.
        threshold: minimum link probability; None uses DEFAULT_THRESHOLDS[mode].
        mode: "default" (TF-IDF + MiniLM embeddings) or "fast" (lexical only).
        model: override the fitted score model (evaluation and tuning only).

    Raises:
        UsageError: unknown mode.
        ModelMissingError: default mode without the embedding model package.
    """

    def __init__(
        self,
        documents: Sequence[Sequence[str]],
        *,
        threshold: float | None = None,
        mode: str = "default",
        model: ScoreModel | None = None,
    ) -> None:
        if mode not in MODES:
            raise UsageError(f"unknown alignment mode {mode!r}; choose one of: {', '.join(MODES)}")
        self.mode = mode
        self.threshold = DEFAULT_THRESHOLDS[mode] if threshold is None else threshold
        self.model = model or MODELS[mode]
        features = self.model.features
        self.lexical = LexicalIndex(documents) if any(f.startswith("lex") for f in features) else None
        self.tfidf = TfidfIndex(documents) if any(f.startswith("tfidf") for f in features) else None
        self._vectors: list[np.ndarray] | None = None
        if any(f.startswith("emb") for f in self.model.features):
            from .embed import get_encoder

            encoder = get_encoder()
            flat = [s for doc in documents for s in doc]
            vectors = encoder.encode(flat)
            self._vectors, start = [], 0
            for doc in documents:
                self._vectors.append(vectors[start : start + len(doc)])
                start += len(doc)

    def features(self, i: int, j: int) -> dict[str, np.ndarray]:
        """Raw feature matrices (sentences of i x sentences of j) the model reads."""
        feats: dict[str, np.ndarray] = {}
        if self.lexical is not None:
            lex = self.lexical.cosine(i, j)
            feats["lex"], feats["lex_margin"] = lex, margin(lex)
        if self.tfidf is not None:
            tfidf = self.tfidf.cosine(i, j)
            feats["tfidf"], feats["tfidf_margin"] = tfidf, margin(tfidf)
        if self._vectors is not None:
            emb = np.clip(self._vectors[i] @ self._vectors[j].T, 0.0, 1.0)
            feats["emb"], feats["emb_margin"] = emb, margin(emb)
        return feats

    def scores(self, i: int, j: int) -> np.ndarray:
        """Probability in [0, 1] that each sentence pair reports the same main fact."""
        feats = self.features(i, j)
        z = np.full(next(iter(feats.values())).shape, self.model.bias, dtype=np.float64)
        for name, weight in self.model.weights.items():
            z += weight * feats[name]
        # Rounded so that a@b.T and b@a.T (a few ulps apart) link identically.
        return np.round(1.0 / (1.0 + np.exp(-z)), 6)

    def align(self, i: int, j: int) -> PairAlignment:
        return link_sentences(self.scores(i, j), self.threshold)


def align_texts(
    a: Sequence[str], b: Sequence[str], *, threshold: float | None = None, mode: str = "default"
) -> PairAlignment:
    """Align two lists of sentences (convenience for a single pair)."""
    return Aligner([a, b], threshold=threshold, mode=mode).align(0, 1)


def link_sentences(scores: np.ndarray, threshold: float, strong: float = STRONG_THRESHOLD) -> PairAlignment:
    """Turn a probability matrix into links: competitive 1:1 anchors, then n:m.

    Ties break on (score, row + column), which is the same ordering whichever
    document is A, so swapping the documents mirrors the links exactly.
    """
    n, m = scores.shape
    pairs: dict[tuple[int, int], float] = {}
    anchored_a = np.zeros(n, dtype=bool)
    anchored_b = np.zeros(m, dtype=bool)
    rows, cols = np.nonzero(scores >= threshold)
    if len(rows):
        values = scores[rows, cols]
        order = np.lexsort((rows + cols, -values))
        for k in order:
            r, c = int(rows[k]), int(cols[k])
            if not anchored_a[r] and not anchored_b[c]:
                anchored_a[r] = anchored_b[c] = True
                pairs[(r, c)] = float(values[k])
        for k in order:
            r, c = int(rows[k]), int(cols[k])
            if (r, c) not in pairs and not (anchored_a[r] and anchored_b[c]):
                pairs[(r, c)] = float(values[k])
    links = group_pairs(pairs, strong)
    in_a = {i for link in links for i in link.a}
    in_b = {j for link in links for j in link.b}
    return PairAlignment(
        links=links,
        only_in_a=tuple(i for i in range(n) if i not in in_a),
        only_in_b=tuple(j for j in range(m) if j not in in_b),
    )


def group_pairs(pairs: dict[tuple[int, int], float], strong: float = STRONG_THRESHOLD) -> tuple[RawLink, ...]:
    """Connected components of linked sentence pairs -> n:m links, in A's order."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (i, j) in pairs:
        parent[find(("a", i))] = find(("b", j))
    groups: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for (i, j) in pairs:
        groups.setdefault(find(("a", i)), []).append((i, j))
    links = []
    for members in groups.values():
        score = min(pairs[p] for p in members)
        links.append(
            RawLink(
                a=tuple(sorted({i for i, _ in members})),
                b=tuple(sorted({j for _, j in members})),
                score=round(min(max(score, 0.0), 1.0), 4),
                strength="strong" if max(pairs[p] for p in members) >= strong else "weak",
            )
        )
    links.sort(key=lambda link: (link.a[0], link.b[0]))
    return tuple(links)
