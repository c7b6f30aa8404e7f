"""Fit the word-piece basis that token coverage projects onto (compare/align/pieces_basis.npy).

    python eval/fit_basis.py [--dims 192]

Token coverage multiplies every word piece of a sentence with its candidates' pieces; in 192
of MiniLM's 384 dimensions that costs half. The basis is the top right singular vectors of
the (uncentred) word-piece vectors of the development sets' sentences, so that dot products
(cosines of unit vectors) are kept best; pieces are renormalised after projecting. Fitted on
eval/dev and eval/real/dev only; refit the score model afterwards (`make fit`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

OUT = ROOT / "compare" / "align" / "pieces_basis.npy"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=192)
    args = parser.parse_args()
    import align_eval as ae

    from compare.embed import get_encoder

    texts: list[str] = []
    for folder in (ROOT / "eval" / "dev", ROOT / "eval" / "real" / "dev"):
        for gold in ae.load_gold(folder):
            seg = ae.segment(gold)
            texts += [*seg.sents_a, *seg.sents_b]
    texts = list(dict.fromkeys(texts))
    pieces = np.vstack([v.astype(np.float32) for v in get_encoder().encode_tokens(texts)])
    _, singular, vt = np.linalg.svd(pieces, full_matrices=False)
    kept = float(np.sum(singular[: args.dims] ** 2) / np.sum(singular**2))
    np.save(OUT, np.ascontiguousarray(vt[: args.dims].T, dtype=np.float32))
    print(f"{len(texts)} sentences, {len(pieces)} word pieces: {args.dims} dims keep {kept:.3f} of the energy -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
