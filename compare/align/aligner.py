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
from pathlib import Path
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Iterator, NamedTuple, Sequence

import numpy as np

from ..errors import UsageError
from .features import FEATURES, Feature, resolve
from .lexical import LexicalIndex, TfidfIndex
from .linking import PairAlignment, link_sentences
from .model import MODES, ScoreModel, fitted
from .normalise import strip_attribution, strip_dateline
from .scoring import MAX_PARTNERS, Merge, PairScores, _MatrixScorer, margin
from .tokens import TokenCover, load_basis

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

# Merge candidates (default mode): the merged text's cosine must beat both pieces' by
# MERGE_GAIN, and each piece must reach MERGE_MIN_PAIR probability on its own.
MERGE_GAIN = 0.0
MERGE_MIN_PAIR = 0.2
# Sentence pairs scored at once (a block's features take ~200 bytes a pair in default mode);
# article pairs, under 700 x 700 sentences, are one block.
BLOCK_PAIRS = 1 << 19
# Pairs per sentence whose token coverage is computed (its best partners by the cheaper
# features, on either side); see Aligner._cover_candidates.
COVER_K = 8


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
        embed_cache: folder of the persistent embedding cache (None: vectors kept in memory only).
        device: where the sentence encoder runs: "cpu", "cuda" or "auto" (as --device; None:
            where the process's encoder already runs, the CPU for the first).

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
        embed_cache: Path | None = None,
        device: str | None = None,
    ) -> None:
        if mode not in MODES:
            raise UsageError(f"unknown alignment mode {mode!r}; choose one of: {', '.join(MODES)}")
        self.mode = mode
        shipped = fitted()[mode]
        self.threshold = shipped.threshold if threshold is None else threshold
        self.model = model or shipped.model
        used = resolve(self.model.features)
        wanted = {f.name for f in used}
        views = _views(documents, used)
        documents = views["plain"]
        self._sizes = [len(doc) for doc in documents]
        # Spelling unification (accents, near-identical spellings) only where it measured better:
        # fast mode. Default mode's embeddings already see "Zelensky"/"Zelenskyy" as one name
        # (docs/alignment.md, "spelling-variant robustness").
        unify = mode == "fast"
        index_class = {"lexical": LexicalIndex, "tfidf": TfidfIndex}
        self._indices: dict[str, LexicalIndex] = {
            f.name: index_class[f.source](views[f.view], unify=unify) for f in used if f.source in index_class
        }
        # Sentence vectors per view (the plain view always, when the encoder runs: merge
        # candidates' gain test reads it). Adjacent pairs (merge candidates) are embedded later,
        # only those whose two sentences both match one sentence of the other side (_merges).
        self._views = views
        self._vectors: dict[str, list[np.ndarray]] = {}
        self._pair_vectors: dict[tuple[str, int, int], np.ndarray] = {}
        self.cover: TokenCover | None = None
        if any(f.neural for f in used):
            from ..embed import get_encoder

            self._encoder = get_encoder(embed_cache, device)
            if "cover" in wanted:
                # First, so that the one forward pass also caches the sentence vectors.
                self.cover = TokenCover(documents, self._encoder, load_basis())
            names = ["plain"] + (["bare"] if "bare_emb" in wanted else [])
            flat = [s for view in names for doc in views[view] for s in doc]
            vectors = self._encoder.encode(flat)
            start = 0
            for view in names:
                self._vectors[view] = []
                for doc in views[view]:
                    self._vectors[view].append(vectors[start : start + len(doc)])
                    start += len(doc)

    @property
    def floor(self) -> float:
        """The lowest probability linking reads: the threshold and, with merge proposals, the bar
        each of a merge's pieces must reach."""
        return min(self.threshold, MERGE_MIN_PAIR) if self._vectors else self.threshold

    def features(self, i: int, j: int) -> dict[str, np.ndarray]:
        """Raw score matrices (sentences of i x sentences of j), with the margins the model reads.

        Dense: for fitting and inspecting the model on article-sized inputs (eval/align_eval.py);
        scores() goes a block at a time. Token coverage is computed where scores() computes it
        (the candidates of _cover_candidates, 0 elsewhere), so the model is fitted on what it reads.
        """
        names = list(FEATURES)
        candidates = self._cover_candidates(i, j) if self.cover is not None else None
        feats = self._block(i, j, 0, self._sizes[i], names, candidates)
        for name in list(feats):
            if name + "_margin" in self.model.weights:
                feats[name + "_margin"] = margin(feats[name])
        return feats

    def scores(self, i: int, j: int) -> PairScores:
        """Probability in [0, 1] that each sentence pair reports the same main fact: the pairs
        linking can use (sparse), with the merge proposals; a pass over blocks of pairs for the
        single sentences, then one over the merge candidates.

        Warns (AlignmentWarning) when some sentence had more candidate partners than memory allows.
        """
        n, m = self._sizes[i], self._sizes[j]
        empty = np.zeros(0, dtype=np.int64)
        if n == 0 or m == 0:
            return PairScores((n, m), empty, empty, np.zeros(0), self.floor)
        names = list(dict.fromkeys(f.removesuffix("_margin") for f in self.model.weights))
        with _one_blas_thread():
            candidates = self._cover_candidates(i, j) if self.cover is not None and "cover" in names else None
            single = _MatrixScorer(self.model, (n, m), self.floor, keep_first=True)
            for start, stop in _blocks(n, m):
                single.add(start, self._block(i, j, start, stop, names, candidates))
            scores = PairScores((n, m), *single.finish(), self.floor)
            side_a, side_b = self._merges(i, j, scores, names, candidates) if self._vectors else (None, None)
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

    def _cover_candidates(self, i: int, j: int) -> np.ndarray:
        """Row-major keys (r * len(j) + c) of the pairs whose token coverage is computed: each
        sentence's COVER_K best partners on both sides by the cheaper sentence-level cosines
        (embeddings and TF-IDF, summed: independent of the score model, so fitting sees what
        inference sees), and the headlines' pair. Coverage costs a product of word pieces per
        pair; elsewhere it is 0, as for unrelated sentences."""
        n, m = self._sizes[i], self._sizes[j]
        if n <= COVER_K and m <= COVER_K:
            return np.arange(n * m, dtype=np.int64)
        cheap = [name for name in self._indices if name.endswith("tfidf")]
        cheap += ["emb" if view == "plain" else "bare_emb" for view in self._vectors]
        if not cheap:
            return np.arange(n * m, dtype=np.int64)
        k_row, k_col = min(COVER_K, m), min(COVER_K, n)
        col_vals = np.full((0, m), -np.inf, dtype=np.float64)
        col_rows = np.zeros((0, m), dtype=np.int64)
        keys = [np.zeros(1, dtype=np.int64)]
        for start, stop in _blocks(n, m):
            feats = self._block(i, j, start, stop, cheap, None)
            proxy = sum(feats[name].astype(np.float64) for name in cheap)
            top = np.argpartition(-proxy, k_row - 1, axis=1)[:, :k_row]
            keys.append(((np.arange(start, stop)[:, None]) * m + top).ravel())
            both = np.vstack([col_vals, proxy])
            rows = np.vstack([col_rows, np.broadcast_to(np.arange(start, stop)[:, None], proxy.shape)])
            best = np.argpartition(-both, min(k_col, len(both)) - 1, axis=0)[:k_col]
            col_vals = np.take_along_axis(both, best, axis=0)
            col_rows = np.take_along_axis(rows, best, axis=0)
        keys.append((col_rows * m + np.arange(m)[None, :]).ravel())
        return np.unique(np.concatenate(keys))

    def _block(
        self, i: int, j: int, start: int, stop: int, names: Sequence[str], candidates: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """Features of sentences start..stop-1 of i against all of j, for the raw feature names
        asked; token coverage only at `candidates` (row-major keys), 0 elsewhere."""
        m = self._sizes[j]
        out: dict[str, np.ndarray] = {}
        for name, index in self._indices.items():
            if name in names:
                out[name] = index.cosine_rows(i, j, start, stop)
        for view, vecs in self._vectors.items():
            name = "emb" if view == "plain" else "bare_emb"
            if name in names:
                out[name] = np.clip(vecs[i][start:stop] @ vecs[j].T, 0.0, 1.0)
        if self.cover is not None and "cover" in names:
            keys = np.arange(start * m, stop * m, dtype=np.int64) if candidates is None else candidates[
                np.searchsorted(candidates, start * m) : np.searchsorted(candidates, stop * m)
            ]
            cover = np.zeros((stop - start, m), dtype=np.float32)
            rows, cols = keys // max(m, 1), keys % max(m, 1)
            cover[rows - start, cols] = self.cover.pairs(i, j, rows, cols)
            out["cover"] = cover
        return out

    def _pair_texts(self, doc: int, ks: np.ndarray) -> dict[str, np.ndarray]:
        """Sentence vectors of doc's adjacent pairs (k, k+1) as one text, per view (rows in ks'
        order), embedded on first use; the encoder's caches keep what it has seen."""
        out = {}
        for view in self._vectors:
            missing = [int(k) for k in ks if (view, doc, int(k)) not in self._pair_vectors]
            if missing:
                sents = self._views[view][doc]
                # the same texts as embedding_texts' merges
                vectors = self._encoder.encode([sents[k] + " " + sents[k + 1] for k in missing])
                for k, vector in zip(missing, vectors):
                    self._pair_vectors[(view, doc, k)] = vector
            dim = self._vectors[view][doc].shape[1]
            out[view] = np.array([self._pair_vectors[(view, doc, int(k))] for k in ks], dtype=np.float32).reshape(
                len(ks), dim
            )
        return out

    def _merges(
        self, i: int, j: int, scores: PairScores, names: Sequence[str], candidates: np.ndarray | None
    ) -> tuple[_MatrixScorer | None, _MatrixScorer | None]:
        """Scorers of the 2:1 (i's pairs against j) and 1:2 (i against j's pairs) merge candidates.

        A merge needs both pieces at MERGE_MIN_PAIR against one sentence of the other side, so
        only those adjacent pairs are embedded and scored against the whole other side (the
        margins read a row's alternatives); their coverage is computed where either piece's
        was. Every other pair's embedding and coverage features stay 0, below any threshold;
        lexical features are cheap and computed for all, as the margins' statistics read them.
        Blocked like the single pairs, so memory stays linear.
        """
        n, m = self._sizes[i], self._sizes[j]
        strong = scores.values >= MERGE_MIN_PAIR
        held = set(zip(scores.rows[strong].tolist(), scores.cols[strong].tolist()))
        ks = np.array(sorted({r for r, c in held if (r + 1, c) in held}), dtype=np.int64)
        cs = np.array(sorted({c for r, c in held if (r, c + 1) in held}), dtype=np.int64)
        cover = self.cover is not None and "cover" in names
        if candidates is None:
            candidates = np.arange(n * m, dtype=np.int64)
        rows_of, cols_of = candidates // m, candidates % m
        side_a = side_b = None
        if len(ks):
            pair_vecs = self._pair_texts(i, ks)
            # (k, c) for k in ks where (k, c) or (k + 1, c) had its coverage computed.
            near = np.unique(np.concatenate([rows_of * m + cols_of, (rows_of - 1) * m + cols_of]))
            near = near[np.isin(near // m, ks)] if cover else near[:0]
            side_a = _MatrixScorer(self.model, (n - 1, m), self.threshold)
            for start, stop in _blocks(n - 1, m):
                feats: dict[str, np.ndarray] = {}
                for name, index in self._indices.items():
                    if name in names:
                        feats[name] = index.cosine_merged_rows(i, j, start, stop)
                local = (ks >= start) & (ks < stop)
                for view, vecs in pair_vecs.items():
                    full = np.zeros((stop - start, m), dtype=np.float32)
                    full[ks[local] - start] = np.clip(vecs[local] @ self._vectors[view][j].T, 0.0, 1.0)
                    feats["emb" if view == "plain" else "bare_emb"] = full
                plain = self._vectors["plain"]
                # The merged text must be clearly closer than either piece (cosines rounded as scores are).
                pieces = np.round(np.clip(plain[i][start : stop + 1] @ plain[j].T, 0.0, 1.0), 6)
                gain = np.round(feats["emb"], 6) > np.maximum(pieces[:-1], pieces[1:]) + MERGE_GAIN
                if cover:
                    part = near[(near >= start * m) & (near < stop * m)]
                    values = np.zeros((stop - start, m), dtype=np.float32)
                    values[part // m - start, part % m] = self.cover.pairs(i, j, part // m, part % m, a_span=2)
                    feats["cover"] = values
                side_a.add(start, {k: v for k, v in feats.items() if k in names}, gain)
        if len(cs):
            pair_vecs = self._pair_texts(j, cs)
            near = np.unique(np.concatenate([rows_of * m + cols_of, rows_of * m + cols_of - 1]))
            near = near[np.isin(near % m, cs) & (near % m < m - 1)] if cover else near[:0]
            side_b = _MatrixScorer(self.model, (n, m - 1), self.threshold)
            for start, stop in _blocks(n, m):
                feats = {}
                for name, index in self._indices.items():
                    if name in names:
                        feats[name] = index.cosine_merged_columns(j, i, start, stop).T
                for view, vecs in pair_vecs.items():
                    full = np.zeros((stop - start, m - 1), dtype=np.float32)
                    full[:, cs] = np.clip(self._vectors[view][i][start:stop] @ vecs.T, 0.0, 1.0)
                    feats["emb" if view == "plain" else "bare_emb"] = full
                plain = self._vectors["plain"]
                block = np.round(np.clip(plain[i][start:stop] @ plain[j].T, 0.0, 1.0), 6)
                gain = np.round(feats["emb"], 6) > np.maximum(block[:, :-1], block[:, 1:]) + MERGE_GAIN
                if cover:
                    part = near[(near >= start * m) & (near < stop * m)]
                    values = np.zeros((stop - start, m - 1), dtype=np.float32)
                    values[part // m - start, part % m] = self.cover.pairs(i, j, part // m, part % m, b_span=2)
                    feats["cover"] = values
                side_b.add(start, {k: v for k, v in feats.items() if k in names}, gain)
        return side_a, side_b

    def align(self, i: int, j: int, scores: PairScores | None = None) -> PairAlignment:
        """Links between documents i and j; pass `scores` if already computed by scores(i, j)."""
        if scores is None:
            scores = self.scores(i, j)
        return link_sentences(scores, self.threshold, merges=scores.merges)


def _views(documents: Sequence[Sequence[str]], used: Sequence[Feature]) -> dict[str, list[list[str]]]:
    """The texts each view scores: "plain" without a wire dateline ("KYIV (AP) - ...": not part
    of the fact, and the other outlet's lead rarely has the same one), "bare" also without the
    reporting frame (only when a feature reads that view)."""
    plain = [[strip_dateline(s) for s in doc] for doc in documents]
    bare = [[strip_attribution(s) for s in doc] for doc in plain] if any(f.view == "bare" for f in used) else []
    return {"plain": plain, "bare": bare}


class EmbeddingTexts(NamedTuple):
    """What an Aligner encodes: see embedding_texts."""

    pieces: list[str]  # encoded with their word-piece vectors (token coverage)
    sentences: list[str]  # sentence vectors only
    merges: list[str]  # adjacent sentences as one text: encoded only where alignment needs them


def embedding_texts(documents: Sequence[Sequence[str]], mode: str = "default") -> EmbeddingTexts:
    """What an Aligner over `documents` (the shipped model of `mode`) encodes: up front, the
    texts with word pieces and those with sentence vectors only; later, only where alignment
    needs them, some of the adjacent pairs (merge candidates, all listed here). The Ray
    executor encodes the first two in an encoder pool and ships the merges it has cached."""
    used = resolve(fitted()[mode].model.features)
    if not any(f.neural for f in used):
        return EmbeddingTexts([], [], [])
    wanted = {f.name for f in used}
    views = _views(documents, used)
    names = ["plain"] + (["bare"] if "bare_emb" in wanted else [])
    flat = [s for view in names for doc in views[view] for s in doc]
    merges = [doc[k] + " " + doc[k + 1] for view in names for doc in views[view] for k in range(len(doc) - 1)]
    if "cover" in wanted:
        plain = [s for doc in views["plain"] for s in doc]
        return EmbeddingTexts(plain, flat[len(plain):], merges)
    return EmbeddingTexts([], flat, merges)


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


_BLAS: ThreadpoolController | None = None


def _one_blas_thread() -> AbstractContextManager[object]:
    """Scoring multiplies many small matrices (a sentence's word pieces against its candidates'):
    BLAS threads only add hand-offs there, and on a busy machine they wait for each other
    (measured 8 ms against 0.17 ms for one 30 x 384 x 480 product on 2 shared cores)."""
    global _BLAS
    if _BLAS is None:
        from threadpoolctl import ThreadpoolController

        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


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
