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
sentences of two documents; `cosine_rows` gives a block of its rows, so that
long documents are scored a block at a time. Everything here is cheap enough
for the --fast path; nothing imports torch. The stemmer and the word list are
required (the score model was fitted with them): without them alignment stops
with one line saying what to install, rather than silently scoring otherwise.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import re
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..errors import ModelMissingError

# What the calibrated scores were fitted with (pyproject.toml declares the same).
SNOWBALL_SPEC = "snowballstemmer>=2.2,<4"
WORDFREQ_SPEC = "wordfreq>=3.0,<4"
_WORDFREQ_HEADER = {"format": "cB", "version": 1}
# Word-pair products summed at once by the sparse cosine (bounds its index arrays: ~80 MB).
_MATCH_BUDGET = 1 << 21
Triples = tuple[np.ndarray, np.ndarray, np.ndarray]

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
    """Snowball's English stemmer.

    Raises:
        ModelMissingError: snowballstemmer is not installed.
    """
    try:
        import snowballstemmer
    except ImportError as exc:
        raise ModelMissingError(
            f"the Snowball stemmer that alignment needs is not installed; run `pip install '{SNOWBALL_SPEC}'`"
        ) from exc
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """English word -> Zipf frequency, from wordfreq's "small" list (~29k words).

    Read from the package's data file, found with importlib without importing
    wordfreq: its import alone takes ~0.24 s (more than half a --fast run),
    reading the file ~0.02 s. The file's format header is checked, so a
    wordfreq release that changes the format fails loudly.

    Raises:
        ModelMissingError: wordfreq is not installed, or its English list cannot be read.
    """
    spec = importlib.util.find_spec("wordfreq")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise ModelMissingError(
            f"the word-frequency list that alignment needs is not installed; run `pip install '{WORDFREQ_SPEC}'`"
        )
    path = Path(locations[0]) / "data" / "small_en.msgpack.gz"
    reinstall = f"reinstall it with `pip install --force-reinstall '{WORDFREQ_SPEC}'`"
    try:
        import msgpack
    except ImportError as exc:
        raise ModelMissingError(
            "msgpack, which reads wordfreq's list, is not installed; run `pip install 'msgpack>=1.0'`"
        ) from exc
    try:
        with gzip.open(path, "rb") as fh:
            data = msgpack.load(fh, raw=False)
    except (OSError, EOFError, ValueError, zlib.error, msgpack.UnpackException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise ModelMissingError(f"cannot read wordfreq's English list ({reason}); {reinstall}", path=str(path)) from exc
    if not _is_word_list(data):
        raise ModelMissingError(f"not a word list in the format this version reads; {reinstall}", path=str(path))
    table: dict[str, float] = {}
    for centibels, words in enumerate(data[1:]):
        zipf = 9.0 - centibels / 100.0  # wordfreq: zipf = log10(freq) + 9, freq = 10 ** (-cB / 100)
        for word in words:
            table.setdefault(word, zipf)
    return table


def _is_word_list(data: object) -> bool:
    """wordfreq's list format: a header, then one list of words per centibel of frequency."""
    if not (isinstance(data, list) and data and data[0] == _WORDFREQ_HEADER):
        return False
    return all(isinstance(words, list) for words in data[1:])


@lru_cache(maxsize=1 << 16)
def word_weight(word: str) -> float:
    """Rarity of a (casefolded) word in English: 8 - Zipf, at least 0.5."""
    return max(0.5, _MAX_ZIPF - zipf_table().get(word, 0.0))


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
    return _stemmer().stemWord(word)


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


@lru_cache(maxsize=1 << 16)
def fold_accents(word: str) -> str:
    """The word without diacritics ("gdańsk" -> "gdansk"): NFKD, combining marks dropped."""
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


# Fuzzy vocabulary unification: spellings of one word across outlets and MT systems
# ("organisers"/"organizers", "Zelensky"/"Zelenskyy", "Orekhov"/"Orechov").
FUZZY_MIN_LEN = 5
FUZZY_CUTOFF = 0.85  # normalised Levenshtein similarity (1 - edits / longer length)


@lru_cache(maxsize=1 << 16)
def _spelling_key(word: str) -> str:
    """British and American spellings of a word to one key (colour/color, organise/organize,
    centre/center, travelled/traveled)."""
    word = word.replace("our", "or").replace("z", "s").replace("ll", "l")
    if word.endswith("tre"):
        return word[:-3] + "ter"
    return word[:-4] + "ters" if word.endswith("tres") else word


def _distinct_words(a: str, b: str) -> bool:
    """Two English dictionary words that are not one word's two spellings ("injured"/"insured",
    "rocket"/"rockets"): fuzzy unification leaves them apart."""
    table = zipf_table()
    return a in table and b in table and _spelling_key(a) != _spelling_key(b)


def unify_vocabulary(
    words: Sequence[str], documents: Mapping[str, int] | None = None, cutoff: float = FUZZY_CUTOFF
) -> dict[str, str]:
    """Map each near-identical spelling to one representative: accents folded, then
    words of FUZZY_MIN_LEN+ letters (no digits) with the same first letter joined when
    their normalised Levenshtein similarity reaches cutoff (rapidfuzz.process.cdist,
    in C), transitively (union-find). The representative is the smallest spelling of
    its group, so the mapping does not depend on word order. Words not in the result
    map to themselves.

    documents: word -> bit mask of the documents it occurs in. Two groups are joined
    only when no document uses both: an outlet spells a name one way, so two spellings
    in one text are two words ("Russia"/"Russian", "minister"/"ministers"). Two English
    dictionary words are joined only when they are British/American spellings of one word."""
    folded = {w: fold_accents(w) for w in words}
    masks: dict[str, int] = {}
    for w, f in folded.items():
        masks[f] = masks.get(f, 0) | (documents.get(w, 0) if documents else 0)
    mapping = {w: f for w, f in folded.items() if f != w}
    buckets: dict[tuple[str, int], list[str]] = {}
    for f in sorted(set(folded.values())):
        if len(f) >= FUZZY_MIN_LEN and f.isalpha():
            buckets.setdefault((f[0], len(f)), []).append(f)
    if not buckets:
        return mapping
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb and not masks.get(ra, 0) & masks.get(rb, 0):
            parent[max(ra, rb)] = min(ra, rb)
            masks[min(ra, rb)] = masks.get(ra, 0) | masks.get(rb, 0)

    # British/American spellings too far apart for the cutoff ("centre"/"center", "colour"/"color").
    by_key: dict[str, str] = {}
    for group in buckets.values():
        for f in group:
            key = _spelling_key(f)
            if key in by_key:
                join(by_key[key], f)
            else:
                by_key[key] = f
    # Two dictionary words are joined only by their spelling key (above), so cdist compares the
    # words English does not know (names, transliterations, misspellings) with all the others.
    table = zipf_table()
    for (first, size), group in buckets.items():
        rows = [w for w in group if w not in table]
        if not rows:
            continue
        # The lengths the cutoff still allows (edits >= length gap).
        targets = list(group)
        gap = 1
        while 1.0 - gap / (size + gap) >= cutoff:
            targets += buckets.get((first, size + gap), []) + buckets.get((first, size - gap), [])
            gap += 1
        if len(targets) < 2:
            continue
        # A slice of rows at a time: cdist returns a dense matrix, and thousands of unknown words
        # of one first letter and length would make it quadratic. Row-major order is kept.
        step = max(1, _MATCH_BUDGET // len(targets))
        for top in range(0, len(rows), step):
            sims = process.cdist(
                rows[top : top + step], targets, scorer=Levenshtein.normalized_similarity, score_cutoff=cutoff,
                dtype=np.float32, workers=-1,
            )
            for r, c in zip(*np.nonzero(sims)):
                a, b = rows[top + r], targets[c]
                if a != b and not _distinct_words(a, b):
                    join(a, b)
    for w, f in folded.items():
        root = find(f)
        if root != w:
            mapping[w] = root
    return mapping


class LexicalIndex:
    """Rarity-weighted bags of stems for every sentence of every document."""

    def __init__(self, documents: Sequence[Sequence[str]], *, unify: bool = True) -> None:
        """unify: fold accents and join near-identical spellings (unify_vocabulary) first.

        The bags themselves are not kept (a dict a sentence: ~100 MB for 40,000 sentences),
        only the weighted sparse matrices built from them."""
        terms = [[self._bag(s) for s in doc] for doc in documents]
        mapping: dict[str, str] = {}
        if unify:
            occurs: dict[str, int] = {}  # term -> bit mask of the documents using it
            for d, doc in enumerate(terms):
                for bag in doc:
                    for t in bag:
                        occurs[t] = occurs.get(t, 0) | (1 << d)
            mapping = unify_vocabulary(sorted(occurs), occurs)
        if mapping:
            terms = [[self._remap(bag, mapping) for bag in doc] for doc in terms]
        df: dict[str, int] = {}
        n_sent = 0
        for doc in terms:
            for bag in doc:
                n_sent += 1
                for t in bag:
                    df[t] = df.get(t, 0) + 1
        self.vocab = {t: k for k, t in enumerate(df)}
        # Smoothed IDF over all sentences compared, in (0, 1]: a word in every
        # sentence keeps a third of its weight, a word in one keeps all of it.
        self.local = self._idf(df, n_sent)
        self._rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for k in range(len(terms)):
            rows, cols, vals = [], [], []
            for r, bag in enumerate(terms[k]):
                for t, w in bag.items():
                    rows.append(r)
                    cols.append(self.vocab[t])
                    vals.append(w * self.local[t])
            terms[k] = []  # each document's bags go once its matrix is built
            self._rows.append(
                (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float32))
            )
        self._sizes = [len(doc) for doc in documents]
        self._normalised: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @staticmethod
    def _bag(text: str) -> dict[str, float]:
        return content_terms(text)

    @staticmethod
    def _remap(bag: dict[str, float], unify: dict[str, str]) -> dict[str, float]:
        """The bag with unified spellings as one term (the larger weight kept)."""
        out: dict[str, float] = {}
        for t, w in bag.items():
            t = unify.get(t, t)
            if w > out.get(t, 0.0):
                out[t] = w
        return out

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
        return self.cosine_rows(i, j, 0, self._sizes[i])

    def cosine_rows(self, i: int, j: int, start: int, stop: int) -> np.ndarray:
        """Rows start..stop-1 of cosine(i, j), computed alone (the same values)."""
        return self._cosine(_rows(self._matrix(i), start, stop), self._matrix(j), stop - start, self._sizes[j])

    def cosine_merged(self, i: int, j: int) -> np.ndarray:
        """Cosine of each adjacent sentence pair (k, k+1) of i, as one bag, with each sentence
        of j: shape (len(i) - 1, len(j)), or (0, len(j)) for documents under two sentences."""
        return self.cosine_merged_rows(i, j, 0, max(self._sizes[i] - 1, 0))

    def cosine_merged_rows(self, i: int, j: int, start: int, stop: int) -> np.ndarray:
        """Rows start..stop-1 of cosine_merged(i, j) (pairs (k, k+1) of i for k in start..stop-1)."""
        return self._cosine(_rows(self._merged_matrix(i), start, stop), self._matrix(j), stop - start, self._sizes[j])

    def cosine_merged_columns(self, i: int, j: int, start: int, stop: int) -> np.ndarray:
        """Columns start..stop-1 of cosine_merged(i, j): every pair of i against sentences start..stop-1 of j."""
        n = max(self._sizes[i] - 1, 0)
        return self._cosine(self._merged_matrix(i), _rows(self._matrix(j), start, stop), n, stop - start)

    @staticmethod
    def _cosine(a: Triples, b: Triples, n: int, m: int) -> np.ndarray:
        """Dense (n, m) cosines of two row-normalised sparse matrices, each sorted by column.

        Each output entry sums its products in the order of a's entries (one bincount per
        group of rows of a), so the values do not depend on how the rows are grouped; the
        groups keep the index arrays under _MATCH_BUDGET products (one row may exceed it,
        by at most b's entries).
        """
        out = np.zeros((n, m), dtype=np.float32)
        ra, ca, va = a
        rb, cb, vb = b
        if not (n and m and len(ca) and len(cb)):
            return out
        lo = np.searchsorted(cb, ca, side="left")
        counts = np.searchsorted(cb, ca, side="right") - lo
        per_row = np.bincount(ra, weights=counts, minlength=n)
        ends = np.cumsum(per_row)
        first = 0
        while first < n:
            # The rows whose products fit in the budget (at least one row).
            limit = ends[first] - per_row[first] + _MATCH_BUDGET
            last = max(int(np.searchsorted(ends, limit, side="right")), first + 1)
            sel = (ra >= first) & (ra < last) if (first, last) != (0, n) else slice(None)
            c_sel = counts[sel]
            total = int(c_sel.sum())
            if total:
                rep = np.repeat(np.arange(len(c_sel)), c_sel)
                offsets = np.arange(total) - np.repeat(np.cumsum(c_sel) - c_sel, c_sel)
                match = np.repeat(lo[sel], c_sel) + offsets
                rows, vals = ra[sel] - first, va[sel]
                sums = np.bincount(
                    rows[rep] * m + rb[match], weights=vals[rep] * vb[match], minlength=(last - first) * m
                )
                out[first:last] = np.clip(sums.reshape(last - first, m), 0.0, 1.0)
            first = last
        return out


def _rows(matrix: Triples, start: int, stop: int) -> Triples:
    """Rows start..stop-1 of a (rows, cols, values) matrix, renumbered from 0, order kept."""
    rows, cols, vals = matrix
    if start <= 0 and (len(rows) == 0 or rows.max() < stop):
        return matrix
    keep = (rows >= start) & (rows < stop)
    return rows[keep] - start, cols[keep], vals[keep]


class TfidfIndex(LexicalIndex):
    """Plain TF-IDF bags: lowercased words with function words kept, raw counts,
    IDF = ln((1 + N) / (1 + df)) + 1 over the N sentences compared (as scikit-learn's
    smoothed IDF). It complements the stem scorer: it sees the exact wording and the
    small words ("not", "after", "up") that the content-word bags drop."""

    @staticmethod
    def _bag(text: str) -> dict[str, float]:
        return word_counts(text)

    @staticmethod
    def _remap(bag: dict[str, float], unify: dict[str, str]) -> dict[str, float]:
        """The bag with unified spellings as one term (counts added)."""
        out: dict[str, float] = {}
        for t, w in bag.items():
            t = unify.get(t, t)
            out[t] = out.get(t, 0.0) + w
        return out

    @staticmethod
    def _idf(df: dict[str, int], n_sent: int) -> dict[str, float]:
        return {t: 1.0 + math.log((1 + n_sent) / (1 + c)) for t, c in df.items()}
