"""Token coverage: BERTScore-style greedy matching of contextual word-piece vectors.

A sentence's coverage by another is the weighted mean, over its word pieces,
of each piece's best cosine with any piece of the other sentence (BERTScore's
recall, Zhang et al. 2020), each piece weighted by how few of the compared
sentences contain it. The pair's feature ``cover`` is the larger of the two
directions: when one outlet says in a short sentence what another says inside a
long one (a side clause, a lead that packs three facts), the short sentence is
well covered even though the two mean-pooled embeddings are far apart. On the
dev set it measured +2 points of F1 over the sentence embeddings alone
(docs/alignment.md).

The vectors come from the same MiniLM forward pass as the sentence embeddings
(compare/embed.py), so they cost no extra encoding; the matching is one
blocked matrix product per document pair.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

# Word pieces that are only punctuation carry no fact.
_PUNCT = re.compile(r"^(?:##)?[\W_]+$")
DF_POWER = 1.5
_BLOCK = 1 << 22  # similarity entries per block (16 MB of float32)


class TokenCover:
    """Coverage scores between the sentences of any two of a fixed set of documents.

    Args:
        documents: each document as its list of sentences.
        encoder: a compare.embed.MiniLMEncoder (its token vectors and tokenizer are used).
    """

    def __init__(self, documents: Sequence[Sequence[str]], encoder) -> None:  # type: ignore[no-untyped-def]
        flat = [s for doc in documents for s in doc]
        vectors = encoder.encode_tokens(flat)
        pieces = [e.tokens[1:-1] for e in encoder.tokenizer.encode_batch(flat)]
        df: dict[str, int] = {}
        for toks in pieces:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        # Weight df^-1.5, df = sentences compared that contain the piece: the event's names and
        # topic words, which every sentence repeats, count for little, and what a sentence adds
        # for much. Steeper than log IDF, which measured worse (docs/alignment.md); it depends
        # on df only, not on how many sentences are compared.
        weight_of = {t: c ** -DF_POWER for t, c in df.items()}
        self._docs: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        start = 0
        for doc in documents:
            vecs, weights = [], []
            for k in range(start, start + len(doc)):
                w = np.array([0.0 if _PUNCT.match(t) else weight_of[t] for t in pieces[k]], dtype=np.float32)
                v = vectors[k]
                if len(v) == 0 or not w.any():  # nothing to match: one zero vector, coverage 0
                    v, w = np.zeros((1, encoder.dim), dtype=np.float16), np.ones(1, dtype=np.float32)
                vecs.append(v)
                weights.append(w)
            start += len(doc)
            lengths = np.array([len(v) for v in vecs], dtype=np.int64)
            offsets = np.cumsum(lengths) - lengths
            # float16 at rest (half the memory of long inputs), float32 for the products.
            matrix = np.vstack(vecs).astype(np.float16) if vecs else np.zeros((0, encoder.dim), dtype=np.float16)
            weight = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32)
            self._docs.append((matrix, weight, offsets, lengths))
        self._cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def cover(self, i: int, j: int) -> np.ndarray:
        """max(coverage of a by b, coverage of b by a), sentences of i x sentences of j."""
        return self._compute(i, j)[0]

    def cover_merged(self, i: int, j: int) -> np.ndarray:
        """The same with each adjacent pair (k, k+1) of i's sentences as one text:
        shape (len(i) - 1, len(j))."""
        if (i, j) in self._cache or (j, i) not in self._cache:
            return self._compute(i, j)[1]
        return self._compute(j, i)[2].T

    def _compute(self, i: int, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(single, merged rows of i, merged columns of j), computed in one blocked pass."""
        cached = self._cache.get((i, j))
        if cached is not None:
            return cached
        ta, wa, oa, la = self._docs[i]
        tb, wb, ob, lb = self._docs[j]
        n, m = len(oa), len(ob)
        f32 = np.float32
        ra_num = np.zeros((n, m), f32)  # weighted sum over a's pieces of the best cosine in b's sentence
        rb_num = np.zeros((n, m), f32)  # the same over b's pieces, best in a's sentence
        ra_pair = np.zeros((n, max(m - 1, 0)), f32)  # a's pieces against b's sentences c and c+1 together
        rb_pair = np.zeros((max(n - 1, 0), m), f32)  # b's pieces against a's sentences k and k+1 together
        if n and m:
            tb_t = tb.T.astype(f32)
            prev: np.ndarray | None = None  # best cosine of b's pieces in the block's previous sentence
            per_block = max(1, _BLOCK // max(len(tb), 1))
            s = 0
            while s < n:
                e = s + 1
                while e < n and oa[e] + la[e] - oa[s] <= per_block:
                    e += 1
                lo, hi = int(oa[s]), int(oa[e - 1] + la[e - 1])
                sim = ta[lo:hi].astype(f32) @ tb_t
                best_in_b = np.maximum.reduceat(sim, ob, axis=1)  # (pieces of a, sentences of b)
                weighted = best_in_b * wa[lo:hi, None]
                ra_num[s:e] = np.add.reduceat(weighted, oa[s:e] - lo, axis=0)
                if m > 1:
                    pair_best = np.maximum(best_in_b[:, :-1], best_in_b[:, 1:]) * wa[lo:hi, None]
                    ra_pair[s:e] = np.add.reduceat(pair_best, oa[s:e] - lo, axis=0)
                best_in_a = np.maximum.reduceat(sim, oa[s:e] - lo, axis=0)  # (sentences of a, pieces of b)
                rb_num[s:e] = np.add.reduceat(best_in_a * wb[None, :], ob, axis=1)
                rows = best_in_a if prev is None else np.vstack([prev[None, :], best_in_a])
                if len(rows) > 1:
                    both = np.maximum(rows[:-1], rows[1:]) * wb[None, :]
                    first = s - 1 if prev is not None else s
                    rb_pair[first : first + len(both)] = np.add.reduceat(both, ob, axis=1)
                prev = best_in_a[-1]
                s = e
        sum_a = np.add.reduceat(wa, oa) if n else np.zeros(0, f32)
        sum_b = np.add.reduceat(wb, ob) if m else np.zeros(0, f32)
        single = np.maximum(ra_num / sum_a[:, None], rb_num / sum_b[None, :])
        merged_a = np.maximum(
            (ra_num[:-1] + ra_num[1:]) / (sum_a[:-1] + sum_a[1:])[:, None], rb_pair / sum_b[None, :]
        ) if n > 1 else np.zeros((0, m))
        merged_b = np.maximum(
            ra_pair / sum_a[:, None], (rb_num[:, :-1] + rb_num[:, 1:]) / (sum_b[:-1] + sum_b[1:])[None, :]
        ) if m > 1 else np.zeros((n, 0))
        out = tuple(np.clip(x, 0.0, 1.0).astype(np.float32) for x in (single, merged_a, merged_b))
        self._cache[(i, j)] = out  # type: ignore[assignment]
        return out  # type: ignore[return-value]
