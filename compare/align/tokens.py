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
(compare/embed.py), so they cost no extra encoding; the matching is a blocked
matrix product per document pair, a block of sentences at a time
(`TokenCover.block`), so memory stays linear in the documents' length.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np

# Word pieces that are only punctuation carry no fact.
_PUNCT = re.compile(r"^(?:##)?[\W_]+$")
DF_POWER = 1.5
_BLOCK = 1 << 22  # similarity entries per block (16 MB of float32)
_B_PIECES = 1 << 15  # word pieces of the other document turned to float32 at once (50 MB)
_F32_BYTES = 256 << 20  # word-piece vectors kept in float32 up to this size, else float16
_ENCODE_CHUNK = 1 << 12  # sentences encoded per call: the encoder's cache holds one chunk's pieces
Block = tuple[np.ndarray, np.ndarray, np.ndarray]
BASIS_FILE = Path(__file__).with_name("pieces_basis.npy")


def _project(vectors: np.ndarray, basis: np.ndarray | None) -> np.ndarray:
    """Word-piece vectors in the basis' subspace, renormalised (unchanged without a basis)."""
    if basis is None:
        return vectors
    out = vectors.astype(np.float32) @ basis
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


def load_basis() -> np.ndarray:
    """The shipped basis (eval/fit_basis.py): 192 of MiniLM's 384 dimensions, fitted on the
    development sets' word pieces, which keep their cosines at a correlation of 0.997 with
    the full vectors' coverage and halve the products' cost."""
    return np.load(BASIS_FILE)


class TokenCover:
    """Coverage scores between the sentences of any two of a fixed set of documents.

    Args:
        documents: each document as its list of sentences.
        encoder: a compare.embed.MiniLMEncoder (its token vectors and tokenizer are used).
        basis: (dim, k) orthonormal columns to project word pieces onto first (load_basis());
            None keeps the full vectors.
    """

    def __init__(  # type: ignore[no-untyped-def]
        self, documents: Sequence[Sequence[str]], encoder, basis: np.ndarray | None = None
    ) -> None:
        flat = [s for doc in documents for s in doc]
        dim = encoder.dim if basis is None else basis.shape[1]
        pieces: list[list[str]] = []
        for k in range(0, len(flat), _ENCODE_CHUNK):  # Encoding objects are large: a chunk at a time
            pieces.extend(e.tokens[1:-1] for e in encoder.tokenizer.encode_batch(flat[k : k + _ENCODE_CHUNK]))
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
        self._sums: list[np.ndarray] = []
        # One encoder call for all sentences when they fit in a chunk; longer comparisons go a
        # chunk at a time, so the encoder's cache never holds every sentence's pieces at once.
        together = encoder.encode_tokens(flat) if len(flat) <= _ENCODE_CHUNK else None
        # Converting a gathered float16 slice per product cost 40% of the scoring time: under
        # _F32_BYTES the pieces are kept in float32 (the same values, converted once).
        total = sum(len(p) or 1 for p in pieces) * dim * 4
        rest = np.float32 if total <= _F32_BYTES else np.float16
        start = 0
        for doc in documents:
            # A sentence with no piece to match gets one zero vector of weight 1 (coverage 0).
            weights, real = [], []
            for k in range(start, start + len(doc)):
                w = np.array([0.0 if _PUNCT.match(t) else weight_of[t] for t in pieces[k]], dtype=np.float32)
                real.append(bool(w.any()))
                weights.append(w if real[-1] else np.ones(1, dtype=np.float32))
            lengths = np.array([len(w) for w in weights], dtype=np.int64)
            offsets = np.cumsum(lengths) - lengths
            # float16 at rest for long inputs (half the memory), float32 for the products.
            matrix = np.zeros((int(lengths.sum()), dim), dtype=rest)
            for c in range(0, len(doc), _ENCODE_CHUNK):
                stop = min(c + _ENCODE_CHUNK, len(doc))
                texts = flat[start + c : start + stop]
                vectors = together[start + c : start + stop] if together is not None else encoder.encode_tokens(texts)
                for k in range(c, stop):
                    if real[k]:
                        matrix[offsets[k] : offsets[k] + lengths[k]] = _project(vectors[k - c], basis)
            start += len(doc)
            weight = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32)
            self._docs.append((matrix, weight, offsets, lengths))
            self._sums.append(np.add.reduceat(weight, offsets) if len(doc) else np.zeros(0, dtype=np.float32))

    def cover(self, i: int, j: int) -> np.ndarray:
        """max(coverage of a by b, coverage of b by a), sentences of i x sentences of j."""
        return self.block(i, j, 0, len(self._docs[i][2]))[0]

    def cover_merged(self, i: int, j: int) -> np.ndarray:
        """The same with each adjacent pair (k, k+1) of i's sentences as one text:
        shape (len(i) - 1, len(j))."""
        return self.block(i, j, 0, len(self._docs[i][2]))[1]

    def block(self, i: int, j: int, start: int, stop: int) -> Block:
        """Sentences start..stop-1 of i against all of j: (single, merged_i, merged_j).

        The dense computation, kept as the reference that pairs() (what the aligner uses) is
        tested against, and for inspecting whole matrices.

        single: cover(i, j)[start:stop]; merged_i: rows k in start..min(stop, len(i) - 1) - 1
        of cover_merged(i, j) (i's sentences k and k+1 as one text); merged_j: the block's
        rows of cover_merged(j, i).T, shape (stop - start, len(j) - 1). Computed in one
        pass over the similarities of the block's pieces (one sentence more for merged_i).
        """
        ta, wa, oa, la = self._docs[i]
        tb, wb, ob, lb = self._docs[j]
        n, m = len(oa), len(ob)
        end = min(stop + 1, n)  # sentence `stop` joins the block's last one in merged_i
        rows = max(end - start, 0)
        f32 = np.float32
        ra_num = np.zeros((rows, m), f32)  # weighted sum over a's pieces of the best cosine in b's sentence
        rb_num = np.zeros((rows, m), f32)  # the same over b's pieces, best in a's sentence
        ra_pair = np.zeros((rows, max(m - 1, 0)), f32)  # a's pieces against b's sentences c and c+1 together
        rb_pair = np.zeros((max(rows - 1, 0), m), f32)  # b's pieces against a's sentences k and k+1 together
        if rows and m:
            c0 = 0
            while c0 < m:  # b's sentences a slice at a time, one sentence of overlap for ra_pair
                c1 = c0 + 1
                while c1 < m and ob[c1] + lb[c1] - ob[c0] <= _B_PIECES:
                    c1 += 1
                c_end = min(c1 + 1, m)
                self._pass(ta, wa, oa, la, tb, wb, ob, lb, start, end, c0, c1, c_end, ra_num, rb_num, ra_pair, rb_pair)
                c0 = c1
        sum_a = self._sums[i][start:end]
        sum_b = self._sums[j]
        single = np.maximum(ra_num / sum_a[:, None], rb_num / sum_b[None, :])
        merged_a = np.maximum(
            (ra_num[:-1] + ra_num[1:]) / (sum_a[:-1] + sum_a[1:])[:, None], rb_pair / sum_b[None, :]
        ) if rows > 1 else np.zeros((0, m))
        merged_b = np.maximum(
            ra_pair / sum_a[:, None], (rb_num[:, :-1] + rb_num[:, 1:]) / (sum_b[:-1] + sum_b[1:])[None, :]
        ) if m > 1 else np.zeros((rows, 0))
        count = max(stop - start, 0)
        return (
            np.clip(single[:count], 0.0, 1.0).astype(f32),
            np.clip(merged_a[: max(min(stop, n - 1) - start, 0)], 0.0, 1.0).astype(f32),
            np.clip(merged_b[:count], 0.0, 1.0).astype(f32),
        )

    @staticmethod
    def _pass(  # type: ignore[no-untyped-def]
        ta, wa, oa, la, tb, wb, ob, lb, start, end, c0, c1, c_end, ra_num, rb_num, ra_pair, rb_pair
    ) -> None:
        """Fill columns c0..c1-1 of the block's sums (ra_pair's pairs c in c0..c1-1 read sentence
        c1 too) for a's sentences start..end-1, a group of a's sentences at a time."""
        f32 = np.float32
        b_lo, b_hi = int(ob[c0]), int(ob[c_end - 1] + lb[c_end - 1])
        tb_t = tb[b_lo:b_hi].T.astype(f32)
        ob_rel = ob[c0:c_end] - b_lo
        wb_c = wb[b_lo:b_hi]
        width = c1 - c0
        prev: np.ndarray | None = None  # best cosine of b's pieces in the group's previous sentence
        per_block = max(1, _BLOCK // max(b_hi - b_lo, 1))
        s = start
        while s < end:
            e = s + 1
            while e < end and oa[e] + la[e] - oa[s] <= per_block:
                e += 1
            lo, hi = int(oa[s]), int(oa[e - 1] + la[e - 1])
            sim = ta[lo:hi].astype(f32) @ tb_t
            best_in_b = np.maximum.reduceat(sim, ob_rel, axis=1)  # (pieces of a, sentences of b)
            weighted = best_in_b[:, :width] * wa[lo:hi, None]
            ra_num[s - start : e - start, c0:c1] = np.add.reduceat(weighted, oa[s:e] - lo, axis=0)
            if best_in_b.shape[1] > 1:
                pair_best = np.maximum(best_in_b[:, :-1], best_in_b[:, 1:])[:, :width] * wa[lo:hi, None]
                ra_pair[s - start : e - start, c0 : c0 + pair_best.shape[1]] = np.add.reduceat(
                    pair_best, oa[s:e] - lo, axis=0
                )
            best_in_a = np.maximum.reduceat(sim, oa[s:e] - lo, axis=0)  # (sentences of a, pieces of b)
            rb_num[s - start : e - start, c0:c1] = np.add.reduceat(best_in_a * wb_c[None, :], ob_rel, axis=1)[:, :width]
            rows = best_in_a if prev is None else np.vstack([prev[None, :], best_in_a])
            if len(rows) > 1:
                both = np.maximum(rows[:-1], rows[1:]) * wb_c[None, :]
                first = s - 1 if prev is not None else s
                sums = np.add.reduceat(both, ob_rel, axis=1)[:, :width]
                rb_pair[first - start : first - start + len(both), c0:c1] = sums
            prev = best_in_a[-1]
            s = e

    def pairs(
        self, i: int, j: int, rows: np.ndarray, cols: np.ndarray, *, a_span: int = 1, b_span: int = 1
    ) -> np.ndarray:
        """Coverage of chosen pairs only: entry p is the cover of i's sentences
        rows[p]..rows[p]+a_span-1 (as one text) against j's cols[p]..cols[p]+b_span-1.

        The same values as block() (a_span 2: merged_i, b_span 2: merged_j), up to float32
        rounding, at a cost proportional to the pairs asked for rather than to len(i) x len(j):
        the aligner asks only for the pairs its cheaper features make plausible (aligner.COVER_K).
        Adjacent sentences' pieces are contiguous, so a span is one slice of the matrix.
        """
        ta, wa, oa, la = self._docs[i]
        tb, wb, ob, lb = self._docs[j]
        sums_a, sums_b = self._sums[i], self._sums[j]
        out = np.zeros(len(rows), dtype=np.float32)
        if not len(rows):
            return out
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        b_lo = ob[cols[order]]
        b_hi = ob[cols[order] + b_span - 1] + lb[cols[order] + b_span - 1]
        sum_b = sum(sums_b[cols[order] + d] for d in range(b_span))
        bounds = np.flatnonzero(np.diff(rows[order])) + 1
        f32 = np.float32
        for group in np.split(np.arange(len(order)), bounds):
            r = int(rows[order[group[0]]])
            a = np.asarray(ta[oa[r] : oa[r + a_span - 1] + la[r + a_span - 1]], dtype=f32)
            w_a = wa[oa[r] : oa[r + a_span - 1] + la[r + a_span - 1]]
            s_a = float(sum(sums_a[r + d] for d in range(a_span)))
            lo, hi = b_lo[group], b_hi[group]
            sizes = hi - lo
            starts = np.cumsum(sizes) - sizes
            idx = np.repeat(lo - starts, sizes) + np.arange(int(sizes.sum()))
            sim = a @ np.asarray(tb[idx], dtype=f32).T  # (pieces of a, pieces of the chosen b spans)
            best_in_b = np.maximum.reduceat(sim, starts, axis=1)  # (pieces of a, spans)
            ra = (w_a @ best_in_b) / s_a
            rb = np.add.reduceat(sim.max(axis=0) * wb[idx], starts) / sum_b[group]
            out[order[group]] = np.clip(np.maximum(ra, rb), 0.0, 1.0)
        return out
