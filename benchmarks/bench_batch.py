"""Batch speed with warm caches, and the size of the run's pages, as medians.

    python benchmarks/bench_batch.py [--runs 3] [--stories 20] [--outlets 4]

Builds STORIES stories of OUTLETS English outlets of 20-40 sentences each from the realistic
evaluation events (eval/real/events: 18 events x 3 outlets, written for the project; a fourth
outlet is the first one's sentences in another order with half of the second's, so it shares
facts as a rewrite would). English needs no translation model here: with translations cached, a
translated story costs the same (the cache answers, no engine loads); docs/batch.md.

Prints, each as the median of RUNS whole `compare batch` processes after one warm-up run that
fills the embedding cache:
  20 stories x 4 outlets, --jobs 2        target < 15 s
  the same with --jobs 1                  (what --jobs 2 saves), and both with an empty embedding cache
  the per-story cost, and how the time scales with stories (5, 10, 20) and outlets (2, 3, 4)
  summary.md and index.html sizes for 1,000 generated story results (targets < 1 MiB, < 2 MB)
The caches live in a temporary folder. Timings on shared 2-core machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "eval" / "real" / "events"


def sentences_of(path: Path) -> list[str]:
    """The labelled sentences of one outlet (eval/real's NAME.sentences.json)."""
    data = json.loads(path.with_suffix(".sentences.json").read_text(encoding="utf-8"))
    items = data["sentences"] if isinstance(data, dict) else data
    return [s["text"] if isinstance(s, dict) else str(s) for s in items]


def build(root: Path, stories: int, outlets: int) -> Path:
    events = sorted(p for p in EVENTS.iterdir() if p.is_dir())
    rng = random.Random(0)
    for k in range(stories):
        event = events[k % len(events)]
        texts = [sentences_of(p) for p in sorted(event.glob("*.txt"))]
        rewrite = rng.sample(texts[0], len(texts[0])) + texts[1][: len(texts[1]) // 2]
        texts.append(rewrite)
        folder = root / f"story-{k:02d}"
        folder.mkdir(parents=True)
        for n, sents in enumerate(texts[:outlets]):
            while len(sents) < 20:  # 20-40 sentences an outlet: pad with another outlet's last ones
                sents = sents + texts[(n + 1) % len(texts)][-(20 - len(sents)):]
            (folder / f"outlet-{n}.txt").write_text("\n\n".join(sents[:40]) + "\n", encoding="utf-8")
    return root


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return elapsed


def median_of(runs: int, args: list[str], env: dict[str, str]) -> float:
    return statistics.median(timed(args, env) for _ in range(runs))


def page_sizes() -> tuple[int, int]:
    sys.path.insert(0, str(ROOT))
    from compare.batch.pages import render_index, render_summary
    from compare.batch.run import BatchRun, StoryOutcome
    from compare.gate import Crossing, Thresholds

    outcomes = tuple(
        StoryOutcome(
            name=f"story-{k:04d}", status="crossed" if k % 3 == 0 else "ok", title=f"Event {k}: " + "words " * 12,
            outlets=("Wire", "Daily", "Post", "Agency"), languages=("en", "en", "ru", "zh"), sentences=120,
            coverage={"Wire": 0.7, "Daily": 0.55, "Post": 0.62, "Agency": 0.4}, omissions=k % 9, top_omissions=k % 3,
            findings={"number": 2, "attribution": 1, "detail": 4},
            crossings=tuple(Crossing("number", ("Wire", "Post"), f"Wire says {k}, Post says {k + 1}", story=f"story-{k:04d}",
                                     document="Wire", sentence=3, where="lead", text="A sentence " * 6) for _ in range(k % 3 == 0)),
        )
        for k in range(1000)
    )
    run = BatchRun(outcomes, Thresholds(("number",)), "bench")
    return len(render_summary(run).encode("utf-8")), len(render_index(run).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--outlets", type=int, default=4)
    args = parser.parse_args()
    compare = [sys.executable, "-m", "compare"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "COMPARE_CACHE_DIR": str(base / "cache"), "CI": "true"}
        full = build(base / "full", args.stories, args.outlets)
        sentences = [len(p.read_text(encoding="utf-8").split("\n\n")) for p in full.rglob("*.txt")]
        print(f"{args.stories} stories x {args.outlets} outlets, {min(sentences)}-{max(sentences)} sentences an outlet "
              f"({sum(sentences)} in all)")
        run = [*compare, "batch", str(full), "--out", str(base / "out")]
        timed([*run, "--jobs", "2"], env)  # warm-up: fills the embedding cache
        two = median_of(args.runs, [*run, "--jobs", "2"], env)
        one = median_of(args.runs, [*run, "--jobs", "1"], env)
        print(f"  --jobs 2: {two:.1f} s (target < 15 s)   --jobs 1: {one:.1f} s   ratio {one / two:.2f}")
        print(f"  per story: {two / args.stories:.2f} s with --jobs 2, {one / args.stories:.2f} s with --jobs 1")
        cold: dict[int, list[float]] = {1: [], 2: []}
        for k in range(args.runs):  # empty embedding cache each time: every sentence is encoded
            for jobs in (2, 1):
                fresh = {**env, "COMPARE_CACHE_DIR": str(base / f"cold-{jobs}-{k}")}
                cold[jobs].append(timed([*run, "--jobs", str(jobs)], fresh))
        c2, c1 = statistics.median(cold[2]), statistics.median(cold[1])
        print(f"  empty embedding cache: --jobs 2: {c2:.1f} s   --jobs 1: {c1:.1f} s   ratio {c1 / c2:.2f}")
        print("scaling (--jobs 2, medians):")
        for stories in (5, 10, 20):
            folder = build(base / f"s{stories}", stories, args.outlets)
            t = median_of(args.runs, [*compare, "batch", str(folder), "--out", str(base / f"o{stories}"), "--jobs", "2"], env)
            print(f"  {stories:>2} stories x {args.outlets} outlets: {t:.1f} s ({t / stories:.2f} s a story)")
        for outlets in (2, 3, 4):
            folder = build(base / f"n{outlets}", 10, outlets)
            t = median_of(args.runs, [*compare, "batch", str(folder), "--out", str(base / f"p{outlets}"), "--jobs", "2"], env)
            print(f"  10 stories x {outlets} outlets: {t:.1f} s ({t / 10:.2f} s a story, {outlets * (outlets - 1) // 2} pairs)")
    summary, index = page_sizes()
    print(f"1,000 stories: summary.md {summary / 1024:.0f} KiB (limit 1024 KiB), index.html {index / 1e6:.2f} MB (target < 2 MB)")


if __name__ == "__main__":
    main()
