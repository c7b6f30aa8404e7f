"""Pair scores: margins, the sparse store of link probabilities, the blocked scorer.

Memory. Scores are computed a block of sentence pairs at a time (aligner.BLOCK_PAIRS), and
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
from typing import Mapping, Sequence

import numpy as np

from .model import ScoreModel

MARGIN_K = 3
# Degenerate input (thousands of copies of one sentence) makes every pair a candidate: past
# _POOL_MIN candidates and MAX_PARTNERS per sentence on average, each sentence keeps its
# MAX_PARTNERS most probable partners (with a warning), so memory stays linear.
MAX_PARTNERS = 64
_POOL_MIN = 1 << 20
_SLACK = 1e-6  # probabilities are rounded to 6 places; bounds are compared with this slack
Merge = tuple[tuple[int, ...], tuple[int, ...], float]


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
        prob = sigmoid(self._candidates(rows, cols, vals, bound=False))
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


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Probabilities rounded to 6 places, so that a@b.T and b@a.T (a few ulps apart) link identically."""
    return np.round(1.0 / (1.0 + np.exp(-z)), 6)
