"""Sentence alignment across outlets (pipeline stage 3).

    aligner.py    Aligner: features per document, pair scores a block at a time, links
    features.py   the feature registry: what each score is computed from
    lexical.py    lexical evidence (weighted stems, TF-IDF), no neural model (--fast)
    tokens.py     token coverage from contextual word-piece vectors
    normalise.py  datelines and reporting frames removed for scoring
    scoring.py    margins, the sparse store of pair probabilities, the blocked scorer
    model.py      the fitted score models (model.json, written by eval/align_eval.py --fit)
    linking.py    pair probabilities -> links (many-to-many allowed, drawn as stars)
    facts.py      links across three or more outlets -> facts (coverage groups)

docs/alignment.md gives the method and the measured figures.
"""

from .aligner import BLOCK_PAIRS, AlignmentWarning, Aligner, align_texts, embedding_texts
from .features import FEATURES, Feature
from .lexical import content_terms
from .linking import PairAlignment, RawLink, link_sentences, star_links
from .model import MODES, STRONG_THRESHOLD, FittedModel, ScoreModel, fitted
from .scoring import MARGIN_K, PairScores, margin

__all__ = [
    "BLOCK_PAIRS", "FEATURES", "MARGIN_K", "MODES", "STRONG_THRESHOLD",
    "Aligner", "AlignmentWarning", "Feature", "FittedModel", "PairAlignment", "PairScores", "RawLink", "ScoreModel",
    "align_texts", "content_terms", "embedding_texts", "fitted", "link_sentences", "margin", "star_links",
]
