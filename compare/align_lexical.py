"""Lexical evidence for sentence alignment: content words weighted by rarity.

A sentence becomes a bag of stems (Snowball English, plus a few irregular
verbs news writing uses all the time), each weighted by

- how rare the word is in English at large (wordfreq's Zipf frequency, read
  straight from its data file so loading costs milliseconds): "sanctions"
  and "Zelenskiy" weigh far more than "said" or "new";
- how rare it is across the sentences being compared (a smoothed IDF): the
  names an article repeats in every sentence stop making all its sentences
  look alike.

`LexicalIndex.cosine(i, j)` is the cosine of those weighted bags between the
sentences of two documents. Everything here is cheap enough for the --fast
path; nothing imports torch.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’-]\w+)*")
# Function words and reporting verbs: they carry no fact of their own.
STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those he she they we you i his her their our your them him us me has have had do
    does did will would can could should may might must shall not no than then there here also said
    says say saying told tell tells about after before over under into out up down more most very just
    so such which who whom whose what when where while since until per cent percent mr mrs ms s
    according added adding news reported reports report statement""".split()
)
# Irregular forms Snowball leaves apart (past tenses of common news verbs).
_IRREGULAR = {
    "won": "win", "lost": "lose", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "made": "make", "met": "meet",
    "held": "hold", "left": "leave", "led": "lead", "went": "go", "gone": "go", "came": "come",
    "sold": "sell", "bought": "buy", "paid": "pay", "hit": "hit", "kept": "keep", "began": "begin",
    "begun": "begin", "sent": "send", "spent": "spend", "struck": "strike", "stood": "stand",
    "brought": "bring", "built": "build", "chose": "choose", "chosen": "choose", "drew": "draw",
    "drove": "drive", "ran": "run", "saw": "see", "seen": "see", "spoke": "speak", "spoken": "speak",
    "thought": "think", "wrote": "write", "written": "write", "killed": "kill", "dead": "die",
    "death": "die", "deaths": "die", "died": "die", "children": "child", "men": "man", "women": "woman",
    "people": "person", "countries": "country", "bn": "billion", "mn": "million", "m": "million",
}
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "first": "1",
    "second": "2", "third": "3", "fourth": "4", "fifth": "5", "twelfth": "12", "dozen": "12",
}
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_MAX_ZIPF = 8.0  # unknown words (names, rare terms) get the top weight


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    try:
        import snowballstemmer
    except ImportError:  # degrade to crude plural folding
        return None
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """English word -> Zipf frequency, from wordfreq's "small" list (~29k words).

    Read from the package's data file without importing wordfreq (whose import
    alone costs more than the whole --fast budget allows). Empty if wordfreq
    is not installed: every word then weighs the same.
    """
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "small_en.msgpack.gz"
    try:
        import msgpack

        with gzip.open(path, "rb") as fh:
            data = msgpack.load(fh, raw=False)
    except (ImportError, OSError, ValueError):
        return {}
    table: dict[str, float] = {}
    for centibels, words in enumerate(data[1:]):
        zipf = 9.0 - centibels / 100.0  # wordfreq: zipf = log10(freq) + 9, freq = 10 ** (-cB / 100)
        for word in words:
            table.setdefault(word, zipf)
    return table


@lru_cache(maxsize=1 << 16)
def word_weight(word: str) -> float:
    """Rarity of a (casefolded) word in English: 8 - Zipf, at least 0.5."""
    zipf = zipf_table().get(word)
    if zipf is None:
        zipf = 0.0 if zipf_table() else _MAX_ZIPF - 1.0
    return max(0.5, _MAX_ZIPF - zipf)


@lru_cache(maxsize=1 << 16)
def normalise(word: str) -> str:
    """Casefolded word -> matching key: number, irregular base form, or stem."""
    if word[:1].isdigit():
        word = word.replace(",", "")
        m = _ORDINAL.match(word)
        return m.group(1) if m else word
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    stemmer = _stemmer()
    if stemmer is None:
        return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word
    return stemmer.stemWord(word)


def content_terms(text: str) -> dict[str, float]:
    """Sentence -> {stem: language-rarity weight} over its content words."""
    terms: dict[str, float] = {}
    for raw in _WORD.findall(text.casefold()):
        if raw in STOP or (len(raw) == 1 and not raw.isdigit()):
            continue
        key = normalise(raw)
        if key in STOP:
            continue
        weight = word_weight(raw.replace("’", "'").split("'")[0]) if not raw[:1].isdigit() else _MAX_ZIPF - 1.0
        if weight > terms.get(key, 0.0):
            terms[key] = weight
    return terms


_TOKEN = re.compile(r"\w+")


def word_counts(text: str) -> dict[str, float]:
    """Sentence -> {lowercased word: count}, function words kept (plain TF-IDF's bag)."""
    counts: dict[str, float] = {}
    for w in _TOKEN.findall(text.lower()):
        counts[w] = counts.get(w, 0.0) + 1.0
    return counts


class LexicalIndex:
    """Rarity-weighted bags of stems for every sentence of every document."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.terms = [[self._bag(s) for s in doc] for doc in documents]
        df: dict[str, int] = {}
        n_sent = 0
        for doc in self.terms:
            for bag in doc:
                n_sent += 1
                for t in bag:
                    df[t] = df.get(t, 0) + 1
        self.vocab = {t: k for k, t in enumerate(df)}
        # Smoothed IDF over all sentences compared, in (0, 1]: a word in every
        # sentence keeps a third of its weight, a word in one keeps all of it.
        self.local = self._idf(df, n_sent)
        self._rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for doc in self.terms:
            rows, cols, vals = [], [], []
            for r, bag in enumerate(doc):
                for t, w in bag.items():
                    rows.append(r)
                    cols.append(self.vocab[t])
                    vals.append(w * self.local[t])
            self._rows.append(
                (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float32))
            )
        self._sizes = [len(doc) for doc in documents]
        self._normalised: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @staticmethod
    def _bag(text: str) -> dict[str, float]:
        return content_terms(text)

    @staticmethod
    def _idf(df: dict[str, int], n_sent: int) -> dict[str, float]:
        top = 1.0 + math.log(1 + n_sent)
        return {t: (1.0 + math.log((1 + n_sent) / (1 + c))) / top for t, c in df.items()}

    @staticmethod
    def _normalise(
        rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, size: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, values), (row, col) unique, with rows L2-normalised and sorted by column."""
        norms = np.zeros(size, dtype=np.float64)
        np.add.at(norms, rows, vals.astype(np.float64) ** 2)
        norms = np.sqrt(norms)
        norms[norms == 0] = 1.0
        order = np.argsort(cols, kind="stable")
        return rows[order], cols[order], (vals / norms[rows]).astype(np.float64)[order]

    def _matrix(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Document i as (rows, cols, values), rows L2-normalised, sorted by column (cached)."""
        cached = self._normalised.get(i)
        if cached is None:
            cached = self._normalise(*self._rows[i], self._sizes[i])
            self._normalised[i] = cached
        return cached

    def _merged_matrix(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Document i's adjacent sentence pairs (k, k+1) as bags: row k is the sum of
        sentences k and k+1 (same vocabulary and IDF), L2-normalised (cached)."""
        cached = self._normalised.get(-1 - i)
        if cached is None:
            rows, cols, vals = self._rows[i]
            last = self._sizes[i] - 1
            first = rows < last  # sentence k feeds pair k ...
            second = rows > 0  # ... and pair k - 1
            rows = np.concatenate([rows[first], rows[second] - 1])
            cols = np.concatenate([cols[first], cols[second]])
            vals = np.concatenate([vals[first], vals[second]]).astype(np.float64)
            if len(rows):  # a word in both sentences: one entry, weights summed
                width = int(cols.max()) + 1
                keys, inverse = np.unique(rows * width + cols, return_inverse=True)
                vals = np.bincount(inverse.ravel(), weights=vals, minlength=len(keys))
                rows, cols = keys // width, keys % width
            cached = self._normalise(rows, cols, vals, max(last, 0))
            self._normalised[-1 - i] = cached
        return cached

    def cosine(self, i: int, j: int) -> np.ndarray:
        """Cosine similarity in [0, 1] of the weighted bags, sentences of i x sentences of j.

        A sparse product done as a join on shared terms (no BLAS, no scipy): it
        costs the number of (sentence, sentence, shared term) triples.
        """
        return self._cosine(self._matrix(i), self._matrix(j), self._sizes[i], self._sizes[j])

    def cosine_merged(self, i: int, j: int) -> np.ndarray:
        """Cosine of each adjacent sentence pair (k, k+1) of i, as one bag, with each sentence
        of j: shape (len(i) - 1, len(j)), or (0, len(j)) for documents under two sentences."""
        n = max(self._sizes[i] - 1, 0)
        return self._cosine(self._merged_matrix(i), self._matrix(j), n, self._sizes[j])

    @staticmethod
    def _cosine(
        a: tuple[np.ndarray, np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray, np.ndarray], n: int, m: int
    ) -> np.ndarray:
        out = np.zeros(n * m, dtype=np.float64)
        if n and m:
            ra, ca, va = a
            rb, cb, vb = b
            lo = np.searchsorted(cb, ca, side="left")
            hi = np.searchsorted(cb, ca, side="right")
            counts = hi - lo
            if counts.sum():
                rep = np.repeat(np.arange(len(ca)), counts)
                offsets = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
                match = np.repeat(lo, counts) + offsets
                out = np.bincount(ra[rep] * m + rb[match], weights=va[rep] * vb[match], minlength=n * m)
        return np.clip(out.reshape(n, m), 0.0, 1.0).astype(np.float32)


class TfidfIndex(LexicalIndex):
    """Plain TF-IDF bags: lowercased words with function words kept, raw counts,
    IDF = ln((1 + N) / (1 + df)) + 1 over the N sentences compared (as scikit-learn's
    smoothed IDF). It complements the stem scorer: it sees the exact wording and the
    small words ("not", "after", "up") that the content-word bags drop."""

    @staticmethod
    def _bag(text: str) -> dict[str, float]:
        return word_counts(text)

    @staticmethod
    def _idf(df: dict[str, int], n_sent: int) -> dict[str, float]:
        return {t: 1.0 + math.log((1 + n_sent) / (1 + c)) for t, c in df.items()}


# --- attribution (scoring only; the sentence text itself is never changed) ----------------------

_SAY = (
    r"(?:said|says|added|stated|announced|confirmed|warned|noted|explained|insisted|argued|wrote|claimed|"
    r"acknowledged|admitted)"
)
_AUDIENCE = r"(?:reporters|journalists|a news conference|a press conference|parliament|lawmakers|supporters|[A-Z]\w+)"
_TOLD = r"(?:told|tells)\s+" + _AUDIENCE
_TAIL = r"(?:\s+(?:on|in|at|late on|early on|during|after)\s+[^,;.!?\"“”]{1,30})?"
# Conservative English reporting frames at the end or start of a sentence, each removed once.
# A leading "X said (that) ..." is left alone: removing it measured worse (docs/alignment.md).
_ATTRIBUTION = (
    # '"...," the minister said.' / '"...," said Petra Lind.' / ', Koral told reporters in Tolvany.'
    # (after a comma or a closing quote; at most six words before the verb, a short time or place after)
    re.compile(
        r"(?:(?<=[”\"])\s*said\s+[^,;.!?\"“”]{1,50}|(?:(?<=[”\"])|,)\s*(?:[^,;.!?\"“”\s]+\s+){0,5}?"
        r"[^,;.!?\"“”\s]+\s+(?:" + _SAY + "|" + _TOLD + r"))" + _TAIL + r"\s*([.!?]?)\s*$",
    ),
    # 'According to the union, ...'
    re.compile(r"^according to [^,]{1,80},\s*", re.IGNORECASE),
    # '..., according to the statistics office.'
    re.compile(r",\s*according to [^,.;]{1,80}\s*([.!?]?)\s*$", re.IGNORECASE),
)


@lru_cache(maxsize=1 << 16)
def strip_attribution(text: str) -> str:
    """The sentence without its reporting frame ("..., officials said." / "According to X, ..." /
    "..., according to X."), for scoring only. The text itself when nothing matches or fewer
    than three words would be left."""
    out = text
    for pattern in _ATTRIBUTION:
        out = pattern.sub(lambda m: m.group(1) if m.lastindex else "", out, count=1)
    out = re.sub(r",([”\"]?)\s*([.!?])$", r"\1\2", out.strip())
    return out if len(_TOKEN.findall(out)) >= 3 else text
