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
- ``bare_emb``, ``bare_tfidf`` (default mode): the same on each sentence without
  its reporting frame (", officials said." / "According to X, ..."), removed by
  ``strip_attribution`` for scoring only - outlets attribute one fact differently;
- ``cover`` (default mode): token coverage, BERTScore-style greedy matching of
  the two sentences' contextual word-piece vectors, the better-covered direction
  - compare/align_tokens.py;
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
outlet's sentence can pair with the two another split it into. Then merge
candidates (default mode, as in Bertalign): two adjacent sentences of one side,
embedded as one text, against one sentence of the other; when the merged text
is clearly closer than either piece and its probability clears the threshold,
the 2:1 link is proposed; proposals that share a sentence compete, most
probable first, so each sentence joins at most one merge. Last, a recall pass:
a sentence still unlinked takes its best unlinked partner when they are each
other's best among the leftovers and their probability clears a lower bar. Then the
pairs are kept, most probable first, only while every link stays one-to-many or
many-to-one (a many-to-many link would also join cross pairs nobody scored).
Connected pairs form one link; its score is the lowest probability among its pairs.

Memory. Scores are computed a block of sentence pairs at a time (BLOCK_PAIRS), and
only what linking reads is kept, sparse (`PairScores`): the pairs whose probability
reaches the lowest bar linking uses, and the merge proposals. A margin needs each
row's and each column's best scores: rows are whole within a block, columns keep
their k best across blocks; until the last block a column's statistic is a lower
bound, so a pair's probability has an upper bound and a pair whose bound misses the
bar is dropped for good. The kept pairs are scored exactly at the end, entry by entry
the same arithmetic as one dense matrix, so the links do not depend on the blocks
(documents under BLOCK_PAIRS pairs are one block: the same products, bit for bit).
Peak memory grows linearly with the documents' length (benchmarks/bench_memory.py).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import numpy as np

from .align_lexical import LexicalIndex, TfidfIndex, content_terms, strip_attribution, strip_dateline
from .align_tokens import TokenCover
from .errors import UsageError
from .graph import connected_components
from .result import Strength

# Minimum link probability per mode. For calibrated scores the F1-optimal cut is
# about half the attainable F1 (Lipton et al. 2014): ~0.4 for default mode (F1 ~0.8)
# and ~0.3-0.35 for the lexical-only fast mode (F1 ~0.75) on the dev set.
DEFAULT_THRESHOLDS: dict[str, float] = {"default": 0.4, "fast": 0.3}
STRONG_THRESHOLD = 0.7
# Recall pass: leftovers that are each other's best link at this share of the threshold
# (0.25 in default mode, 0.15 in fast mode at the default thresholds).
SECOND_PASS_RATIO: dict[str, float] = {"default": 0.625, "fast": 0.5}
# Merge candidates (default mode): the merged text's cosine must beat both pieces' by
# MERGE_GAIN, and each piece must reach MERGE_MIN_PAIR probability on its own.
MERGE_GAIN = 0.0
MERGE_MIN_PAIR = 0.1
MARGIN_K = 3
MODES = ("default", "fast")
# Sentence pairs scored at once (a block's features take ~200 bytes a pair in default mode);
# article pairs, under 700 x 700 sentences, are one block.
BLOCK_PAIRS = 1 << 19
# Degenerate input (thousands of copies of one sentence) makes every pair a candidate: past
# _POOL_MIN candidates and MAX_PARTNERS per sentence on average, each sentence keeps its
# MAX_PARTNERS most probable partners (with a warning), so memory stays linear.
MAX_PARTNERS = 64
_POOL_MIN = 1 << 20
_SLACK = 1e-6  # probabilities are rounded to 6 places; bounds are compared with this slack
Merge = tuple[tuple[int, ...], tuple[int, ...], float]


class AlignmentWarning(UserWarning):
    """Alignment went on with a simplification the user should know about."""


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
    "default": ScoreModel(
        weights={
            "bare_emb": -0.38, "bare_emb_margin": 5.98, "tfidf": 2.57, "tfidf_margin": 4.0,
            "bare_tfidf": 1.24, "bare_tfidf_margin": 4.09, "cover": 9.43, "cover_margin": 8.99,
        },
        bias=-5.48,
    ),
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
    row = _best_mean_per_row(scores, min(k, m))
    col = _best_mean_per_column(scores, min(k, n))
    return scores - (row[:, None] + col[None, :]) / 2.0


def _best_mean_per_row(scores: np.ndarray, k: int) -> np.ndarray:
    return -np.partition(-scores, k - 1, axis=1)[:, :k].mean(axis=1)


def _best_mean_per_column(scores: np.ndarray, k: int) -> np.ndarray:
    # Depends only on each column's k best values (any order, any other rows): the blocked
    # scorer gets the same value from the k best it kept (tests/test_harden_memory.py).
    return -np.partition(-scores, k - 1, axis=0)[:k, :].mean(axis=0)


class PairScores:
    """Link probabilities of the sentence pairs of two documents, kept sparse.

    Holds every pair whose probability reaches `floor` (the lowest bar linking reads), and
    pair (0, 0) always (headlines pair with headlines), in row-major order; a pair not held
    is below the floor. `merges`: the 2:1 and 1:2 link proposals of the same pass. `capped`:
    some sentence had too many candidates and kept only its MAX_PARTNERS most probable.
    """

    def __init__(
        self,
        shape: tuple[int, int],
        rows: np.ndarray,
        cols: np.ndarray,
        values: np.ndarray,
        floor: float,
        *,
        merges: Sequence[Merge] = (),
        capped: bool = False,
    ) -> None:
        self.shape = shape
        self.rows = np.asarray(rows, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float64)
        self.floor = floor
        self.merges = tuple(merges)
        self.capped = capped
        self._keys = self.rows * max(shape[1], 1) + self.cols  # ascending (row-major)

    @classmethod
    def from_dense(cls, scores: np.ndarray, floor: float = -np.inf) -> "PairScores":
        """All pairs of a probability matrix at or above floor (every pair by default)."""
        rows, cols = np.nonzero(scores >= floor)
        return cls(scores.shape, rows, cols, scores[rows, cols], floor)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self.values)

    def lookup(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Probabilities of the given pairs; NaN for a pair below the floor."""
        keys = np.asarray(rows, dtype=np.int64) * max(self.shape[1], 1) + np.asarray(cols, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        found = (self._keys[at] == keys) if len(self._keys) else np.zeros(len(keys), dtype=bool)
        return np.where(found, self.values[at] if len(self.values) else np.nan, np.nan)

    def __getitem__(self, pair: tuple[int, int]) -> float:
        """The probability of pair (r, c); KeyError if it is below the floor."""
        value = float(self.lookup(np.array([pair[0]]), np.array([pair[1]]))[0])
        if value != value:
            raise KeyError(pair)
        return value

    def dense(self, fill: float = 0.0) -> np.ndarray:
        """The full matrix, pairs below the floor set to `fill` (small inputs, tests)."""
        out = np.full(self.shape, fill, dtype=np.float64)
        out[self.rows, self.cols] = self.values
        return out


class _MatrixScorer:
    """Probabilities of one feature matrix (rows x cols), fed a block of whole rows at a time.

    Keeps the candidate pairs (upper bound reaching `floor`, `extra` true) with their raw
    features, each row's margin statistics (exact: rows are whole) and each column's k best
    values so far (their mean bounds the final statistic from below); finish() scores the
    candidates exactly. Memory: candidates, plus a few floats per row and column.
    """

    def __init__(self, model: ScoreModel, shape: tuple[int, int], floor: float, *, keep_first: bool = False) -> None:
        self.model = model
        self.n, self.m = shape
        self.floor = floor
        self.keep_first = keep_first
        self.raw = tuple(dict.fromkeys(f.removesuffix("_margin") for f in model.weights))
        self.margins = tuple(f for f in self.raw if f + "_margin" in model.weights)
        self.k_row, self.k_col = min(MARGIN_K, self.m), min(MARGIN_K, self.n)
        self.row_stat = {f: np.zeros(self.n, dtype=np.float32) for f in self.margins}
        # Zeros stand for rows not seen yet: features are >= 0, so the k best stay a lower bound
        # and, once every row is in, are the column's k best values (ties are equal values).
        self.col_best = {f: np.zeros((self.k_col, self.m), dtype=np.float32) for f in self.margins}
        self.limit = max(_POOL_MIN, MAX_PARTNERS * (self.n + self.m))
        # Bounds are compared before the sigmoid: probability >= floor - slack <=> logit above this.
        low = floor - _SLACK
        self.z_floor = -np.inf if low <= 0 else np.inf if low >= 1 else math.log(low / (1.0 - low))
        self.capped = False
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[dict[str, np.ndarray]] = []
        self._held = 0

    def add(self, start: int, feats: Mapping[str, np.ndarray], extra: np.ndarray | None = None) -> None:
        """Rows start.. of the matrix: raw feature blocks of shape (rows, self.m)."""
        count = len(feats[self.raw[0]])
        if count == 0:
            return
        for f in self.margins:
            self.row_stat[f][start : start + count] = _best_mean_per_row(feats[f], self.k_row)
            both = np.vstack([self.col_best[f], feats[f]])
            self.col_best[f] = -np.partition(-both, self.k_col - 1, axis=0)[: self.k_col]
        rows_of = {f: self.row_stat[f][start : start + count, None] for f in self.margins}
        cols_of = {f: c[None, :] for f, c in self._column_stats(bound=True).items()}
        keep = self._logit(feats, rows_of, cols_of) >= self.z_floor
        if extra is not None:
            keep &= extra
        if self.keep_first and start == 0:
            keep[0, 0] = True
        r, c = np.nonzero(keep)
        self._rows.append(r + start)
        self._cols.append(c)
        self._vals.append({f: feats[f][r, c] for f in self.raw})
        self._held += len(r)
        if self._held > self.limit:
            self._prune()

    def finish(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, probabilities) of the pairs at or above the floor, row-major."""
        rows, cols, vals = self._gather()
        prob = _sigmoid(self._candidates(rows, cols, vals, bound=False))
        keep = prob >= self.floor
        if self.keep_first:
            keep |= (rows == 0) & (cols == 0)
        return rows[keep], cols[keep], prob[keep]

    def _column_stats(self, *, bound: bool) -> dict[str, np.ndarray]:
        """Each column's statistic: exact once every row is in; with bound=True while blocks
        come, the side that raises the probability (the k best so far for a positive weight,
        1, the largest possible, for a negative one)."""
        out = {}
        for f in self.margins:
            if bound and self.model.weights[f + "_margin"] < 0:
                out[f] = np.ones(self.m, dtype=np.float32)
            else:
                out[f] = _best_mean_per_column(self.col_best[f], self.k_col)
        return out

    def _logit(
        self, values: Mapping[str, np.ndarray], rows_of: Mapping[str, np.ndarray], cols_of: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """The logistic model's sum, elementwise in the dense path's order and dtypes (float32
        features and margins, a float64 sum), so that the probabilities are the same bits."""
        z = np.full(np.shape(values[self.raw[0]]), self.model.bias, dtype=np.float64)
        for name, weight in self.model.weights.items():
            if name.endswith("_margin"):
                f = name.removesuffix("_margin")
                z += weight * (values[f] - (rows_of[f] + cols_of[f]) / 2.0)
            else:
                z += weight * values[name]
        return z

    def _candidates(
        self, rows: np.ndarray, cols: np.ndarray, vals: Mapping[str, np.ndarray], *, bound: bool
    ) -> np.ndarray:
        col_stats = self._column_stats(bound=bound)
        rows_of = {f: self.row_stat[f][rows] for f in self.margins}
        cols_of = {f: col_stats[f][cols] for f in self.margins}
        return self._logit(vals, rows_of, cols_of)

    def _gather(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(self._cols) if self._cols else np.zeros(0, dtype=np.int64)
        vals = {f: np.concatenate([v[f] for v in self._vals] or [np.zeros(0, np.float32)]) for f in self.raw}
        return rows, cols, vals

    def _prune(self) -> None:
        """Drop the candidates whose bound, with the columns seen so far, misses the floor; if
        that leaves too many, keep each row's MAX_PARTNERS most probable (ties: the partners
        nearest the same relative position, so copies of one sentence pair in order)."""
        rows, cols, vals = self._gather()
        z = self._candidates(rows, cols, vals, bound=True)
        keep = z >= self.z_floor
        if self.keep_first:
            keep |= (rows == 0) & (cols == 0)
        if int(keep.sum()) > self.limit // 2:
            off_diagonal = np.abs(rows * self.m - cols * self.n)
            order = np.lexsort((cols, off_diagonal, -np.round(z, 6), rows))
            sorted_rows = rows[order]
            rank = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows, side="left")
            top = np.zeros(len(order), dtype=bool)
            top[order] = rank < MAX_PARTNERS
            keep &= top | ((rows == 0) & (cols == 0) & self.keep_first)
            self.capped = True
        self._rows, self._cols = [rows[keep]], [cols[keep]]
        self._vals = [{f: v[keep] for f, v in vals.items()}]
        self._held = int(keep.sum())


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Probabilities rounded to 6 places, so that a@b.T and b@a.T (a few ulps apart) link identically."""
    return np.round(1.0 / (1.0 + np.exp(-z)), 6)


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
        # Every score reads the sentences without a wire dateline ("KYIV (AP) - ..."): it is not
        # part of the fact, and the other outlet's lead rarely has the same one.
        documents = [[strip_dateline(s) for s in doc] for doc in documents]
        self._sizes = [len(doc) for doc in documents]
        # Spelling unification (accents, near-identical spellings) only where it measured better:
        # fast mode. Default mode's embeddings already see "Zelensky"/"Zelenskyy" as one name
        # (docs/alignment.md, "spelling-variant robustness").
        unify = mode == "fast"
        self.lexical = LexicalIndex(documents, unify=unify) if any(f.startswith("lex") for f in features) else None
        self.tfidf = TfidfIndex(documents, unify=unify) if any(f.startswith("tfidf") for f in features) else None
        # The same sentences without their trailing reporting frame, for the "bare_" features.
        bare = (
            [[strip_attribution(s) for s in doc] for doc in documents]
            if any(f.startswith("bare_") for f in features)
            else []
        )
        self.bare_tfidf = TfidfIndex(bare, unify=unify) if any(f.startswith("bare_tfidf") for f in features) else None
        self.second_pass = self.threshold * SECOND_PASS_RATIO[mode]
        self._vectors: list[np.ndarray] | None = None
        self._merged_vectors: list[np.ndarray] | None = None
        self._bare_vectors: list[np.ndarray] | None = None
        self._bare_merged_vectors: list[np.ndarray] | None = None
        self.cover: TokenCover | None = None
        if any("emb" in f or f.startswith("cover") for f in features):
            from .embed import get_encoder

            if any(f.startswith("cover") for f in features):
                # First, so that the one forward pass also caches the sentence vectors.
                self.cover = TokenCover(documents, get_encoder())

            # Each sentence, then each adjacent pair as one text (for merge candidates); the
            # same for the bare sentences when the model reads them (unchanged texts are cached).
            sets = [documents] + ([bare] if any(f.startswith("bare_emb") for f in features) else [])
            groups: list[list[list[str]]] = []
            for docs in sets:
                groups.append([list(doc) for doc in docs])
                groups.append([[doc[k] + " " + doc[k + 1] for k in range(len(doc) - 1)] for doc in docs])
            vectors = get_encoder().encode([s for group in groups for doc in group for s in doc])
            split: list[list[np.ndarray]] = []
            start = 0
            for group in groups:
                split.append([])
                for doc in group:
                    split[-1].append(vectors[start : start + len(doc)])
                    start += len(doc)
            self._vectors, self._merged_vectors = split[0], split[1]
            if len(split) > 2:
                self._bare_vectors, self._bare_merged_vectors = split[2], split[3]

    @property
    def floor(self) -> float:
        """The lowest probability linking reads: the threshold, the recall pass's bar and, with
        merge proposals, the bar each of a merge's pieces must reach."""
        bar = min(self.threshold, self.second_pass)
        return min(bar, MERGE_MIN_PAIR) if self._vectors is not None else bar

    def features(self, i: int, j: int) -> dict[str, np.ndarray]:
        """Raw score matrices (sentences of i x sentences of j), with the margins the model reads.

        Dense: for fitting and inspecting the model on article-sized inputs (eval/align_eval.py);
        scores() goes a block at a time.
        """
        names = ["lex", "tfidf", "bare_tfidf", "emb", "bare_emb", "cover"]
        feats = self._block(i, j, 0, self._sizes[i], names, merges=False)[0]
        for name in list(feats):
            if name + "_margin" in self.model.weights:
                feats[name + "_margin"] = margin(feats[name])
        return feats

    def scores(self, i: int, j: int) -> PairScores:
        """Probability in [0, 1] that each sentence pair reports the same main fact: the pairs
        linking can use (sparse), with the merge proposals, from one pass over blocks of pairs.

        Warns (AlignmentWarning) when some sentence had more candidate partners than memory allows.
        """
        n, m = self._sizes[i], self._sizes[j]
        empty = np.zeros(0, dtype=np.int64)
        if n == 0 or m == 0:
            return PairScores((n, m), empty, empty, np.zeros(0), self.floor)
        names = list(dict.fromkeys(f.removesuffix("_margin") for f in self.model.weights))
        merging = self._vectors is not None
        single = _MatrixScorer(self.model, (n, m), self.floor, keep_first=True)
        # Merge proposals (default mode): i's sentence pairs (k, k+1) against j's sentences, and
        # i's sentences against j's pairs (that matrix transposed, so its rows are i's too).
        side_a = _MatrixScorer(self.model, (n - 1, m), self.threshold) if merging and n > 1 else None
        side_b = _MatrixScorer(self.model, (n, m - 1), self.threshold) if merging and m > 1 else None
        for start, stop in _blocks(n, m):
            feats, merged_a, merged_b, gain_a, gain_b = self._block(i, j, start, stop, names, merges=merging)
            single.add(start, feats)
            if side_a is not None and merged_a:
                side_a.add(start, merged_a, gain_a)
            if side_b is not None and merged_b:
                side_b.add(start, merged_b, gain_b)
        scores = PairScores((n, m), *single.finish(), self.floor)
        merges = _merge_proposals(scores, side_a, side_b)
        capped = any(s is not None and s.capped for s in (single, side_a, side_b))
        if capped:
            warnings.warn(
                AlignmentWarning(
                    f"documents {i + 1} and {j + 1}: some sentences have more than {MAX_PARTNERS} likely partners "
                    "(repeated sentences?); only the most probable were considered"
                ),
                stacklevel=2,
            )
        return PairScores((n, m), scores.rows, scores.cols, scores.values, self.floor, merges=merges, capped=capped)

    def _block(
        self, i: int, j: int, start: int, stop: int, names: Sequence[str], *, merges: bool
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Features of sentences start..stop-1 of i against j, for the raw feature names asked:
        (single, merged_a, merged_b, gain_a, gain_b). merged_a: i's pairs (k, k+1), k in
        start..min(stop, len(i) - 1) - 1, against j; merged_b: the block's sentences against
        j's pairs (c, c+1); gain_*: where the merged text's cosine beats both pieces' by
        MERGE_GAIN. The merged ones are empty unless merges (default mode)."""
        n = self._sizes[i]
        single: dict[str, np.ndarray] = {}
        merged_a: dict[str, np.ndarray] = {}
        merged_b: dict[str, np.ndarray] = {}
        gain_a = gain_b = np.zeros((0, 0), dtype=bool)
        a_stop = min(stop, n - 1)
        for name, index in (("lex", self.lexical), ("tfidf", self.tfidf), ("bare_tfidf", self.bare_tfidf)):
            if index is None or name not in names:
                continue
            single[name] = index.cosine_rows(i, j, start, stop)
            if merges:
                merged_a[name] = index.cosine_merged_rows(i, j, start, a_stop)
                merged_b[name] = index.cosine_merged_columns(j, i, start, stop).T
        for name, vecs, pairs in (
            ("emb", self._vectors, self._merged_vectors),
            ("bare_emb", self._bare_vectors, self._bare_merged_vectors),
        ):
            if vecs is None or pairs is None or not (name in names or (name == "emb" and merges)):
                continue
            if name in names:
                single[name] = np.clip(vecs[i][start:stop] @ vecs[j].T, 0.0, 1.0)
            if merges:
                merged_a[name] = np.clip(pairs[i][start:a_stop] @ vecs[j].T, 0.0, 1.0)
                merged_b[name] = np.clip(pairs[j] @ vecs[i][start:stop].T, 0.0, 1.0).T
        if self.cover is not None and "cover" in names:
            single["cover"], cover_a, cover_b = self.cover.block(i, j, start, stop)
            if merges:
                merged_a["cover"], merged_b["cover"] = cover_a, cover_b
        if merges:
            assert self._vectors is not None
            # The merged text must be clearly closer than either piece (cosines rounded as scores are).
            pieces = np.round(np.clip(self._vectors[i][start : min(stop + 1, n)] @ self._vectors[j].T, 0.0, 1.0), 6)
            gain_a = np.round(merged_a["emb"], 6) > np.maximum(pieces[:-1], pieces[1:])[: a_stop - start] + MERGE_GAIN
            block = pieces[: stop - start]
            gain_b = np.round(merged_b["emb"], 6) > np.maximum(block[:, :-1], block[:, 1:]) + MERGE_GAIN
        return single, merged_a, merged_b, gain_a, gain_b

    def align(self, i: int, j: int, scores: PairScores | None = None) -> PairAlignment:
        """Links between documents i and j; pass `scores` if already computed by scores(i, j)."""
        if scores is None:
            scores = self.scores(i, j)
        return link_sentences(scores, self.threshold, merges=scores.merges, second_pass=self.second_pass)


def _merge_proposals(
    scores: PairScores, side_a: _MatrixScorer | None, side_b: _MatrixScorer | None
) -> list[Merge]:
    """2:1 and 1:2 link proposals (a indices, b indices, probability), Bertalign-style.

    Sentences k and k+1 of one side, embedded as one text, against sentence c of the other:
    proposed when the merged text's probability clears the threshold (the scorers' floor),
    its cosine beats both pieces' by MERGE_GAIN (the scorers' extra condition), and each
    piece's own probability reaches MERGE_MIN_PAIR (a piece below the floor does not).
    """
    out: list[Merge] = []
    for side, scorer in enumerate((side_a, side_b)):
        if scorer is None:
            continue
        rows, cols, prob = scorer.finish()
        first = scores.lookup(rows, cols)
        second = scores.lookup(rows + 1, cols) if side == 0 else scores.lookup(rows, cols + 1)
        with np.errstate(invalid="ignore"):  # NaN: below the floor
            ok = np.minimum(first, second) >= MERGE_MIN_PAIR
        for r, c, p in zip(rows[ok].tolist(), cols[ok].tolist(), prob[ok].tolist()):
            out.append(((r, r + 1), (c,), p) if side == 0 else ((r,), (c, c + 1), p))
    return out


def _blocks(n: int, m: int) -> Iterator[tuple[int, int]]:
    """Row ranges of an n x m pair matrix, BLOCK_PAIRS pairs or one row each."""
    step = max(1, BLOCK_PAIRS // max(m, 1))
    for start in range(0, n, step):
        yield start, min(n, start + step)


def align_texts(
    a: Sequence[str], b: Sequence[str], *, threshold: float | None = None, mode: str = "default"
) -> PairAlignment:
    """Align two lists of sentences (convenience for a single pair)."""
    return Aligner([a, b], threshold=threshold, mode=mode).align(0, 1)


def link_sentences(
    scores: PairScores | np.ndarray,
    threshold: float,
    strong: float = STRONG_THRESHOLD,
    *,
    merges: Sequence[tuple[Sequence[int], Sequence[int], float]] = (),
    second_pass: float | None = None,
) -> PairAlignment:
    """Turn link probabilities into links: competitive 1:1 anchors, then n:m,
    then the merge proposals, then (with second_pass) the recall pass, then
    star_pairs (no many-to-many links).

    Ties break on (score, row + column), which is the same ordering whichever
    document is A, so swapping the documents mirrors the links exactly.

    Args:
        scores: a PairScores (pairs below its floor, which must not exceed threshold or
            second_pass, are never linked) or a dense probability matrix.
        merges: proposed links (a indices, b indices, probability), taken highest
            probability first when none of its sentences is anchored outside it or already
            in a merge taken before it.
        second_pass: bar for the recall pass: an unlinked A and an unlinked B sentence
            that are each other's best among the unlinked ones are linked 1:1 when their
            probability reaches it. None: no recall pass.
    """
    if isinstance(scores, np.ndarray):
        scores = PairScores.from_dense(scores)
    n, m = scores.shape
    pairs: dict[tuple[int, int], float] = {}
    partner_a = np.full(n, -1, dtype=np.int64)  # anchor partner, -1 if none
    partner_b = np.full(m, -1, dtype=np.int64)
    above = scores.values >= threshold
    rows, cols, values = scores.rows[above], scores.cols[above], scores.values[above]
    if len(rows):
        order = np.lexsort((rows + cols, -values))
        for k in order:
            r, c = int(rows[k]), int(cols[k])
            if partner_a[r] < 0 and partner_b[c] < 0:
                partner_a[r], partner_b[c] = c, r
                pairs[(r, c)] = float(values[k])
        for k in order:
            r, c = int(rows[k]), int(cols[k])
            if (r, c) not in pairs and not (partner_a[r] >= 0 and partner_b[c] >= 0):
                pairs[(r, c)] = float(values[k])
    # Merge proposals: judged against the anchors, then competitively among themselves (a
    # sentence joins at most one merge), highest probability first. The order key is the same
    # whichever document is A, and proposals tied on it are judged together, so swapping the
    # documents still mirrors the links.
    merged: dict[tuple[int, int], float] = {}
    used_a: set[int] = set()
    used_b: set[int] = set()
    keyed = sorted(
        (
            (-float(score), sum(a_idx) + sum(b_idx), tuple(sorted((*a_idx, *b_idx)))),
            tuple(a_idx),
            tuple(b_idx),
        )
        for a_idx, b_idx, score in merges
    )
    start = 0
    while start < len(keyed):
        end = start
        while end < len(keyed) and keyed[end][0] == keyed[start][0]:
            end += 1
        group = [
            (a_idx, b_idx)
            for _, a_idx, b_idx in keyed[start:end]
            if not (used_a.intersection(a_idx) or used_b.intersection(b_idx))
            and all(partner_a[r] < 0 or partner_a[r] in b_idx for r in a_idx)
            and all(partner_b[c] < 0 or partner_b[c] in a_idx for c in b_idx)
        ]
        for a_idx, b_idx in group:
            used_a.update(a_idx)
            used_b.update(b_idx)
            for r in a_idx:
                for c in b_idx:
                    merged[(r, c)] = max(merged.get((r, c), 0.0), -keyed[start][0][0])
        start = end
    for pair, score in merged.items():
        pairs.setdefault(pair, score)
    if second_pass is not None:
        pairs.update(_mutual_best_leftovers(scores, pairs, second_pass))
    links = group_pairs(star_pairs(pairs), strong)
    in_a = {i for link in links for i in link.a}
    in_b = {j for link in links for j in link.b}
    return PairAlignment(
        links=links,
        only_in_a=tuple(i for i in range(n) if i not in in_a),
        only_in_b=tuple(j for j in range(m) if j not in in_b),
    )


def _mutual_best_leftovers(
    scores: PairScores, pairs: Mapping[tuple[int, int], float], bar: float
) -> dict[tuple[int, int], float]:
    """Unlinked A and B sentences that are each other's best among the unlinked ones, with a
    probability of at least `bar`, in row-major order. Pairs below the floor cannot be a best
    that reaches the bar, so the held pairs decide."""
    n, m = scores.shape
    free_a = np.ones(n, dtype=bool)
    free_b = np.ones(m, dtype=bool)
    for r, c in pairs:
        free_a[r] = free_b[c] = False
    sel = free_a[scores.rows] & free_b[scores.cols]
    rows, cols, values = scores.rows[sel], scores.cols[sel], scores.values[sel]
    if not len(values):
        return {}
    row_best = np.full(n, -np.inf)
    col_best = np.full(m, -np.inf)
    np.maximum.at(row_best, rows, values)
    np.maximum.at(col_best, cols, values)
    best = (values >= bar) & (values == row_best[rows]) & (values == col_best[cols])
    return {(int(r), int(c)): float(v) for r, c, v in zip(rows[best], cols[best], values[best])}


class _Stars:
    """Links under construction that stay one-to-many or many-to-one."""

    def __init__(self) -> None:
        self.link_of: dict[tuple[str, int], int] = {}
        self.members: list[tuple[set[int], set[int]]] = []

    def fits(self, r: int, c: int) -> bool:
        la, lb = self.link_of.get(("a", r)), self.link_of.get(("b", c))
        if la is None and lb is None:
            return True
        if lb is None:
            return self.members[la][0] == {r}  # type: ignore[index]
        if la is None:
            return self.members[lb][1] == {c}
        return la == lb

    def add(self, r: int, c: int) -> None:
        la, lb = self.link_of.get(("a", r)), self.link_of.get(("b", c))
        if la is None and lb is None:
            self.link_of[("a", r)] = self.link_of[("b", c)] = len(self.members)
            self.members.append(({r}, {c}))
        elif lb is None:
            self.members[la][1].add(c)  # type: ignore[index]
            self.link_of[("b", c)] = la  # type: ignore[assignment]
        elif la is None:
            self.members[lb][0].add(r)
            self.link_of[("a", r)] = lb

    def copy(self) -> "_Stars":
        out = _Stars()
        out.link_of = dict(self.link_of)
        out.members = [(set(a), set(b)) for a, b in self.members]
        return out


def star_pairs(pairs: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Keep, highest score first, the pairs that leave every link one-to-many or many-to-one.

    A many-to-many link would also join sentence pairs that nobody scored (its cross pairs),
    and those were wrong more often than right on the dev set (docs/alignment.md).
    """
    stars = _Stars()
    kept: dict[tuple[int, int], float] = {}
    # The order key is the same whichever document is A. Only mirror twins, (r, c) and (c, r)
    # with one score, tie on it: they are judged together, so that swapping mirrors the links.
    order = sorted(pairs.items(), key=lambda kv: (-kv[1], sum(kv[0]), min(kv[0]), max(kv[0])))
    k = 0
    while k < len(order):
        (r, c), score = order[k]
        twin = order[k + 1] if k + 1 < len(order) and order[k + 1][0] == (c, r) and order[k + 1][1] == score else None
        if twin is None:
            if stars.fits(r, c):
                stars.add(r, c)
                kept[(r, c)] = score
            k += 1
            continue
        first, second = (r, c), (c, r)
        ok = [p for p in (first, second) if stars.fits(*p)]
        if len(ok) == 2:  # both, if they fit together in either order; else neither
            together = True
            for x, y in ((first, second), (second, first)):
                trial = stars.copy()
                trial.add(*x)
                together = together and trial.fits(*y)
            ok = ok if together else []
        for p in ok:
            stars.add(*p)
            kept[p] = score
        k += 2
    return kept


def group_pairs(pairs: dict[tuple[int, int], float], strong: float = STRONG_THRESHOLD) -> tuple[RawLink, ...]:
    """Connected components of linked sentence pairs -> n:m links, in A's order."""
    components = connected_components((("a", i), ("b", j)) for (i, j) in pairs)
    component_of = {node: k for k, nodes in enumerate(components) for node in nodes}
    groups: dict[int, list[tuple[int, int]]] = {}
    for (i, j) in pairs:
        groups.setdefault(component_of[("a", i)], []).append((i, j))
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
