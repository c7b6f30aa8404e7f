"""Alignment evaluation: the synthetic dev and test sets (eval/dev, eval/test) and the realistic ones (eval/real).

Usage:
    python eval/align_eval.py            # per-pair and overall P/R/F1, baselines, calibration, split
    python eval/align_eval.py --fit      # refit the score models on all dev pairs (synthetic and realistic)
                                         # and write compare/align/model.json
    python eval/align_eval.py --json out.json
    python eval/align_eval.py --robustness-only   # clean figures and the spelling-variant section only

The "spelling-variant robustness" section reruns both modes with side B's
spelling varied as outlets and MT systems vary it (perturb_gold, seeded); the
"wire formatting" one with datelines on both leads and dotted abbreviations
(wire_style).

Each gold file: {"id", "event", "phenomena", "a": {"label", "sentences"}, "b": {...},
"links": [{"a": i, "b": j, "kind": "strong"|"weak"}]}; a document's text is its
sentences joined by single spaces.

Measure (as issue 3 defines it): a link is a sentence pair; an n:m link counts
as every pair it joins. Recall = strong gold pairs found / strong gold pairs;
precision = predicted pairs that are strong or weak gold / predicted pairs.
Predictions go through the real pipeline (compare.pipeline.compare_documents:
segmentation, character offsets, alignment) and are mapped back to gold
sentences by character overlap, as the held-out measure does, so a
segmentation that differs from the gold's is scored, not assumed away.
Figures are micro-averaged over all pairs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compare.align import Aligner, ScoreModel, fitted  # noqa: E402
from compare.align.model import MODEL_FILE  # noqa: E402
from compare.options import CompareOptions  # noqa: E402
from compare.pipeline import DocumentInput, compare_documents  # noqa: E402
from facts import events_of, fact_figures, print_realism  # noqa: E402

DEV_DIR = ROOT / "eval" / "dev"
TEST_DIR = ROOT / "eval" / "test"  # never fitted on, never used to choose anything
REAL_DEV_DIR = ROOT / "eval" / "real" / "dev"  # real events, written from real coverage (eval/real)
REAL_TEST_DIR = ROOT / "eval" / "real" / "test"  # its test split: never fitted on, nothing chosen with it
Pair = tuple[int, int]


@dataclass
class GoldPair:
    """One gold file, with each sentence's character span in the joined text."""

    id: str
    a: list[str]
    b: list[str]
    strong: set[Pair]
    weak: set[Pair]
    spans_a: list[tuple[int, int]] = field(default_factory=list)
    spans_b: list[tuple[int, int]] = field(default_factory=list)
    # The article text as published (paragraphs and all) where the gold file keeps it
    # (eval/real); otherwise the sentences joined by single spaces.
    original_a: str = ""
    original_b: str = ""
    event: str = ""

    @property
    def text_a(self) -> str:
        return self.original_a or " ".join(self.a)

    @property
    def text_b(self) -> str:
        return self.original_b or " ".join(self.b)


def _spans(sentences: Sequence[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for s in sentences:
        out.append((pos, pos + len(s)))
        pos += len(s) + 1
    return out


def load_gold(folder: Path = DEV_DIR) -> list[GoldPair]:
    """Every pair-*.json in folder, sorted by file name."""
    pairs = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        strong = {(int(l["a"]), int(l["b"])) for l in data["links"] if l["kind"] == "strong"}
        weak = {(int(l["a"]), int(l["b"])) for l in data["links"] if l["kind"] != "strong"} - strong
        a, b = list(data["a"]["sentences"]), list(data["b"]["sentences"])
        pairs.append(GoldPair(
            str(data.get("id", path.stem)), a, b, strong, weak,
            [tuple(x) for x in data["a"].get("spans", [])] or _spans(a),
            [tuple(x) for x in data["b"].get("spans", [])] or _spans(b),
            data["a"].get("text", ""), data["b"].get("text", ""), str(data.get("event", "")),
        ))
    return pairs


def event_groups(gold: Sequence[GoldPair]) -> list[int]:
    """Group number of each pair: pairs that share a document (one outlet's text, as the three
    pairs of an event covered by three outlets do) are one group, so a held-out check never
    trains on the text it tests."""
    parent = list(range(len(gold)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[str, int] = {}
    for k, g in enumerate(gold):
        for text in (g.text_a, g.text_b):
            if text in owner:
                parent[find(k)] = find(owner[text])
            else:
                owner[text] = k
    roots = [find(k) for k in range(len(gold))]
    number = {r: n for n, r in enumerate(dict.fromkeys(roots))}
    return [number[r] for r in roots]


def overlap_map(pred: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> list[list[int]]:
    """For each predicted sentence span, the gold sentences it overlaps (by characters)."""
    return [[g for g, (gs, ge) in enumerate(gold) if min(pe, ge) - max(ps, gs) > 0] for ps, pe in pred]


@dataclass
class Segmented:
    """A gold pair as the pipeline segments it."""

    gold: GoldPair
    sents_a: list[str]
    sents_b: list[str]
    map_a: list[list[int]]
    map_b: list[list[int]]

    def gold_pairs(self, links: Iterable[tuple[Sequence[int], Sequence[int], float]]) -> dict[Pair, float]:
        """Predicted links (pipeline sentence indices) -> gold sentence pairs with their scores."""
        out: dict[Pair, float] = {}
        for a_idx, b_idx, score in links:
            for i in a_idx:
                for j in b_idx:
                    for ga in self.map_a[i]:
                        for gb in self.map_b[j]:
                            out[(ga, gb)] = max(out.get((ga, gb), 0.0), score)
        return out

    def labels(self) -> np.ndarray:
        """Pipeline-sentence pair labels: 1 strong, 0.5 weak only, 0 none."""
        y = np.zeros((len(self.sents_a), len(self.sents_b)))
        for i, gas in enumerate(self.map_a):
            for j, gbs in enumerate(self.map_b):
                pairs = {(ga, gb) for ga in gas for gb in gbs}
                y[i, j] = 1.0 if pairs & self.gold.strong else 0.5 if pairs & self.gold.weak else 0.0
        return y


def segment(gold: GoldPair) -> Segmented:
    result = compare_documents(
        [DocumentInput(gold.text_a, "a", language="en"), DocumentInput(gold.text_b, "b", language="en")],
        CompareOptions(align_mode="fast", use_cache=False),
    )
    da, db = result.documents
    return Segmented(
        gold,
        [s.compare_text for s in da.sentences],
        [s.compare_text for s in db.sentences],
        overlap_map([(s.start, s.end) for s in da.sentences], gold.spans_a),
        overlap_map([(s.start, s.end) for s in db.sentences], gold.spans_b),
    )


@dataclass
class Counts:
    tp: int = 0  # predicted pairs that are strong gold
    ok: int = 0  # predicted pairs that are strong or weak gold
    pred: int = 0
    strong: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.ok += other.ok
        self.pred += other.pred
        self.strong += other.strong

    @property
    def precision(self) -> float:
        return self.ok / self.pred if self.pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.strong if self.strong else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_pairs(gold: GoldPair, predicted: Iterable[Pair]) -> Counts:
    pred = set(predicted)
    return Counts(
        tp=len(pred & gold.strong), ok=len(pred & (gold.strong | gold.weak)), pred=len(pred), strong=len(gold.strong)
    )


# --- systems ---------------------------------------------------------------------------------

def run_pipeline(seg: Segmented, mode: str) -> dict[Pair, float]:
    """The product as users run it: compare_documents on the joined texts."""
    result = compare_documents(
        [DocumentInput(seg.gold.text_a, "a", language="en"), DocumentInput(seg.gold.text_b, "b", language="en")],
        CompareOptions(align_mode=mode, use_cache=False),  # type: ignore[arg-type]
    )
    comp = result.comparisons[0]
    return seg.gold_pairs((link.a, link.b, link.score) for link in comp.links)


def run_aligner(seg: Segmented, mode: str, model: ScoreModel | None = None) -> dict[Pair, float]:
    alignment = Aligner([seg.sents_a, seg.sents_b], mode=mode, model=model).align(0, 1)
    return seg.gold_pairs((link.a, link.b, link.score) for link in alignment.links)


def tfidf_matrix(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Plain TF-IDF cosine (lowercased words, IDF over the pair's sentences, no stemming)."""
    import re

    tok = [re.findall(r"\w+", s.lower()) for s in list(a) + list(b)]
    vocab = {w: k for k, w in enumerate(sorted({w for t in tok for w in t}))}
    df = np.zeros(len(vocab))
    for t in tok:
        for w in set(t):
            df[vocab[w]] += 1
    idf = np.log((1 + len(tok)) / (1 + df)) + 1
    mat = np.zeros((len(tok), len(vocab)))
    for r, t in enumerate(tok):
        for w in t:
            mat[r, vocab[w]] += 1
    mat *= idf
    mat /= np.maximum(np.linalg.norm(mat, axis=1, keepdims=True), 1e-12)
    return mat[: len(a)] @ mat[len(a) :].T


def fuzz_matrix(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    from rapidfuzz import fuzz, process

    return process.cdist(list(a), list(b), scorer=fuzz.token_set_ratio) / 100.0


def minilm_matrix(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    from compare.embed import get_encoder

    enc = get_encoder()
    return enc.encode(list(a)) @ enc.encode(list(b)).T


def threshold_links(scores: np.ndarray, t: float) -> list[tuple[Sequence[int], Sequence[int], float]]:
    return [((int(r),), (int(c),), float(scores[r, c])) for r, c in zip(*np.nonzero(scores >= t))]


def baseline(
    segs: Sequence[Segmented], matrix: Callable[[Sequence[str], Sequence[str]], np.ndarray]
) -> tuple[float, list[Counts]]:
    """Threshold-only linking, threshold tuned on these very pairs (favours the baseline)."""
    mats = [matrix(s.sents_a, s.sents_b) for s in segs]
    best: tuple[float, float, list[Counts]] = (-1.0, 0.0, [])
    for t in np.arange(0.05, 0.96, 0.01):
        per = [score_pairs(s.gold, s.gold_pairs(threshold_links(m, t))) for s, m in zip(segs, mats)]
        total = Counts()
        for c in per:
            total.add(c)
        if total.f1 > best[0]:
            best = (total.f1, float(t), per)
    return best[1], best[2]


# --- fitting -----------------------------------------------------------------------------------

_TRAINING_ROWS: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
# Training rows computed in other processes with other sentence encoders (--fit-rows): the int8
# vectors differ by CPU (docs/alignment.md, "the encoder across CPUs"), so the score model is
# fitted on every variant's rows at once. Keyed by _rows_key; each value a list, one per variant.
_VARIANT_ROWS: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}


def _rows_key(seg: Segmented, mode: str, names: tuple[str, ...]) -> str:
    text = "\n".join(seg.sents_a) + "\n--\n" + "\n".join(seg.sents_b)
    return f"{mode}|{','.join(names)}|{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def dump_rows(segs: Sequence[Segmented], path: Path) -> None:
    """This process's training rows (default mode, every pair) for a --fit-rows fit elsewhere."""
    names = fitted()["default"].model.features
    arrays: dict[str, np.ndarray] = {}
    for seg in segs:
        x, y = _training_rows(seg, "default", names)
        key = _rows_key(seg, "default", names)
        arrays[key + "|x"], arrays[key + "|y"] = x, y
    np.savez_compressed(path, **arrays)


def load_variant_rows(paths: Sequence[Path]) -> None:
    """Fit on these dumps' rows (one encoder variant each) instead of this process's own."""
    _VARIANT_ROWS.clear()
    for path in paths:
        with np.load(path) as data:
            for name in data.files:
                if name.endswith("|x"):
                    key = name[:-2]
                    _VARIANT_ROWS.setdefault(key, []).append((data[name], data[key + "|y"]))


def _training_rows(seg: Segmented, mode: str, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of a pair's sentence pairs, weak pairs left out (cached per run)."""
    key = (id(seg), mode, names)
    if key not in _TRAINING_ROWS:
        probe = ScoreModel(weights={n: 0.0 for n in names}, bias=0.0)
        feats = Aligner([seg.sents_a, seg.sents_b], mode=mode, model=probe).features(0, 1)
        y = seg.labels()
        keep = y != 0.5
        _TRAINING_ROWS[key] = (np.stack([feats[n][keep] for n in names], axis=1), y[keep])
    return _TRAINING_ROWS[key]


def fit_model(
    segs: Sequence[Segmented], mode: str, l2: float = 0.1, features: Sequence[str] | None = None
) -> ScoreModel:
    """Logistic regression (Newton) of "strong gold" on the aligner's features; weak pairs left out.

    features: the feature names to fit (default: those of the mode's current model)."""
    names = tuple(features) if features is not None else fitted()[mode].model.features
    xs, ys, ws = [], [], []
    for seg in segs:
        # Rows from several encoder variants (--fit-rows) each weigh 1/variants: a pair counts
        # once, so the regularisation means what it meant with one encoder.
        variants = _VARIANT_ROWS.get(_rows_key(seg, mode, names)) or [_training_rows(seg, mode, names)]
        for x_seg, y_seg in variants:
            xs.append(x_seg)
            ys.append(y_seg)
            ws.append(np.full(len(y_seg), 1.0 / len(variants)))
    x = np.hstack([np.vstack(xs), np.ones((sum(len(v) for v in ys), 1))])
    y = np.concatenate(ys)
    sw = np.concatenate(ws)
    w = np.zeros(x.shape[1])
    reg = l2 * np.eye(len(w))
    reg[-1, -1] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (sw * (p - y)) + reg @ w
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return ScoreModel(weights={n: round(float(v), 2) for n, v in zip(names, w[:-1])}, bias=round(float(w[-1]), 2))


# Link thresholds written with the fitted models: chosen on held-out folds of the development sets
# (three folds by event of eval/real/dev, the synthetic set added to each fold's training set;
# docs/alignment.md, "linking"), with merge proposals on in default mode.
FIT_THRESHOLDS = {"default": 0.35, "fast": 0.25}


def write_models(models: dict[str, ScoreModel], fitted_on: list[str]) -> None:
    """compare/align/model.json from fitted models (the file the aligner reads)."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["fitted_on"] = fitted_on
    data["modes"] = {
        mode: {"weights": dict(m.weights), "bias": m.bias, "threshold": FIT_THRESHOLDS[mode]} for mode, m in models.items()
    }
    MODEL_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    fitted.cache_clear()


# --- spelling-variant robustness ---------------------------------------------------------------

_ADD_ACCENT = {"n": "ń", "e": "é", "c": "č", "s": "š", "z": "ž", "a": "á", "o": "ö", "u": "ü", "i": "í", "l": "ł"}
_VOWELS = set("aeiouy")


def _strip_accents(word: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def _spelling_variants(word: str, name: bool) -> list[str]:
    """Realistic cross-outlet / MT spellings of one word (names get transliteration variants too)."""
    low = word.lower()
    out: list[str] = []
    # British / American spelling
    for uk, us in (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("iser", "izer"), ("ise", "ize"),
                   ("ises", "izes"), ("isers", "izers"), ("isations", "izations"), ("our", "or"), ("ours", "ors"), ("oured", "ored"), ("tre", "ter"), ("tres", "ters")):
        if low.endswith(uk) and len(low) > len(uk) + 2:
            out.append(word[: -len(uk)] + us)
        elif low.endswith(us) and len(low) > len(us) + 2 and us not in ("or", "ors", "ter", "ters"):
            out.append(word[: -len(us)] + uk)
    if low.endswith(("center", "centers", "theater", "theaters")):
        out.append(word.replace("ter", "tre"))
    # doubled consonant -> single
    for k in range(1, len(word) - 1):
        if word[k] == word[k + 1] and low[k] not in _VOWELS and low[k].isalpha():
            out.append(word[:k] + word[k + 1 :])
            break
    if name:
        plain = _strip_accents(word)
        if plain != word:
            out.append(plain)
        else:
            spots = [k for k in range(1, len(word)) if word[k] in _ADD_ACCENT]
            if spots:
                k = spots[len(spots) // 2]
                out.append(word[:k] + _ADD_ACCENT[word[k]] + word[k + 1 :])
        # single consonant between vowels -> doubled
        for k in range(1, len(word) - 1):
            if low[k] not in _VOWELS and low[k - 1] in _VOWELS and low[k + 1] in _VOWELS:
                out.append(word[: k + 1] + word[k:])
                break
        # one-letter transliteration changes
        for a, b in (("kh", "ch"), ("ks", "x"), ("x", "ks"), ("k", "c"), ("c", "k"), ("j", "y"), ("J", "Y"), ("Y", "J")):
            k = word.find(a, 1 if a.islower() else 0)
            if k >= 0:
                out.append(word[:k] + b + word[k + len(a) :])
        if low.endswith("y"):
            out.extend([word[:-1] + "i", word + "y"])
        elif low.endswith("i"):
            out.append(word[:-1] + "y")
        out.append(word + "'s")
    return [v for v in dict.fromkeys(out) if v != word]


_PERTURB_WORD = re.compile(r"[^\W\d_]+")


def perturb_sentence(sentence: str, rng: random.Random, p: float = 0.4) -> str:
    """Side-B spelling variation: each name (capitalised, not sentence-initial) and each long
    content word (>= 6 letters) gets, with probability p, one realistic variant."""
    def swap(m: "re.Match[str]") -> str:
        word = m.group(0)
        before = m.string[max(m.start() - 2, 0) : m.start()]
        name = word[:1].isupper() and len(word) >= 4 and not word.isupper() and before.strip(" ") != "" \
            and not any(q in before for q in "\"“‘'(")
        if not (name or len(word) >= 6) or rng.random() >= p:
            return word
        variants = _spelling_variants(word, name)
        return rng.choice(variants) if variants else word

    return _PERTURB_WORD.sub(swap, sentence)


def perturb_gold(gold: GoldPair, seed: int = 13, p: float = 0.4) -> GoldPair:
    """The pair with side B's spelling varied (deterministic for a seed); links unchanged."""
    import random
    import zlib

    rng = random.Random(seed * 1_000_003 + zlib.crc32(gold.id.encode()))
    b = [perturb_sentence(s, rng, p) for s in gold.b]
    return GoldPair(gold.id, list(gold.a), b, set(gold.strong), set(gold.weak), list(gold.spans_a), _spans(b),
                    gold.original_a, "", gold.event)


# --- report ------------------------------------------------------------------------------------

def total_of(per: Sequence[Counts]) -> Counts:
    total = Counts()
    for c in per:
        total.add(c)
    return total


def fmt(c: Counts) -> str:
    return f"P {c.precision:.3f}  R {c.recall:.3f}  F1 {c.f1:.3f}"


def calibration(segs: Sequence[Segmented], preds: Sequence[dict[Pair, float]]) -> list[tuple[str, int, float]]:
    """Share of predicted pairs that are gold links, by link score band."""
    bands = [(0.8, 1.01, ">= 0.8"), (0.6, 0.8, "0.6-0.8"), (0.0, 0.6, "< 0.6")]
    out = []
    for lo, hi, name in bands:
        n = ok = 0
        for seg, pred in zip(segs, preds):
            for pair, score in pred.items():
                if lo <= score < hi:
                    n += 1
                    ok += pair in seg.gold.strong or pair in seg.gold.weak
        out.append((name, n, ok / n if n else float("nan")))
    return out


def wire_style(gold: GoldPair) -> GoldPair:
    """The pair as two wires write it: a dateline from one city opening each side's first
    sentence ("CAPITAL CITY (Wire A) - ..."), and dotted abbreviations ("U.S.", "Ms.",
    "2 a.m."); links unchanged."""
    def restyle(sentence: str) -> str:
        sentence = re.sub(r"\bUS\b", "U.S.", sentence)
        sentence = re.sub(r"\b(Mr|Mrs|Ms|Dr)\b(?!\.)", r"\1.", sentence)
        return re.sub(r"\b(\d{1,2}) (a|p)m\b", r"\1 \2.m.", sentence)

    a = [restyle(s) for s in gold.a]
    b = [restyle(s) for s in gold.b]
    if a:
        a[0] = "CAPITAL CITY (Wire A) - " + a[0]
    if b:
        b[0] = "CAPITAL CITY, Region (Wire B) - " + b[0]
    return GoldPair(gold.id, a, b, set(gold.strong), set(gold.weak), _spans(a), _spans(b))


def pipeline_figures(gold: Sequence[GoldPair], modes: Sequence[str]) -> dict[str, dict[str, float]]:
    """Overall P/R/F1 of each mode through the pipeline on these pairs, printed a line a mode."""
    segs = [segment(g) for g in gold]
    out: dict[str, dict[str, float]] = {}
    for mode in modes:
        total = total_of([score_pairs(s.gold, run_pipeline(s, mode)) for s in segs])
        out[mode] = {"precision": total.precision, "recall": total.recall, "f1": total.f1}
        print(f"  {mode:<8} {fmt(total)}")
    print()
    return out


def formatting(gold: Sequence[GoldPair], modes: Sequence[str]) -> dict[str, dict[str, float]]:
    """F1 of each mode on the dev set restyled as wire copy (wire_style)."""
    print("wire formatting (datelines from one city on both leads, dotted abbreviations):")
    return pipeline_figures([wire_style(g) for g in gold], modes)


def robustness(gold: Sequence[GoldPair], modes: Sequence[str], seed: int = 13) -> dict[str, dict[str, float]]:
    """F1 of each mode on the dev set with side B's spelling varied (perturb_gold), next to the clean F1."""
    perturbed = [perturb_gold(g, seed) for g in gold]
    changed = sum(x != y for g, pg in zip(gold, perturbed) for x, y in zip(g.b, pg.b))
    print(f"spelling-variant robustness (side B perturbed, seed {seed}: {changed} of "
          f"{sum(len(g.b) for g in gold)} sentences changed):")
    return pipeline_figures(perturbed, modes)


def realistic_section(gold: Sequence[GoldPair], modes: Sequence[str], title: str) -> dict[str, object]:
    """Pair P/R/F1 and calibration through the pipeline and, for events of 3+ outlets compared
    at once, fact grouping."""
    print(f"{title}: {len(gold)} pairs, {sum(len(g.strong) for g in gold)} strong and "
          f"{sum(len(g.weak) for g in gold)} weak gold links")
    segs = [segment(g) for g in gold]
    pairs: dict[str, dict[str, float]] = {}
    calib: dict[str, object] = {}
    for mode in modes:
        preds = [run_pipeline(s, mode) for s in segs]
        total = total_of([score_pairs(s.gold, p) for s, p in zip(segs, preds)])
        pairs[mode] = {"precision": total.precision, "recall": total.recall, "f1": total.f1}
        calib[mode] = rows = calibration(segs, preds)
        print(f"  {mode:<8} {fmt(total)}   calibration " + "   ".join(f"{name}: {ok:.1%} of {n}" for name, n, ok in rows))
    print()
    out: dict[str, object] = {"pairs": pairs, "calibration": calib}
    events = events_of(gold, event_groups(gold))
    print(f"facts across outlets ({len(events)} events, all outlets of an event compared at once):")
    facts = {}
    for mode in modes:
        counts = fact_figures(events, mode)
        facts[mode] = {"purity": counts.purity, "recall": counts.recall,
                       "triangle_recall": counts.triangle_recall, "largest": counts.largest}
        print(f"  {mode:<8} {counts.line()}")
    print()
    out["facts"] = facts
    return out


def realistic_folds(gold: Sequence[GoldPair], synthetic: Sequence[Segmented], modes: Sequence[str],
                    folds: int = 3) -> dict[str, float]:
    """The realistic dev figure without fitting on the pairs measured: events in `folds` folds
    (sorted by name, every folds-th), each measured with a model fitted on the other folds and
    the synthetic dev set (the way the thresholds were chosen); the aligner alone, no pipeline."""
    segs = [segment(g) for g in gold]
    events = sorted({g.event for g in gold})
    print(f"realistic dev, held-out folds ({folds} folds of {len(events)} events; model fitted on the other "
          "folds and the synthetic dev set):")
    out = {}
    for mode in modes:
        per = []
        for k in range(folds):
            held = set(events[k::folds])
            model = fit_model(list(synthetic) + [s for s in segs if s.gold.event not in held], mode)
            per.extend(score_pairs(s.gold, run_aligner(s, mode, model)) for s in segs if s.gold.event in held)
        total = total_of(per)
        out[mode] = total.f1
        print(f"  {mode:<8} pooled {fmt(total)}")
    print()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV_DIR, help="folder of gold pair-*.json files")
    parser.add_argument("--test", type=Path, default=TEST_DIR,
                        help="folder of the test pairs (measured last; never fitted on)")
    parser.add_argument("--real-dev", type=Path, default=REAL_DEV_DIR, help="realistic dev pairs (eval/real)")
    parser.add_argument("--real-test", type=Path, default=REAL_TEST_DIR,
                        help="realistic test pairs (measured last; never fitted on)")
    parser.add_argument("--fit", action="store_true", help="refit both score models on all pairs and print them")
    parser.add_argument("--dump-rows", type=Path, metavar="FILE",
                        help="write this process's default-mode training rows (dev and realistic dev) and stop")
    parser.add_argument("--fit-rows", type=Path, nargs="+", metavar="FILE",
                        help="fit default mode (--fit, and every held-out fit) on these dumps' rows, one "
                             "sentence-encoder variant each, instead of this process's own")
    parser.add_argument("--modes", default="default,fast", help="modes to evaluate (comma-separated)")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--robustness-only", action="store_true",
                        help="only the clean pipeline figures and the spelling-variant robustness section")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]

    gold = load_gold(args.dev)
    if not gold:
        print(f"no gold files in {args.dev}", file=sys.stderr)
        return 2
    segs = [segment(g) for g in gold]
    if args.fit_rows:
        load_variant_rows(args.fit_rows)
        names = fitted()["default"].model.features
        stale = [s.gold.id for s in segs if _rows_key(s, "default", names) not in _VARIANT_ROWS]
        if stale:  # other sentences or features than the dumps': those pairs would fit on this process's rows
            print(f"--fit-rows: no rows for {len(stale)} pairs (first {stale[0]}); dump them again", file=sys.stderr)
            return 2
    if args.dump_rows:
        real_segs = [segment(g) for g in load_gold(args.real_dev)] if args.real_dev.is_dir() else []
        dump_rows(segs + real_segs, args.dump_rows)
        print(f"wrote {args.dump_rows}")
        return 0
    if args.fit:
        real_segs = [segment(g) for g in load_gold(args.real_dev)] if args.real_dev.is_dir() else []
        write_models({mode: fit_model(segs + real_segs, mode) for mode in ("default", "fast")},
                     [str(p.relative_to(ROOT)) for p in (args.dev, args.real_dev) if p.is_dir()])
        print(MODEL_FILE.read_text(encoding="utf-8"))
        return 0

    report: dict[str, object] = {"pairs": len(gold), "strong_links": sum(len(g.strong) for g in gold)}
    print(f"dev set: {len(gold)} pairs, {report['strong_links']} strong and "
          f"{sum(len(g.weak) for g in gold)} weak gold links ({args.dev})\n")
    systems: dict[str, list[Counts]] = {}
    preds_by_mode: dict[str, list[dict[Pair, float]]] = {}
    for mode in modes:
        start = time.perf_counter()
        preds = [run_pipeline(s, mode) for s in segs]
        elapsed = time.perf_counter() - start
        preds_by_mode[mode] = preds
        systems[f"compare {mode}"] = [score_pairs(s.gold, p) for s, p in zip(segs, preds)]
        print(f"compare {mode} ({elapsed:.1f} s for {len(segs)} pairs through the pipeline)")
        for seg, c in zip(segs, systems[f"compare {mode}"]):
            print(f"  {seg.gold.id:<10} {fmt(c)}   pred {c.pred:>2} strong {c.strong:>2}")
        print(f"  {'overall':<10} {fmt(total_of(systems[f'compare {mode}']))}\n")

    if args.robustness_only:
        report["robustness"] = robustness(gold, modes)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
        return 0

    bases: list[tuple[str, Callable[[Sequence[str], Sequence[str]], np.ndarray]]] = [
        ("tf-idf cosine", tfidf_matrix), ("rapidfuzz token_set_ratio", fuzz_matrix)]
    if "default" in modes:
        bases.append(("MiniLM cosine", minilm_matrix))
    def run_baselines(on: Sequence[Segmented], into: dict[str, list[Counts]], note: str = "") -> None:
        for name, fn in bases:
            t, per = baseline(on, fn)
            into[name] = per
            print(f"  {name:<28} {fmt(total_of(per))}   (threshold {t:.2f}{note})")

    if not args.no_baselines:
        print("baselines (threshold-only linking, threshold tuned on this set):")
        run_baselines(segs, systems)
        print()

    print("calibration (predicted sentence pairs that are gold links, by link score):")
    report["calibration"] = {}
    for mode, preds in preds_by_mode.items():
        rows = calibration(segs, preds)
        report["calibration"][mode] = rows  # type: ignore[index]
        print(f"  {mode:<8} " + "   ".join(f"{name}: {ok:.1%} of {n}" for name, n, ok in rows))
    print()

    groups = event_groups(gold)
    print("held-out check (score model fitted on one half of the events, measured on the other):")
    report["split"] = {}
    halves = [[k for k, g in enumerate(groups) if g % 2 == 0], [k for k, g in enumerate(groups) if g % 2 == 1]]
    for mode in modes:
        per_half = []
        for train, test in [(halves[0], halves[1]), (halves[1], halves[0])]:
            model = fit_model([segs[k] for k in train], mode)
            per = [score_pairs(segs[k].gold, run_aligner(segs[k], mode, model)) for k in test]
            per_half.append(total_of(per))
        both = total_of(per_half)
        report["split"][mode] = [c.f1 for c in per_half] + [both.f1]  # type: ignore[index]
        print(f"  {mode:<8} fit even/test odd F1 {per_half[0].f1:.3f}   fit odd/test even F1 {per_half[1].f1:.3f}"
              f"   pooled {fmt(both)}")
    print()

    print(f"leave-one-event-out ({len(set(groups))} events; score model fitted on all other events' pairs, "
          "measured on the event left out):")
    report["loo"] = {}
    for mode in modes:
        per = []
        for group in sorted(set(groups)):
            model = fit_model([s for s, g in zip(segs, groups) if g != group], mode)
            per.extend(score_pairs(s.gold, run_aligner(s, mode, model)) for s, g in zip(segs, groups) if g == group)
        loo = total_of(per)
        report["loo"][mode] = loo.f1  # type: ignore[index]
        print(f"  {mode:<8} pooled {fmt(loo)}")
    print()

    report["robustness"] = robustness(gold, modes)
    report["formatting"] = formatting(gold, modes)

    real_gold = load_gold(args.real_dev) if args.real_dev.is_dir() else []
    real_test_gold = load_gold(args.real_test) if args.real_test.is_dir() else []
    if real_gold:
        print("how close each set is to real coverage (../shared/REAL-COVERAGE.md definitions):")
        report["realism"] = print_realism([("dev", gold), ("real dev", real_gold), ("real test", real_test_gold)])
        report["real"] = realistic_section(real_gold, modes, f"realistic dev set ({args.real_dev})")
        report["real_folds"] = realistic_folds(real_gold, segs, modes)

    test_systems: dict[str, list[Counts]] = {}
    test_gold = load_gold(args.test) if args.test.is_dir() else []
    if test_gold:
        test_segs = [segment(g) for g in test_gold]
        print(f"test set: {len(test_gold)} pairs, {sum(len(g.strong) for g in test_gold)} strong and "
              f"{sum(len(g.weak) for g in test_gold)} weak gold links ({args.test}; never fitted on)")
        for mode in modes:
            per = [score_pairs(s.gold, run_pipeline(s, mode)) for s in test_segs]
            test_systems[f"compare {mode}"] = per
            print(f"  {'compare ' + mode:<28} {fmt(total_of(per))}   per pair F1 "
                  + " ".join(f"{c.f1:.2f}" for c in per))
        if not args.no_baselines:
            run_baselines(test_segs, test_systems, ", tuned on the test set")
        print()

    if real_test_gold:
        report["real_test"] = realistic_section(
            real_test_gold, modes, f"realistic test set ({args.real_test}; never fitted on, nothing chosen with it)")

    print("summary (overall, micro-averaged):")
    for key, title, table in (("systems", "dev", systems), ("test", "test", test_systems)):
        report[key] = {}
        for name, per in table.items():
            total = total_of(per)
            report[key][name] = {"precision": total.precision, "recall": total.recall, "f1": total.f1}  # type: ignore[index]
            print(f"  {title:<5} {name:<28} {fmt(total)}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
