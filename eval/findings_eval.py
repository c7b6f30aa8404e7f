"""Framing findings against the labelled strong links of the realistic sets (eval/real/findings).

Usage:
    python eval/findings_eval.py            # agreement of the two labellings, then precision/recall per type
    python eval/findings_eval.py --gold-links [--types quote,loaded] [--errors TYPE]
        # detectors alone on the gold strong links of the dev sets (no segmentation or alignment:
        # seconds, for working on a detector); --errors lists its false and missed findings
    python eval/findings_eval.py --errors TYPE
        # end to end on the realistic dev set: that type's false findings, with their links
    python eval/findings_eval.py --dev-only
        # end to end on the realistic dev set only: the test split is neither run nor printed
        # (for choosing anything: the test split must not inform a choice)

Labels: eval/real/findings/labels/{l1,l2}/EVENT/A__B.json, one finding per type per strong link at
most, made independently from ../shared/guides/framing-labelling.md. Merged as the alignment gold is:
recall is measured against findings both labellers recorded (same link, same type), precision
counts a predicted finding correct when either labeller recorded that type on a link its
sentences overlap. Predictions go through the pipeline (compare_documents: segmentation,
alignment, findings) and are mapped to gold sentences by character overlap, as the maintainers'
held-out measure does; so recall is also bounded by alignment.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from align_eval import REAL_DEV_DIR, REAL_TEST_DIR, load_gold, overlap_map  # noqa: E402
from compare.framing import DETECTORS, FINDING_TYPES  # noqa: E402
from compare.options import CompareOptions  # noqa: E402
from compare.pipeline import DocumentInput, compare_documents  # noqa: E402
from compare.result import Document, Link, Sentence  # noqa: E402

LABELS = ROOT / "eval" / "real" / "findings" / "labels"
# Written sentence pairs that enrich the rare types and hold traps where nothing must be reported
# (eval/real/findings/enrich/README.md); each pair is one strong link (0, 0).
ENRICH = ROOT / "eval" / "real" / "findings" / "enrich"
Key = tuple[str, int, int, str]  # (pair id, gold a, gold b, type)


def labelled(labeller: str) -> set[Key]:
    out: set[Key] = set()
    for path in sorted((LABELS / labeller).glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        pair = f"{data['event']}__{path.stem}"
        for f in data["findings"]:
            out.add((pair, int(f["a"]), int(f["b"]), str(f["type"])))
    return out


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def agreement(l1: set[Key], l2: set[Key], pairs: set[str]) -> None:
    print("labellers' agreement (F1 of one labelling against the other, same link and type):")
    for t in FINDING_TYPES:
        x = {k for k in l1 if k[3] == t and k[0] in pairs}
        y = {k for k in l2 if k[3] == t and k[0] in pairs}
        both = len(x & y)
        print(f"  {t:<12} {f1(both / len(x), both / len(y)) if x and y else 0.0:.2f}   (l1 {len(x)}, l2 {len(y)}, both {both})")
    x, y = {k for k in l1 if k[0] in pairs}, {k for k in l2 if k[0] in pairs}
    if x and y:
        print(f"  {'overall':<12} {f1(len(x & y) / len(x), len(x & y) / len(y)):.2f}")
    print()


def evaluate(folder: Path, title: str, l1: set[Key], l2: set[Key], errors: str | None = None) -> None:
    gold_pairs = load_gold(folder)
    ids = {g.id for g in gold_pairs}
    if not any(k[0] in ids for k in l1 | l2):
        print(f"{title}: no findings labels yet\n")
        return
    print(f"{title}: {len(gold_pairs)} pairs")
    agreement(l1, l2, ids)
    strict, loose = l1 & l2, l1 | l2
    predicted: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    found: set[Key] = set()
    reach: dict[str, set[Key]] = {"strong": set(), "weak": set()}  # gold cells the aligner's links cover
    for g in gold_pairs:
        result = compare_documents(
            [DocumentInput(g.text_a, "a", language="en"), DocumentInput(g.text_b, "b", language="en")],
            CompareOptions(use_cache=False, findings=tuple(DETECTORS)),
        )
        da, db = result.documents
        map_a = overlap_map([(s.start, s.end) for s in da.sentences], g.spans_a)
        map_b = overlap_map([(s.start, s.end) for s in db.sentences], g.spans_b)
        for link in result.comparisons[0].links:
            cells = {(ga, gb) for i in link.a for j in link.b for ga in map_a[i] for gb in map_b[j]}
            reach[link.strength] |= {k for k in strict if k[0] == g.id and (k[1], k[2]) in cells}
        for f in result.comparisons[0].findings:
            cells = {(g.id, ga, gb, f.type) for i in f.a for j in f.b for ga in map_a[i] for gb in map_b[j]}
            predicted[f.type] += 1
            correct[f.type] += bool(cells & loose)
            found |= cells & strict
            if errors == f.type and not cells & loose:
                on_gold = any((c[1], c[2]) in g.strong for c in cells)
                print(f"    FALSE ({'on a gold strong link' if on_gold else 'not a gold strong link'}) {g.id} "
                      f"{list(f.a)}-{list(f.b)}: {f.summary}")
                print(f"      A: {' '.join(da.sentences[i].compare_text for i in f.a)}")
                print(f"      B: {' '.join(db.sentences[j].compare_text for j in f.b)}")
    print("compare (default mode) against the merged labels:")
    for t in FINDING_TYPES:
        gold = {k for k in strict if k[3] == t and k[0] in ids}
        p = correct[t] / predicted[t] if predicted[t] else float("nan")
        r = len(found & gold) / len(gold) if gold else float("nan")
        print(f"  {t:<12} predicted {predicted[t]:>3}  precision {p:.3f}  recall {r:.3f}  (gold {len(gold)})")
    gold_all = {k for k in strict if k[0] in ids}
    n = sum(predicted.values())
    p = sum(correct.values()) / n if n else float("nan")
    r = len(found & gold_all) / len(gold_all) if gold_all else float("nan")
    print(f"  {'overall':<12} predicted {n:>3}  precision {p:.3f}  recall {r:.3f}  F1 {f1(p, r) if n else 0:.3f}"
          f"  (gold {len(gold_all)})")
    # What alignment leaves reachable: detectors that never erred would find exactly the labelled
    # findings on the aligner's strong links (weak links get no findings), and no more.
    strong, both = len(reach["strong"] & gold_all), len((reach["strong"] | reach["weak"]) & gold_all)
    if gold_all:
        r_max = strong / len(gold_all)
        print(f"  alignment's ceiling: {strong} of {len(gold_all)} labelled findings sit on a strong link it makes"
              f" ({both} counting weak links): with perfect detectors recall {r_max:.3f}, F1 {f1(1.0, r_max):.3f};"
              f" at precision 0.85, F1 {f1(0.85, r_max):.3f}")
    print()


def enrich_labelled(labeller: str) -> set[Key]:
    path = ENRICH / f"{labeller}.json"
    if not path.exists():
        return set()
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(f"enrich__{f['pair']}", 0, 0, str(f["type"])) for f in data["findings"]}


def _document(sentences: list[str], label: str) -> Document:
    out, pos = [], 0
    for k, text in enumerate(sentences):
        out.append(Sentence(k, pos, pos + len(text), text))
        pos += len(text) + 1
    return Document(label, label, None, "en", "given", None, tuple(out))


def link_cases() -> list[tuple[str, Document, Document, list[tuple[int, int]]]]:
    """(pair id, a, b, strong links) of the realistic dev set and the enrichment pairs."""
    cases = [(g.id, _document(g.a, "a"), _document(g.b, "b"), sorted(g.strong)) for g in load_gold(REAL_DEV_DIR)]
    if (ENRICH / "pairs.json").exists():
        for pair in json.loads((ENRICH / "pairs.json").read_text(encoding="utf-8")):
            cases.append((f"enrich__{pair['id']}", _document([pair["a"]], "a"), _document([pair["b"]], "b"), [(0, 0)]))
    return cases


def gold_links(types: list[str], errors: str | None, parts: tuple[str, ...] = ("dev", "enrich")) -> None:
    """Each detector on each gold strong link, scored per type against the merged labels."""
    l1 = labelled("l1") | enrich_labelled("l1")
    l2 = labelled("l2") | enrich_labelled("l2")
    strict, loose = l1 & l2, l1 | l2
    for part, keep in (("realistic dev", lambda pid: not pid.startswith("enrich__")),
                       ("enrichment pairs", lambda pid: pid.startswith("enrich__"))):
        if ("dev" if part == "realistic dev" else "enrich") not in parts:
            continue
        cases = [c for c in link_cases() if keep(c[0])]
        if not cases:
            continue
        ids = {c[0] for c in cases}
        if part == "enrichment pairs":
            agreement(l1, l2, ids)
            nothing = len(ids - {k[0] for k in l1 | l2})
            print(f"  pairs where neither labeller recorded anything (traps): {nothing}\n")
        print(f"{part}: {sum(len(c[3]) for c in cases)} gold strong links (detectors alone, no alignment)")
        for t in types:
            pred: dict[Key, str] = {}
            for pid, da, db, links in cases:
                for i, j in links:
                    f = DETECTORS[t].detect(da, db, Link((i,), (j,), 1.0, "strong"))
                    if f is not None:
                        pred[(pid, i, j, t)] = f.summary
            gold = {k for k in strict if k[3] == t and k[0] in ids}
            right = sum(k in loose for k in pred)
            p = right / len(pred) if pred else float("nan")
            r = len(gold & set(pred)) / len(gold) if gold else float("nan")
            print(f"  {t:<12} predicted {len(pred):>3}  precision {p:.3f}  recall {r:.3f}  F1 {f1(p, r) if pred and gold else 0:.3f}  (gold {len(gold)})")
            if errors == t:
                texts = {c[0]: c for c in cases}
                for k in sorted(set(pred) - loose):
                    print(f"    FALSE {k[0]} {k[1]}-{k[2]}: {pred[k]}")
                for k in sorted(gold - set(pred)):
                    _, da, db, _ = texts[k[0]]
                    print(f"    MISSED {k[0]} {k[1]}-{k[2]}:\n      A: {da.sentences[k[1]].text}\n      B: {db.sentences[k[2]].text}")
        print()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold-links", action="store_true", help="detectors alone on the dev sets' gold strong links")
    parser.add_argument("--types", default=",".join(DETECTORS), help="comma-separated detector names")
    parser.add_argument("--dev-only", action="store_true",
                        help="end to end on the realistic dev set only (the test split is not run or printed)")
    parser.add_argument("--errors", default=None, help="list this type's false findings (and misses, with --gold-links); end to end: dev only")
    args = parser.parse_args(argv)
    types = [t for t in args.types.split(",") if t]
    unknown = [t for t in types if t not in DETECTORS]
    if unknown:
        parser.error(f"unknown detector {unknown[0]!r}; available: {', '.join(DETECTORS)}")
    if args.gold_links:
        gold_links(types, args.errors)
        return 0
    if args.errors:  # end to end, dev only: the false findings of one type, through the pipeline
        evaluate(REAL_DEV_DIR, "realistic dev", labelled("l1"), labelled("l2"), errors=args.errors)
        return 0
    l1, l2 = labelled("l1"), labelled("l2")
    evaluate(REAL_DEV_DIR, "realistic dev", l1, l2)
    if args.dev_only:
        return 0
    evaluate(REAL_TEST_DIR, "realistic test (nothing chosen with it)", l1, l2)
    if (ENRICH / "l1.json").exists():
        print("enrichment pairs (eval/real/findings/enrich): each pair one strong link, detectors alone")
        gold_links([t for t in FINDING_TYPES], None, parts=("enrich",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
