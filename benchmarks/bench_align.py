"""Alignment scaling: medians, peak memory, and ratios to the targets (not a test).

Scenarios (synthetic news-like sentences, fixed seed), targets per mode (fast / default):
- long:  two documents of 2,000 sentences each, one pair aligned;  < 2 s / < 30 s
- many:  50 documents of 60 sentences, all 1,225 pairs aligned;     < 10 s / < 20 s
Peak memory target: < 1 GB (max RSS of a fresh process running one scenario).
Each timing covers building the Aligner (features, embeddings: nothing cached on disk)
and aligning; the encoder is the default one ($COMPARE_ENCODER chooses another).

    python benchmarks/bench_align.py                  # both modes
    python benchmarks/bench_align.py --modes fast --repeat 5
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"fast": {"long": 2.0, "many": 10.0}, "default": {"long": 30.0, "many": 20.0}}
MEMORY_TARGET_MB = 1024


def make_documents(n_docs: int, n_sent: int, seed: int = 7) -> list[list[str]]:
    """Documents that share facts (sentences built from shared word pools) in shuffled order."""
    from compare.align.lexical import zipf_table

    rng = random.Random(seed)
    words = sorted(w for w, z in zipf_table().items() if w.isalpha() and 2.5 < z < 6.5)
    words = words or [f"w{k}" for k in range(5000)]
    facts = [[rng.choice(words) for _ in range(rng.randint(8, 22))] for _ in range(n_sent * 2)]
    docs = []
    for _ in range(n_docs):
        chosen = rng.sample(facts, n_sent)
        doc = []
        for fact in chosen:
            kept = [w for w in fact if rng.random() > 0.3] + [rng.choice(words) for _ in range(rng.randint(0, 4))]
            rng.shuffle(kept)
            doc.append(" ".join(kept).capitalize() + ".")
        docs.append(doc)
    return docs


def run_once(scenario: str, mode: str) -> dict[str, float]:
    """One timed run in this process (called in a fresh subprocess)."""
    import resource

    sys.path.insert(0, str(ROOT))
    from itertools import combinations

    from compare.align import Aligner

    docs = make_documents(2, 2000) if scenario == "long" else make_documents(50, 60)
    start = time.perf_counter()
    aligner = Aligner(docs, mode=mode)
    links = 0
    for i, j in combinations(range(len(docs)), 2):
        links += len(aligner.align(i, j).links)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "links": links}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="fast,default")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario in fast mode (default mode: 1)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_once(*args.child)))
        return 0
    print(f"{'mode':<8} {'scenario':<6} {'median s':>9} {'target':>7} {'ratio':>6} {'peak MB':>8} {'links':>7}")
    for mode in args.modes.split(","):
        for scenario in ("long", "many"):
            runs = []
            for _ in range(args.repeat if mode == "fast" else 1):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", scenario, mode], capture_output=True, text=True, check=True
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            median = statistics.median(r["seconds"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            target = TARGETS[mode][scenario]
            print(
                f"{mode:<8} {scenario:<6} {median:>9.2f} {target:>7.1f} {median / target:>6.2f} "
                f"{peak:>8.0f} {int(runs[0]['links']):>7}" + ("" if peak < MEMORY_TARGET_MB else "  (memory over 1 GB)")
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
