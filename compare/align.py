"""Sentence alignment across outlets: scores, then links (1:1 anchors, then n:m).

Pure functions over lists of sentence texts (already in the common language).

Scoring (lexical, fast): the mean of
- TF-IDF cosine over content words, IDF taken over every sentence of every
  document in the comparison, so words all outlets use everywhere weigh little;
- rapidfuzz token_sort_ratio over the same content words (typos, inflection).
Linking: mutual best matches above the threshold first (anchors; order-free, so
reordered facts are found), repeated on what is left; then n:m: an unlinked
sentence whose best partner is already linked joins that link when its score
clears the threshold (one outlet splits what another merges).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .result import Strength

DEFAULT_THRESHOLD = 0.3
STRONG_THRESHOLD = 0.5

_WORD = re.compile(r"\w+(?:[-'.,]\w+)*")
# Function words carry no fact; a short list is enough since IDF does the rest.
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those he she they we you i his her their our your them him us me has have had do
    does did will would can could should may might must shall not no than then there here also said
    says say about after before over under into out up down more most very just so such which who whom
    whose what when where while would""".split()
)


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
    words = []
    for w in _WORD.findall(text.casefold()):
        if w in _STOP:
            continue
        w = w.replace(",", "") if w[:1].isdigit() else w
        # Crude plural folding so "sanction" meets "sanctions"; lemmatisation
        # proper lives in the default (non-fast) scorer.
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.append(w)
    return words


class Aligner:
    """Aligns any pair among a fixed set of documents.

    Features (content words, TF-IDF rows) are computed once per document, so
    all-pairs alignment of many documents costs one matrix product per pair.
    """

    def __init__(self, documents: Sequence[Sequence[str]], *, threshold: float | None = None) -> None:
        from scipy import sparse

        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        self._words = [[content_words(s) for s in doc] for doc in documents]
        self._joined = [[" ".join(ws) for ws in doc] for doc in self._words]
        vocab: dict[str, int] = {}
        df: dict[int, int] = {}
        n_sent = 0
        for doc in self._words:
            for ws in doc:
                n_sent += 1
                for w in set(ws):
                    idx = vocab.setdefault(w, len(vocab))
                    df[idx] = df.get(idx, 0) + 1
        idf = np.zeros(len(vocab), dtype=np.float32)
        for idx, count in df.items():
            idf[idx] = np.log((1 + n_sent) / (1 + count)) + 1.0
        self._matrices = []
        for doc in self._words:
            rows, cols, vals = [], [], []
            for r, ws in enumerate(doc):
                counts: dict[int, int] = {}
                for w in ws:
                    counts[vocab[w]] = counts.get(vocab[w], 0) + 1
                for c, tf in counts.items():
                    rows.append(r)
                    cols.append(c)
                    vals.append((1.0 + np.log(tf)) * idf[c])
            mat = sparse.csr_matrix(
                (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(doc), len(vocab))
            )
            norms = np.sqrt(np.asarray(mat.multiply(mat).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            self._matrices.append(sparse.diags(1.0 / norms) @ mat)

    def scores(self, i: int, j: int) -> np.ndarray:
        """Similarity matrix in [0, 1] between the sentences of documents i and j."""
        from rapidfuzz import fuzz, process

        a, b = self._matrices[i], self._matrices[j]
        if a.shape[0] == 0 or b.shape[0] == 0:
            return np.zeros((a.shape[0], b.shape[0]), dtype=np.float32)
        cosine = (a @ b.T).toarray().astype(np.float32)
        fuzzy = process.cdist(
            self._joined[i], self._joined[j], scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=-1
        ).astype(np.float32) / 100.0
        return np.clip((cosine + fuzzy) / 2.0, 0.0, 1.0)

    def align(self, i: int, j: int) -> PairAlignment:
        return link_sentences(self.scores(i, j), self.threshold)


def align_texts(a: Sequence[str], b: Sequence[str], *, threshold: float | None = None) -> PairAlignment:
    """Align two lists of sentences (convenience for a single pair)."""
    return Aligner([a, b], threshold=threshold).align(0, 1)


def link_sentences(scores: np.ndarray, threshold: float) -> PairAlignment:
    """Turn a score matrix into links: anchors, then n:m attachments."""
    n, m = scores.shape
    pairs: dict[tuple[int, int], float] = {}
    linked_a = np.zeros(n, dtype=bool)
    linked_b = np.zeros(m, dtype=bool)
    if n and m:
        # Mutual best matches among still-unlinked sentences, repeated until none is left.
        work = np.where(scores >= threshold, scores, -1.0)
        while True:
            masked = work.copy()
            masked[linked_a, :] = -1.0
            masked[:, linked_b] = -1.0
            best_b = masked.argmax(axis=1)
            best_a = masked.argmax(axis=0)
            found = False
            for r in np.flatnonzero(masked.max(axis=1) >= 0):
                c = best_b[r]
                if best_a[c] == r:
                    pairs[(int(r), int(c))] = float(scores[r, c])
                    linked_a[r] = linked_b[c] = True
                    found = True
            if not found:
                break
        # n:m: an unlinked sentence whose best partner is linked joins that link.
        for r in np.flatnonzero(~linked_a):
            c = int(scores[r].argmax())
            if scores[r, c] >= threshold:
                pairs[(int(r), c)] = float(scores[r, c])
        for c in np.flatnonzero(~linked_b):
            r = int(scores[:, c].argmax())
            if scores[r, c] >= threshold:
                pairs[(r, int(c))] = float(scores[r, c])
    links = group_pairs(pairs)
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
        score = max(pairs[p] for p in members)
        links.append(
            RawLink(
                a=tuple(sorted({i for i, _ in members})),
                b=tuple(sorted({j for _, j in members})),
                score=round(score, 4),
                strength="strong" if score >= strong else "weak",
            )
        )
    links.sort(key=lambda link: (link.a[0], link.b[0]))
    return tuple(links)
