"""Sentence alignment across outlets: calibrated pair scores, then links.

Pure functions over lists of sentence texts (already in the common language);
docs/alignment.md explains the method and the measured figures.

Scoring. For every sentence pair of two documents the aligner computes the
features its mode's score model reads (the registry is compare/align/features.py):
- ``lex`` (fast mode): cosine of content-word stems weighted by rarity in
  English (wordfreq) and across the compared sentences (IDF) - lexical.py;
- ``tfidf``: plain TF-IDF cosine of lowercased words - lexical.py;
- ``emb`` / ``bare_emb`` (default mode): cosine of all-MiniLM-L6-v2 sentence
  embeddings (compare/embed.py), ``bare_`` on the sentence without its reporting
  frame (normalise.strip_attribution) - outlets attribute one fact differently;
- ``cover`` (default mode): token coverage, BERTScore-style greedy matching of
  contextual word-piece vectors, the better-covered direction - tokens.py: a fact
  inside a long sentence meets the short sentence that tells only it;
- for each, a *margin*: the score minus the mean of the k best alternatives of
  both sentences (as in LASER / Bertalign) - scoring.margin.
A logistic model per mode (model.json, fitted on the realistic and the synthetic
development sets by ``eval/align_eval.py --fit``) turns them into the probability
that the pair reports the same main fact. That probability is the link score, so
a score means the same thing in every comparison.

Merge candidates (default mode, as in Bertalign): two adjacent sentences of one
side, embedded as one text, against one sentence of the other; proposed when the
merged text is closer than either piece, each piece reaches MERGE_MIN_PAIR and
the merged text's probability clears the threshold.

Linking (linking.py): every pair at or above the threshold, and the pairs of the
merge proposals that clear it, drawn as links whose pairs are exactly those.
"""

from __future__ import annotations

import warnings
from typing import Iterator, Sequence

import numpy as np

from ..errors import UsageError
from .features import FEATURES, resolve
from .lexical import LexicalIndex, TfidfIndex
from .linking import PairAlignment, link_sentences
from .model import MODES, ScoreModel, fitted
from .normalise import strip_attribution, strip_dateline
from .scoring import MAX_PARTNERS, Merge, PairScores, _MatrixScorer, margin
from .tokens import TokenCover

# Merge candidates (default mode): the merged text's cosine must beat both pieces' by
# MERGE_GAIN, and each piece must reach MERGE_MIN_PAIR probability on its own.
MERGE_GAIN = 0.0
MERGE_MIN_PAIR = 0.2
# Sentence pairs scored at once (a block's features take ~200 bytes a pair in default mode);
# article pairs, under 700 x 700 sentences, are one block.
BLOCK_PAIRS = 1 << 19


class AlignmentWarning(UserWarning):
    """Alignment went on with a simplification the user should know about."""


class Aligner:
    """Aligns any pair among a fixed set of documents.

    Features (weighted bags of stems, sentence embeddings) are computed once per
    document, so aligning all pairs of many documents costs little per pair.

    Args:
        documents: each document as its list of sentences.
        threshold: minimum link probability; None uses the mode's fitted threshold (model.json).
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
        shipped = fitted()[mode]
        self.threshold = shipped.threshold if threshold is None else threshold
        self.model = model or shipped.model
        used = resolve(self.model.features)
        wanted = {f.name for f in used}
        # Every score reads the sentences without a wire dateline ("KYIV (AP) - ..."): it is not
        # part of the fact, and the other outlet's lead rarely has the same one.
        documents = [[strip_dateline(s) for s in doc] for doc in documents]
        self._sizes = [len(doc) for doc in documents]
        # The same sentences without their reporting frame, for the "bare" view.
        bare = [[strip_attribution(s) for s in doc] for doc in documents] if any(f.view == "bare" for f in used) else []
        views = {"plain": documents, "bare": bare}
        # Spelling unification (accents, near-identical spellings) only where it measured better:
        # fast mode. Default mode's embeddings already see "Zelensky"/"Zelenskyy" as one name
        # (docs/alignment.md, "spelling-variant robustness").
        unify = mode == "fast"
        index_class = {"lexical": LexicalIndex, "tfidf": TfidfIndex}
        self._indices: dict[str, LexicalIndex] = {
            f.name: index_class[f.source](views[f.view], unify=unify) for f in used if f.source in index_class
        }
        # Sentence vectors per view: each sentence, then each adjacent pair as one text (merge
        # candidates read the plain view's, which is always there when the encoder runs).
        self._vectors: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self.cover: TokenCover | None = None
        if any(f.neural for f in used):
            from ..embed import get_encoder

            if "cover" in wanted:
                # First, so that the one forward pass also caches the sentence vectors.
                self.cover = TokenCover(documents, get_encoder())
            names = ["plain"] + (["bare"] if "bare_emb" in wanted else [])
            groups: list[list[list[str]]] = []
            for view in names:
                docs = views[view]
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
            for k, view in enumerate(names):
                self._vectors[view] = (split[2 * k], split[2 * k + 1])

    @property
    def floor(self) -> float:
        """The lowest probability linking reads: the threshold and, with merge proposals, the bar
        each of a merge's pieces must reach."""
        return min(self.threshold, MERGE_MIN_PAIR) if self._vectors else self.threshold

    def features(self, i: int, j: int) -> dict[str, np.ndarray]:
        """Raw score matrices (sentences of i x sentences of j), with the margins the model reads.

        Dense: for fitting and inspecting the model on article-sized inputs (eval/align_eval.py);
        scores() goes a block at a time.
        """
        names = list(FEATURES)
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
        merging = bool(self._vectors)
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
        for name, index in self._indices.items():
            if name not in names:
                continue
            single[name] = index.cosine_rows(i, j, start, stop)
            if merges:
                merged_a[name] = index.cosine_merged_rows(i, j, start, a_stop)
                merged_b[name] = index.cosine_merged_columns(j, i, start, stop).T
        for view, (vecs, pairs) in self._vectors.items():
            name = "emb" if view == "plain" else "bare_emb"
            if not (name in names or (name == "emb" and merges)):
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
            plain = self._vectors["plain"][0]
            # The merged text must be clearly closer than either piece (cosines rounded as scores are).
            pieces = np.round(np.clip(plain[i][start : min(stop + 1, n)] @ plain[j].T, 0.0, 1.0), 6)
            gain_a = np.round(merged_a["emb"], 6) > np.maximum(pieces[:-1], pieces[1:])[: a_stop - start] + MERGE_GAIN
            block = pieces[: stop - start]
            gain_b = np.round(merged_b["emb"], 6) > np.maximum(block[:, :-1], block[:, 1:]) + MERGE_GAIN
        return single, merged_a, merged_b, gain_a, gain_b

    def align(self, i: int, j: int, scores: PairScores | None = None) -> PairAlignment:
        """Links between documents i and j; pass `scores` if already computed by scores(i, j)."""
        if scores is None:
            scores = self.scores(i, j)
        return link_sentences(scores, self.threshold, merges=scores.merges)


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
