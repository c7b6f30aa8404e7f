"""The feature registry: every score the aligner can compute, and what it is computed from.

A score model (compare/align/model.json) names the features it reads; a name with
the suffix ``_margin`` is that feature's margin (its value minus the mean of the
k best alternatives of both sentences, scoring.margin). The aligner builds only
what the model's features need, so `--fast` never loads the sentence encoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Source = Literal["lexical", "tfidf", "embedding", "cover"]
View = Literal["plain", "bare"]
MARGIN = "_margin"


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    source: Source  # which index computes it
    view: View  # "bare": the sentence without its reporting frame (normalise.strip_attribution)
    about: str

    @property
    def neural(self) -> bool:
        """Needs the sentence encoder (all-MiniLM-L6-v2)."""
        return self.source in ("embedding", "cover")


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("lex", "lexical", "plain", "cosine of content-word stems weighted by rarity in English and here"),
        Feature("tfidf", "tfidf", "plain", "TF-IDF cosine of lowercased words, IDF over the compared sentences"),
        Feature("bare_tfidf", "tfidf", "bare", "the same without the reporting frame"),
        Feature("emb", "embedding", "plain", "cosine of mean-pooled all-MiniLM-L6-v2 sentence vectors"),
        Feature("bare_emb", "embedding", "bare", "the same without the reporting frame"),
        Feature("cover", "cover", "plain", "token coverage: greedy matching of contextual word-piece vectors"),
    )
}


def base_name(name: str) -> str:
    """The feature a model term reads: "tfidf_margin" -> "tfidf"."""
    return name.removesuffix(MARGIN)


def resolve(names: Iterable[str]) -> tuple[Feature, ...]:
    """The registered features that model terms read, in first-use order.

    Raises:
        KeyError: a term names no registered feature (the message lists the known ones).
    """
    out: dict[str, Feature] = {}
    for name in names:
        base = base_name(name)
        if base not in FEATURES:
            raise KeyError(f"unknown alignment feature {name!r}; known: {', '.join(FEATURES)} (and each with {MARGIN})")
        out.setdefault(base, FEATURES[base])
    return tuple(out.values())
