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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

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
        # Every score reads the sentences without a wire dateline ("KYIV (AP) - ..."): it is not
        # part of the fact, and the other outlet's lead rarely has the same one.
        documents = [[strip_dateline(s) for s in doc] for doc in documents]
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

    def features(self, i: int, j: int) -> dict[str, np.ndarray]:
        """Raw score matrices (sentences of i x sentences of j), with the margins the model reads."""
        return self._features(i, j, merged=False)

    def merged_features(self, i: int, j: int) -> dict[str, np.ndarray]:
        """Features of each adjacent sentence pair (k, k+1) of i, as one text, against
        each sentence of j: matrices of shape (len(i) - 1, len(j)). Default mode only."""
        assert self._vectors is not None and self._merged_vectors is not None
        return self._features(i, j, merged=True)

    def _features(self, i: int, j: int, *, merged: bool) -> dict[str, np.ndarray]:
        feats: dict[str, np.ndarray] = {}
        for name, index in (("lex", self.lexical), ("tfidf", self.tfidf), ("bare_tfidf", self.bare_tfidf)):
            if index is not None:
                self._put(feats, name, index.cosine_merged(i, j) if merged else index.cosine(i, j))
        for name, left, right in (
            ("emb", self._merged_vectors if merged else self._vectors, self._vectors),
            ("bare_emb", self._bare_merged_vectors if merged else self._bare_vectors, self._bare_vectors),
        ):
            if left is not None and right is not None:
                self._put(feats, name, np.clip(left[i] @ right[j].T, 0.0, 1.0))
        if self.cover is not None:
            self._put(feats, "cover", self.cover.cover_merged(i, j) if merged else self.cover.cover(i, j))
        return feats

    def _put(self, feats: dict[str, np.ndarray], name: str, values: np.ndarray) -> None:
        """Store a score matrix, and its margin when the model reads it (saves memory at scale)."""
        feats[name] = values
        if name + "_margin" in self.model.weights:
            feats[name + "_margin"] = margin(values)

    def _probability(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        z = np.full(next(iter(feats.values())).shape, self.model.bias, dtype=np.float64)
        for name, weight in self.model.weights.items():
            z += weight * feats[name]
        # Rounded so that a@b.T and b@a.T (a few ulps apart) link identically.
        return np.round(1.0 / (1.0 + np.exp(-z)), 6)

    def scores(self, i: int, j: int) -> np.ndarray:
        """Probability in [0, 1] that each sentence pair reports the same main fact."""
        return self._probability(self.features(i, j))

    def merge_candidates(self, i: int, j: int, scores: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...], float]]:
        """2:1 and 1:2 link proposals (a indices, b indices, probability), Bertalign-style.

        Sentences k and k+1 of one side, embedded as one text, against sentence c of the
        other: proposed when the merged text's probability clears the threshold, its
        cosine beats both pieces' by MERGE_GAIN, and each piece's own probability reaches
        MERGE_MIN_PAIR. Empty in fast mode (no embeddings).
        """
        if self._vectors is None:
            return []
        single = np.round(np.clip(self._vectors[i] @ self._vectors[j].T, 0.0, 1.0), 6)
        out: list[tuple[tuple[int, ...], tuple[int, ...], float]] = []
        for side, (x, y) in enumerate(((i, j), (j, i))):
            feats = self.merged_features(x, y)
            prob = self._probability(feats)
            merged = np.round(feats["emb"], 6)
            sims = single if side == 0 else single.T
            probs = scores if side == 0 else scores.T
            if len(merged) == 0:
                continue
            best_piece = np.maximum(sims[:-1], sims[1:])
            weakest = np.minimum(probs[:-1], probs[1:])
            ok = (prob >= self.threshold) & (weakest >= MERGE_MIN_PAIR) & (merged > best_piece + MERGE_GAIN)
            for k, c in zip(*np.nonzero(ok)):
                pieces, other = (int(k), int(k) + 1), (int(c),)
                out.append((pieces, other, float(prob[k, c])) if side == 0 else (other, pieces, float(prob[k, c])))
        return out

    def align(self, i: int, j: int, scores: np.ndarray | None = None) -> PairAlignment:
        """Links between documents i and j; pass `scores` if already computed by scores(i, j)."""
        if scores is None:
            scores = self.scores(i, j)
        return link_sentences(
            scores, self.threshold, merges=self.merge_candidates(i, j, scores), second_pass=self.second_pass
        )


def align_texts(
    a: Sequence[str], b: Sequence[str], *, threshold: float | None = None, mode: str = "default"
) -> PairAlignment:
    """Align two lists of sentences (convenience for a single pair)."""
    return Aligner([a, b], threshold=threshold, mode=mode).align(0, 1)


def link_sentences(
    scores: np.ndarray,
    threshold: float,
    strong: float = STRONG_THRESHOLD,
    *,
    merges: Sequence[tuple[Sequence[int], Sequence[int], float]] = (),
    second_pass: float | None = None,
) -> PairAlignment:
    """Turn a probability matrix into links: competitive 1:1 anchors, then n:m,
    then the merge proposals, then (with second_pass) the recall pass, then
    star_pairs (no many-to-many links).

    Ties break on (score, row + column), which is the same ordering whichever
    document is A, so swapping the documents mirrors the links exactly.

    Args:
        merges: proposed links (a indices, b indices, probability), taken highest
            probability first when none of its sentences is anchored outside it or already
            in a merge taken before it.
        second_pass: bar for the recall pass: an unlinked A and an unlinked B sentence
            that are each other's best among the unlinked ones are linked 1:1 when their
            probability reaches it. None: no recall pass.
    """
    n, m = scores.shape
    pairs: dict[tuple[int, int], float] = {}
    partner_a = np.full(n, -1, dtype=np.int64)  # anchor partner, -1 if none
    partner_b = np.full(m, -1, dtype=np.int64)
    rows, cols = np.nonzero(scores >= threshold)
    if len(rows):
        values = scores[rows, cols]
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
        free_a = sorted(set(range(n)) - {r for r, _ in pairs})
        free_b = sorted(set(range(m)) - {c for _, c in pairs})
        if free_a and free_b:
            sub = scores[np.ix_(free_a, free_b)]
            best = (sub >= second_pass) & (sub == sub.max(axis=1, keepdims=True)) & (sub == sub.max(axis=0, keepdims=True))
            for x, y in zip(*np.nonzero(best)):
                pairs[(free_a[int(x)], free_b[int(y)])] = float(sub[x, y])
    links = group_pairs(star_pairs(pairs), strong)
    in_a = {i for link in links for i in link.a}
    in_b = {j for link in links for j in link.b}
    return PairAlignment(
        links=links,
        only_in_a=tuple(i for i in range(n) if i not in in_a),
        only_in_b=tuple(j for j in range(m) if j not in in_b),
    )


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
