#!/usr/bin/env python3
"""Merge two labellers' links into gold pair files, and report their agreement.

    eval/real/events/EVENT/OUTLET.txt (+ .sentences.json)   the excerpts (split.py)
    eval/real/labels/l1/EVENT/A__B.json, labels/l2/...      two independent labellings
    eval/real/test-events.txt                               events kept aside (the test split)
 -> eval/real/dev/EVENT__A__B.json, eval/real/test/EVENT__A__B.json

Merged as the maintainers' held-out set is: a pair is `strong` when both
labellers call it strong (recall is measured against these) and `weak` when
only one of them links it, or both weakly (precision counts it as correct).

Usage: python eval/real/build.py [EVENT ...]
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent
EVENTS, LABELS = ROOT / "events", ROOT / "labels"
LABELLERS = ("l1", "l2")


def load_links(labeller: str, event: str, a: str, b: str) -> tuple[set, set]:
    path = LABELS / labeller / event / f"{a}__{b}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    strong = {(int(x["a"]), int(x["b"])) for x in data["links"] if x["kind"] == "strong"}
    weak = {(int(x["a"]), int(x["b"])) for x in data["links"] if x["kind"] != "strong"} - strong
    return strong, weak


def side(event: Path, stem: str) -> dict:
    text = (event / f"{stem}.txt").read_text(encoding="utf-8")
    sents = json.loads((event / f"{stem}.sentences.json").read_text(encoding="utf-8"))
    assert all(text[s["start"] : s["end"]] == s["text"] for s in sents), f"{event.name}/{stem}: stale split"
    return {"label": stem, "text": text, "sentences": [s["text"] for s in sents],
            "spans": [[s["start"], s["end"]] for s in sents]}


def f1(x: set, y: set) -> tuple[int, int, int]:
    return len(x & y), len(x), len(y)


def main() -> int:
    test = set((ROOT / "test-events.txt").read_text(encoding="utf-8").split())
    events = sorted(p for p in EVENTS.iterdir() if p.is_dir())
    if len(sys.argv) > 1:  # a subset, e.g. while labelling is under way
        events = [e for e in events if e.name in sys.argv[1:]]
        test &= {e.name for e in events}
    missing = test - {e.name for e in events}
    if missing:
        sys.exit(f"test-events.txt names unknown events: {', '.join(sorted(missing))}")
    agree = {"dev": [0, 0, 0], "test": [0, 0, 0]}
    for split in ("dev", "test"):
        (ROOT / split).mkdir(exist_ok=True)
        for old in (ROOT / split).glob("*.json"):
            old.unlink()
    for event in events:
        split = "test" if event.name in test else "dev"
        stems = sorted(p.stem for p in event.glob("*.txt"))
        for a, b in combinations(stems, 2):
            (s1, w1), (s2, w2) = (load_links(lab, event.name, a, b) for lab in LABELLERS)
            both, n1, n2 = f1(s1, s2)
            for k, v in enumerate((both, n1, n2)):
                agree[split][k] += v
            strong = s1 & s2
            weak = (s1 | s2 | w1 | w2) - strong
            links = [{"a": i, "b": j, "kind": "strong"} for i, j in sorted(strong)]
            links += [{"a": i, "b": j, "kind": "weak"} for i, j in sorted(weak)]
            pair = {"id": f"{event.name}__{a}__{b}", "event": event.name, "a": side(event, a),
                    "b": side(event, b), "links": links}
            out = ROOT / split / f"{event.name}__{a}__{b}.json"
            out.write_text(json.dumps(pair, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for split, (both, n1, n2) in agree.items():
        p, r = both / max(1, n2), both / max(1, n1)
        print(f"{split}: labellers' agreement on strong links F1 {2 * p * r / max(1e-9, p + r):.3f} "
              f"({both} shared, {n1} by l1, {n2} by l2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
