"""Size and render time of the HTML report, for the samples and a 10-outlet synthetic event.

    python benchmarks/bench_html.py [--outlets 10] [--sentences 50] [--translated 5] [--runs 5]

Prints, for each case, the report size in bytes (limit: 2 MB for 10 outlets x
50 sentences, i.e. 45 pairs) and the median time of render_html alone. Translated outlets carry an original
text of the same length in Cyrillic (2 bytes a character in UTF-8), the worst
realistic case for size. Deterministic: a fixed seed, no clock in the output.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from itertools import combinations
from pathlib import Path

from compare.diff import word_diff
from compare.render.html import render_html
from compare.result import (
    ComparisonResult,
    CoverageGroup,
    Document,
    Link,
    PairComparison,
    Sentence,
    Signature,
)

ROOT = Path(__file__).resolve().parent.parent
SIZE_LIMIT = 2_000_000

SUBJECTS = [
    "Trade ministers",
    "Delegates",
    "Officials",
    "Negotiators",
    "Diplomats",
    "Analysts",
    "Port operators",
    "Unions",
]
VERBS = [
    "agreed to cut",
    "pledged to reduce",
    "voted to lower",
    "declined to change",
    "moved to review",
    "proposed to freeze",
]
OBJECTS = [
    "port fees",
    "tariffs on steel",
    "grain duties",
    "fuel standards",
    "customs checks",
    "transit charges",
    "fishing quotas",
]
PLACES = ["Singapore", "Gdansk", "Tallinn", "Busan", "Rotterdam", "Vladivostok", "Valparaiso", "Oslo"]
DETAILS = [
    "by 15 percent",
    "from 1 January",
    "over five years",
    "after two days of talks",
    "despite objections",
    "by the end of 2026",
]
SYLLABLES = ["ka", "lo", "mi", "ner", "tos", "va", "ril", "den", "shu", "po", "gar", "bel", "yan", "ost", "kur"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SWAPS = {
    "agreed": "decided",
    "cut": "lower",
    "Officials": "Spokespeople",
    "percent": "per cent",
    "talks": "negotiations",
}
CYRILLIC = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "абцдефгхийклмнопкрстуввхызАБЦДЕФГХИЙКЛМНОПКРСТУВВХЫЗ"
)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _facts(rng: random.Random, n: int) -> list[str]:
    """Distinct facts: each names its own people and places (made-up words), like real news sentences."""
    facts = []
    for _ in range(n):
        who, org, town = _word(rng).title(), _word(rng).title(), _word(rng).title()
        facts.append(
            f"{rng.choice(SUBJECTS)} from {town} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(DETAILS)}, "
            f"{who} of the {org} {_word(rng)} council told reporters in {rng.choice(PLACES)} on {rng.choice(DAYS)}."
        )
    return facts


def _vary(rng: random.Random, sentence: str) -> str:
    words = sentence.split(" ")
    for i, w in enumerate(words):
        if w in SWAPS and rng.random() < 0.5:
            words[i] = SWAPS[w]
    if rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words)), rng.choice(["reportedly", "officially", "finally", "again"]))
    return " ".join(words)


def synthetic_result(outlets: int = 10, sentences: int = 50, translated: int = 5, seed: int = 7) -> ComparisonResult:
    """An event told by `outlets` outlets of `sentences` sentences each; `translated` of them look translated.

    Built directly as a result model (links = same underlying fact, word diffs
    from compare.diff), so the size and render figures do not move when the
    aligner changes, and building it takes well under a second.
    """
    rng = random.Random(seed)
    pool = _facts(rng, int(sentences * 1.6))
    docs: list[Document] = []
    facts_of: list[list[int]] = []
    for k in range(outlets):
        chosen = sorted(rng.sample(range(len(pool)), sentences))
        for _ in range(sentences // 10):  # some reordering
            i, j = rng.randrange(sentences), rng.randrange(sentences)
            chosen[i], chosen[j] = chosen[j], chosen[i]
        texts = [_vary(rng, pool[f]) for f in chosen]
        is_tr = k >= outlets - translated
        sents, at = [], 0
        for n, text in enumerate(texts):
            shown = text.translate(CYRILLIC) if is_tr else text
            sents.append(Sentence(n, at, at + len(shown), shown, text if is_tr else None))
            at += len(shown) + 1
        docs.append(
            Document(
                id=f"outlet-{k + 1:02d}",
                label=f"Outlet {k + 1:02d}",
                path=None,
                language="ru" if is_tr else "en",
                language_source="detected",
                encoding="utf-8",
                sentences=tuple(sents),
                translated=is_tr,
                source_language="ru" if is_tr else None,
                model="opus-mt-ru-en" if is_tr else None,
                engine="ctranslate2" if is_tr else None,
            )
        )
        facts_of.append(chosen)
    comparisons = []
    for i, j in combinations(range(outlets), 2):
        pos_b = {f: n for n, f in enumerate(facts_of[j])}
        links = []
        for n, f in enumerate(facts_of[i]):
            if f in pos_b:
                ta, tb = docs[i].sentences[n].compare_text, docs[j].sentences[pos_b[f]].compare_text
                score = round(0.5 + 0.5 * rng.random(), 4)
                links.append(Link((n,), (pos_b[f],), score, "strong" if score >= 0.6 else "weak", word_diff(ta, tb)))
        links.sort(key=lambda link: link.a)
        in_a = {link.a[0] for link in links}
        in_b = {link.b[0] for link in links}
        comparisons.append(
            PairComparison(
                docs[i].id,
                docs[j].id,
                tuple(links),
                tuple(n for n in range(sentences) if n not in in_a),
                tuple(n for n in range(sentences) if n not in in_b),
            )
        )
    groups: dict[int, dict[str, tuple[int, ...]]] = {}
    for k, chosen in enumerate(facts_of):
        for n, f in enumerate(chosen):
            groups.setdefault(f, {})[docs[k].id] = (n,)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    coverage = tuple(CoverageGroup(id=n + 1, sentences=g) for n, (_, g) in enumerate(ordered))
    signature = Signature("0.1.0", "en", "ctranslate2", ("opus-mt-ru-en",), "default", 0.5)
    return ComparisonResult(signature, tuple(docs), tuple(comparisons), coverage, title="Synthetic summit")


def _time_render(result: ComparisonResult, runs: int) -> tuple[str, float]:
    times = []
    html = ""
    for _ in range(runs):
        t0 = time.perf_counter()
        html = render_html(result)
        times.append(time.perf_counter() - t0)
    return html, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--sentences", type=int, default=50)
    parser.add_argument("--translated", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    samples = [ROOT / "samples" / "meridian-wire.txt", ROOT / "samples" / "harbor-review.txt"]
    if all(p.exists() for p in samples):
        from compare.pipeline import compare_documents

        result = compare_documents([str(p) for p in samples], labels=["Meridian Wire", "The Harbor Review"])
        html, secs = _time_render(result, args.runs)
        print(
            f"samples (2 outlets, {sum(len(d.sentences) for d in result.documents)} sentences): "
            f"{len(html.encode('utf-8')):,} bytes, render {secs * 1000:.0f} ms (median of {args.runs})"
        )

    result = synthetic_result(args.outlets, args.sentences, args.translated)
    html, secs = _time_render(result, args.runs)
    size = len(html.encode("utf-8"))
    print(
        f"synthetic ({args.outlets} outlets x {args.sentences} sentences, {len(result.comparisons)} pairs, "
        f"{args.translated} translated, {len(result.coverage)} facts): {size:,} bytes "
        f"({100 * size / SIZE_LIMIT:.0f}% of the 2 MB limit), render {secs * 1000:.0f} ms (median of {args.runs})"
    )
    if size >= SIZE_LIMIT:
        print(f"FAIL: report is {size:,} bytes, limit {SIZE_LIMIT:,}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
